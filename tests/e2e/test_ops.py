"""A month of cron in a minute: an outage opens a gap and alerts, recovery closes it, --fill-gaps backfills it,
status and gaps say what happened, and a normal run's log holds only the summary."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from newsbot.history import History

from .conftest import Crawler, clean_env
from .server import SiteServer
from .sitegen import HOST, Site

pytestmark = pytest.mark.e2e


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _newsbot(tmp: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsbot.cli", *argv], cwd=tmp, env=clean_env(tmp),
                          capture_output=True, text=True, timeout=120)


def test_an_outage_is_a_gap_with_alerts_and_is_filled_after_recovery(site: Site, server: SiteServer,
                                                                    crawler: Crawler, tmp_path: Path) -> None:
    alerts = tmp_path / "alerts.jsonl"
    script = tmp_path / "alert.py"
    script.write_text("import sys\nopen(sys.argv[1], 'a').write(sys.stdin.read().strip() + '\\n')\n",
                      encoding="utf-8")
    alert = ["--alert-cmd", f"{sys.executable} {script} {alerts}"]

    first = crawler.run(*alert, "-q")
    assert first.returncode == 0 and first.summary["written"] == len(site.articles)
    # Spidermon checked every written record against the record schema.
    assert first.summary["schema_checked"] == len(site.articles) and first.summary["schema_errors"] == 0
    # Under cron (-q) the output is the summary table and where it was written: nothing else.
    assert first.stderr.strip() == "", first.stderr
    assert first.stdout.splitlines()[0].startswith("spider")

    down = crawler.run(*alert, "-q", NEWSBOT_HOST_MAP={HOST: f"127.0.0.1:{_closed_port()}"})
    assert down.returncode == 5 and down.summary["status"] == "unreachable"
    events = [json.loads(line) for line in alerts.read_text(encoding="utf-8").splitlines()]
    assert [e["event"] for e in events] == ["status_changed", "gap_opened"]
    assert events[0]["from"] == "ok" and events[0]["to"] == "unreachable" and events[1]["reason"] == "unreachable"

    gaps = _newsbot(tmp_path, "gaps", "--state-dir", str(crawler.state_dir), "--json")
    [gap] = [json.loads(line) for line in gaps.stdout.splitlines()]
    assert gap["site"] == "isna" and gap["end"] is None
    status = _newsbot(tmp_path, "status", "--state-dir", str(crawler.state_dir), "--check")
    assert status.returncode == 1 and "gap open since" in status.stdout and "unreachable" in status.stdout
    # An open gap is not filled while the site is still down.
    early = crawler.run("--fill-gaps")
    assert early.returncode == 0 and "no gap to fill" in early.stdout and "gap open since" in early.stderr

    site.add_article()
    back = crawler.run(*alert, "-q")
    assert back.returncode == 0 and back.summary["written"] == 1
    events = [json.loads(line) for line in alerts.read_text(encoding="utf-8").splitlines()]
    assert [e["event"] for e in events][2:] == ["status_changed", "gap_closed"]
    [gap] = History(crawler.state_dir).gaps("isna")
    assert gap.end is not None and gap.filled_at is None

    fill = crawler.run("--fill-gaps")
    assert fill.returncode == 0, fill.stdout + fill.stderr[-2000:]
    assert "isna: 1 gap(s) from" in fill.stdout and "backfilled" in fill.stdout
    assert History(crawler.state_dir).gaps("isna")[0].filled_at is not None
    assert "no gap to fill" in crawler.run("--fill-gaps").stdout
    status = _newsbot(tmp_path, "status", "--state-dir", str(crawler.state_dir), "--json")
    row = json.loads(status.stdout)
    assert row["last_status"] == "ok" and row["open_gap"] is None and row["last_written_at"]
    assert row["per_day_7"] == pytest.approx((len(site.articles)) / 7, abs=0.01)


def test_progress_on_a_terminal_and_silence_without_one(site: Site, server: SiteServer, crawler: Crawler,
                                                        tmp_path: Path) -> None:
    import os
    import pty

    for _ in range(60):
        site.add_article()
    site.article_delay = 0.05  # slow enough for a few progress lines
    argv = crawler.argv(NEWSBOT_PROGRESS_INTERVAL=0.3, CONCURRENT_REQUESTS_PER_DOMAIN=1)
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, cwd=tmp_path, env=clean_env(tmp_path), stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    assert proc.wait(timeout=120) == 0
    tty_err = b"".join(chunks).decode("utf-8", "replace")
    assert "progress: 0/1 sites done" in tty_err and "articles written" in tty_err, tty_err[-2000:]
    # The same crawl with stderr not a terminal (cron): no progress line.
    site.add_article()
    piped = crawler.run(NEWSBOT_PROGRESS_INTERVAL=0.3)
    assert piped.returncode == 0 and "progress:" not in piped.stderr


def test_the_readme_cron_line_works_on_a_fresh_folder(tmp_path: Path) -> None:
    """The README's cron line as written (replaying the fixtures instead of the network), in a folder with nothing
    but sites.txt: it runs, creates its log folder, and the summary log holds the summary table only."""
    from .conftest import FIXTURES, ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = next(x for x in readme.splitlines() if x.startswith("*/10 * * * * "))
    command = line.removeprefix("*/10 * * * * ").replace("cd /srv/newsbot", f"cd {tmp_path}")
    command = command.replace(".venv/bin/newsbot crawl", f"{sys.executable} -m newsbot.cli crawl --replay {FIXTURES}")
    (tmp_path / "sites.txt").write_text("isna tabnak  # the sites we follow\n", encoding="utf-8")
    done = subprocess.run(["sh", "-c", command], env=clean_env(tmp_path), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    summary = (tmp_path / "logs" / "summary.log").read_text(encoding="utf-8")
    lines = [x for x in summary.splitlines() if x.strip()]
    assert lines[0].startswith("spider") and {x.split()[0] for x in lines[1:3]} == {"isna", "tabnak"}
    assert lines[-1].startswith("summary written to") and len(lines) == 4, summary
    assert (tmp_path / "logs" / "crawl.log").exists()
