"""What a cron run does after its crawl, and what the operator reads: alerts, retention, status and gap tables.

Alerts: when a site changes status, a gap opens or closes, or a monitor (``newsbot.history.monitors``) trips, the
user's command (``--alert-cmd`` / ``NEWSBOT_ALERT_CMD``) is run once per event with the event as JSON on stdin. A
monitor that stays tripped alerts once, when it trips (and again when its wording changes), not every ten minutes.
"""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsbot.history import History, SiteStatus


def alert_events(history: History, changes: list[dict[str, Any]], statuses: list[SiteStatus]) -> list[dict[str, Any]]:
    """The events of one run: status changes, gaps opened and closed, monitors newly tripped."""
    events: list[dict[str, Any]] = []
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    for change in changes:
        site = change["site"]
        if change.get("previous_status") and change["previous_status"] != change["status"]:
            events.append({"event": "status_changed", "site": site, "from": change["previous_status"],
                           "to": change["status"], "at": now})
        if change.get("gap_opened"):
            events.append({"event": "gap_opened", "site": site, **change["gap_opened"], "at": now})
        if change.get("gap_closed"):
            events.append({"event": "gap_closed", "site": site, **change["gap_closed"], "at": now})
    history.db.execute("CREATE TABLE IF NOT EXISTS alerted (site TEXT PRIMARY KEY, flags TEXT NOT NULL)")
    for status in statuses:
        row = history.db.execute("SELECT flags FROM alerted WHERE site = ?", (status.site,)).fetchone()
        before = set(json.loads(row[0])) if row else set()
        new = [f for f in status.flags if f not in before]
        if new:
            events.append({"event": "monitor", "site": status.site, "flags": new, "all_flags": status.flags,
                           "status": status.last_status, "at": now})
        history.db.execute("INSERT INTO alerted (site, flags) VALUES (?, ?) ON CONFLICT(site) DO UPDATE SET "
                           "flags = excluded.flags", (status.site, json.dumps(status.flags, ensure_ascii=False)))
    return events


def send_alerts(command: str, events: list[dict[str, Any]], timeout: float = 60) -> list[str]:
    """Run the alert command once per event (JSON on stdin); the problems, one line each (empty: all sent)."""
    problems = []
    for event in events:
        payload = json.dumps(event, ensure_ascii=False).encode("utf-8")
        try:
            done = subprocess.run(command, shell=True, input=payload, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            problems.append(f"alert command timed out after {timeout:.0f} s ({event['event']} {event['site']})")
            continue
        except OSError as exc:
            problems.append(f"alert command could not run: {exc}")
            break
        if done.returncode != 0:
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            problems.append(f"alert command exited {done.returncode} ({event['event']} {event['site']}): {tail[0]}")
    return problems


def prune_run_files(runs: Path, keep_days: float) -> int:
    """Delete run summary files older than ``keep_days`` (by the start time in their name, else their mtime)."""
    if keep_days <= 0 or not runs.is_dir():
        return 0
    cutoff = datetime.now(timezone.utc) - timedelta(days=keep_days)
    removed = 0
    for path in runs.glob("*.json"):
        try:
            when = datetime.strptime(path.name[:20], "%Y-%m-%dT%H-%M-%SZ").replace(tzinfo=timezone.utc)
        except ValueError:
            when = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
        if when < cutoff:
            try:
                path.unlink()
                removed += 1
            except OSError:
                pass
    return removed


def text_table(rows: list[tuple[str, ...]]) -> str:
    """Rows (the first is the header) as aligned columns for a terminal or a cron log."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip() for r in rows)


def status_table(statuses: list[SiteStatus], low: float = 0.8) -> str:
    head = ("site", "last run (UTC)", "status", "last article", "per day 7d", "30d", "fields under 80%", "flags")
    rows = [head]
    for s in statuses:
        weak = ", ".join(f"{k} {v:.0%}" for k, v in s.coverage.items() if v < low) or "-"
        flags = "; ".join(s.flags) or "-"
        if s.open_gap:
            flags = f"gap open since {s.open_gap.start[:16]} ({s.open_gap.reason}); " + flags
        rows.append((s.site, (s.last_run or "-")[:16], s.last_status or "-", (s.last_written_at or "never")[:16],
                     f"{s.per_day_7:.1f}", f"{s.per_day_30:.1f}", weak, flags))
    return text_table(rows)


def gaps_table(gaps: list[Any]) -> str:
    head = ("site", "from (UTC)", "to (UTC)", "hours", "reason", "runs", "filled")
    rows = [head]
    now = datetime.now(timezone.utc)
    for g in gaps:
        end = datetime.fromisoformat(g.end) if g.end else now
        hours = (end - datetime.fromisoformat(g.start)).total_seconds() / 3600
        rows.append((g.site, g.start[:16], (g.end or "open")[:16], f"{hours:.1f}", g.reason, str(g.runs),
                     (g.filled_at or "-")[:16]))
    return text_table(rows)
