"""A duplicate-request filter whose memory does not grow with the number of articles.

Scrapy's filter keeps every fingerprint of a run; over months of cron runs that is bounded by one run, but a
100,000-article backfill would hold them all. Article requests need less: the state store already drops every
article written before, so only recent article fingerprints are kept (an article listed by both the feed and the
sitemap is caught within the same minutes). Discovery pages (feeds, sitemaps, listings) are few and kept in full.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from scrapy.dupefilters import RFPDupeFilter
from scrapy.http import Request


class RecentArticlesDupeFilter(RFPDupeFilter):
    def __init__(self, *args: Any, max_articles: int = 20_000, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_articles = max_articles
        self._recent: OrderedDict[bytes, None] = OrderedDict()

    @classmethod
    def from_crawler(cls, crawler: Any) -> RecentArticlesDupeFilter:
        dupefilter = super().from_crawler(crawler)
        dupefilter.max_articles = crawler.settings.getint("NEWSBOT_DUPEFILTER_MAX_ARTICLES", 20_000)
        return dupefilter

    def request_seen(self, request: Request) -> bool:
        if "news_code" not in request.meta or self.file:  # JOBDIR persistence keeps Scrapy's own behaviour
            return super().request_seen(request)
        fp = self._fingerprint(request)
        if fp in self._recent:
            self._recent.move_to_end(fp)
            return True
        self._recent[fp] = None
        if len(self._recent) > self.max_articles:
            self._recent.popitem(last=False)
        return False
