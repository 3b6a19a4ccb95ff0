"""Run history, monitors and the gap ledger: what a year of cron runs says about each site.

Every spider's run summary (``newsbot.extensions.spider_summary``) is kept as one row of ``state/history.sqlite3``,
written when the spider closes, so ``newsbot crawl`` and ``scrapy crawl`` both record it. From those rows:

- **status** per site: the last run and its status, the last article written, articles per day over 7 and 30 days,
  field coverage, and **monitors** that compare the site with its *own* past: nothing written where the trailing
  daily median is above zero, a field's coverage dropping by more than 20 points (a layout change), the drop ratio
  rising, repeated unreachable or blocked runs.
- **gaps**: the periods in which a site had no successful crawl (an outage, a bot wall, a national internet
  shutdown, a broken spider). A gap opens at the end of the last good run before a failing one and closes at the
  start of the next good run; ``newsbot crawl --fill-gaps`` backfills each closed gap through the site's archive
  and sitemaps and marks it filled. A researcher can tell "no news" from "no access".

The history is its own SQLite file beside the seen-store, so a long-running report never holds the crawl's lock.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

#: Statuses of a run that did its job; any other opens (or extends) a gap.
GOOD = frozenset({"ok"})
_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    site TEXT NOT NULL, started TEXT NOT NULL, finished TEXT NOT NULL, status TEXT NOT NULL, failure TEXT,
    written INTEGER NOT NULL DEFAULT 0, fetched INTEGER NOT NULL DEFAULT 0, dropped INTEGER NOT NULL DEFAULT 0,
    summary TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_site_time ON runs (site, finished);
CREATE TABLE IF NOT EXISTS gaps (
    site TEXT NOT NULL, start TEXT NOT NULL, end TEXT, reason TEXT NOT NULL, runs INTEGER NOT NULL DEFAULT 1,
    filled_at TEXT
);
CREATE INDEX IF NOT EXISTS gaps_site ON gaps (site, start);
"""


class HistoryError(Exception):
    """The history file cannot be opened or written (one line: path and reason)."""


def _iso(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat(timespec="seconds")


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


@dataclass
class Gap:
    site: str
    start: str
    end: str | None
    reason: str
    runs: int
    filled_at: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"site": self.site, "start": self.start, "end": self.end, "reason": self.reason, "runs": self.runs,
                "filled_at": self.filled_at}


@dataclass
class SiteStatus:
    site: str
    last_run: str | None
    last_status: str | None
    last_failure: str | None
    last_written_at: str | None
    per_day_7: float
    per_day_30: float
    coverage: dict[str, float]
    flags: list[str] = field(default_factory=list)
    open_gap: Gap | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"site": self.site, "last_run": self.last_run, "last_status": self.last_status,
                "last_failure": self.last_failure, "last_written_at": self.last_written_at,
                "per_day_7": round(self.per_day_7, 2), "per_day_30": round(self.per_day_30, 2),
                "coverage": {k: round(v, 3) for k, v in self.coverage.items()}, "flags": self.flags,
                "open_gap": self.open_gap.as_dict() if self.open_gap else None}


