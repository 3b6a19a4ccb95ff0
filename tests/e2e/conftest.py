"""End-to-end fixtures: the synthetic site on a local server, and ``newsbot crawl`` run as a real subprocess.

Every crawl gets ``NEWSBOT_HOST_MAP_ONLY=true`` and a host map pointing www.isna.ir (and the off-site redirect's
host) at the local server, so no request can leave 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .server import SiteServer
from .sitegen import EVIL_HOST, HOST, Site

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
#: Generous: a crawl of the synthetic site takes a few seconds; this only stops a hung test.
CRAWL_TIMEOUT = 120


@dataclass
class CrawlResult:
    returncode: int
    stdout: str
    stderr: str
    #: Every record in DATA_DIR/isna/*.jsonl (all runs on this data dir so far), in file order.
    records: list[dict[str, Any]]
    #: The run report (STATE_DIR/runs/<start>.json) this run printed, or None when it printed none.
    report: dict[str, Any] | None
    report_path: Path | None = None
    raw_lines: list[bytes] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, Any]:
        """The isna spider's summary in the run report."""
        assert self.report is not None, f"no run summary; rc={self.returncode}\n{self.stderr[-3000:]}"
        return next(s for s in self.report["spiders"] if s["spider"] == "isna")

    def stat(self, key: str) -> int:
        """A value from Scrapy's stats dump in the log («'downloader/exception_count': 3,»), 0 when absent."""
        match = re.search(rf"'{re.escape(key)}': (\d+)", self.stderr)
        return int(match.group(1)) if match else 0


def read_output(data_dir: Path, spider: str = "isna") -> tuple[list[dict[str, Any]], list[bytes]]:
    """Parsed records and raw lines of every output file; a line that is not JSON fails the test right here."""
    records: list[dict[str, Any]] = []
    raw: list[bytes] = []
    for path in sorted((data_dir / spider).glob("*.jsonl")):
        for number, line in enumerate(path.read_bytes().splitlines(keepends=True), start=1):
            raw.append(line)
            assert line.endswith(b"\n"), f"{path}:{number}: unterminated line {line[:80]!r}"
            try:
                records.append(json.loads(line))
            except ValueError as exc:
                raise AssertionError(f"{path}:{number}: not JSON ({exc}): {line[:200]!r}") from None
    return records, raw


def count_lines(data_dir: Path, spider: str = "isna") -> int:
    return sum(p.read_bytes().count(b"\n") for p in (data_dir / spider).glob("*.jsonl"))


def clean_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}  # no proxy, ever
    # Whatever Scrapy keeps in the user's profile (platformdirs) stays in the test's folder.
    env["XDG_STATE_HOME"] = str(tmp / "xdg-state")
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    return env


class Crawler:
    """Runs ``python -m newsbot.cli crawl isna`` against the local server with per-test state and data dirs."""

    def __init__(self, server: SiteServer, tmp: Path) -> None:
        self.server = server
        self.tmp = tmp
        self.state_dir = tmp / "state"
        self.data_dir = tmp / "data"

    def settings(self, **overrides: Any) -> dict[str, Any]:
        values: dict[str, Any] = {
            "NEWSBOT_HOST_MAP": {HOST: self.server.address, EVIL_HOST: self.server.address},
            "NEWSBOT_HOST_MAP_ONLY": True,
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_DELAY": 0,
            "DOWNLOAD_TIMEOUT": 15,
            "RETRY_TIMES": 1,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
        }
        values.update(overrides)
        return values

    def argv(self, *extra: str, state_dir: Path | None = None, data_dir: Path | None = None,
             spiders: tuple[str, ...] = ("isna",), **settings: Any) -> list[str]:
        argv = [sys.executable, "-m", "newsbot.cli", "crawl", *spiders,
                "--state-dir", str(state_dir or self.state_dir), "--data-dir", str(data_dir or self.data_dir)]
        for key, value in self.settings(**settings).items():
            argv += ["-s", f"{key}={json.dumps(value)}"]
        return argv + list(extra)

    def run(self, *extra: str, state_dir: Path | None = None, data_dir: Path | None = None,
            spiders: tuple[str, ...] = ("isna",), **settings: Any) -> CrawlResult:
        proc = subprocess.run(self.argv(*extra, state_dir=state_dir, data_dir=data_dir, spiders=spiders,
                                        **settings),
                              cwd=self.tmp, env=clean_env(self.tmp), capture_output=True, timeout=CRAWL_TIMEOUT)
        return self.result(proc.returncode, proc.stdout, proc.stderr, data_dir or self.data_dir)

    def start(self, *extra: str, log: Path, state_dir: Path | None = None, data_dir: Path | None = None,
              **settings: Any) -> subprocess.Popen[bytes]:
        """A crawl in the background, in its own process group (so a kill reaches all of it)."""
        out = log.open("wb")
        try:
            return subprocess.Popen(self.argv(*extra, state_dir=state_dir, data_dir=data_dir, **settings),
                                    cwd=self.tmp, env=clean_env(self.tmp), stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        finally:
            out.close()

    @staticmethod
    def result(returncode: int, stdout: bytes, stderr: bytes, data_dir: Path) -> CrawlResult:
        out = stdout.decode("utf-8", "replace")
        err = stderr.decode("utf-8", "replace")
        records, raw = read_output(data_dir)
        report = path = None
        match = re.search(r"^summary written to (.+)$", out, re.M)
        if match:
            path = Path(match.group(1).strip())
            report = json.loads(path.read_text(encoding="utf-8"))
        return CrawlResult(returncode, out, err, records, report, path, raw)


def wait_for(predicate: Callable[[], bool], timeout: float, what: str, proc: subprocess.Popen | None = None
             ) -> None:
    """Poll until ``predicate()``; fail (not hang) after ``timeout`` seconds or if ``proc`` exits first."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the crawl exited (rc={proc.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the crawl's whole process group and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


@pytest.fixture
def site() -> Site:
    return Site(30)


@pytest.fixture
def server(site: Site) -> Iterator[SiteServer]:
    with SiteServer(site) as srv:
        yield srv


@pytest.fixture
def crawler(server: SiteServer, tmp_path: Path) -> Crawler:
    return Crawler(server, tmp_path)
