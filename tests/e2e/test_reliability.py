"""End to end, as a hostile tester: kill the crawl anywhere, break its output, wall it, cut it off, confuse it.

What must hold after each: every article in the output exactly once (after the normal reruns), no torn or
non-JSON line, nothing that is not an article ever written, and a run that did not do its job never exits 0.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsbot.history import History

from .conftest import ROOT, Crawler, clean_env, count_lines, kill_group, read_output, wait_for
from .server import SiteServer
from .sitegen import HOST, Reply, Site, sitemap_index

pytestmark = pytest.mark.e2e


def assert_exactly_once(data_dir: Path, site: Site) -> None:
    records, raw = read_output(data_dir)  # fails on a torn or non-JSON line
    counts = Counter(r["news_code"] for r in records)
    expected = {a.code for a in site.articles}
    missing = expected - set(counts)
    doubled = {code: n for code, n in counts.items() if n > 1}
    extra = set(counts) - expected
    assert not missing and not doubled and not extra, (
        f"{len(missing)} missing (e.g. {sorted(missing)[:3]}), doubled {dict(list(doubled.items())[:3])}, "
        f"{len(extra)} not articles of the site")
    assert len(raw) == len(expected)


# ---- 1. the kill matrix ----------------------------------------------------------------------------------------
@pytest.mark.slow
def test_kill_matrix_on_a_dense_archive_every_article_exactly_once(tmp_path: Path) -> None:
    """Twelve kills (SIGKILL and SIGTERM, at random moments) over a 1,200-article archive that only its listing walk
    reaches; new articles arrive between runs. After the reruns, every article is in the output exactly once."""
    seed = int(os.environ.get("NEWSBOT_KILL_SEED", time.time()))
    rng = random.Random(seed)
    site = Site(1200, spacing_minutes=1, archive_page_size=40)
    with SiteServer(site) as server:
        crawler = Crawler(server, tmp_path)
        moments = []
        for trial in range(12):
            sig = rng.choice([signal.SIGKILL, signal.SIGKILL, signal.SIGTERM])
            proc = crawler.start(log=tmp_path / f"run-{trial}.log")
            try:
                before = count_lines(crawler.data_dir)
                if rng.random() < 0.3:
                    time.sleep(rng.uniform(0.1, 2.5))  # often still starting up, or reading the first documents
                else:
                    target = before + rng.randint(1, 120)
                    wait_for(lambda t=target, p=proc: count_lines(crawler.data_dir) >= t or p.poll() is not None,
                             120, f"{target} lines")
                moments.append((trial, sig.name, count_lines(crawler.data_dir)))
                if proc.poll() is None:
                    os.killpg(proc.pid, sig)
                    if sig == signal.SIGTERM and rng.random() < 0.5:
                        time.sleep(rng.uniform(0.0, 0.5))
                        if proc.poll() is None:
                            os.killpg(proc.pid, signal.SIGTERM)  # a second SIGTERM: Scrapy stops at once
                    proc.wait(timeout=120)
            finally:
                if proc.poll() is None:
                    kill_group(proc)
            if trial % 4 == 1:
                for _ in range(3):
                    site.add_article()  # new articles push the owed ones further down the listing
        final = crawler.run()
        assert final.returncode == 0, f"seed {seed}: {final.stderr[-3000:]}"
        assert_exactly_once(crawler.data_dir, site)
        again = crawler.run()
        assert again.returncode == 0 and again.summary["fetched"] == 0, f"seed {seed}"
        assert again.summary["pending"] == 0
    assert len(moments) == 12


def test_sigterm_midway_fails_the_run_and_the_next_run_completes(site: Site, server: SiteServer,
                                                                   crawler: Crawler, tmp_path: Path) -> None:
    site.hold_after = 5
    proc = crawler.start(log=tmp_path / "term.log", DOWNLOAD_TIMEOUT=60)
    try:
        wait_for(lambda: site.article_requests > 5, 60, "the crawl to be mid-run", proc)
        os.killpg(proc.pid, signal.SIGTERM)
        site.release.set()
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            kill_group(proc)
    log = (tmp_path / "term.log").read_text(encoding="utf-8")
    assert proc.returncode == 1, log[-3000:]
    assert "interrupted" in log
    site.hold_after = None
    after = crawler.run()
    assert after.returncode == 0, after.stderr[-3000:]
    assert_exactly_once(crawler.data_dir, site)


# ---- 2. output that cannot be written ------------------------------------------------------------------------
def _can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A small filesystem of its own for the data folder (disk full, read-only), unmounted afterwards."""
    if not _can_mount():
        pytest.skip("needs root to mount a tmpfs")  # CI and the dev machines run as root; see docs/operations.md
    where = tmp_path / "disk"
    where.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24k", "tmpfs", str(where)]).returncode:
        pytest.skip("mount refused in this sandbox")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_disk_full_fails_the_run_and_loses_nothing(site: Site, server: SiteServer, crawler: Crawler,
                                                   tmpfs: Path) -> None:
    data = tmpfs / "data"
    full = crawler.run(data_dir=data)
    assert full.returncode == 1, full.stderr[-3000:]
    assert full.summary["status"] == "failed"
    assert full.summary["failure"].startswith("output not writable:")
    assert "No space left on device" in full.summary["failure"] or "fsync" in full.summary["failure"]
    assert "FAILED" in full.stdout.upper()
    records, _ = read_output(data)  # every line that is there is whole
    assert 0 < len(records) < len(site.articles)
    # The fix: room on the disk. The next run writes every article that is missing, and only those.
    subprocess.run(["mount", "-o", "remount,size=4m", str(tmpfs)], check=True)
    after = crawler.run(data_dir=data)
    assert after.returncode == 0, after.stderr[-3000:]
    assert_exactly_once(data, site)


