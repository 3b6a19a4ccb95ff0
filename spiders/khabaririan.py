"""Khabar Iran (khabaririan.com): built by Deltaweb; no public code knows its markup.

The selectors are a guess from one page, so every field also has the generic fallbacks: the toolbar's visible
«کد خبر» and «تاریخ انتشار: ... قبل از ظهر», and trafilatura for the body. The header's «امروز: ...» is the site's
clock, never the publish date.
"""

from newsbot.parser import GENERIC_SELECTORS, ArticleParser
from newsbot.spider import NewsSpider


class KhabaririanParser(ArticleParser):
    selectors = {
        **GENERIC_SELECTORS,
        "title": ("h1.news-title", *GENERIC_SELECTORS["title"]),
        "kicker": (".news-rotitr", ".news-rutitr", *GENERIC_SELECTORS["kicker"]),
        "lead": (".news-lead", *GENERIC_SELECTORS["lead"]),
        "body": (".news-text", ".news-body", *GENERIC_SELECTORS["body"]),
        "category": (".breadcrumb a:last-child", *GENERIC_SELECTORS["category"]),
        "news_code": (".news-toolbar",),
    }


class KhabaririanSpider(NewsSpider):
    name = "khabaririan"
    agency = "خبرایران"
    domains = ("khabaririan.com",)
    base_url = "https://www.khabaririan.com"
    parser = KhabaririanParser
    article_patterns = (r"^/(?:fa/)?news/(\d+)",)
    feeds = ("/fa/rss/allnews",)
    listings = ("/fa/archive",)
    listing_selectors = ("ul.news-list",)
