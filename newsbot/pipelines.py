"""Item pipelines: normalise → dates → validate → dedup (see ``ITEM_PIPELINES`` in settings).

Each stage is a pure function first (``newsbot.finalize``, used by ``extract_article`` too) and a thin Scrapy
pipeline second, so a saved page and a crawl give the same record.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import CloseSpider, DropItem

from newsbot.feeds import OutputLedger, fsync, local_feed_paths, newsbot_feeds, output_files, output_problem
from newsbot.finalize import normalize_record, resolve_dates, validate_record
from newsbot.frontier import Frontier, NotAnArticleDrop, close_spider_soon
from newsbot.record import NOT_ARTICLE, public
from newsbot.state import StateError

logger = logging.getLogger(__name__)


def record_key(item: dict[str, Any], spider_cls: Any = None) -> tuple[str, str]:
    """(site, key) under which the state store remembers a written record.

    ``spider_cls`` may be the spider itself: a site crawled by URL (``newsbot.adhoc``) learns its URL shapes during
    the run, and an article whose URL carries no news code is remembered by its URL, as its request was.
    """
    site = item.get("site") or "_generic"
    code = item.get("news_code")
    url = item.get("url") or ""
    if spider_cls is not None and getattr(spider_cls, "keys_by_url", False) and not spider_cls.news_code_of(url):
        return site, spider_cls.state_key(url, "")
    if code and spider_cls is not None and hasattr(spider_cls, "state_key"):
        return site, spider_cls.state_key(item.get("url") or "", str(code))
    return site, str(code or item.get("canonical_url") or item.get("url"))


# ---- Scrapy pipelines --------------------------------------------------------------------------------------------
def _spider_name(crawler: Any) -> str:
    return getattr(getattr(crawler, "spider", None), "name", "unknown")


class _CrawlerPipeline:
    """A pipeline that counts in the crawl's stats under the running spider's name."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> Any:
        return cls(crawler)