class History:
    """The history file of one state directory."""

    def __init__(self, state_dir: str | Path) -> None:
        self.path = Path(state_dir) / "history.sqlite3"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise HistoryError(f"run history {self.path}: {exc}") from None

    def close(self) -> None:
        self.db.close()

    # ---- writing ---------------------------------------------------------------------------------------------
    def record(self, summary: dict[str, Any], started: datetime, finished: datetime) -> dict[str, Any]:
        """Keep one spider's run; open, extend or close its gap. Returns what changed: the previous status and the
        gap opened or closed, for alerts."""
        site = summary["spider"]
        status = summary["status"]
        previous = self.db.execute("SELECT status FROM runs WHERE site = ? ORDER BY finished DESC LIMIT 1",
                                   (site,)).fetchone()
        dropped = sum(int(v) for v in (summary.get("dropped") or {}).values() if isinstance(v, int))
        try:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "INSERT INTO runs (site, started, finished, status, failure, written, fetched, dropped, summary) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (site, _iso(started), _iso(finished), status, summary.get("failure"), int(summary.get("written", 0)),
                 int(summary.get("fetched", 0)), dropped, json.dumps(summary, ensure_ascii=False, default=str)))
            change = self._update_gap(site, status, started, finished)
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise HistoryError(f"run history {self.path}: {exc}") from None
        return {"site": site, "status": status, "previous_status": previous[0] if previous else None, **change}

    def _update_gap(self, site: str, status: str, started: datetime, finished: datetime) -> dict[str, Any]:
        open_gap = self.db.execute("SELECT rowid, start, runs FROM gaps WHERE site = ? AND end IS NULL",
                                   (site,)).fetchone()
        if status in GOOD:
            if open_gap:
                self.db.execute("UPDATE gaps SET end = ? WHERE rowid = ?", (_iso(started), open_gap[0]))
                return {"gap_closed": {"start": open_gap[1], "end": _iso(started)}}
            return {}
        if open_gap:
            self.db.execute("UPDATE gaps SET runs = runs + 1 WHERE rowid = ?", (open_gap[0],))
            return {}
        # The gap began when the last good run ended: from then on, nothing is known to have been collected.
        last_good = self.db.execute("SELECT max(finished) FROM runs WHERE site = ? AND status = 'ok' AND finished < ?",
                                    (site, _iso(finished))).fetchone()[0]
        start = last_good or _iso(started)
        self.db.execute("INSERT INTO gaps (site, start, end, reason) VALUES (?, ?, NULL, ?)", (site, start, status))
        return {"gap_opened": {"start": start, "reason": status}}

    def mark_filled(self, site: str, gaps: Iterable[Gap]) -> None:
        now = _iso(datetime.now(timezone.utc))
        for gap in gaps:
            self.db.execute("UPDATE gaps SET filled_at = ? WHERE site = ? AND start = ? AND end IS ?",
                            (now, site, gap.start, gap.end))

    def prune(self, keep_days: float) -> int:
        """Forget runs older than ``keep_days`` (gaps are kept: they are the record of what is missing)."""
        cutoff = _iso(datetime.now(timezone.utc) - timedelta(days=keep_days))
        return self.db.execute("DELETE FROM runs WHERE finished < ?", (cutoff,)).rowcount

    # ---- reading ---------------------------------------------------------------------------------------------
    def sites(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT site FROM runs ORDER BY site")]

    def runs(self, site: str, since: datetime | None = None) -> list[dict[str, Any]]:
        query = "SELECT started, finished, status, failure, written, fetched, dropped, summary FROM runs " \
                "WHERE site = ?" + (" AND finished >= ?" if since else "") + " ORDER BY finished"
        args: tuple[Any, ...] = (site, _iso(since)) if since else (site,)
        return [{"started": r[0], "finished": r[1], "status": r[2], "failure": r[3], "written": r[4],
                 "fetched": r[5], "dropped": r[6], "summary": json.loads(r[7])}
                for r in self.db.execute(query, args)]

    def gaps(self, site: str | None = None) -> list[Gap]:
        query = "SELECT site, start, end, reason, runs, filled_at FROM gaps" + (" WHERE site = ?" if site else "") \
            + " ORDER BY site, start"
        return [Gap(*row) for row in self.db.execute(query, (site,) if site else ())]

    def status(self, site: str, now: datetime | None = None, window_days: float = 14) -> SiteStatus:
        now = now or datetime.now(timezone.utc)
        month = self.runs(site, now - timedelta(days=max(30.0, window_days + 1)))
        last = month[-1] if month else None
        if last is None:
            everything = self.runs(site)
            last = everything[-1] if everything else None
        written_at = self.db.execute("SELECT max(finished) FROM runs WHERE site = ? AND written > 0",
                                     (site,)).fetchone()[0]

        def per_day(days: float) -> float:
            cutoff = now - timedelta(days=days)
            return sum(r["written"] for r in month if _time(r["finished"]) >= cutoff) / days

        open_gap = next((g for g in self.gaps(site) if g.end is None), None)
        result = SiteStatus(site, last["finished"] if last else None, last["status"] if last else None,
                            last["failure"] if last else None, written_at, per_day(7), per_day(30),
                            _coverage([r for r in month if _time(r["finished"]) >= now - timedelta(days=1)] or
                                      month[-1:]),
                            open_gap=open_gap)
        result.flags = monitors(month, now, window_days)
        return result


def _coverage(runs: list[dict[str, Any]]) -> dict[str, float]:
    """Share of written records that had each field, over these runs (weighted by what each wrote)."""
    total = sum(r["written"] for r in runs)
    if not total:
        return {}
    fields: dict[str, float] = {}
    for r in runs:
        for name, missing in (r["summary"].get("missing_share") or {}).items():
            if isinstance(missing, (int, float)):
                fields[name] = fields.get(name, 0.0) + (1.0 - missing) * r["written"]
    return {k: v / total for k, v in sorted(fields.items())}


def _daily(runs: list[dict[str, Any]], key: str, start: datetime, days: int) -> list[int]:
    counts = [0] * days
    for r in runs:
        i = (_time(r["finished"]) - start).days
        if 0 <= i < days:
            counts[i] += r[key]
    return counts


def monitors(runs: list[dict[str, Any]], now: datetime, window_days: float = 14, repeated: int = 3,
             coverage_drop: float = 0.20, drop_rise: float = 0.20) -> list[str]:
    """What is unusual about the last day against the site's own trailing window (none with too little history)."""
    flags: list[str] = []
    if not runs:
        return flags
    last_day = now - timedelta(days=1)
    recent = [r for r in runs if _time(r["finished"]) >= last_day]
    before = [r for r in runs if now - timedelta(days=window_days + 1) <= _time(r["finished"]) < last_day]
    tail = [r["status"] for r in runs[-repeated:]]
    if len(tail) == repeated and all(s in ("unreachable", "blocked") for s in tail):
        flags.append(f"the last {repeated} runs were {'/'.join(sorted(set(tail)))}")
    if recent and before:
        days = max(1, int(window_days))
        daily = _daily(before, "written", now - timedelta(days=days + 1), days)
        typical = statistics.median(daily)
        if typical > 0 and sum(r["written"] for r in recent) == 0:
            flags.append(f"nothing written in the last day; usually {typical:g} a day")
        old, new = _coverage(before), _coverage(recent)
        for name, share in new.items():
            if name in old and old[name] - share > coverage_drop:
                flags.append(f"{name} coverage fell from {old[name]:.0%} to {share:.0%} (a layout change?)")
        fetched_old = sum(r["fetched"] for r in before)
        fetched_new = sum(r["fetched"] for r in recent)
        if fetched_old and fetched_new:
            ratio_old = sum(r["dropped"] for r in before) / fetched_old
            ratio_new = sum(r["dropped"] for r in recent) / fetched_new
            if ratio_new - ratio_old > drop_rise:
                flags.append(f"drop ratio rose from {ratio_old:.0%} to {ratio_new:.0%}")
    return flags
