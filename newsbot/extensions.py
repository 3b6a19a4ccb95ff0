"""The run summary: what each spider discovered, skipped, fetched, wrote and dropped, and which fields went missing.

A sudden rise in a field's missing share is how a layout change shows itself. Each spider ends with one status
(ok, unreachable, blocked, broken, failed) so that cron's exit code says what went wrong.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scrapy import signals

from newsbot.history import History, HistoryError
from newsbot.record import CRAWL_FIELDS, FIELDS

logger = logging.getLogger(__name__)

#: Fields that may legitimately be empty on some articles; their missing share is reported all the same.
_REPORTED = tuple(f for f in FIELDS if f not in ("site", "language", "crawled_at", "url", *CRAWL_FIELDS))


#: Each spider's run ends in one of these; the exit code of ``newsbot crawl`` is the worst one's (see cli.py).
STATUSES = ("ok", "unreachable", "blocked", "broken", "failed")
#: Drop reasons that mean the spider's selectors or URL patterns no longer fit the site.
_MISFIT_DROPS = ("no_title", "no_body", "body_too_short", "soft_404", "error_page", "listing", "home", "tag",
                 "login", "not_html")
#: Close reasons newsbot itself gives, in the words of the summary.
_CLOSE_REASONS = {
    "newsbot_output_error": "output not writable",
    "newsbot_state_locked": "another crawl holds the state directory",
    "newsbot_state_error": "state directory unusable",
    "shutdown": "interrupted (SIGTERM or Ctrl-C)",
}


def spider_summary(stats: dict[str, Any], name: str, reason: str | None = None, *, output_failure: str | None = None,
                   refusal: str | None = None) -> dict[str, Any]:
    """Summarise one spider's Scrapy stats (``crawler.stats.get_stats()``) and give it its status.

    *ok*: reachable and working (0 written is fine when nothing is new). *unreachable*: every discovery request
    failed to download (DNS, connection, timeout, 5xx) and no article came. *blocked*: only bot walls answered.
    *broken*: the discovery documents did not parse or listed no article anywhere, or most fetched articles were
    dropped as not fitting (no title/body, not an article): the site changed, the spider must follow. *failed*:
    exceptions in newsbot or the site parser, output that could not be written, a refused state directory, or an
    interrupted run.
    """

    def n(key: str) -> int:
        return int(stats.get(key, 0) or 0)

    written = n(f"newsbot/written/{name}")
    dropped = _by_reason(stats, "dropped", name)
    settled = _by_reason(stats, "settled", name)
    http_errors = {
        key.rsplit("/", 1)[1]: value
        for key, value in stats.items()
        if key.startswith("downloader/response_status_count/") and not key.endswith(("/200", "/301", "/302"))
        and not key.endswith(("/303", "/304", "/307", "/308"))
    }
    # In a replay, URLs nobody recorded are answered 404; they say nothing about the site.
    replay_missing = n(f"newsbot/replay_missing/{name}")
    if replay_missing and "404" in http_errors:
        http_errors["404"] -= replay_missing
        if http_errors["404"] <= 0:
            del http_errors["404"]
    exceptions = n("downloader/exception_count")
    missing = {
        field: round(n(f"newsbot/missing/{field}/{name}") / written, 3) if written else None for field in _REPORTED
    }
    # Errors are newsbot's or the site parser's own failures (exceptions in callbacks, pipelines, exporters), not a
    # page that would not download: those are counted above, and one bad page must not fail a cron run.
    errors = n(f"newsbot/item_errors/{name}") + sum(
        v for k, v in stats.items() if k.startswith("spider_exceptions/")
    ) + n("log_count/CRITICAL")
    challenges = n(f"newsbot/challenge/{name}")
    discovery = {what: n(f"newsbot/discovery/{what}/{name}") for what in ("ok", "empty", "unparsed", "failed",
                                                                           "walled")}
    fetched = n(f"newsbot/fetched/{name}")
    summary = {
        "spider": name,
        "status": "ok",
        "failure": None,
        "finish_reason": reason or stats.get("finish_reason"),
        "discovered": n(f"newsbot/discovered/{name}"),
        "resumed": n(f"newsbot/resumed/{name}"),
        "skipped_seen": n(f"newsbot/skipped_seen/{name}"),
        "skipped_settled": n(f"newsbot/skipped_settled/{name}"),
        "skipped_kind": n(f"newsbot/skipped/kind/{name}"),
        "fetched": fetched,
        "written": written,
        "dropped": dropped,
        "settled": settled,
        "pending": n(f"newsbot/pending_left/{name}"),
        "discovery": discovery,
        "capped": _by_reason(stats, "capped", name),
        "http_errors": http_errors,
        "download_exceptions": exceptions,
        "challenges": challenges,
        "replay_missing": replay_missing,
        "date_rejected": n(f"newsbot/date_rejected/{name}"),
        "errors": errors,
        "error_log_lines": n("log_count/ERROR"),
        "schema_checked": n("spidermon/validation/items"),
        "schema_errors": n("spidermon/validation/items/errors"),
        "monitors_failed": {key.split("/", 3)[3]: value for key, value in stats.items()
                            if key.startswith(f"newsbot/monitor_failed/{name}/")},
        "missing_share": missing,
        # A worker of a shared crawl that did not seed the round saw only the part of discovery it was handed.
        "shared": bool(n(f"newsbot/redis/shared/{name}")),
        "seeded": bool(n(f"newsbot/redis/seeded/{name}")),
    }
    summary["status"], summary["failure"] = _status(summary, output_failure, refusal)
    summary["failed"] = summary["status"] != "ok"
    return summary


def _by_reason(stats: dict[str, Any], kind: str, name: str) -> dict[str, Any]:
    """``newsbot/<kind>/<reason>/<spider>`` counters of one spider as {reason: count}."""
    return {key.split("/")[2]: value for key, value in stats.items()
            if key.startswith(f"newsbot/{kind}/") and key.endswith(f"/{name}")}


def _status(s: dict[str, Any], output_failure: str | None, refusal: str | None) -> tuple[str, str | None]:
    finish = s["finish_reason"]
    if refusal:
        return "failed", refusal
    if output_failure:
        return "failed", f"output not writable: {output_failure}"
    if s["errors"]:
        return "failed", f"{s['errors']} error(s) in newsbot or the spider"
    if s["schema_errors"]:
        return "failed", f"{s['schema_errors']} record(s) did not match the record schema (a bug in newsbot or the " \
                         "site's parser; the spidermon/validation stats say which fields)"
    if finish not in ("finished", None):
        return "failed", f"run ended early: {_CLOSE_REASONS.get(finish, finish)}"
    disc = s["discovery"]
    answered = disc["ok"] + disc["empty"] + disc["unparsed"]
    if not answered and not s["fetched"] and (s["challenges"] or disc["walled"]):
        return "blocked", f"only bot walls answered ({s['challenges']} challenge page(s))"
    partial = s.get("shared") and not s.get("seeded")
    if not answered and not s["fetched"] and (s["download_exceptions"] or (disc["failed"] and not partial)):
        return "unreachable", (f"every discovery request failed ({disc['failed']} failed, "
                               f"{s['download_exceptions']} download exception(s))")
    if answered and not disc["ok"] and not s["discovered"] and not partial:
        return "broken", (f"no article links in any discovery document ({disc['unparsed']} unparseable, "
                          f"{disc['empty']} empty)")
    misfits = sum(v for k, v in s["dropped"].items() if k in _MISFIT_DROPS)
    if s["fetched"] >= 5 and misfits * 2 > s["fetched"]:
        return "broken", f"{misfits} of {s['fetched']} fetched pages dropped as not fitting the spider"
    return "ok", None


def run_file(runs: Path, started: datetime, label: str = "") -> Path:
    """Where a run's summary goes: ``runs/<start>[-<label>].json``, with ``-2``, ``-3``… for another run started
    in the same second (the lock allows back-to-back runs)."""
    stem = started.strftime("%Y-%m-%dT%H-%M-%SZ") + (f"-{label}" if label else "")
    path, n = runs / f"{stem}.json", 1
    while path.exists():
        n += 1
        path = runs / f"{stem}-{n}.json"
    return path


def write_run_file(path: Path, report: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")


def _started(stats: dict[str, Any]) -> datetime:
    value = stats.get("start_time")
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc)


class RunSummary:
    """Counts missing fields per written record and attaches the spider's summary to its crawler when it closes."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.item_error, signal=signals.item_error)

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunSummary:
        if crawler.settings.getbool("SPIDERMON_ENABLED"):
            from newsbot.monitors import install_one_line_report

            install_one_line_report()
        return cls(crawler)

    def _keep_history(self, summary: dict[str, Any], started: datetime) -> None:
        """The summary as a row of the run history (``newsbot status``, ``gaps``, the report), for every crawl that
        ran with a state directory: ``newsbot crawl`` and ``scrapy crawl`` alike."""
        settings = self.crawler.settings
        if not settings.getbool("NEWSBOT_HISTORY", True):
            return
        try:
            history = History(settings.get("NEWSBOT_STATE_DIR"))
            try:
                change = history.record(summary, started, datetime.now(timezone.utc))
            finally:
                history.close()
        except HistoryError as exc:
            logger.error("%s: %s; this run is not in the history", summary["spider"], exc)
            return
        self.crawler.newsbot_change = change

    def _write_run_file(self, summary: dict[str, Any], started: datetime) -> None:
        """``scrapy crawl``: nobody else writes the run's summary file (``newsbot crawl`` writes one for all its
        spiders)."""
        if getattr(self.crawler, "newsbot_cli", False):
            return
        path = run_file(Path(self.crawler.settings.get("NEWSBOT_STATE_DIR")) / "runs", started, summary["spider"])
        report = {"started_at": started.isoformat(timespec="seconds"),
                  "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                  "command": "scrapy crawl", "spiders": [summary]}
        try:
            write_run_file(path, report)
            logger.info("summary written to %s", path)
        except OSError as exc:
            logger.error("run summary not written to %s: %s", path, exc.strerror or exc)

    def item_scraped(self, item: dict[str, Any], response: Any, spider: Any) -> None:
        for field in _REPORTED:
            value = item.get(field)
            if value is None or value == [] or value == "":
                self.crawler.stats.inc_value(f"newsbot/missing/{field}/{spider.name}")

    def item_error(self, item: Any, response: Any, spider: Any, failure: Any) -> None:
        self.crawler.stats.inc_value(f"newsbot/item_errors/{spider.name}")

    def spider_closed(self, spider: Any, reason: str) -> None:
        ledger = getattr(self.crawler, "newsbot_output", None)
        summary = spider_summary(self.crawler.stats.get_stats(), spider.name, reason,
                                 output_failure=ledger.failure if ledger else None,
                                 refusal=getattr(self.crawler, "newsbot_refusal", None))
        self.crawler.newsbot_summary = summary
        started = _started(self.crawler.stats.get_stats())
        self._keep_history(summary, started)
        self._write_run_file(summary, started)
        logger.info("newsbot summary for %s: %s; written %d, skipped as seen %d, fetched %d, dropped %s, "
                    "challenges %d, pending %d", spider.name, summary["status"], summary["written"],
                    summary["skipped_seen"], summary["fetched"], summary["dropped"] or "{}", summary["challenges"],
                    summary["pending"])
        if summary["status"] != "ok":
            logger.error("%s: %s: %s", spider.name, summary["status"].upper(), summary["failure"])
        elif not summary["written"] and summary["skipped_seen"]:
            # Most often `scrapy crawl NAME -O out.jsonl` after earlier runs: the state says everything is known. A
            # cron run into the default output finding nothing new is normal, and its log stays quiet about it.
            settings = self.crawler.settings
            own_output = settings.getdict("FEEDS") != settings.getdict("NEWSBOT_FEED")
            (logger.warning if own_output else logger.info)(
                "%s: nothing new: %d article(s) were written by earlier runs (state in %s); to write them again, "
                "run with -s NEWSBOT_INCREMENTAL=false or another NEWSBOT_STATE_DIR", spider.name,
                summary["skipped_seen"], settings.get("NEWSBOT_STATE_DIR"))
