"""The spider every site stands on: discovery (feeds, sitemaps, archive pages) and article parsing.

A site is data (``spiders/*.toml``, read by ``newsbot.sites``): its name, agency, domains, URL patterns, discovery
endpoints and a few selectors, on top of a CMS family (``newsbot.families``) that carries the rest. Scrapy does the
crawling; parsing is the pure :func:`newsbot.extract.parse_page` over the response's Selector.
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
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from newsbot import dates, pagekind
from newsbot.detect import detect
from newsbot.extract import parse_page
from newsbot.frontier import Frontier
from newsbot.middlewares import BotWall
from newsbot.parser import ArticleParser
from newsbot.record import NOT_ARTICLE
from newsbot.sites import Site, news_code_in, owns
from newsbot.state import Pending

logger = logging.getLogger(__name__)


class NewsSpider(scrapy.Spider):
    """Base spider. ``newsbot.registry`` makes one subclass per site entry, setting the attributes below from the
    entry and its family; a site's Python ``class`` (crawl logic such as :meth:`state_key`) sits between."""

    #: None here, so that Scrapy's loader takes no base or logic class for a spider; each site's class sets it.
    name: ClassVar[str | None] = None  # type: ignore[assignment]
    #: The site entry this spider was made from (``newsbot.sites``): parsing reads its data.
    site: ClassVar[Site | None] = None
    #: The agency's Persian name, as users know it.
    agency: ClassVar[str | None] = None
    #: Registrable domains the site answers on; subdomains are included (``kerman.behzisti.ir``).
    domains: ClassVar[tuple[str, ...]] = ()
    #: Where relative discovery paths are resolved.
    base_url: ClassVar[str] = ""
    family: ClassVar[str] = "own"
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
        self.use_service_feeds = False
        self.max_sitemap_depth = 3
        self.max_index_docs = 5000
        self._index_docs = 0
        self._family_checked = False

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        """The default output (``NEWSBOT_FEED``) unless the run names its own (``-o``/``-O``, FEEDS)."""
        super().update_settings(settings)
        if settings.get("NEWSBOT_REDIS_URL"):
            from newsbot.distributed import apply

            apply(settings)
        if not settings.getdict("FEEDS") and settings.getdict("NEWSBOT_FEED"):
            settings.set("FEEDS", settings.getdict("NEWSBOT_FEED"), priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.use_service_feeds = settings.getbool("NEWSBOT_SERVICE_FEEDS", False)
        spider.max_sitemap_depth = settings.getint("NEWSBOT_SITEMAP_MAX_DEPTH", 3)
        spider.max_index_docs = settings.getint("NEWSBOT_SITEMAP_MAX_DOCS", 5000)
        return spider

    @property
    def frontier(self) -> Frontier:
        return Frontier.of(self.crawler)

    def _inc(self, what: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(f"newsbot/{what}/{self.name}", n)

    # ---- URLs ------------------------------------------------------------------------------------------------
    @classmethod
    def owns(cls, url: str) -> bool:
        return owns(cls.domains, url)

    @classmethod
    def news_code_of(cls, url: str) -> str | None:
        """The news code in an article URL, or None when the URL is not an article of this site."""
        return news_code_in(cls.article_patterns, url)

    @classmethod
    def state_key(cls, url: str, news_code: str) -> str:
        """What the state store remembers an article by; the news code, unless the site has several id spaces."""
        return news_code

    def absolute(self, link: str) -> str:
        return urljoin(self.base_url + "/", link.strip())

    # ---- discovery -------------------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        coordinator = None
        if self.crawler.settings.get("NEWSBOT_REDIS_URL"):
            from newsbot.distributed import Coordinator

            coordinator = Coordinator.of(self.crawler)
            # A shared crawl: first what this worker id claimed in a run that was killed before writing it, then
            # discovery only if this worker seeds the round (the others work the shared queue).
            for pending in self.frontier.claimed_before():
                request = self.request_from_pending(pending)
                if request is not None:
                    self._inc("redis/claims_taken_back")
                    yield request.replace(dont_filter=True)
            if not coordinator.try_seed():
                return
        try:
            # What earlier runs left owed comes first: discovery's stop rules may end discovery, never the backlog.
            for pending in self.frontier.resume():
                request = self.request_from_pending(pending)
                if request is None:
                    self.frontier.discovery_done(pending.key)
                else:
                    yield request
            for request in self.discovery_requests():
                yield request
        finally:
            if coordinator is not None:
                coordinator.seeding_done()

    def request_from_pending(self, pending: Pending) -> Request | None:
        """The request again for a frontier row (None when this spider no longer knows what the URL is)."""
        if pending.kind == "article":
            return self.article_request(pending.url, newsbot_resumed=True, **pending.meta)
        callbacks = {"feed": self.parse_feed, "sitemap": self.parse_sitemap, "listing": self.parse_listing,
                     "archive": self.parse_listing}
        callback = callbacks.get(pending.meta.get("newsbot_kind", ""))
        if callback is None:
            return None
        return Request(pending.url, callback=callback, errback=self.discovery_failed, priority=1,
                       meta={**pending.meta, "newsbot_frontier_key": pending.key, "newsbot_resumed": True,
                             "newsbot_durable": True})

    def discovery_requests(self) -> Iterator[Request]:
        if self.since:
            yield from self._backfill_requests()
            return
        for url in self.feeds + (self.service_feeds if self.use_service_feeds else ()):
            yield self._discovery_request(url, self.parse_feed, "feed")
        for url in self.news_sitemaps:
            yield self._sitemap_request(url)
        for url in self.listings:
            yield self._discovery_request(url, self.parse_listing, "listing")
        if self.daily_sitemap:
            yield self._sitemap_request(self.dated_url(self.daily_sitemap, dates.now_tehran().date()))

    def _discovery_request(self, url: str, callback: Any, kind: str, **meta: Any) -> Request:
        # A backfill's documents are durable: a killed backfill is finished by the next run, whatever it is.
        durable = {"newsbot_durable": True} if self.since else {}
        return Request(self.absolute(url), callback=callback, errback=self.discovery_failed,
                       meta={"newsbot_kind": kind, **durable, **meta})

    def _sitemap_request(self, url: str, depth: int = 0, **meta: Any) -> Request:
        return self._discovery_request(url, self.parse_sitemap, "sitemap", sitemap_depth=depth, **meta)

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
                yield self._discovery_request(self.archive_url(day, 1), self.parse_listing, "archive",
                                              archive_day=day.isoformat(), page=1)

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
        return Request(url, callback=self.parse_article, errback=self.article_failed, meta={
            "news_code": code, "newsbot_key": self.state_key(url, code), "newsbot_kind": "article", **meta})

    def in_window(self, when: datetime | None) -> bool:
        """Whether a listed date falls inside this run's window (backfill range or the incremental window)."""
        if when is None:
            return True
        if self.since:
            return self.since <= when < (self.until or when + timedelta(seconds=1))
        return when >= dates.now_tehran() - timedelta(days=self.window_days)

    def parse_feed(self, response: Response) -> Iterator[Request]:
        body = self._document_body(response)
        if body is None:
            return
        sel = Selector(body=body, type="xml")
        sel.remove_namespaces()
        if not sel.xpath("/rss | /feed | /RDF"):
            self._unparsed(response, "not an RSS or Atom feed")
            return
        entries = sel.xpath("//item | //entry")
        found = 0
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
                found += 1
                yield req
        self._discovered(response, found, len(entries))

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        body = self._document_body(response)
        if body is None:
            return
        try:
            sitemap = Sitemap(body)
        except Exception:  # lxml raises several types on garbage; a broken sitemap is one counted problem
            sitemap = None
        if sitemap is None or sitemap.type not in ("sitemapindex", "urlset"):
            self._unparsed(response, "not a sitemap")
            return
        if sitemap.type == "sitemapindex":
            yield from self._sitemap_children(response, sitemap)
            return
        found = total = 0
        for entry in sitemap:
            loc = entry.get("loc")
            if not loc:
                continue
            total += 1
            news = entry.get("news")
            listed = entry.get("lastmod") or (news.get("publication_date") if isinstance(news, dict) else None)
            if self.since and listed and not self.in_window(_safe_date(listed)):
                continue
            req = self.article_request(loc, listed_date=listed)
            if req:
                found += 1
                yield req
        self._discovered(response, found, total)

    def _sitemap_children(self, response: Response, sitemap: Sitemap) -> Iterator[Request]:
        """An index's sitemaps, within the run's bounds: an index of indexes is followed only so deep, and only so
        many documents per run (a generated or looping chain must not keep a cron run alive for ever)."""
        depth = int(response.meta.get("sitemap_depth", 0)) + 1
        children = 0
        for entry in sitemap:
            loc = entry.get("loc")
            if not loc:
                continue
            children += 1
            lastmod = _safe_date(entry.get("lastmod", ""))
            if self.since and lastmod and lastmod < self.since:
                continue
            if not self.since and lastmod and not self.in_window(lastmod):
                continue
            if depth > self.max_sitemap_depth:
                self._inc("capped/sitemap_depth")
                logger.warning("%s: sitemap index %s is nested deeper than NEWSBOT_SITEMAP_MAX_DEPTH=%d; "
                               "not followed", self.name, response.url, self.max_sitemap_depth)
                break
            if self._index_docs >= self.max_index_docs:
                self._inc("capped/sitemap_docs")
                logger.warning("%s: NEWSBOT_SITEMAP_MAX_DOCS=%d sitemaps read this run; the rest of %s is left",
                               self.name, self.max_index_docs, response.url)
                break
            self._index_docs += 1
            yield self._sitemap_request(response.urljoin(loc.strip()), depth, newsbot_durable=True)
        self._discovered(response, children, children)

    def _document_body(self, response: Response) -> bytes | None:
        """A feed's or sitemap's bytes, un-gzipped when the file itself is gzip (``.xml.gz``, a gzip feed)."""
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=self.crawler.settings.getint("DOWNLOAD_MAXSIZE", 0))
            except Exception as exc:  # gzip, zlib and size-limit errors alike: one counted, logged problem
                self._unparsed(response, f"broken gzip ({type(exc).__name__})")
                return None
        if not body.strip():
            self._unparsed(response, "empty document")
            return None
        return body

    def _unparsed(self, response: Response, why: str) -> None:
        self._inc("discovery/unparsed")
        ctype = response.headers.get("Content-Type", b"").decode("latin-1") or "no content type"
        logger.warning("%s: %s %s (%s, HTTP %d): no article links read from it", self.name,
                       response.meta.get("newsbot_kind", "discovery page"), response.url, why + "; " + ctype,
                       response.status)

    def _discovered(self, response: Response, found: int, entries: int) -> None:
        if found or entries:
            self._inc("discovery/ok")
            return
        self._inc("discovery/empty")
        logger.warning("%s: %s %s lists no articles", self.name, response.meta.get("newsbot_kind", "page"),
                       response.url)

    def discovery_failed(self, failure: Failure) -> None:
        """A feed, sitemap or listing that did not download: counted (all of them failing = unreachable)."""
        request = failure.request
        exc = failure.value
        if isinstance(exc, BotWall):
            self._inc("discovery/walled")
            self.frontier.walled(request.meta.get("newsbot_frontier_key"), str(exc))
            return
        self._inc("discovery/failed")
        error = _failure_text(exc)
        if isinstance(exc, HttpError) and "replay-missing" in exc.response.flags:
            logger.info("%s: %s not in the replay folder", self.name, request.url)
            return
        logger.warning("%s: %s %s failed: %s", self.name, request.meta.get("newsbot_kind", "discovery"),
                       request.url, error)
        self.frontier.failed(request.meta.get("newsbot_frontier_key"), error)

    def article_failed(self, failure: Failure) -> None:
        """An article that did not download: what it means for the frontier (see newsbot.frontier)."""
        request = failure.request
        key = request.meta.get("newsbot_key")
        exc = failure.value
        if isinstance(exc, BotWall):
            self.frontier.walled(key, str(exc))
            return
        if isinstance(exc, HttpError):
            status = exc.response.status
            if status in (404, 410) and "replay-missing" not in exc.response.flags:
                self.frontier.settle(key, request.url, "gone", f"HTTP {status}")
            else:
                self.frontier.failed(key, f"HTTP {status}")
        elif isinstance(exc, DownloadCancelledError):
            self.frontier.settle(key, request.url, "not_article", "too_large")
        elif isinstance(exc, IgnoreRequest):
            self.frontier.settle(key, request.url, "refused", str(exc) or "ignored")
        else:
            self.frontier.failed(key, _failure_text(exc))

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
            if self.frontier.known(req.meta["newsbot_key"]) is None:
                fresh += 1
            yield req
        self._discovered(response, listed, listed)
        page = int(response.meta.get("page", 1))
        if not listed:
            return
        # A page of only known articles: everything older is known too. A walk resumed from the frontier allows
        # one more such page, since new articles may have pushed the owed ones a page further down meanwhile.
        streak = 0 if fresh else int(response.meta.get("known_streak", 0)) + 1
        if streak >= (2 if response.meta.get("newsbot_resumed") else 1):
            return
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
            # Durable: if the run dies before this page is read, the next run reads it (and the walk goes on).
            meta = {k: v for k, v in response.meta.items() if not k.startswith(("download_", "depth", "retry"))}
            meta.pop("newsbot_frontier_key", None)
            yield Request(next_url, callback=self.parse_listing, errback=self.discovery_failed, priority=-1,
                          meta={**meta, "page": page + 1, "known_streak": streak, "newsbot_durable": True})

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
            self.frontier.settle(response.meta.get("newsbot_key"), response.url, "not_article", "not_html")
            return
        if not self._family_checked:
            self._check_family(response)
        record = parse_page(response.selector, response.url, self.site)
        verdict = pagekind.classify(response.selector, response.url, record)
        if verdict is not None:
            # Not an article (a soft-404, a listing, a login page): dropped by the validate stage with this reason
            # and settled, so it is neither written nor asked for again.
            record[NOT_ARTICLE] = verdict.reason
            logger.info("not an article (%s): %s", verdict, response.url)
        if response.meta.get("listed_date"):
            record.setdefault("_published_raw", []).append(response.meta["listed_date"])
        yield record

    def _check_family(self, response: TextResponse) -> None:
        """Once per run, on the first article: do the site's pages still show the family its entry names? A site
        that moved to another CMS keeps being crawled with the old family's selectors, and its fields go missing
        one by one; this says why, on the first page."""
        self._family_checked = True
        if self.site is None or self.family == "own":
            return
        found = detect(response.selector, response.url)
        if found.family is not None and found.family != self.family:
            self._inc("family_mismatch")
            logger.warning("%s: its entry says %s, but %s shows %s; the entry (%s) may be out of date",
                           self.name, self.family, response.url, found.describe(), self.site.source)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Default callback (``scrapy parse``/``scrapy fetch``): an article if the URL is one, else a listing."""
        if self.news_code_of(response.url):
            yield from self.parse_article(response)
        else:
            yield from self.parse_listing(response)


def _failure_text(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__


def _safe_date(text: str | None) -> datetime | None:
    return dates.parse_or_none(text)
