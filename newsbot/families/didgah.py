"""Didgah / IranSamaneh: YJC, Tabnak, Asriran, IQNA, ANA, Entekhab and about 100 more.

Markup from the research notes: ``/fa/news/{id}/{slug}`` URLs, ``div.body`` bodies, ``.news_pdate_c`` dates
(«تاریخ انتشار: ۰۹ دی ۱۳۹۵ - ۱۸:۳۳»), «کد خبر» in ``.news_id_c``, ``.news_path`` breadcrumbs whose first link is home.
Its ``article:published_time`` has been seen in the future, so the visible date is read first.
"""

from __future__ import annotations

from typing import Any, ClassVar

from newsbot.parser import ArticleParser


class DidgahParser(ArticleParser):
    selectors: ClassVar[dict[str, tuple[str, ...]]] = {
        "title": ("h1.title", "h1.Htag", ".title-news", ".news-title", "h1"),
        "kicker": (".rutitr", ".news-rutitr"),
        "lead": (".subtitle", ".news-subtitle", ".subtitle-news", ".news_strong"),
        "body": ("div.body", "section.body", ".baznashr-body", ".news_body"),
        "date": (".news_pdate_c", ".news-date", ".fa_date"),
        "category": (".news_path a:last-child", ".path_bottom_body a:last-child", "a.newsbody_servicename"),
        "tags": (".tags_title a", ".tag_items a", ".tags li a", ".tags li"),
        "authors": (".news_author .author-name", ".news_author a", ".news_author"),
        "image": (".body img.image_btn", ".news_corner_image img", ".news_corner_image"),
        "news_code": (".news_id_c",),
    }


#: What a Didgah site's spider knows without being told: URL shapes and discovery endpoints.
SPIDER: dict[str, Any] = {
    "article_patterns": (r"^/fa/news/(\d+)",),
    "listing_selectors": (".archive_content", ".linear_news"),
    "feeds": ("/fa/rss/allnews",),
    "news_sitemaps": ("/fa-sitemap-news",),
    "listings": ("/fa/archive",),
    "sitemap_indexes": ("/fa-sitemap-newsarchive",),
    "archive_by_date": "/fa/archive?service_id=-1&sec_id=-1&cat_id=-1&rpp=50&from_date={jy}/{jm:02d}/{jd:02d}"
                       "&to_date={jy}/{jm:02d}/{jd:02d}&p={page}",
}
