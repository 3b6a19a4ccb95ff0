"""Asam (aasaam): ILNA, Donya-e-Eqtesad, Eghtesad Online, Mojnews, Rokna and about 60 more.

Markup from the research notes: ``/بخش-{section}-{secId}/{id}-{slug}`` URLs (short form ``/fa/tiny/news-{id}``),
``#echo_detail`` bodies, ISO ``time[datetime]`` dates, ``.breadcrumb_list`` whose first item is home.
"""

from __future__ import annotations

from typing import Any, ClassVar

from newsbot.parser import ArticleParser


class AsamParser(ArticleParser):
    selectors: ClassVar[dict[str, tuple[str, ...]]] = {
        "title": ("h1.title", ".news_content h1", "h1"),
        "kicker": (".uptitle", ".up-title", "h2.up_title", "h2.news-uptitle"),
        "lead": ("p.lead", ".lead", "p.news-lead", "p.news_lead"),
        "body": (".article_body .echo_detail", "#echo_detail", "#echo_details", "#main_ck_editor", ".article-body"),
        "date": ("time[itemprop=datepublished]::attr(datetime)", "article time[datetime]::attr(datetime)",
                 "time[datetime]::attr(datetime)", ".news_time", ".news-time"),
        "category": (".breadcrumb_list li:last-child a", ".breadcrumb li:last-child a"),
        "tags": (".article_tags li a", ".article_tag a", ".article-tag a", ".news_tags a", ".tags ul li a",
                 ".tag_items a"),
        "authors": (".news_author", ".author_name"),
        "image": ("figure.primary_files img", ".primary_files img"),
        "news_code": (".tinyurl_form::attr(value)",),
    }


#: What an Asam site's spider knows without being told: URL shapes and discovery endpoints.
SPIDER: dict[str, Any] = {
    "article_patterns": (r"^/بخش-[^/]+/(\d+)-", r"^/fa/tiny/news-(\d+)", r"^/fa/news/(\d+)"),
    "listing_selectors": ("section.service_list", "li[data-date]"),
    "feeds": ("/fa/feeds/",),
    "sitemap_indexes": ("/sitemap.xml",),
}
