"""End to end: ``newsbot crawl isna`` as a subprocess against a synthetic ISNA on 127.0.0.1.

Each test checks what a cron user sees: the JSON Lines output, the run summary (``STATE_DIR/runs/*.json``), the
exit code, the log, and (through the server's request log) what was downloaded.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from newsbot import sites
from newsbot.record import FIELDS

from .conftest import FIXTURES, Crawler, clean_env, count_lines, kill_group, read_output, wait_for
from .server import SiteServer
from .sitegen import EVIL_HOST, ZWNJ, Site, truncated_text

pytestmark = pytest.mark.e2e

TEHRAN_OFFSET = timedelta(hours=3, minutes=30)
N = 30


def assert_record_matches(record: dict, expected: dict) -> None:
    mismatches = {k: {"got": record.get(k), "expected": v} for k, v in expected.items() if record.get(k) != v}
    assert not mismatches, json.dumps(mismatches, ensure_ascii=False, indent=1)


def assert_valid_line(record: dict) -> None:
    """The shape every written line has: the schema's fields in order, a Tehran +03:30 date, half-spaces kept."""
    assert list(record) == list(FIELDS)
    published = datetime.fromisoformat(record["published_at"])
    assert record["published_at"].endswith("+03:30") and published.utcoffset() == TEHRAN_OFFSET
    assert ZWNJ in record["body"]
    crawled = datetime.fromisoformat(record["crawled_at"])
    assert crawled.utcoffset() == timedelta(0)
    assert abs(datetime.now(timezone.utc) - crawled) < timedelta(hours=1)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if re.match(r"^\S+ \S+ \[[\w.]+\] ERROR: ", line)]


# ---- 1. two runs in a row ---------------------------------------------------------------------------------------
def test_second_run_writes_and_downloads_nothing(site: Site, server: SiteServer, crawler: Crawler) -> None:
    first = crawler.run()
    assert first.returncode == 0, first.stderr[-3000:]
    assert len(first.records) == N
    expected = {a.code: a.expected() for a in site.articles}
    assert sorted(r["news_code"] for r in first.records) == sorted(expected)
    for record in first.records:
        assert_valid_line(record)
        assert_record_matches(record, expected[record["news_code"]])
    s = first.summary
    # Discovery: 20 feed items + 25 sitemap entries + 2 archive pages of 15; the oldest five are only on page 2.
    assert s["discovered"] == 20 + 25 + 15 + 15
    assert (s["fetched"], s["written"]) == (N, N)
    assert (s["dropped"], s["http_errors"], s["download_exceptions"]) == ({}, {}, 0)
    assert (s["challenges"], s["errors"]) == (0, 0)
    assert s["failed"] is False and s["finish_reason"] == "finished"
    assert s["missing_share"]["published_at"] == 0.0 and s["missing_share"]["title"] == 0.0
    assert Counter(server.article_codes()) == Counter(list(expected)), "each article page downloaded exactly once"
    assert "/archive?pi=2" in server.paths()
    assert "ok" in first.stdout and str(first.report_path) in first.stdout
    # No listening code-execution server in a cron crawler (Scrapy 2.19's remote control, like telnet, is off).
    assert "Remote control" not in first.stderr and "Telnet console listening" not in first.stderr

    server.clear()
    second = crawler.run()
    assert second.returncode == 0, second.stderr[-3000:]
    assert second.raw_lines == first.raw_lines, "the second run appended nothing"
    assert server.article_codes() == [], "no article page downloaded"
    assert "/archive?pi=2" not in server.paths(), "a page of known articles ends the archive walk"
    assert {"/rss", "/sitemap/news/sitemap.xml", "/archive"} <= set(server.paths())
    s2 = second.summary
    assert s2["discovered"] == 20 + 25 + 15
    assert s2["skipped_seen"] == s2["discovered"]
    assert (s2["fetched"], s2["written"], s2["errors"], s2["failed"]) == (0, 0, 0, False)
    assert second.report_path != first.report_path
    assert len(list((crawler.state_dir / "runs").glob("*.json"))) == 2


