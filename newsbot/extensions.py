"""The run summary: what each spider discovered, skipped, fetched, wrote and dropped, and which fields went missing.

A sudden rise in a field's missing share is how a layout change shows itself; a spider that met only bot walls
or raised errors is marked failed so that cron's exit code says so.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals

from newsbot.record import FIELDS

logger = logging.getLogger(__name__)

#: Fields that may legitimately be empty on some articles; their missing share is reported all the same.
_REPORTED = tuple(f for f in FIELDS if f not in ("site", "language", "crawled_at", "url"))


def spider_summary(stats: dict[str, Any], name: str, reason: str | None = None) -> dict[str, Any]:
    """Summarise one spider's Scrapy stats (``crawler.stats.get_stats()``)."""

    def n(key: str) -> int:
        return int(stats.get(key, 0) or 0)

    written = n(f"newsbot/written/{name}")
    dropped = {
        key.split("/")[2]: value
        for key, value in stats.items()
        if key.startswith("newsbot/dropped/") and key.endswith(f"/{name}")
    }
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
    summary = {
        "spider": name,
        "finish_reason": reason or stats.get("finish_reason"),
        "discovered": n(f"newsbot/discovered/{name}"),
        "skipped_seen": n(f"newsbot/skipped_seen/{name}"),
        "skipped_kind": n(f"newsbot/skipped/kind/{name}"),
        "fetched": n(f"newsbot/fetched/{name}"),
        "written": written,
        "dropped": dropped,
        "http_errors": http_errors,
        "download_exceptions": exceptions,
        "challenges": challenges,
        "replay_missing": replay_missing,
        "date_rejected": n(f"newsbot/date_rejected/{name}"),
        "errors": errors,
        "missing_share": missing,
    }
    summary["error_log_lines"] = n("log_count/ERROR")
    finish = summary["finish_reason"]
    only_walls = challenges > 0 and n(f"newsbot/fetched/{name}") == 0 and not written
    summary["failed"] = bool(errors) or only_walls or finish not in ("finished", None)
    summary["failure"] = (
        f"{errors} error(s) in newsbot or the spider" if errors
        else "every page was a bot wall" if only_walls
        else f"run ended early ({finish})" if finish not in ("finished", None)
        else None
    )
    return summary


class RunSummary:
    """Counts missing fields per written record and attaches the spider's summary to its crawler when it closes."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.item_error, signal=signals.item_error)

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunSummary:
        return cls(crawler)

    def item_scraped(self, item: dict[str, Any], response: Any, spider: Any) -> None:
        for field in _REPORTED:
            value = item.get(field)
            if value is None or value == [] or value == "":
                self.crawler.stats.inc_value(f"newsbot/missing/{field}/{spider.name}")

    def item_error(self, item: Any, response: Any, spider: Any, failure: Any) -> None:
        self.crawler.stats.inc_value(f"newsbot/item_errors/{spider.name}")

    def spider_closed(self, spider: Any, reason: str) -> None:
        summary = spider_summary(self.crawler.stats.get_stats(), spider.name, reason)
        self.crawler.newsbot_summary = summary
        logger.info("newsbot summary for %s: written %d, skipped as seen %d, fetched %d, dropped %s, challenges %d",
                    spider.name, summary["written"], summary["skipped_seen"], summary["fetched"],
                    summary["dropped"] or "{}", summary["challenges"])
