"""Tasnim (tasnimnews.com, mirror tasnimnews.ir): its own CMS.

URLs carry the Jalali date: ``/fa/news/1404/10/02/3478556/slug``. Daily sitemaps are keyed by the Gregorian date
(``/fa/2025/12/23/fa_2025_12_23_sitemap.xml``, unpadded).
"""

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
    # Short links (``tn.ai/3012345``, ``tasnimnews.com/3012345``) carry the same news code as the full URL.
    article_patterns = (r"^/fa/news/\d{4}/\d{2}/\d{2}/(\d+)", r"^/fa/news/(\d+)", r"^/(\d{6,9})/?$")
    skip_patterns = (r"^/fa/media/",)
    feeds = ("/fa/rss/feed/0/7/0/آخرین-اخبار",)
    sitemap_indexes = ("/fa/fa_sitemap.xml",)
    daily_sitemap = "/fa/{gy}/{gm}/{gd}/fa_{gy}_{gm}_{gd}_sitemap.xml"