def test_read_only_data_folder_fails_at_once_then_recovers(site: Site, server: SiteServer, crawler: Crawler,
                                                           tmpfs: Path) -> None:
    data = tmpfs / "data"
    (data / "isna").mkdir(parents=True)
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    ro = crawler.run(data_dir=data)
    assert ro.returncode == 1, ro.stderr[-3000:]
    assert ro.summary["status"] == "failed" and "output not writable" in ro.summary["failure"]
    assert ro.summary["fetched"] == 0, "nothing is fetched that could not be kept"
    subprocess.run(["mount", "-o", "remount,rw", str(tmpfs)], check=True)
    subprocess.run(["mount", "-o", "remount,size=4m", str(tmpfs)], check=True)
    after = crawler.run(data_dir=data)
    assert after.returncode == 0, after.stderr[-3000:]
    assert_exactly_once(data, site)


def test_data_path_that_is_a_file_fails_then_recovers(site: Site, server: SiteServer, crawler: Crawler) -> None:
    crawler.data_dir.mkdir(parents=True)
    (crawler.data_dir / "isna").write_text("not a folder\n")
    bad = crawler.run()
    assert bad.returncode == 1
    assert bad.summary["failure"] == f"output not writable: {crawler.data_dir / 'isna'} is not a directory"
    assert "Traceback" not in bad.stderr
    (crawler.data_dir / "isna").unlink()
    after = crawler.run()
    assert after.returncode == 0, after.stderr[-3000:]
    assert_exactly_once(crawler.data_dir, site)


def test_lone_surrogate_is_cleaned_not_lost(site: Site, server: SiteServer, crawler: Crawler) -> None:
    art = site.add_fault("surrogate")
    site.articles.append(art)  # an ordinary article, whose JSON-LD is broken
    result = crawler.run()
    assert result.returncode == 0, result.stderr[-3000:]
    record = next(r for r in result.records if r["news_code"] == art.code)
    assert record["title"] == art.title and "\ud83d" not in json.dumps(record, ensure_ascii=False)
    assert_exactly_once(crawler.data_dir, site)


# ---- 3. walls and pages that are not articles ---------------------------------------------------------------------
def test_walls_stay_owed_and_non_articles_are_never_records(site: Site, server: SiteServer, crawler: Crawler) -> None:
    walls = [site.add_fault("cf_managed"), site.add_fault("arvan_big")]
    others = {site.add_fault("soft404").code: "soft_404", site.add_fault("listing_page").code: "listing",
              site.add_fault("login_page").code: "login"}
    first = crawler.run()
    assert first.returncode == 0, first.stderr[-3000:]
    written = {r["news_code"] for r in first.records}
    assert written == {a.code for a in site.articles}, "no wall or non-article page became a record"
    assert first.summary["challenges"] >= 2
    for reason in others.values():
        assert first.summary["dropped"].get(reason) == 1, first.summary["dropped"]
    assert first.summary["pending"] == 2  # the walled articles are still owed

    site.walls_up.clear()  # the wall lifts
    server.clear()
    second = crawler.run()
    assert second.returncode == 0, second.stderr[-3000:]
    assert sorted(server.article_codes()) == sorted(a.code for a in walls), "only the owed articles are fetched"
    assert {r["news_code"] for r in second.records} == written | {a.code for a in walls}
    assert second.summary["pending"] == 0


