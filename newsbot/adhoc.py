"""A site nobody registered, crawled from its URL: ``newsbot crawl https://www.example.ir``.

The spider starts from the home page: it recognises the CMS family there (``newsbot.detect``) and then knows the
family's URL shapes, feeds and sitemaps and parses with its parser; it also follows the feeds the home page
announces (``<link rel="alternate">``), the sitemaps robots.txt names and, when nothing else is known, the feed
paths most Iranian CMSs use. The home page itself is read as a listing. Records are keyed by the domain (the
spider's name) and the news code; an article URL that carries no code (``/1404/05/some-slug/``) is accepted from a
feed or sitemap and remembered by its URL instead. The state store, the summary, the statuses and the guarantees
are those of a registered site.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

from scrapy.http import Request, Response, TextResponse

from newsbot import sites
from newsbot.detect import detect
from newsbot.families import FAMILIES
from newsbot.sites import news_code_in
from newsbot.spider import NewsSpider

logger = logging.getLogger(__name__)

#: Where Iranian CMSs and WordPress put their main feed, tried when the home page announces none.
COMMON_FEEDS = ("/rss", "/feed", "/rss.xml", "/fa/rss/allnews", "/feeds/", "/fa/feeds/")
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml")


class AdhocSpider(NewsSpider):
    """Discovery from what the site shows about itself; the family's data once its pages show the family."""

    family: ClassVar[str] = "own"
    #: An article without a news code in its URL is remembered by the URL (see ``record_key``).
    keys_by_url: ClassVar[bool] = True

    def discovery_requests(self) -> Iterator[Request]:
        yield Request(self.absolute("/"), callback=self.parse_home, errback=self.discovery_failed,
                      meta={"newsbot_kind": "home"})
        yield Request(self.absolute("/robots.txt"), callback=self.parse_robots, errback=self.discovery_failed,
                      meta={"newsbot_kind": "robots", "dont_obey_robotstxt": True})

    def parse_home(self, response: Response) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            self._unparsed(response, "the home page is not HTML")
            return
        found = detect(response.selector, response.url)
        feeds = [link for link in self._announced_feeds(response) if self.owns(link)]
        if found.family:
            self.adopt(found.family)
            logger.info("%s: the home page shows %s", self.name, found.describe())
        else:
            logger.info("%s: no CMS family recognised; generic parser (%s)", self.name, found.describe())
        if not found.family and not feeds:
            feeds = [self.absolute(p) for p in COMMON_FEEDS]
        seen: set[str] = set()
        for url in [*feeds, *(self.absolute(p) for p in self.feeds)]:
            if url not in seen:
                seen.add(url)
                yield self._discovery_request(url, self.parse_feed, "feed")
        for url in self.news_sitemaps:
            yield self._sitemap_request(url)
        for url in self.listings:
            yield self._discovery_request(url, self.parse_listing, "listing")
        yield from self.parse_listing(response)

    def parse_robots(self, response: Response) -> Iterator[Request]:
        text = response.text if isinstance(response, TextResponse) else response.body.decode("utf-8", "replace")
        for line in text.splitlines():
            key, _, value = line.partition(":")
            if key.strip().lower() == "sitemap" and value.strip():
                url = response.urljoin(value.strip())
                if self.owns(url):
                    yield self._sitemap_request(url)

    def _announced_feeds(self, response: TextResponse) -> list[str]:
        links = []
        for link in response.xpath("//link[@rel='alternate'][@href]"):
            kind = (link.attrib.get("type") or "").lower()
            if any(kind.startswith(t) for t in _FEED_TYPES):
                links.append(response.urljoin(link.attrib["href"].strip()))
        return links

    def adopt(self, family: str) -> None:
        """Take on a family's parser, URL shapes and endpoints (for this run: the next run detects again)."""
        data = FAMILIES[family]
        self.family = family  # type: ignore[misc]
        self.parser = data.parser  # type: ignore[misc]
        self.site = sites.adhoc(self.base_url, family)  # type: ignore[misc]
        for key, value in data.spider.items():
            setattr(self, key, value)

    def article_request(self, url: str, **meta: Any) -> Request | None:
        request = super().article_request(url, **meta)
        if request is not None:
            return request
        url = self.absolute(url)
        listed = "listed_date" in meta or str(meta.get("newsbot_key", "")).startswith("url:")
        path = urlsplit(url).path
        if not listed or not self.owns(url) or path in ("", "/") or not self._looks_like_an_article(path):
            return None
        return Request(url, callback=self.parse_article, errback=self.article_failed, meta={
            **meta, "news_code": "", "newsbot_key": self.state_key(url, ""), "newsbot_kind": "article"})

    @staticmethod
    def _looks_like_an_article(path: str) -> bool:
        # A feed or sitemap of a site nobody described may list sections and tags too; an article's path has a
        # slug or an id (several segments, or one long one).
        parts = [p for p in path.split("/") if p]
        return len(parts) >= 2 or (len(parts) == 1 and len(parts[0]) >= 12)

    def news_code_of(self, url: str) -> str | None:  # type: ignore[override]
        # This spider's URL shapes change when it adopts a family during the run, so they are read per instance.
        return news_code_in(self.article_patterns, url)

    @classmethod
    def state_key(cls, url: str, news_code: str) -> str:
        if news_code:
            return news_code
        parts = urlsplit(url)
        return "url:" + parts.path + (f"?{parts.query}" if parts.query else "")


def adhoc_spider(url: str) -> type[AdhocSpider]:
    """The spider class for a site given by URL (its host is its name and its domain)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    domain = host.removeprefix("www.")
    site = sites.adhoc(url, "own")
    attrs = {"__module__": __name__, "name": domain, "domains": (domain,), "agency": None,
             "base_url": f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else ""), "site": site,
             "article_patterns": FAMILIES["own"].spider["article_patterns"]}
    return type("AdhocSiteSpider", (AdhocSpider,), attrs)
