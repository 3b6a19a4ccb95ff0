"""Several workers, one crawl, through a real redis-server: every article exactly once, whatever is killed.

Each test starts its own redis-server (Debian's package; see redis_server.py) on a free port with persistence on,
and the synthetic site on a local server. The workers are real ``newsbot crawl --redis`` subprocesses sharing one
state directory and one data directory (each writes its own ``<date>.<worker>.jsonl``), as several workers on one
machine would; on several machines only the folders differ.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import CRAWL_TIMEOUT, Crawler, clean_env, kill_group, read_output, wait_for
from .redis_server import RedisServer, free_port
from .server import SiteServer
from .sitegen import Site

pytestmark = pytest.mark.e2e


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path / "redis") as server:
        yield server


class Workers:
    """``newsbot crawl isna --redis URL --worker-id wN`` processes against one site and one Redis."""

    def __init__(self, crawler: Crawler, redis_url: str, **settings: object) -> None:
        self.crawler = crawler
        self.url = redis_url
        self.settings = {"NEWSBOT_REDIS_SEED_INTERVAL": 600, **settings}
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.runs: dict[str, int] = Counter()

    def log(self, worker: str) -> Path:
        return self.crawler.tmp / f"{worker}-{self.runs[worker]}.log"

    def start(self, worker: str, *extra: str) -> subprocess.Popen[bytes]:
        self.runs[worker] += 1
        proc = self.crawler.start("--redis", self.url, "--worker-id", worker, *extra, log=self.log(worker),
                                  **self.settings)
        self.procs[worker] = proc
        return proc

    def wait(self, worker: str) -> int:
        proc = self.procs[worker]
        try:
            return proc.wait(timeout=CRAWL_TIMEOUT)
        except subprocess.TimeoutExpired:
            kill_group(proc)
            raise AssertionError(f"{worker} hung:\n{self.output(worker)[-3000:]}") from None

    def output(self, worker: str) -> str:
        return self.log(worker).read_text(encoding="utf-8", errors="replace")

    def lines(self, worker: str) -> int:
        return sum(p.read_bytes().count(b"\n") for p in (self.crawler.data_dir / "isna").glob(f"*.{worker}.jsonl"))

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                kill_group(proc)


@pytest.fixture
def workers(crawler: Crawler, redis_server: RedisServer) -> Iterator[Workers]:
    group = Workers(crawler, redis_server.url)
    try:
        yield group
    finally:
        group.stop_all()


def assert_exactly_once(crawler: Crawler, site: Site) -> Counter[str]:
    """Every article of the site in the union of the workers' files once; returns lines per file."""
    records, _ = read_output(crawler.data_dir)  # fails on a torn or non-JSON line
    counts = Counter(r["news_code"] for r in records)
    expected = {a.code for a in site.articles}
    missing = expected - set(counts)
    doubled = {code: n for code, n in counts.items() if n > 1}
    assert not missing and not doubled and set(counts) == expected, (
        f"{len(missing)} missing (e.g. {sorted(missing)[:3]}), doubled {dict(list(doubled.items())[:3])}")
    return Counter(p.name for p in (crawler.data_dir / "isna").glob("*.jsonl")
                   for _ in range(p.read_bytes().count(b"\n")))


def assert_round_clean(server: RedisServer) -> None:
    """Nothing owed is left: no queued or leased request, no pending article, no claim."""
    client = server.client()
    assert client.zcard("newsbot:isna:requests") == 0
    assert client.hlen("newsbot:isna:leases") == 0
    assert client.hlen("newsbot:frontier:isna") == 0, client.hgetall("newsbot:frontier:isna")
    assert client.hlen("newsbot:claims:isna") == 0, client.hgetall("newsbot:claims:isna")