# ---- 2. a new article between runs ------------------------------------------------------------------------------
def test_new_article_is_the_only_one_written(site: Site, server: SiteServer, crawler: Crawler) -> None:
    first = crawler.run()
    assert first.returncode == 0 and len(first.records) == N, first.stderr[-3000:]
    server.clear()
    new = site.add_article()

    second = crawler.run()
    assert second.returncode == 0, second.stderr[-3000:]
    added = second.records[len(first.records):]
    assert second.raw_lines[: len(first.raw_lines)] == first.raw_lines
    assert [r["news_code"] for r in added] == [new.code]
    assert_valid_line(added[0])
    assert_record_matches(added[0], new.expected())
    assert server.article_codes() == [new.code]
    s = second.summary
    assert (s["fetched"], s["written"], s["failed"]) == (1, 1, False)
    # The new article is listed three times (feed, sitemap, archive page 1); later listings of it may already
    # count as seen, every other listing must.
    assert s["discovered"] - 3 <= s["skipped_seen"] <= s["discovered"] - 1


# ---- 3. faults -----------------------------------------------------------------------------------------------------
@pytest.fixture
def fault_site() -> Site:
    site = Site(3)
    for kind in ("flaky500", "timeout", "404", "offsite_redirect", "arvan403", "arvan_js", "truncated", "cp1256",
                 "huge", "huge_stream", "bad_date"):
        site.add_fault(kind)
    return site


def test_faults_are_counted_and_never_crash(fault_site: Site, tmp_path: Path) -> None:
    site = fault_site
    with SiteServer(site) as server:
        crawler = Crawler(server, tmp_path)
        result = crawler.run(DOWNLOAD_TIMEOUT=2, RETRY_TIMES=1)
        hits = server.hits
    s = result.summary
    by_code = {r["news_code"]: r for r in result.records}
    assert len(by_code) == len(result.records), "no article written twice"
    codes = Counter(h.path.split("/")[2] for h in hits if h.path.startswith("/news/"))

    def fault(kind: str):
        return site.fault_article(kind)

    # Nothing crashed: the run finished, wrote its summary, and every ERROR in the log is a failed download.
    assert s["finish_reason"] == "finished"
    errors = error_lines(result.stderr)
    assert errors and all("Error downloading <GET https://www.isna.ir/news/" in e or "Gave up retrying" in e
                          for e in errors), errors
    assert "Spider error processing" not in result.stderr and "Error processing" not in result.stderr
    assert s["error_log_lines"] == result.stat("log_count/ERROR") == len(errors)
    # Failed downloads are counted (above) but are not newsbot errors: one bad page must not fail a cron run.
    assert s["errors"] == 0
    assert s["failed"] is False and result.returncode == 0

    # The three ordinary articles are written as usual.
    for art in site.articles:
        assert_record_matches(by_code[art.code], art.expected())

    # 500 then 200: retried once, written once.
    flaky = fault("flaky500")
    assert codes[flaky.code] == 2
    assert_record_matches(by_code[flaky.code], flaky.expected())
    assert s["http_errors"] == {"500": 1, "404": 1, "403": 1}  # the redirect's 302 is no error
    assert result.stat("retry/reason_count/500 Internal Server Error") == 1

    # A page slower than DOWNLOAD_TIMEOUT: tried 1 + RETRY_TIMES times, then given up; no record.
    slow = fault("timeout")
    assert codes[slow.code] == 2
    assert slow.code not in by_code
    assert result.stat("downloader/exception_type_count/scrapy.exceptions.DownloadTimeoutError") == 2
    assert result.stat("retry/max_reached") == 1

    # 404: counted, not retried, no record.
    missing = fault("404")
    assert codes[missing.code] == 1 and missing.code not in by_code
    assert s["http_errors"].get("404") == 1

    # A redirect off the site is not followed: the server (which also answers for evil.example.org) never sees it.
    redirected = fault("offsite_redirect")
    assert codes[redirected.code] == 1 and redirected.code not in by_code
    assert not [h for h in hits if h.host.startswith(EVIL_HOST)]
    assert result.stat("offsite/filtered") == 1

    # ArvanCloud: a 403 challenge and a 200 JS challenge; counted as challenges, never records.
    assert s["challenges"] == 2
    walls = {"arvan403": "challenge (arvancloud, HTTP 403)", "arvan_js": "challenge (arvancloud, JS page)"}
    for kind, reason in walls.items():
        art = fault(kind)
        assert codes[art.code] == 1 and art.code not in by_code
        assert f"bot wall at {art.url}: {reason}" in result.stderr
    assert s["http_errors"].get("403") == 1

    # Truncated HTML (cut mid-paragraph, nothing closed): lxml recovers, and the record keeps the text so far.
    cut = fault("truncated")
    record = by_code[cut.code]
    assert record["body"] == cut.paragraphs[0] + "\n" + truncated_text(cut)
    assert_record_matches(record, {**cut.expected(), "body": record["body"], "tags": []})

    # windows-1256 without any declared charset: re-decoded, so the text is the Persian that was written
    # (the page had ASCII digits and Arabic yeh, which cp1256 forces; ي is normalised back to ی).
    legacy = fault("cp1256")
    record = by_code[legacy.code]
    ascii_digits = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
    assert record["title"] == legacy.title.translate(ascii_digits)
    assert record["body"] == legacy.body.translate(ascii_digits)
    assert record["lead"] == legacy.lead.translate(ascii_digits)
    assert record["body"].count(ZWNJ) == legacy.body.count(ZWNJ) > 0
    assert record["published_at"] == legacy.expected()["published_at"]

    # 11 MB, with and without Content-Length: cancelled by DOWNLOAD_MAXSIZE (10 MB), counted as download
    # exceptions of type DownloadCancelledError (with the timeouts: 4 in all); no record.
    for kind in ("huge", "huge_stream"):
        art = fault(kind)
        assert codes[art.code] == 1 and art.code not in by_code
    assert result.stat("downloader/exception_type_count/scrapy.exceptions.DownloadCancelledError") == 2
    assert "larger than download max size (10485760)" in result.stderr
    assert s["download_exceptions"] == result.stat("downloader/exception_count") == 4

    # An impossible visible date and no other date: the record is kept with a null date, and the log says why.
    undated = fault("bad_date")
    record = by_code[undated.code]
    assert record["published_at"] is None and record["published_jalali"] is None
    assert_record_matches(record, {**undated.expected(), "published_at": None, "published_jalali": None})
    assert f"no usable publish date for {undated.url}: " in result.stderr
    assert "impossible Jalali date 1402-12-30 (1402 is not a leap year)" in result.stderr
    assert result.stat("newsbot/no_date/isna") == 1

    written = {a.code for a in site.articles} | {fault(k).code for k in ("flaky500", "truncated", "cp1256",
                                                                           "bad_date")}
    assert set(by_code) == written
    assert (s["written"], s["fetched"], s["dropped"]) == (len(written), len(written), {})
    for line in result.raw_lines:
        json.loads(line)


