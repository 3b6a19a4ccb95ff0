"""The spider every site stands on: discovery (feeds, sitemaps, archive pages) and article parsing.

A site is data: its name, agency, domains, URL patterns, discovery endpoints and a few selectors, on top of a
CMS family (``newsbot.families``) that carries the rest. Scrapy does the crawling; parsing is the pure
:func:`parse_page` over the response's Selector.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import unquote, urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Request, Response, TextResponse
from scrapy.utils.sitemap import Sitemap

from newsbot import dates
from newsbot.parser import ArticleParser
from newsbot.state import StateStore
from newsbot.text import ascii_digits

logger = logging.getLogger(__name__)


class NewsSpider(scrapy.Spider):
    """Base spider. Subclasses set the class attributes below; most sites need nothing else."""

    name: ClassVar[str] = "generic"
    #: The agency's Persian name, as users know it.
    agency: ClassVar[str | None] = None
    #: Registrable domains the site answers on; subdomains are included (``kerman.behzisti.ir``).
    domains: ClassVar[tuple[str, ...]] = ()
    #: Where relative discovery paths are resolved.
    base_url: ClassVar[str] = ""
    family: ClassVar[str] = "generic"
    parser: ClassVar[type[ArticleParser]] = ArticleParser
    #: Site selectors, tried before the family's: {"title": ("h1.news-title",), ...}.
    selectors: ClassVar[dict[str, tuple[str, ...]]] = {}
    #: Regexes over the URL path (percent-decoded); group 1 is the news code. A URL matching none is no article.
    article_patterns: ClassVar[tuple[str, ...]] = ()
    #: Paths of article kinds that carry no text record (live blogs, video players): skipped, counted.
    skip_patterns: ClassVar[tuple[str, ...]] = ()
    #: Discovery: RSS/Atom feeds, news sitemaps (recent items), latest-news listing pages.
    feeds: ClassVar[tuple[str, ...]] = ()
    #: Per-service feeds, read when ``NEWSBOT_SERVICE_FEEDS`` is on (for sites whose main feed scrolls past new
    #: items faster than the cron interval).
    service_feeds: ClassVar[tuple[str, ...]] = ()
    news_sitemaps: ClassVar[tuple[str, ...]] = ()
    listings: ClassVar[tuple[str, ...]] = ()
    #: Backfill: sitemap indexes (filtered by lastmod) and an archive-by-date URL template with
    #: ``{jy} {jm} {jd}`` (Jalali) / ``{gy} {gm} {gd}`` (Gregorian) and ``{page}``.
    sitemap_indexes: ClassVar[tuple[str, ...]] = ()
    #: Backfill: a sitemap index per Jalali year (``{jy}``), as NewsStudio keeps past years.
    yearly_sitemap: ClassVar[str | None] = None
    #: A urlset per day (``{gy} {gm} {gd}`` Gregorian, ``{jy} {jm} {jd}`` Jalali; unpadded, format specs allowed):
    #: today's in every run, each day's in a backfill.
    daily_sitemap: ClassVar[str | None] = None
    archive_by_date: ClassVar[str | None] = None
    #: Listing pages: the container of the article list (its links only, not the most-viewed box beside it).
    #: The first selector that matches is used; with none matching, every link on the page is considered.
    listing_selectors: ClassVar[tuple[str, ...]] = ()
    #: Listing pages: links to follow as the next page.
    next_page_selectors: ClassVar[tuple[str, ...]] = (
        "a[rel=next]::attr(href)", ".pagination a.next::attr(href)", "a.next::attr(href)",
        "li.next a::attr(href)",
    )
    #: How far back an incremental run follows listing pages, in days.
    window_days: ClassVar[float] = 2.0
    #: Backfill: how many pages of one archive day at most.
    max_archive_pages: ClassVar[int] = 50

    def __init__(self, *args: Any, since: str | None = None, until: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allowed_domains = list(self.domains)
        self.since: datetime | None = dates.parse_day(since) if since else None
        self.until: datetime | None = dates.parse_day(until) + timedelta(days=1) if until else None
        self.state: StateStore | None = None
        self.use_service_feeds = False

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.use_service_feeds = crawler.settings.getbool("NEWSBOT_SERVICE_FEEDS", False)
        if crawler.settings.getbool("NEWSBOT_INCREMENTAL", True):
            spider.state = StateStore.shared(crawler.settings.get("NEWSBOT_STATE_DIR", "state"))
        return spider

    # ---- URLs ------------------------------------------------------------------------------------------------
    @classmethod
    def owns(cls, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in cls.domains)

    @classmethod
    def news_code_of(cls, url: str) -> str | None:
        """The news code in an article URL, or None when the URL is not an article of this site."""
        path = unquote(urlsplit(url).path)
        for pattern in cls.article_patterns:
            match = re.search(pattern, path)
            if match:
                return ascii_digits(match.group(1))
        return None

    @classmethod
    def state_key(cls, url: str, news_code: str) -> str:
        """What the state store remembers an article by; the news code, unless the site has several id spaces."""
        return news_code

    def absolute(self, link: str) -> str:
        return urljoin(self.base_url + "/", link.strip())

    # ---- discovery -------------------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        for request in self.discovery_requests():
            yield request

    def discovery_requests(self) -> Iterator[Request]:
        if self.since:
            yield from self._backfill_requests()
            return
        for url in self.feeds + (self.service_feeds if self.use_service_feeds else ()):
            yield Request(self.absolute(url), callback=self.parse_feed, meta={"newsbot_kind": "feed"})
        for url in self.news_sitemaps:
            yield self._sitemap_request(url)
        for url in self.listings:
            yield Request(self.absolute(url), callback=self.parse_listing, meta={"newsbot_kind": "listing"})
        if self.daily_sitemap:
            yield self._sitemap_request(self.dated_url(self.daily_sitemap, dates.now_tehran().date()))

    def _sitemap_request(self, url: str) -> Request:
        return Request(self.absolute(url), callback=self.parse_sitemap, meta={"newsbot_kind": "sitemap"})

    def backfill_days(self) -> Iterator[date]:
        day = self.since
        end = self.until or dates.now_tehran()
        while day and day < end:
            yield day.date()
            day += timedelta(days=1)

    def _backfill_requests(self) -> Iterator[Request]:
        for url in self.sitemap_indexes + self.news_sitemaps:
            yield self._sitemap_request(url)
        days = list(self.backfill_days())
        if self.yearly_sitemap:
            for jy in dict.fromkeys(dates.jalali_ymd(day)[0] for day in days):
                yield self._sitemap_request(self.yearly_sitemap.format(jy=jy))
        for day in days:
            if self.daily_sitemap:
                yield self._sitemap_request(self.dated_url(self.daily_sitemap, day))
            if self.archive_by_date:
                yield Request(self.archive_url(day, 1), callback=self.parse_listing,
                              meta={"newsbot_kind": "archive", "archive_day": day.isoformat(), "page": 1})

    @staticmethod
    def dated_url(template: str, day: date, **extra: Any) -> str:
        jy, jm, jd = dates.jalali_ymd(day)
        return template.format(jy=jy, jm=jm, jd=jd, gy=day.year, gm=day.month, gd=day.day, **extra)

    def archive_url(self, day: date, page: int) -> str:
        assert self.archive_by_date is not None
        return self.absolute(self.dated_url(self.archive_by_date, day, page=page))

    def article_request(self, url: str, **meta: Any) -> Request | None:
        """A request for an article URL, carrying its news code so a known one is skipped before download."""
        url = self.absolute(url)
        if not self.owns(url):
            return None
        code = self.news_code_of(url)
        if code is None:
            return None
        if any(re.search(p, unquote(urlsplit(url).path)) for p in self.skip_patterns):
            self.crawler.stats.inc_value(f"newsbot/skipped/kind/{self.name}")
            return None
        return Request(url, callback=self.parse_article, meta={
            "news_code": code, "newsbot_key": self.state_key(url, code), "newsbot_kind": "article", **meta})

    def in_window(self, when: datetime | None) -> bool:
        """Whether a listed date falls inside this run's window (backfill range or the incremental window)."""
        if when is None:
            return True
        if self.since:
            return self.since <= when < (self.until or when + timedelta(seconds=1))
        return when >= dates.now_tehran() - timedelta(days=self.window_days)

    def parse_feed(self, response: Response) -> Iterator[Request]:
        sel = Selector(text=response.text, type="xml")
        sel.remove_namespaces()
        entries = sel.xpath("//item | //entry")
        for entry in entries:
            link = entry.xpath("./link/text()").get() or entry.xpath("./link/@href").get() or \
                entry.xpath("./guid/text()").get()
            raw_date = entry.xpath("./pubDate/text() | ./published/text() | ./updated/text()").get()
            if not link:
                continue
            if self.since and raw_date and not self.in_window(_safe_date(raw_date)):
                continue
            req = self.article_request(link.strip(), listed_date=raw_date)
            if req:
                yield req

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        body = response.body
        try:
            sitemap = Sitemap(body)
        except Exception:  # lxml raises several types on garbage; a broken sitemap is one counted error
            logger.warning("unparseable sitemap %s", response.url)
            self.crawler.stats.inc_value(f"newsbot/bad_sitemap/{self.name}")
            return
        if sitemap.type == "sitemapindex":
            for entry in sitemap:
                lastmod = _safe_date(entry.get("lastmod", ""))
                if self.since and lastmod and lastmod < self.since:
                    continue
                if not self.since and lastmod and not self.in_window(lastmod):
                    continue
                yield self._sitemap_request(entry["loc"])
            return
        for entry in sitemap:
            loc = entry.get("loc")
            if not loc:
                continue
            news = entry.get("news")
            listed = entry.get("lastmod") or (news.get("publication_date") if isinstance(news, dict) else None)
            if self.since and listed and not self.in_window(_safe_date(listed)):
                continue
            req = self.article_request(loc, listed_date=listed)
            if req:
                yield req

    def listing_links(self, response: TextResponse) -> Iterable[str]:
        for css in self.listing_selectors:
            links = response.css(css).css("a::attr(href)").getall()
            if links:
                return links
        return response.css("a::attr(href)").getall()

    def parse_listing(self, response: Response) -> Iterator[Request]:
        if not isinstance(response, TextResponse):
            return
        fresh = 0
        listed = 0
        for link in dict.fromkeys(self.listing_links(response)):
            req = self.article_request(link)
            if req is None:
                continue
            listed += 1
            if not (self.state and self.state.is_seen(self.name, req.meta["newsbot_key"])):
                fresh += 1
            yield req
        page = int(response.meta.get("page", 1))
        if not listed or not fresh:
            return  # a page of only known articles: everything older is known too
        next_url = None
        if response.meta.get("archive_day"):
            if page < self.max_archive_pages:
                next_url = self.archive_url(date.fromisoformat(response.meta["archive_day"]), page + 1)
        else:
            for css in self.next_page_selectors:
                href = response.css(css).get()
                if href:
                    next_url = response.urljoin(href)
                    break
            if next_url and not self._listing_in_window(response):
                next_url = None
        if next_url:
            # Below the articles it listed: they are fetched before the next page adds more, so the queue stays
            # one page deep however long the archive is.
            yield Request(next_url, callback=self.parse_listing, meta={**response.meta, "page": page + 1},
                          priority=-1)

    def _listing_in_window(self, response: TextResponse) -> bool:
        """Whether the oldest date on a latest-news page is still inside the window (then the next page is too)."""
        parser = self.parser(response.selector, response.url)
        found = [_safe_date(t) for t in parser.visible_dates()]
        found = [d for d in found if d]
        return not found or self.in_window(min(found))

    # ---- articles --------------------------------------------------------------------------------------------
    def parse_article(self, response: Response) -> Iterator[dict[str, Any]]:
        self.crawler.stats.inc_value(f"newsbot/fetched/{self.name}")
        if not isinstance(response, TextResponse):
            self.crawler.stats.inc_value(f"newsbot/dropped/not_html/{self.name}")
            logger.info("not an HTML page, skipped: %s", response.url)
            return
        record = parse_page(response.selector, response.url, type(self))
        if response.meta.get("listed_date"):
            record.setdefault("_published_raw", []).append(response.meta["listed_date"])
        yield record

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Default callback (``scrapy parse``/``scrapy fetch``): an article if the URL is one, else a listing."""
        if self.news_code_of(response.url):
            yield from self.parse_article(response)
        else:
            yield from self.parse_listing(response)


def parse_page(sel: Selector, url: str, spider_cls: type[NewsSpider] | None, now: datetime | None = None
               ) -> dict[str, Any]:
    """The raw record of one article page: the site's parser over the page, with the site's identity."""
    if spider_cls is None or spider_cls is NewsSpider:
        parser = ArticleParser(sel, url, now=now)
        record = parser.parse()
        record["site"] = None
        return record
    parser = spider_cls.parser(sel, url, site_selectors=spider_cls.selectors,
                               url_patterns=spider_cls.article_patterns, now=now)
    record = parser.parse()
    record["site"] = spider_cls.name
    record["agency"] = spider_cls.agency
    code = spider_cls.news_code_of(url)
    if code:
        record["news_code"] = code
    return record


def _safe_date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return dates.parse_datetime(text)
    except dates.DateParseError:
        return None