# ---- the shared crawl --------------------------------------------------------------------------------------------
def test_three_workers_share_one_crawl_every_article_once(server: SiteServer, crawler: Crawler,
                                                          redis_server: RedisServer, workers: Workers) -> None:
    site = server.site
    for _ in range(60):
        site.add_article()
    site.article_delay = 0.02  # long enough that all three take part
    for name in ("w1", "w2", "w3"):
        workers.start(name)
    codes = {name: workers.wait(name) for name in ("w1", "w2", "w3")}
    assert codes == {"w1": 0, "w2": 0, "w3": 0}, {n: workers.output(n)[-2000:] for n in codes}
    per_file = assert_exactly_once(crawler, site)
    assert len(per_file) >= 2, f"one worker did all the work: {per_file}"
    assert all(name.endswith((".w1.jsonl", ".w2.jsonl", ".w3.jsonl")) for name in per_file)
    seeded = [n for n in ("w1", "w2", "w3") if "seeds this round's discovery" in workers.output(n)]
    assert len(seeded) == 1, f"discovery seeded by {seeded}"
    assert redis_server.client().scard("newsbot:seen:isna") == len(site.articles)
    assert_round_clean(redis_server)
    # Within the seed interval a new run only works the (empty) queue: nothing is fetched twice.
    again = crawler.run("--redis", redis_server.url, "--worker-id", "w1", NEWSBOT_REDIS_SEED_INTERVAL=600)
    assert again.returncode == 0 and again.summary["fetched"] == 0
    assert "seeded less than 600 s ago" in again.stderr


def test_next_round_fetches_only_what_is_new(server: SiteServer, crawler: Crawler, redis_server: RedisServer,
                                             workers: Workers) -> None:
    site = server.site
    first = crawler.run("--redis", redis_server.url, "--worker-id", "w1", NEWSBOT_REDIS_SEED_INTERVAL=1)
    assert first.returncode == 0 and first.summary["written"] == len(site.articles)
    new = [site.add_article() for _ in range(4)]
    time.sleep(1.2)  # the seed interval has passed: the next worker seeds a new round
    second = crawler.run("--redis", redis_server.url, "--worker-id", "w2", NEWSBOT_REDIS_SEED_INTERVAL=1)
    assert second.returncode == 0, second.stderr[-2000:]
    assert second.summary["written"] == 4 and second.summary["fetched"] == 4
    assert {r["news_code"] for r in second.records} >= {a.code for a in new}
    assert_exactly_once(crawler, site)
    assert_round_clean(redis_server)


def test_kill_9_of_a_worker_loses_and_doubles_nothing(server: SiteServer, crawler: Crawler,
                                                      redis_server: RedisServer, workers: Workers) -> None:
    """A worker is killed holding requests in flight and lines written but not yet marked; the others carry on,
    and the killed one, restarted, finishes its own part. Every article is in the output once."""
    site = server.site
    for _ in range(90):
        site.add_article()
    site.hold_after = 20  # every article request after the 20th waits until the test releases them
    workers.settings["NEWSBOT_MARK_BATCH"] = 1000  # marks wait for the batch: lines written, not marked
    names, victim = ("w1", "w2", "w3"), "w2"
    client = redis_server.client()

    def leased(name: str) -> int:
        return sum(1 for v in client.hvals("newsbot:isna:leases") if v.startswith(name.encode() + b"|"))

    # The victim alone first, so that it is the one with written lines and with held requests (whatever the
    # machine's load does to the others' start-up); then the others, until they too hold requests.
    workers.start(victim)
    wait_for(lambda: site.article_requests >= 24 and workers.lines(victim) > 0 and leased(victim) > 0, 90,
             f"{victim} holding requests and written lines", workers.procs[victim])
    for name in ("w1", "w3"):
        workers.start(name)
    wait_for(lambda: leased("w1") > 0 and leased("w3") > 0, 90, "w1 and w3 working", workers.procs["w1"])
    written, in_flight = workers.lines(victim), leased(victim)
    assert written > 0 and in_flight > 0, f"{victim}: {written} lines, {in_flight} leases: the kill tests nothing"
    victim_codes = [json.loads(line)["news_code"] for path in (crawler.data_dir / "isna").glob(f"*.{victim}.jsonl")
                    for line in path.read_bytes().splitlines()]
    unmarked = sum(1 for code in victim_codes if not client.sismember("newsbot:seen:isna", code))
    os.killpg(workers.procs[victim].pid, signal.SIGKILL)
    workers.procs[victim].wait(timeout=30)
    site.release.set()
    workers.start(victim)  # waits for its old heartbeat to lapse, then takes its work back
    codes = {name: workers.wait(name) for name in names}
    assert codes == dict.fromkeys(names, 0), {n: workers.output(n)[-2000:] for n in codes}
    assert_exactly_once(crawler, site)
    assert_round_clean(redis_server)
    restarted = workers.output(victim)
    assert "back on the queue" in restarted or any("stopped worker put back" in workers.output(n) for n in names)
    if unmarked > 0:  # lines may still have been written between the count and the kill: at least these
        recovered = re.search(r"recovered (\d+) record\(s\) written by an interrupted run", restarted)
        assert recovered and int(recovered.group(1)) >= unmarked, restarted[-3000:]