def test_only_walls_is_blocked(site: Site, server: SiteServer, crawler: Crawler) -> None:
    from .sitegen import CF_MANAGED

    wall = Reply(403, {"Content-Type": "text/html; charset=utf-8", "Server": "cloudflare"}, CF_MANAGED.encode())
    for path in ("/rss", "/sitemap/news/sitemap.xml", "/archive"):
        site.overrides[path] = wall
    result = crawler.run()
    assert result.returncode == 4, result.stdout
    assert result.summary["status"] == "blocked"
    assert not result.records


# ---- 4. failures that used to look like success -------------------------------------------------------------------
def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_total_outage_is_unreachable_and_fails(site: Site, server: SiteServer, crawler: Crawler) -> None:
    result = crawler.run(NEWSBOT_HOST_MAP={HOST: f"127.0.0.1:{_closed_port()}"})
    assert result.returncode == 5, result.stdout + result.stderr[-2000:]
    assert result.summary["status"] == "unreachable"
    assert "isna: UNREACHABLE: every discovery request failed" in result.stdout


def test_malformed_host_map_stops_at_start_in_one_line(crawler: Crawler) -> None:
    result = crawler.run(NEWSBOT_HOST_MAP="www.isna.ir=127.0.0.1")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newsbot: NEWSBOT_HOST_MAP must be a JSON object")
    assert result.report is None


def test_discovery_documents_that_answer_html_are_broken(site: Site, server: SiteServer, crawler: Crawler) -> None:
    page = Reply(200, {"Content-Type": "text/html; charset=utf-8"},
                 "<html><body><h1>صفحه اصلی</h1><p>به‌زودی</p></body></html>".encode())
    for path in ("/rss", "/sitemap/news/sitemap.xml", "/archive"):
        site.overrides[path] = page
    result = crawler.run()
    assert result.returncode == 3, result.stdout
    assert result.summary["status"] == "broken"
    assert "not an RSS or Atom feed" in result.stderr and "not a sitemap" in result.stderr
    # One bad source among good ones is a warning in the log, not a broken spider.
    del site.overrides["/sitemap/news/sitemap.xml"]
    del site.overrides["/archive"]
    ok = crawler.run()
    assert ok.returncode == 0 and ok.summary["discovery"]["unparsed"] == 1


def test_gzip_feed_and_sitemap_are_read(site: Site, server: SiteServer, crawler: Crawler) -> None:
    import gzip

    from .sitegen import rss_xml, sitemap_xml

    site.overrides["/rss"] = Reply(200, {"Content-Type": "application/gzip"}, gzip.compress(
        rss_xml(site.rss_items()).encode()))
    site.overrides["/sitemap/news/sitemap.xml"] = Reply(
        200, {"Content-Type": "application/xml"},
        sitemap_index(["https://www.isna.ir/sitemap/news/1.xml.gz"]).encode())
    site.overrides["/sitemap/news/1.xml.gz"] = Reply(200, {"Content-Type": "application/x-gzip"}, gzip.compress(
        sitemap_xml(site.articles).encode()))
    site.overrides["/archive"] = Reply(404, {}, b"")
    result = crawler.run()
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.summary["discovery"]["ok"] == 3  # the feed, the index and its gzip sitemap
    assert_exactly_once(crawler.data_dir, site)  # the sitemap lists all 30, the feed 20


def test_endless_sitemap_index_chain_is_capped(site: Site, server: SiteServer, crawler: Crawler) -> None:
    for depth in range(1, 40):
        site.overrides[f"/sitemap/chain/{depth}.xml"] = Reply(
            200, {"Content-Type": "application/xml"},
            sitemap_index([f"https://www.isna.ir/sitemap/chain/{depth + 1}.xml"]).encode())
    site.overrides["/sitemap/news/sitemap.xml"] = site.overrides["/sitemap/chain/1.xml"]
    result = crawler.run(NEWSBOT_SITEMAP_MAX_DEPTH=3)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.summary["capped"] == {"sitemap_depth": 1}
    chain = [p for p in server.paths("/sitemap/chain/")]
    assert len(chain) == 3, chain
    assert "nested deeper than NEWSBOT_SITEMAP_MAX_DEPTH=3" in result.stderr