class NormalizePipeline:
    def process_item(self, item: Any, spider: Any = None) -> Any:
        rec = ItemAdapter(item).asdict() if not isinstance(item, dict) else item
        if not rec.get("crawled_at"):
            rec["crawled_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        return normalize_record(rec)


class DatesPipeline(_CrawlerPipeline):
    def process_item(self, item: dict[str, Any], spider: Any = None) -> dict[str, Any]:
        reasons = resolve_dates(item)
        if item.get("published_at") is None:
            # The record is kept: its text is worth having, and the reason says what to fix.
            self.stats.inc_value(f"newsbot/no_date/{_spider_name(self.crawler)}")
            logger.warning("no usable publish date for %s: %s", item.get("url"), "; ".join(reasons) or "none found")
        elif reasons:
            # A later fallback that did not parse is routine; it is kept for debugging selectors.
            self.stats.inc_value(f"newsbot/date_rejected/{_spider_name(self.crawler)}")
            logger.debug("date candidates rejected for %s: %s", item.get("url"), "; ".join(reasons))
        return item


class ValidatePipeline(_CrawlerPipeline):
    def process_item(self, item: dict[str, Any], spider: Any = None) -> dict[str, Any]:
        reason = item.get(NOT_ARTICLE) or validate_record(item)
        if reason:
            self.stats.inc_value(f"newsbot/dropped/{reason}/{_spider_name(self.crawler)}")
            raise NotAnArticleDrop(reason, item.get("url"))
        return public(item)


class DedupPipeline(_CrawlerPipeline):
    """Drop articles written by this run or an earlier one; mark an article only once its line is on disk.

    When a spider opens, this pipeline takes the state directory's lock and opens the store (see
    newsbot.frontier), checks that today's output files can be written (a bad data path fails the run before
    anything is fetched) and reconciles the store with the output files: what an interrupted run wrote but did
    not mark is marked now, and a torn last line is cut (its article is fetched again).

    Marking happens on ``item_scraped``, after the feed exporter (connected earlier, as an extension) wrote the
    line, and only for items the :class:`~newsbot.feeds.OutputLedger` says reached a file. Marks are grouped:
    every ``NEWSBOT_MARK_BATCH`` articles or two seconds, the files are fsynced and the batch is marked in one
    transaction (an fsync costs tens of milliseconds on a real disk; what a crash leaves written but unmarked, the
    next start recovers from the file). A write that failed leaves its article pending, fails the run ("output
    not writable") and closes the spider, so nothing more is fetched that could not be kept.
    """

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.frontier = Frontier.of(crawler)
        self.ledger = OutputLedger.of(crawler)
        # Feeds written by newsbot's exporter acknowledge each line; with other exporters only (``-o out.csv``)
        # Scrapy's word is all there is; with no feed at all nothing is written, so nothing may be marked.
        self.ack_required = bool(newsbot_feeds(crawler.settings))
        self.has_feeds = bool(crawler.settings.getdict("FEEDS"))
        self.batch_size = max(1, crawler.settings.getint("NEWSBOT_MARK_BATCH", 200))
        self.in_flight: set[tuple[str, str]] = set()
        self._batch: list[tuple[tuple[str, str], str | None, list[Any]]] = []
        self._batch_started = 0.0
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)

    @property
    def store(self) -> Any:
        return self.frontier.store

    def key(self, item: dict[str, Any]) -> tuple[str, str]:
        return record_key(item, self.crawler.spider)

    def _reconcile(self) -> tuple[int, int]:
        if self.store is None:
            return 0, 0
        name = _spider_name(self.crawler)
        worker = getattr(self.store, "worker", None)  # a shared crawl reads back its own files only
        files = output_files(self.crawler.settings.getdict("FEEDS"), name, worker)
        return self.store.reconcile_all(files, self.key)

    def open_spider(self, spider: Any = None) -> None:
        self.frontier.open()
        name = _spider_name(self.crawler)
        for path in local_feed_paths(self.crawler.settings.getdict("FEEDS"), name):
            problem = output_problem(path)
            if problem:
                self.ledger.failed(problem)
                raise CloseSpider("newsbot_output_error")
        try:
            marked, torn = self._reconcile()
        except (OSError, StateError) as exc:
            self.ledger.failed(f"cannot read back the output: {exc}")
            raise CloseSpider("newsbot_output_error") from None
        if marked or torn:
            logger.warning("%s: recovered %d record(s) written by an interrupted run%s", name,
                           marked, f", cut a torn line of {torn} bytes" if torn else "")

    def close_spider(self, spider: Any = None) -> None:
        try:
            self.flush()
            if not self.ledger.failure and not getattr(self.crawler, "newsbot_refusal", None):
                self._reconcile()  # everything is marked already; this moves each file's checkpoint to its end
        except (OSError, StateError) as exc:
            self.ledger.failed(f"cannot read back the output: {exc}")
        finally:
            self.frontier.close()

    def process_item(self, item: dict[str, Any], spider: Any = None) -> dict[str, Any]:
        key = self.key(item)
        # The claim is the "written before?" question; where workers share a Redis store it also reserves the
        # article for this worker until its line is marked (another worker's copy is then a duplicate).
        claim = "seen" if key in self.in_flight else "ok"
        if claim == "ok" and self.store is not None and not self.frontier.lost:
            try:
                claim = self.store.claim(*key)
            except StateError as exc:
                self.frontier.lose(exc)
        if self.frontier.lost:
            # The store is gone: a line written now could never be marked (nor, shared, claimed).
            self.stats.inc_value(f"newsbot/dropped/state_lost/{_spider_name(self.crawler)}")
            raise DropItem(f"not written, the state store is gone: {item.get('url')}", log_level="DEBUG")
        if claim != "ok":
            self.stats.inc_value(f"newsbot/dropped/duplicate/{_spider_name(self.crawler)}")
            if claim == "claimed":
                self.stats.inc_value(f"newsbot/dropped/claimed_elsewhere/{_spider_name(self.crawler)}")
            raise DropItem(f"duplicate: {key[0]} {key[1]} ({item.get('url')})", log_level="DEBUG")
        self.in_flight.add(key)
        return item

    def item_scraped(self, item: dict[str, Any], response: Any, spider: Any) -> None:
        key = self.key(item)
        files = self.ledger.take(item)
        if self.ack_required and not files:
            # The exporter failed (and said why) or never ran (its file could not be opened).
            self.ledger.failed(f"no output file took the record of {item.get('url')}")
            self.stats.inc_value(f"newsbot/unwritten/{_spider_name(self.crawler)}")
            self.in_flight.discard(key)
            self._unclaim(key)
            close_spider_soon(self.crawler, "newsbot_output_error")
            return
        if not self.has_feeds:
            self.in_flight.discard(key)
            self._unclaim(key)
            return
        self.stats.inc_value(f"newsbot/written/{_spider_name(self.crawler)}")
        frontier_key = response.meta.get("newsbot_key") if response is not None else None
        if not self._batch:
            self._batch_started = time.monotonic()
        self._batch.append((key, frontier_key, files))
        if len(self._batch) >= self.batch_size or time.monotonic() - self._batch_started >= 2.0:
            self.flush()

    def _unclaim(self, key: tuple[str, str]) -> None:
        if self.store is not None and not self.frontier.lost:
            try:
                self.store.unclaim(*key)
            except StateError as exc:
                self.frontier.lose(exc)

    def flush(self) -> None:
        """fsync the files of the batch, then mark its articles: never marked before they are durable."""
        batch, self._batch = self._batch, []
        if not batch:
            return
        try:
            for file in {id(f): f for _, _, files in batch for f in files}.values():
                fsync(file)
        except OSError as exc:
            self.ledger.failed(f"fsync failed: {exc.strerror or exc}")
            close_spider_soon(self.crawler, "newsbot_output_error")
            return
        if self.store is not None and not self.frontier.lost:
            try:
                with self.store.transaction():
                    for (site, code), frontier_key, _ in batch:
                        self.store.mark_seen(site, code, frontier_key)
            except StateError as exc:
                self.frontier.lose(exc)  # the lines are on disk: the next run reads them back and marks them
        for key, frontier_key, _ in batch:
            self.in_flight.discard(key)
            self.frontier.resolved(frontier_key)
