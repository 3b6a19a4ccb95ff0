"""NewsStudio («Nastooh»): ISNA, IRNA, Mehr, Khabar Online, Hamshahri, IMNA, Behzisti and about 50 more.

Markup from the research notes: ``/news/{id}/{slug}`` URLs, ``.item-text[itemprop=articleBody]`` bodies,
``.item-date`` / ``.meta-news`` dates («۱۹ تیر ۱۳۹۵، ۹:۳۳», «۱۲ شهریور ۱۴۰۴ / ۱۸:۱۷»), UTC ``article:published_time``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from newsbot.parser import ArticleParser


class NewsStudioParser(ArticleParser):
    selectors: ClassVar[dict[str, tuple[str, ...]]] = {
        "title": ("h1.first-title", "h1.title", "h1[itemprop=headline]", ".item-title h1", "h1"),
        "kicker": (".kicker", ".rutitr", ".uptitle", ".item-title h4.subtitle", "h4.subtitle"),
        "lead": ("p.summary", ".item-summary p", "p.introtext", ".introtext"),
        "body": (".item-body .item-text", ".item-text[itemprop=articleBody]", "div[itemprop=articleBody]",
                 ".item-body"),
        "date": (".meta-news li:first-child .text-meta", ".item-date > span", ".item-date", ".item-time",
                 ".item-nav > div:first-child > span"),
        "category": ("[itemprop=articleSection]", ".item-header .breadcrumb li:last-child a",
                     ".breadcrumb li:last-child a", ".breadcrumb li:last-child"),
        "tags": ("footer.tags li a", "section.tags li a", ".tags li a", "a[rel=tag]"),
        "authors": (".author-id strong", "[itemprop=author] [itemprop=name]"),
        "image": ("figure.item-img img", ".item-img img"),
        "news_code": (".short-link-container input::attr(value)",),
    }


#: What a NewsStudio site's spider knows without being told: URL shapes and discovery endpoints.
SPIDER: dict[str, Any] = {
    "article_patterns": (r"^/(?:news|photo|media)/(\d+)",),
    "skip_patterns": (r"^/(?:live|media)/",),
    "listing_selectors": ("div.items", "section.list", "ul.news-list"),
    "feeds": ("/rss",),
    "news_sitemaps": ("/sitemap/news/sitemap.xml",),
    "listings": ("/archive",),
    "sitemap_indexes": ("/sitemap/all/sitemap.xml",),
    "yearly_sitemap": "/sitemap/{jy}/sitemap.xml",
    "archive_by_date": "/archive?pi={page}&ms=0&dy={jd}&mn={jm}&yr={jy}",
}