# ---- 4. kill -9 midway, then a normal run -------------------------------------------------------------------------
def test_kill_9_midway_then_every_article_exactly_once(site: Site, server: SiteServer, crawler: Crawler,
                                                        tmp_path: Path) -> None:
    site.article_delay = 0.2
    site.hold_after = 8  # articles after the 8th wait, so the kill always lands midway
    proc = crawler.start(log=tmp_path / "killed.log", CONCURRENT_REQUESTS_PER_DOMAIN=2, DOWNLOAD_TIMEOUT=60)
    try:
        wait_for(lambda: count_lines(crawler.data_dir) >= 3, 60, "three output lines", proc)
    finally:
        kill_group(proc)
    assert proc.returncode == -9
    # The kill may (rarely) land inside a write: then the file already ends in a torn line, which is fine.
    output = sorted((crawler.data_dir / "isna").glob("*.jsonl"))[-1]
    content = output.read_bytes()
    whole, _, torn_tail = content.rpartition(b"\n")
    raw_before = [line + b"\n" for line in whole.split(b"\n")] if whole else []
    before = [json.loads(line) for line in raw_before]
    assert 3 <= len(before) < N
    written_before = {r["news_code"] for r in before}

    # A kill in the middle of a write leaves a torn last line: add one, for an article that was not written.
    victim = next(a for a in site.articles if a.code not in written_before)
    torn = json.dumps({"site": "isna", "news_code": victim.code, "title": victim.title}, ensure_ascii=False)
    torn_bytes = torn_tail + torn.encode()[:-9]
    output.write_bytes(whole + b"\n" + torn_bytes)

    site.article_delay = 0
    site.hold_after = None
    server.clear()
    after = crawler.run()
    assert after.returncode == 0, after.stderr[-3000:]
    assert f"cut a torn line of {len(torn_bytes)} bytes" in after.stderr
    counts = Counter(r["news_code"] for r in after.records)
    assert counts == Counter({a.code: 1 for a in site.articles}), "every article exactly once"
    assert after.raw_lines[: len(raw_before)] == raw_before
    for record in after.records:
        assert_valid_line(record)
    downloaded = server.article_codes()
    assert sorted(downloaded) == sorted({a.code for a in site.articles} - written_before)
    assert after.summary["written"] == N - len(before)


