"""The run summary's verdicts: what fails a cron run and what is only counted."""

from __future__ import annotations

from newsbot.cli import format_summary
from newsbot.extensions import spider_summary

BASE = {"finish_reason": "finished", "newsbot/discovered/isna": 10, "newsbot/fetched/isna": 9,
        "newsbot/written/isna": 8, "newsbot/dropped/no_body/isna": 1}


def test_a_clean_run() -> None:
    s = spider_summary(dict(BASE), "isna", "finished")
    assert (s["discovered"], s["fetched"], s["written"], s["dropped"]) == (10, 9, 8, {"no_body": 1})
    assert s["failed"] is False and s["failure"] is None


def test_failed_downloads_are_counted_not_fatal() -> None:
    stats = {**BASE, "downloader/response_status_count/404": 2, "downloader/response_status_count/200": 9,
             "downloader/exception_count": 3, "log_count/ERROR": 3}
    s = spider_summary(stats, "isna", "finished")
    assert s["http_errors"] == {"404": 2} and s["download_exceptions"] == 3 and s["error_log_lines"] == 3
    assert s["failed"] is False


def test_spider_exceptions_fail_the_run() -> None:
    s = spider_summary({**BASE, "spider_exceptions/KeyError": 1}, "isna", "finished")
    assert s["failed"] is True and "error" in s["failure"]


def test_pipeline_errors_fail_the_run() -> None:
    s = spider_summary({**BASE, "newsbot/item_errors/isna": 2}, "isna", "finished")
    assert s["errors"] == 2 and s["failed"] is True


def test_only_bot_walls_fail_the_run() -> None:
    stats = {"finish_reason": "finished", "newsbot/challenge/isna": 3, "newsbot/discovered/isna": 5}
    s = spider_summary(stats, "isna", "finished")
    assert s["status"] == "blocked" and s["failed"] is True and "bot walls" in s["failure"]
    # Some walls among real pages are counted, not fatal.
    assert spider_summary({**BASE, "newsbot/challenge/isna": 1}, "isna", "finished")["failed"] is False


def test_interrupted_run_is_a_failure() -> None:
    s = spider_summary(dict(BASE), "isna", "shutdown")
    assert s["status"] == "failed" and "interrupted" in s["failure"]


def test_replay_missing_is_not_an_http_error() -> None:
    stats = {**BASE, "downloader/response_status_count/404": 1, "newsbot/replay_missing/isna": 1}
    s = spider_summary(stats, "isna", "finished")
    assert s["http_errors"] == {} and s["replay_missing"] == 1


def test_missing_share_per_field() -> None:
    s = spider_summary({**BASE, "newsbot/missing/kicker/isna": 4}, "isna", "finished")
    assert s["missing_share"]["kicker"] == 0.5 and s["missing_share"]["title"] == 0.0


def test_format_summary_marks_failures() -> None:
    ok = spider_summary(dict(BASE), "isna", "finished")
    bad = spider_summary({**BASE, "spider_exceptions/KeyError": 1}, "mehr", "finished")
    table = format_summary([ok, bad])
    assert table.splitlines()[0].startswith("spider")
    assert table.splitlines()[1].endswith("ok") and table.splitlines()[2].endswith("failed")


def test_every_discovery_request_failing_is_unreachable() -> None:
    stats = {"finish_reason": "finished", "newsbot/discovery/failed/isna": 3, "downloader/exception_count": 9}
    s = spider_summary(stats, "isna", "finished")
    assert s["status"] == "unreachable" and "every discovery request failed" in s["failure"]
    # One feed down while the sitemap answers: ok.
    s = spider_summary({**stats, **BASE, "newsbot/discovery/ok/isna": 1}, "isna", "finished")
    assert s["status"] == "ok"


def test_discovery_documents_without_articles_are_broken() -> None:
    stats = {"finish_reason": "finished", "newsbot/discovery/unparsed/isna": 2, "newsbot/discovery/empty/isna": 1}
    s = spider_summary(stats, "isna", "finished")
    assert s["status"] == "broken" and "2 unparseable, 1 empty" in s["failure"]


def test_most_articles_misfitting_is_broken_but_a_few_are_counted() -> None:
    stats = {**BASE, "newsbot/discovery/ok/isna": 3, "newsbot/fetched/isna": 10, "newsbot/written/isna": 3,
             "newsbot/dropped/no_body/isna": 4, "newsbot/dropped/soft_404/isna": 3}
    assert spider_summary(stats, "isna", "finished")["status"] == "broken"
    stats.update({"newsbot/written/isna": 8, "newsbot/dropped/no_body/isna": 1, "newsbot/dropped/soft_404/isna": 1})
    assert spider_summary(stats, "isna", "finished")["status"] == "ok"


def test_output_failure_and_refusals_fail_with_their_reason() -> None:
    s = spider_summary(dict(BASE), "isna", "newsbot_output_error", output_failure="data/isna: No space left on device")
    assert s["status"] == "failed" and s["failure"] == "output not writable: data/isna: No space left on device"
    s = spider_summary({}, "isna", "newsbot_state_locked", refusal="another crawl (pid 7) is running on state")
    assert s["status"] == "failed" and "pid 7" in s["failure"]


def test_nothing_new_is_ok() -> None:
    stats = {"finish_reason": "finished", "newsbot/discovery/ok/isna": 3, "newsbot/discovered/isna": 40,
             "newsbot/skipped_seen/isna": 40}
    s = spider_summary(stats, "isna", "finished")
    assert s["status"] == "ok" and s["written"] == 0


def test_a_record_off_the_schema_fails_the_run_and_failed_monitors_are_named() -> None:
    stats = {**BASE, "spidermon/validation/items": 8, "spidermon/validation/items/errors": 1,
             "newsbot/monitor_failed/isna": 1, "newsbot/monitor_failed/isna/Item Validation Monitor": "1 > 0"}
    s = spider_summary(stats, "isna", "finished")
    assert s["status"] == "failed" and "record schema" in s["failure"]
    assert s["schema_checked"] == 8 and s["monitors_failed"] == {"Item Validation Monitor": "1 > 0"}