def test_redis_restarted_mid_run_the_crawl_recovers(server: SiteServer, crawler: Crawler,
                                                    redis_server: RedisServer, workers: Workers) -> None:
    site = server.site
    for _ in range(70):
        site.add_article()
    site.article_delay = 0.03
    workers.start("w1")
    workers.start("w2")
    wait_for(lambda: workers.lines("w1") + workers.lines("w2") >= 15, 90, "15 lines", workers.procs["w1"])
    redis_server.restart(down_seconds=2.0)  # a clean restart: the append-only file has everything
    codes = {name: workers.wait(name) for name in ("w1", "w2")}
    assert codes == {"w1": 0, "w2": 0}, {n: workers.output(n)[-3000:] for n in codes}
    assert_exactly_once(crawler, site)
    assert_round_clean(redis_server)


def test_redis_unreachable_is_one_line_nonzero_and_marks_nothing(crawler: Crawler, server: SiteServer) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    result = crawler.run("--redis", url, "--worker-id", "w1")
    assert result.returncode == 75
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and "cannot reach Redis at" in errors[0] and "Traceback" not in result.stderr, errors
    assert result.records == [] and server.hits == []
    assert not (crawler.state_dir / "seen.sqlite3").exists()


def test_redis_gone_for_good_mid_run_fails_the_run(server: SiteServer, crawler: Crawler,
                                                   redis_server: RedisServer, workers: Workers) -> None:
    site = server.site
    for _ in range(60):
        site.add_article()
    site.article_delay = 0.05
    workers.settings["NEWSBOT_REDIS_RETRY_SECONDS"] = 2
    workers.start("w1")
    wait_for(lambda: workers.lines("w1") >= 5, 90, "5 lines", workers.procs["w1"])
    redis_server.stop()
    code = workers.wait("w1")
    log = workers.output("w1")
    assert code == 1, log[-2000:]
    assert "Traceback" not in log, log[log.index("Traceback") - 500:][:3000]
    assert "FAILED: state store lost mid-run: Redis at" in log
    # What was written is intact JSON Lines, each article once; the rest is owed to the next run.
    records, _ = read_output(crawler.data_dir)
    assert len(records) == len({r["news_code"] for r in records})


def test_a_worker_id_in_use_is_refused(server: SiteServer, crawler: Crawler, redis_server: RedisServer,
                                       workers: Workers) -> None:
    site = server.site
    for _ in range(40):
        site.add_article()
    site.hold_after = 5
    try:
        workers.start("w1")
        wait_for(lambda: site.article_requests >= 5, 60, "w1 running", workers.procs["w1"])
        second = crawler.run("--redis", redis_server.url, "--worker-id", "w1", data_dir=crawler.tmp / "other",
                             state_dir=crawler.tmp / "other-state")
        assert second.returncode != 0
        assert "worker id w1 is in use" in second.stderr
    finally:
        site.release.set()
    assert workers.wait("w1") == 0


def test_bad_redis_url_and_worker_id_are_usage_errors(crawler: Crawler) -> None:
    bad_url = crawler.run("--redis", "http://localhost:6379")
    assert bad_url.returncode == 2 and "NEWSBOT_REDIS_URL must look like redis://" in bad_url.stderr
    bad_id = crawler.run("--redis", "redis://127.0.0.1:6379/0", "--worker-id", "a/b")
    assert bad_id.returncode == 2 and "worker id 'a/b'" in bad_id.stderr


