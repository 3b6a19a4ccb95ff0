"""Downloader and spider middlewares: bot walls, legacy encodings, and skipping known articles before download."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any
from urllib.parse import urljoin

from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response, TextResponse

from newsbot import botwall
from newsbot.encoding import sniff_encoding
from newsbot.frontier import Frontier

logger = logging.getLogger(__name__)


class BotWall(IgnoreRequest):
    """A challenge page answered instead of the page: the request's article stays owed for a later run."""


class BotWallMiddleware:
    """A challenge page (ArvanCloud, Cloudflare) is counted as ``newsbot/challenge/<spider>`` and dropped."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> BotWallMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response | Request:
        name = getattr(self.crawler.spider, "name", "unknown")
        if self._is_cookie_bounce(request, response):
            # ArvanCloud's first answer: a redirect to the same URL that sets a session cookie. The cookie
            # middleware has stored it; ask again once, past the duplicate filter that would drop the same URL.
            self.stats.inc_value(f"newsbot/cookie_bounce/{name}")
            return request.replace(dont_filter=True, meta={**request.meta, "newsbot_bounced": True})
        if request.url.endswith("/robots.txt"):
            return response
        if isinstance(response, TextResponse):
            text = response.text
        else:
            text = response.body[:60_000].decode("utf-8", "replace")
        headers = {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}
        reason = botwall.challenge_reason(response.status, headers, text)
        if reason:
            self.stats.inc_value(f"newsbot/challenge/{name}")
            logger.warning("bot wall at %s: %s", response.url, reason)
            raise BotWall(f"bot wall: {reason}")
        return response

    @staticmethod
    def _is_cookie_bounce(request: Request, response: Response) -> bool:
        if response.status not in (301, 302, 303, 307, 308) or request.meta.get("newsbot_bounced"):
            return False
        location = response.headers.get("Location")
        if not location or not response.headers.getlist("Set-Cookie"):
            return False
        return urljoin(request.url, location.decode("latin-1")) == request.url


class LegacyEncodingMiddleware:
    """Re-decode undeclared windows-1256 pages, which Scrapy would otherwise read as cp1252 mojibake."""

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if not isinstance(response, HtmlResponse):
            return response
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        legacy = sniff_encoding(response.body, content_type)
        if legacy:
            return response.replace(encoding=legacy)
        return response


class SeenFilterMiddleware:
    """Drop requests for articles already written or settled, and put every other one on the frontier first.

    Counts ``newsbot/discovered/<spider>`` for every article request, ``newsbot/skipped_seen/<spider>`` for the
    ones never downloaded because an earlier run wrote them and ``newsbot/skipped_settled/<spider>`` for those an
    earlier run settled (404, not an article, given up). A request that passes is recorded as pending *before*
    Scrapy schedules it, so a run killed at any moment leaves it owed, not lost. Follow-up discovery pages marked
    ``newsbot_durable`` (listing page 2+, backfill documents) are recorded too, and taken off once their page has
    been read to the end, i.e. once everything they led to is on the frontier.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.frontier = Frontier.of(crawler)

    @classmethod
    def from_crawler(cls, crawler: Any) -> SeenFilterMiddleware:
        return cls(crawler)

    def _keep(self, obj: Any) -> bool:
        if not isinstance(obj, Request):
            return True
        name = getattr(self.crawler.spider, "name", "unknown")
        if "news_code" not in obj.meta:
            if obj.meta.get("newsbot_durable") and "newsbot_frontier_key" not in obj.meta:
                obj.meta["newsbot_frontier_key"] = self.frontier.remember_discovery(obj.url, obj.meta)
            return True
        self.stats.inc_value(f"newsbot/discovered/{name}")
        key = obj.meta.get("newsbot_key", obj.meta["news_code"])
        known = self.frontier.known(key)
        if known == "seen":
            self.stats.inc_value(f"newsbot/skipped_seen/{name}")
            return False
        if known == "settled":
            self.stats.inc_value(f"newsbot/skipped_settled/{name}")
            return False
        self.frontier.remember_article(obj.url, key, obj.meta)
        return True

    def _finished(self, response: Response) -> None:
        self.frontier.discovery_done(response.meta.get("newsbot_frontier_key"))
        leases = getattr(self.crawler, "newsbot_leases", None)
        if leases is not None and "news_code" not in response.meta:
            leases.release(response.meta.get("newsbot_lease"))  # a discovery page read: its requests are queued

    def process_spider_output(self, response: Response, result: Iterable[Any], spider: Any = None) -> Iterable[Any]:
        for obj in result:
            if self._keep(obj):
                yield obj
        self._finished(response)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Any = None
    ) -> AsyncIterator[Any]:
        async for obj in result:
            if self._keep(obj):
                yield obj
        self._finished(response)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for obj in start:
            if self._keep(obj):
                yield obj
