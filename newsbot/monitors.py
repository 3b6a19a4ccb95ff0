"""In-run checks with Spidermon: every written record against the record's JSON Schema, the finish reason, the
coverage of the fields every article has. Cross-run monitors (a site against its own history) are newsbot's own
(``newsbot.history``): Spidermon keeps no history outside Scrapy Cloud.

A failed monitor is counted in the crawl's stats (``newsbot/monitor_failed/<site>``) and named in the run summary
(``monitors_failed``); a record that does not match the schema makes the run *failed*: it is a bug in newsbot or a
site parser, and such a record must not look like success.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any, ClassVar

from spidermon import MonitorSuite
from spidermon.contrib.scrapy.monitors import FieldCoverageMonitor, ItemValidationMonitor
from spidermon.core.actions import Action

from newsbot.record import FIELDS

# Spidermon 1.27 logs its report through Spider.log(), which Scrapy deprecates: one warning per spider and run, in
# every cron log, about code that is not newsbot's.
warnings.filterwarnings("ignore", message=r"Spider\.log\(\) is deprecated", module=r"spidermon\.")

_TEXT = {"type": ["string", "null"], "minLength": 1}
_WHEN = {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$"}
_LIST = {"type": "array", "items": {"type": "string", "minLength": 1}}

#: The record as the README's schema describes it: every key present, nothing else, dates with their offset.
RECORD_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "newsbot article record",
    "type": "object",
    "required": list(FIELDS),
    "additionalProperties": False,
    "properties": {
        "site": _TEXT,
        "agency": _TEXT,
        "news_code": {"type": ["string", "null"], "pattern": r"^[0-9A-Za-z]{1,40}$"},
        "url": {"type": "string", "pattern": r"^https?://"},
        "canonical_url": {"type": ["string", "null"], "pattern": r"^https?://"},
        "title": {"type": "string", "minLength": 1},
        "kicker": _TEXT,
        "lead": _TEXT,
        "body": {"type": "string", "minLength": 1},
        "published_at": _WHEN,
        "modified_at": _WHEN,
        "published_jalali": {"type": ["string", "null"], "pattern": r"^1[2-4]\d{2}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"},
        "category": _TEXT,
        "tags": _LIST,
        "authors": _LIST,
        "image": {"type": ["string", "null"], "pattern": r"^https?://"},
        "attribution": _TEXT,
        "language": {"const": "fa"},
        "crawled_at": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$"},
        # Set by the watch and story pipelines, which run after this check (null here).
        "matches": {"type": ["object", "null"], "additionalProperties": _LIST},
        "story": _TEXT,
        "republished_from": {"type": ["object", "null"], "required": ["site", "news_code", "url"],
                             "additionalProperties": False,
                             "properties": {"site": _TEXT, "news_code": {"type": ["string", "null"]},
                                            "url": {"type": ["string", "null"]}}},
    },
}


class OneLineReport(logging.Filter):
    """Spidermon reports a failed monitor with the unittest traceback of its assertion; the log keeps one line:
    which monitor failed and why (the summary names it too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("[Spidermon]") and "Traceback (most recent call last)" in message:
            lines = [line.strip() for line in message.splitlines() if line.strip().strip("-=")]
            name = next((line for line in lines if line.startswith(("FAIL:", "ERROR:"))), "FAIL")
            record.msg, record.args = f"[Spidermon] {name}: {lines[-1]}", ()
        return True


def install_one_line_report() -> None:
    """On every handler of the root logger (Scrapy's), once."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, OneLineReport) for f in handler.filters):
            handler.addFilter(OneLineReport())


class CountFailures(Action):
    """Puts each failed monitor into the crawl's stats, where the run summary reads it."""

    def run_action(self) -> None:
        crawler = self.data.crawler
        name = self.data.spider.name
        for result in self.result.monitors_failed_results:
            monitor = getattr(result.item, "monitor_name", None) or getattr(result.item, "name", None) or \
                type(result.item).__name__
            crawler.stats.inc_value(f"newsbot/monitor_failed/{name}")
            crawler.stats.set_value(f"newsbot/monitor_failed/{name}/{monitor}", str(getattr(result, "reason", ""))
                                    [:300])


class CloseSuite(MonitorSuite):
    """Run when a spider closes, before the run summary is made (see ``EXTENSIONS`` in settings). The finish reason
    is the run summary's own verdict (an interrupted or refused run is *failed*), so it is not checked twice."""

    monitors: ClassVar[list[Any]] = [ItemValidationMonitor, FieldCoverageMonitor]
    monitors_failed_actions: ClassVar[list[Any]] = [CountFailures]