# ---- moving the state between SQLite and Redis -------------------------------------------------------------------
def _cli(tmp: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    import sys

    return subprocess.run([sys.executable, "-m", "newsbot.cli", *args], cwd=tmp, env=clean_env(tmp), input=stdin,
                          capture_output=True, timeout=120)


def test_state_export_import_moves_a_crawl_to_redis_and_back(server: SiteServer, crawler: Crawler,
                                                             redis_server: RedisServer, tmp_path: Path) -> None:
    site = server.site
    local = crawler.run()  # a single-machine crawl: SQLite
    assert local.returncode == 0 and local.summary["written"] == len(site.articles)
    dump = _cli(tmp_path, "state", "export", "--state-dir", str(crawler.state_dir))
    assert dump.returncode == 0, dump.stderr
    rows = [json.loads(line) for line in dump.stdout.splitlines()]
    assert sum(r["table"] == "seen" for r in rows) == len(site.articles)
    loaded = _cli(tmp_path, "state", "import", "--redis", redis_server.url, "-", stdin=dump.stdout)
    assert loaded.returncode == 0 and f"imported {len(site.articles)} seen" in loaded.stdout.decode()
    # The shared crawl knows everything the local one wrote: nothing is fetched again.
    shared = crawler.run("--redis", redis_server.url, "--worker-id", "w1")
    assert shared.returncode == 0 and shared.summary["fetched"] == 0 and shared.summary["written"] == 0
    new = site.add_article()
    back = _cli(tmp_path, "state", "export", "--redis", redis_server.url)
    assert back.returncode == 0
    fresh = tmp_path / "fresh-state"
    into_sqlite = _cli(tmp_path, "state", "import", "--state-dir", str(fresh), "-", stdin=back.stdout)
    assert into_sqlite.returncode == 0, into_sqlite.stderr
    again = crawler.run(state_dir=fresh)
    assert again.returncode == 0 and again.summary["written"] == 1
    assert again.records[-1]["news_code"] == new.code


def test_state_import_refuses_a_bad_dump_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "dump.jsonl"
    bad.write_text('{"table": "seen", "site": "isna", "key": "1"}\nnot json\n', encoding="utf-8")
    result = _cli(tmp_path, "state", "import", "--state-dir", str(tmp_path / "s"), str(bad))
    assert result.returncode == 2
    assert result.stderr.decode().strip().endswith("dump.jsonl:2: not JSON; a dump is what `newsbot state export` "
                                                   "writes")
    missing = _cli(tmp_path, "state", "export", "--state-dir", str(tmp_path / "nothing"))
    assert missing.returncode == 2 and "no state store" in missing.stderr.decode()


# ---- many sites in one process: the replay fixtures ----------------------------------------------------------------
def test_two_workers_replaying_every_verified_site_write_what_one_machine_writes(tmp_path: Path,
                                                                                 redis_server: RedisServer) -> None:
    """Every verified site at once (a crawler per site in each process, one heartbeat per worker), two workers:
    the union of their output is exactly what a single-machine crawl of the same fixtures writes."""
    import sys

    from .conftest import FIXTURES

    def crawl(folder: Path, *extra: str) -> subprocess.Popen[bytes]:
        folder.mkdir(parents=True, exist_ok=True)
        argv = [sys.executable, "-m", "newsbot.cli", "crawl", "--verified", "--replay", str(FIXTURES), "-q",
                "--state-dir", str(folder / "state"), "--data-dir", str(tmp_path / folder.name / "data"), *extra]
        log = (folder / f"crawl{'-' + extra[-1] if extra else ''}.log").open("wb")
        try:
            return subprocess.Popen(argv, cwd=folder, env=clean_env(folder), stdout=log, stderr=subprocess.STDOUT)
        finally:
            log.close()

    def records(folder: Path) -> Counter[tuple[str, str]]:
        out: Counter[tuple[str, str]] = Counter()
        for path in (folder / "data").glob("*/*.jsonl"):
            for line in path.read_bytes().splitlines():
                rec = json.loads(line)
                out[(rec["site"], rec["news_code"] or rec["url"])] += 1
        return out

    single = crawl(tmp_path / "single")
    assert single.wait(timeout=600) == 0, (tmp_path / "single" / "crawl.log").read_text()[-3000:]
    shared = [crawl(tmp_path / "shared", "--redis", redis_server.url, "--worker-id", f"w{i}") for i in (1, 2)]
    codes = [p.wait(timeout=600) for p in shared]
    assert codes == [0, 0], (tmp_path / "shared" / "crawl-w1.log").read_text()[-3000:]
    expected, got = records(tmp_path / "single"), records(tmp_path / "shared")
    assert max(got.values()) == 1, [k for k, n in got.items() if n > 1][:5]
    assert set(got) == set(expected), (sorted(set(expected) - set(got))[:5], sorted(set(got) - set(expected))[:5])
    assert len({p.parent.name for p in (tmp_path / "shared" / "data").glob("*/*.jsonl")}) >= 20