def test_until_before_since_is_refused(crawler: Crawler) -> None:
    result = crawler.run("--since", "1403-02-01", "--until", "1403-01-01")
    assert result.returncode == 2
    assert result.stderr.strip() == "newsbot: --until 1403-01-01 is before --since 1403-02-01"


# ---- 5. one lock for every way of crawling --------------------------------------------------------------------------
def _scrapy_crawl(crawler: Crawler, out: Path) -> list[str]:
    argv = [sys.executable, "-m", "scrapy.cmdline", "crawl", "isna", "-s", f"NEWSBOT_STATE_DIR={crawler.state_dir}",
            "-s", f"FEEDS={json.dumps({str(out): {'format': 'jsonlines'}})}"]
    for key, value in crawler.settings().items():
        argv += ["-s", f"{key}={json.dumps(value) if not isinstance(value, str) else value}"]
    return argv


def test_scrapy_crawl_beside_newsbot_crawl_refuses(site: Site, server: SiteServer, crawler: Crawler,
                                                   tmp_path: Path) -> None:
    site.hold_after = 2
    first = crawler.start(log=tmp_path / "first.log", DOWNLOAD_TIMEOUT=60)
    try:
        wait_for(lambda: site.article_requests > 2, 60, "the first crawl to be mid-run", first)
        out = tmp_path / "scrapy-out.jsonl"
        proc = subprocess.run(_scrapy_crawl(crawler, out), cwd=ROOT, env=clean_env(tmp_path),
                              capture_output=True, timeout=120)
        log = proc.stderr.decode()
        assert "'finish_reason': 'newsbot_state_locked'" in log, log[-3000:]
        assert f"another crawl (pid {first.pid}) is running" in log
        assert "Traceback" not in log
        assert not out.exists() or out.read_bytes() == b""
        site.release.set()
        first.wait(timeout=120)
    finally:
        if first.poll() is None:
            kill_group(first)
    assert first.returncode == 0, (tmp_path / "first.log").read_text()[-3000:]
    assert_exactly_once(crawler.data_dir, site)

    # And the other way round: newsbot crawl beside a running scrapy crawl exits 75.
    site.hold_after = site.article_requests  # the next article request waits
    site.release.clear()
    site.add_article()
    scrapy_proc = subprocess.Popen(_scrapy_crawl(crawler, tmp_path / "scrapy-2.jsonl"), cwd=ROOT,
                                   env=clean_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
    try:
        wait_for(lambda: site.article_requests > site.hold_after, 60, "scrapy crawl to be mid-run", scrapy_proc)
        second = crawler.run()
        assert second.returncode == 75, second.stderr
    finally:
        site.release.set()
        if scrapy_proc.poll() is None:
            scrapy_proc.wait(timeout=120)


def test_scrapy_crawl_with_O_writes_only_there_and_says_when_nothing_is_new(site: Site, server: SiteServer,
                                                                             crawler: Crawler, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    argv = [sys.executable, "-m", "scrapy.cmdline", "crawl", "isna", "-O", str(out),
            "-s", f"NEWSBOT_STATE_DIR={crawler.state_dir}"]
    for key, value in crawler.settings().items():
        argv += ["-s", f"{key}={json.dumps(value) if not isinstance(value, str) else value}"]
    env = {**clean_env(tmp_path), "SCRAPY_SETTINGS_MODULE": "newsbot.settings"}  # run outside the repo folder
    first = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, timeout=120)
    assert first.returncode == 0, first.stderr.decode()[-3000:]
    assert len(out.read_bytes().splitlines()) == len(site.articles)
    assert not (tmp_path / "data").exists(), "-O replaces the default data/ output, it does not add to it"
    again = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, timeout=120)
    log = again.stderr.decode()
    assert again.returncode == 0 and out.read_bytes() == b""
    assert re.search(r"isna: nothing new: \d+ article\(s\) were written by earlier runs", log), log[-2000:]
    assert "NEWSBOT_INCREMENTAL=false" in log
    # scrapy crawl keeps the run history and writes its run summary like newsbot crawl.
    history = History(crawler.state_dir)
    assert [r["written"] for r in history.runs("isna")] == [len(site.articles), 0]
    files = sorted((crawler.state_dir / "runs").glob("*-isna.json"))
    assert len(files) == 2 and json.loads(files[-1].read_text(encoding="utf-8"))["spiders"][0]["status"] == "ok"
