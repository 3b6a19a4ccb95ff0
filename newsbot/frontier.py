"""The crawl's side of the state store: the lock, the frontier of owed work, and what each outcome does to it.

One object per crawler (:meth:`Frontier.of`), shared by the spider (resume, errbacks), the seen filter (record
before request) and the pipelines (settle, mark). It is opened by the dedup pipeline when the spider opens, after
the state directory's lock is taken; a crawl that cannot have the lock or the store closes at once with a clear
reason (``newsbot_state_locked``, ``newsbot_state_error``) before touching anything.

What each outcome does to an article on the frontier:

========================================  ===================================================================
written (line acknowledged, fsynced)      marked seen, off the frontier
404 / 410                                 settled ``gone``
not an article (soft-404, listing, …)     settled ``not_article`` with the reason
robots.txt, off-site redirect             settled ``refused``
bot wall                                  stays pending; ``walls`` counted (walls lift)
timeout, DNS, 5xx, other HTTP errors      stays pending; ``attempts`` + 1; settled ``given_up`` at the limit
killed before any of the above            stays pending; asked for first by the next run
pending longer than the age limit         settled ``expired``
========================================  ===================================================================
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from scrapy import signals
from scrapy.exceptions import CloseSpider, DropItem
from scrapy.utils.defer import deferred_from_coro

from newsbot.config import problems
from newsbot.runlock import LockError, LockHeld, RunLock
from newsbot.state import Pending, StateError, StateStore, lock_path, open_store

logger = logging.getLogger(__name__)

#: Request meta keys worth keeping with a pending discovery page (enough to rebuild its request).
_DISCOVERY_META = ("newsbot_kind", "archive_day", "page", "sitemap_depth", "known_streak")


class NotAnArticleDrop(DropItem):
    """A page that parsed but is not an article (its reason is settled in the store, never retried)."""

    def __init__(self, reason: str, url: str | None) -> None:
        super().__init__(f"{reason}: {url}")
        self.reason = reason


def close_spider_soon(crawler: Any, reason: str) -> None:
    """Ask the engine to close the spider (from a signal handler, which cannot raise CloseSpider)."""
    engine = getattr(crawler, "engine", None)
    if engine is None or getattr(crawler, "newsbot_closing", False):
        return
    crawler.newsbot_closing = True
    deferred_from_coro(engine.close_spider_async(reason=reason))


def _guarded(default: Any = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A store call that may fail mid-run (Redis gone past its retries, a disk error): the run stops, once."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def inner(self: Frontier, *args: Any, **kwargs: Any) -> Any:
            if self.lost:
                return default
            try:
                return fn(self, *args, **kwargs)
            except StateError as exc:
                self.lose(exc)
                return default

        return inner

    return wrap


class Frontier:
    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.incremental = settings.getbool("NEWSBOT_INCREMENTAL", True)
        self.state_dir = settings.get("NEWSBOT_STATE_DIR", "state")
        self.max_attempts = max(1, settings.getint("NEWSBOT_MAX_ATTEMPTS", 5))
        self.max_age = timedelta(days=settings.getfloat("NEWSBOT_FRONTIER_MAX_AGE_DAYS", 14.0))
        self.store: StateStore | None = None
        #: Why the store stopped answering mid-run (then nothing more is written: it could not be marked).
        self.lost: str | None = None
        self._lock: RunLock | None = None
        crawler.signals.connect(self._item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self._item_error, signal=signals.item_error)
        crawler.signals.connect(self._spider_error, signal=signals.spider_error)

    @classmethod
    def of(cls, crawler: Any) -> Frontier:
        frontier = getattr(crawler, "newsbot_frontier", None)
        if frontier is None:
            frontier = crawler.newsbot_frontier = cls(crawler)
        return frontier

    @property
    def name(self) -> str:
        return getattr(self.crawler.spider, "name", "unknown")

    def _inc(self, what: str, n: int = 1) -> None:
        self.stats.inc_value(f"newsbot/{what}/{self.name}", n)

    # ---- opening and closing -------------------------------------------------------------------------------------
    def open(self) -> None:
        """Take the state directory's lock and open the store; CloseSpider (logged in one line) when neither can."""
        if self._lock is not None:
            return
        bad = problems(self.crawler.settings)
        if bad:
            self.crawler.newsbot_refusal = "; ".join(bad)
            for line in bad:
                logger.error("bad setting: %s", line)
            raise CloseSpider("newsbot_bad_settings")

        lock = RunLock.shared(lock_path(self.crawler.settings))
        try:
            lock.acquire()
        except LockHeld as exc:
            self.crawler.newsbot_refusal = str(exc)
            logger.error("%s; not crawling", exc)
            raise CloseSpider("newsbot_state_locked") from None
        except LockError as exc:
            self.crawler.newsbot_refusal = str(exc)
            logger.error("%s", exc)
            raise CloseSpider("newsbot_state_error") from None
        self._lock = lock
        if self.incremental:
            try:
                self.store = open_store(self.crawler.settings)
            except StateError as exc:
                self.crawler.newsbot_refusal = str(exc)
                logger.error("%s", exc)
                raise CloseSpider("newsbot_state_error") from None

    def lose(self, exc: BaseException) -> None:
        """The store failed mid-run: fail the run with that reason and stop; what is not written stays owed."""
        if self.lost is not None:
            return
        self.lost = str(exc)
        self.crawler.newsbot_refusal = f"state store lost mid-run: {exc}"
        logger.error("%s: %s; stopping (what is not written stays pending for the next run)", self.name, exc)
        self.stats.set_value(f"newsbot/state_lost/{self.name}", 1)
        close_spider_soon(self.crawler, "newsbot_state_error")

    def close(self) -> None:
        self._count_pending_left()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    @_guarded()
    def _count_pending_left(self) -> None:
        if self.store is not None:
            self._inc("pending_left", self.store.pending_count(self.name, "article"))

    # ---- before a request ----------------------------------------------------------------------------------------
    @_guarded()
    def known(self, key: str) -> str | None:
        return self.store.known(self.name, key) if self.store else None

    @_guarded()
    def remember_article(self, url: str, key: str, meta: dict[str, Any]) -> None:
        if self.store is not None:
            listed = {"listed_date": meta["listed_date"]} if meta.get("listed_date") else {}
            self.store.add_pending(self.name, key, url, "article", listed)

    @_guarded()
    def remember_discovery(self, url: str, meta: dict[str, Any]) -> str | None:
        """A follow-up discovery page on the frontier; returns its key (carried in the request's meta)."""
        if self.store is None:
            return None
        key = f"doc:{url}"
        self.store.add_pending(self.name, key, url, "discovery", {k: meta[k] for k in _DISCOVERY_META if k in meta})
        return key

    @_guarded([])
    def resume(self) -> list[Pending]:
        """What earlier runs left owed, oldest discovery pages first; rows past the age limit are expired first."""
        if self.store is None:
            return []
        expired = self.store.expire(self.name, self.max_age)
        if expired:
            self._inc("settled/expired", expired)
            logger.warning("%s: %d pending article(s) older than %s given up (expired)", self.name, expired,
                           self.max_age)
        pending = self.store.pending(self.name)
        if pending:
            self._inc("resumed", len(pending))
            logger.info("%s: resuming %d pending request(s) left by earlier runs", self.name, len(pending))
        return pending

    @_guarded([])
    def claimed_before(self) -> list[Pending]:
        """Articles this worker id claimed in a run killed before writing them (a shared crawl), released and
        owed again; those no longer pending were written or settled meanwhile."""
        if self.store is None:
            return []
        owed = []
        for key in self.store.own_claims(self.name):
            self.store.unclaim(self.name, key)
            pending = self.store.pending_one(self.name, key)
            if pending is not None:
                owed.append(pending)
        return owed

    # ---- outcomes ------------------------------------------------------------------------------------------------
    def resolved(self, key: str | None) -> None:
        """The work behind ``key`` is done for this run: a shared crawl's lease on its request ends."""
        leases = getattr(self.crawler, "newsbot_leases", None)
        if leases is not None:
            leases.resolved(key)

    @_guarded()
    def discovery_done(self, key: str | None) -> None:
        if self.store is not None and key:
            self.store.done(self.name, key)
        self.resolved(key)

    @_guarded()
    def settle(self, key: str | None, url: str | None, outcome: str, reason: str) -> None:
        self._inc(f"settled/{outcome}")
        if self.store is not None and key:
            self.store.settle(self.name, key, url, outcome, reason)
        self.resolved(key)

    @_guarded()
    def failed(self, key: str | None, error: str) -> None:
        """A failed download (after Scrapy's own retries): one attempt used; given up at the limit."""
        self.resolved(key)
        if self.store is None or not key:
            return
        if self.store.failed_attempt(self.name, key, error, self.max_attempts):
            self._inc("settled/given_up")
            logger.warning("%s: gave up on %s after %d failed attempts (last: %s)", self.name, key,
                           self.max_attempts, error)

    @_guarded()
    def walled(self, key: str | None, reason: str) -> None:
        if self.store is not None and key:
            self.store.walled(self.name, key, reason)
        self.resolved(key)

    # ---- signals -------------------------------------------------------------------------------------------------
    def _item_dropped(self, item: Any, response: Any, exception: BaseException, spider: Any) -> None:
        if isinstance(exception, NotAnArticleDrop) and response is not None:
            self.settle(response.meta.get("newsbot_key"), response.url, "not_article", exception.reason)
        elif response is not None:
            self.resolved(response.meta.get("newsbot_key"))  # a duplicate: written (or being written) elsewhere

    def _item_error(self, item: Any, response: Any, spider: Any, failure: Any) -> None:
        if response is not None:
            self.failed(response.meta.get("newsbot_key"), f"pipeline error: {failure.value!r}"[:300])

    def _spider_error(self, failure: Any, response: Any, spider: Any) -> None:
        if response is not None and response.meta.get("newsbot_kind") == "article":
            self.failed(response.meta.get("newsbot_key"), f"parse error: {failure.value!r}"[:300])
