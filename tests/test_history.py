"""Run history: gaps open and close with the site's runs, monitors compare a site with its own past, alerts fire
once per change, retention keeps the history bounded."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from newsbot.cli import main
from newsbot.history import History, monitors
from newsbot.ops import alert_events, prune_run_files, send_alerts

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def summary(site: str = "isna", status: str = "ok", written: int = 10, fetched: int | None = None,
            dropped: int = 0, missing: dict[str, float] | None = None) -> dict:
    return {"spider": site, "status": status, "failure": None if status == "ok" else f"{status} reason",
            "written": written, "fetched": written + dropped if fetched is None else fetched,
            "dropped": {"no_body": dropped} if dropped else {},
            "missing_share": missing if missing is not None else {"title": 0.0, "kicker": 0.3, "body": 0.0}}


def fill(history: History, days: int, per_day: int = 3, **kw: object) -> None:
    """``days`` days of history up to NOW - 1 day, ``per_day`` runs a day."""
    for d in range(days, 0, -1):
        for r in range(per_day):
            t = NOW - timedelta(days=d, hours=1 + r * 6)
            history.record(summary(**kw), t - timedelta(minutes=1), t)


def test_a_gap_opens_at_the_last_good_run_and_closes_at_the_next(tmp_path: Path) -> None:
    h = History(tmp_path)
    t0 = NOW - timedelta(hours=5)
    assert h.record(summary(), t0, t0 + timedelta(minutes=1))["previous_status"] is None
    change = h.record(summary(status="unreachable", written=0), t0 + timedelta(hours=1),
                      t0 + timedelta(hours=1, minutes=1))
    assert change["previous_status"] == "ok"
    assert change["gap_opened"]["start"] == (t0 + timedelta(minutes=1)).isoformat()
    assert "gap_opened" not in h.record(summary(status="blocked", written=0), t0 + timedelta(hours=2),
                                        t0 + timedelta(hours=2, minutes=1))
    [gap] = h.gaps("isna")
    assert gap.end is None and gap.runs == 2 and gap.reason == "unreachable"
    change = h.record(summary(), t0 + timedelta(hours=3), t0 + timedelta(hours=3, minutes=1))
    assert change["gap_closed"] == {"start": gap.start, "end": (t0 + timedelta(hours=3)).isoformat()}
    [gap] = h.gaps("isna")
    assert gap.end == (t0 + timedelta(hours=3)).isoformat()
    h.mark_filled("isna", [gap])
    assert h.gaps("isna")[0].filled_at


def test_no_flag_on_a_steady_site_or_a_short_history(tmp_path: Path) -> None:
    h = History(tmp_path)
    assert h.status("isna", now=NOW).flags == []
    fill(h, 14)
    h.record(summary(), NOW - timedelta(hours=2), NOW - timedelta(hours=1))
    assert h.status("isna", now=NOW).flags == []


def test_nothing_written_where_the_median_is_above_zero(tmp_path: Path) -> None:
    h = History(tmp_path)
    fill(h, 14)
    h.record(summary(written=0), NOW - timedelta(hours=2), NOW - timedelta(hours=1))
    flags = h.status("isna", now=NOW).flags
    assert flags == ["nothing written in the last day; usually 30 a day"]
    # A site that writes nothing most days is not flagged for writing nothing today.
    quiet = History(tmp_path / "quiet")
    fill(quiet, 14, written=0)
    quiet.record(summary(written=0), NOW - timedelta(hours=2), NOW - timedelta(hours=1))
    assert quiet.status("isna", now=NOW).flags == []


def test_a_field_losing_coverage_and_rising_drops_are_flagged(tmp_path: Path) -> None:
    h = History(tmp_path)
    fill(h, 10)
    h.record(summary(written=6, dropped=6, missing={"title": 0.0, "kicker": 0.9, "body": 0.0}),
             NOW - timedelta(hours=2), NOW - timedelta(hours=1))
    flags = h.status("isna", now=NOW).flags
    assert any(f.startswith("kicker coverage fell from 70% to 10%") for f in flags), flags
    assert any(f.startswith("drop ratio rose from 0% to 50%") for f in flags), flags


def test_repeated_unreachable_runs_are_flagged(tmp_path: Path) -> None:
    statuses = ((4, "ok"), (3, "unreachable"), (2, "blocked"), (1, "unreachable"))
    runs = [{"finished": (NOW - timedelta(hours=i)).isoformat(), "status": s, "written": 0, "fetched": 0,
             "dropped": 0, "summary": {}} for i, s in statuses]
    assert monitors(runs, NOW) == ["the last 3 runs were blocked/unreachable"]
    assert monitors(runs[:-1], NOW) == []


def test_alerts_fire_once_per_change(tmp_path: Path) -> None:
    h = History(tmp_path)
    fill(h, 14)
    change = h.record(summary(status="blocked", written=0), NOW - timedelta(hours=2), NOW - timedelta(hours=1))
    events = alert_events(h, [change], [h.status("isna", now=NOW)])
    kinds = [e["event"] for e in events]
    assert kinds == ["status_changed", "gap_opened", "monitor"], events
    assert events[0]["from"] == "ok" and events[0]["to"] == "blocked"
    # The same flags on the next run: no new monitor event.
    again = alert_events(h, [], [h.status("isna", now=NOW)])
    assert again == []


def test_the_alert_command_gets_each_event_as_json_and_its_failures_are_reported(tmp_path: Path) -> None:
    out = tmp_path / "alerts.jsonl"
    script = tmp_path / "alert.py"
    script.write_text("import sys\nopen(sys.argv[1], 'a').write(sys.stdin.read() + '\\n')\n", encoding="utf-8")
    events = [{"event": "status_changed", "site": "isna", "from": "ok", "to": "blocked"},
              {"event": "gap_opened", "site": "isna", "start": "x", "reason": "blocked"}]
    assert send_alerts(f"{sys.executable} {script} {out}", events) == []
    assert [json.loads(line)["event"] for line in out.read_text(encoding="utf-8").splitlines()] == \
        ["status_changed", "gap_opened"]
    problems = send_alerts(f"{sys.executable} -c 'import sys; sys.exit(3)'", events[:1])
    assert problems == ["alert command exited 3 (status_changed isna): "]


def test_old_run_files_and_history_rows_are_pruned(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    old = (datetime.now(timezone.utc) - timedelta(days=40)).strftime("%Y-%m-%dT%H-%M-%SZ")
    new = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H-%M-%SZ")
    for name in (f"{old}.json", f"{old}-isna.json", f"{new}.json"):
        (runs / name).write_text("{}", encoding="utf-8")
    assert prune_run_files(runs, 30) == 2
    assert [p.name for p in runs.iterdir()] == [f"{new}.json"]
    h = History(tmp_path)
    t = datetime.now(timezone.utc)
    h.record(summary(), t - timedelta(days=500), t - timedelta(days=500))
    h.record(summary(), t, t)
    assert h.prune(400) == 1 and len(h.runs("isna")) == 1


def test_status_and_gaps_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--state-dir", str(tmp_path)]) == 2
    assert "no run history" in capsys.readouterr().err
    h = History(tmp_path)
    t = datetime.now(timezone.utc)
    h.record(summary(), t - timedelta(hours=3), t - timedelta(hours=3))
    h.record(summary(status="unreachable", written=0), t - timedelta(hours=2), t - timedelta(hours=2))
    h.close()
    assert main(["status", "--state-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].startswith("isna") and "unreachable" in out and "gap open since" in out
    assert main(["status", "--state-dir", str(tmp_path), "--check"]) == 1
    capsys.readouterr()
    assert main(["status", "--state-dir", str(tmp_path), "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["last_status"] == "unreachable" and row["open_gap"]["reason"] == "unreachable"
    assert main(["gaps", "--state-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "isna" in out and "open" in out and "unreachable" in out
