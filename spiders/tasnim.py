"""Tasnim (tasnimnews.com, mirror tasnimnews.ir): its own CMS.

URLs carry the Jalali date: ``/fa/news/1404/10/02/3478556/slug``. Daily sitemaps are keyed by the Gregorian date
(``/fa/2025/12/23/fa_2025_12_23_sitemap.xml``, unpadded).
"""

from datetime import date

from newsbot.parser import ArticleParser
from newsbot.spider import NewsSpider


class TasnimParser(ArticleParser):
    selectors = {
        "title": ("article.single-news h1.title", "h1.title"),
        "kicker": ("article.single-news .kicker", "h2.subtitle"),
        "lead": ("article.single-news h3.lead", ".lead"),
        "body": ("article.single-news div.story", "div.story"),
        "date": ("ul.details li.time", "li.time"),
        "category": ("ul.details li.service", "li.service"),
        "tags": ("article.single-news .tags li a", ".tags li"),
        "image": ("article.single-news figure img",),
        "news_code": ("li.news-code",),
    }


class TasnimSpider(NewsSpider):
    name = "tasnim"
    agency = "خبرگزاری تسنیم"
    domains = ("tasnimnews.com", "tasnimnews.ir", "tn.ai")
    base_url = "https://www.tasnimnews.com"
    parser = TasnimParser
    article_patterns = (r"^/fa/news/\d{4}/\d{2}/\d{2}/(\d+)", r"^/fa/news/(\d+)")
    skip_patterns = (r"^/fa/media/",)
    feeds = ("/fa/rss/feed/0/7/0/آخرین-اخبار",)
    sitemap_indexes = ("/fa/fa_sitemap.xml",)

    def discovery_requests(self):
        yield from super().discovery_requests()
        if not self.since:  # today's daily sitemap is Tasnim's news sitemap
            yield from self._daily_sitemaps([self._today()])

    def _today(self) -> date:
        from newsbot.dates import now_tehran

        return now_tehran().date()

    def _daily_sitemaps(self, days):
        from scrapy import Request

        for day in days:
            url = f"/fa/{day.year}/{day.month}/{day.day}/fa_{day.year}_{day.month}_{day.day}_sitemap.xml"
            yield Request(self.absolute(url), callback=self.parse_sitemap, meta={"newsbot_kind": "sitemap"})