# ---- 5. the run lock ------------------------------------------------------------------------------------------------
def test_second_concurrent_crawl_exits_75(site: Site, server: SiteServer, crawler: Crawler, tmp_path: Path) -> None:
    site.hold_after = 2  # the first crawl stays mid-run until released
    first = crawler.start(log=tmp_path / "first.log", DOWNLOAD_TIMEOUT=60)  # held pages must not time out
    try:
        wait_for(lambda: site.article_requests > 2, 60, "the first crawl to be mid-run", first)
        other_data = tmp_path / "data-second"
        second = crawler.run(data_dir=other_data)
        assert second.returncode == 75
        assert first.poll() is None, "the second crawl returned while the first still ran"
        assert f"another crawl (pid {first.pid}) is running on {crawler.state_dir}" in second.stderr
        assert "exiting (code 75)" in second.stderr
        assert second.stdout == "" and second.report is None
        assert not other_data.exists()
        assert not list((crawler.state_dir / "runs").glob("*.json"))
        site.release.set()
        first.wait(timeout=120)
    finally:
        if first.poll() is None:
            kill_group(first)
    log = (tmp_path / "first.log").read_text(encoding="utf-8")
    assert first.returncode == 0, log[-3000:]
    records, _ = read_output(crawler.data_dir)
    assert sorted(r["news_code"] for r in records) == sorted(a.code for a in site.articles)
    assert len(list((crawler.state_dir / "runs").glob("*.json"))) == 1


def test_stale_lock_of_a_dead_crawl_is_taken_over(site: Site, crawler: Crawler) -> None:
    lock = crawler.state_dir / "crawl.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom newsbot.runlock import RunLock\n"
         "RunLock(sys.argv[1]).acquire()\nprint('locked', flush=True)\ntime.sleep(120)\n", str(lock)],
        stdout=subprocess.PIPE, env=clean_env(crawler.tmp), start_new_session=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"locked\n"
    finally:
        kill_group(holder)
    assert lock.read_text().strip() == str(holder.pid), "the dead holder's pid is left in the lock file"

    result = crawler.run()
    assert result.returncode == 0, result.stderr[-3000:]
    assert "another crawl" not in result.stderr
    assert len(result.records) == N and result.summary["written"] == N


# ---- 6. the README's main command -----------------------------------------------------------------------------------
def test_replay_fixtures_every_verified_site(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "newsbot.cli", "crawl", "--verified", "--replay", str(FIXTURES),
         "--state-dir", str(tmp_path / "state"), "--data-dir", str(tmp_path / "data"),
         "-s", "NEWSBOT_HOST_MAP_ONLY=true"],
        cwd=tmp_path, env=clean_env(tmp_path), capture_output=True, timeout=120)
    result = Crawler.result(proc.returncode, proc.stdout, proc.stderr, tmp_path / "data")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.report is not None and result.report["replay"] == str(FIXTURES)
    summaries = {s["spider"]: s for s in result.report["spiders"]}
    verified = {n for n, site in sites.load().items() if site.status == "verified"}
    assert set(summaries) == verified
    for name, s in summaries.items():
        assert s["written"] >= 2, (name, s)
        assert s["failed"] is False and s["errors"] == 0, (name, s)
        # Every discovery endpoint the site requests is recorded; only a URL dated today cannot be.
        dated = 1 if sites.get(name).value("daily_sitemap") else 0
        assert s["replay_missing"] <= dated, (name, s["replay_missing"])
        records, _ = read_output(tmp_path / "data", name)
        assert len(records) == s["written"]
        assert all(r["site"] == name and r["title"] and r["body"] for r in records)
