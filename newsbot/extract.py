"""One page in, one record out: the whole per-article path without Scrapy's engine.

Used by ``newsbot extract``, the fixture tests and the benchmark; the crawl runs the same functions through its
item pipelines, so a saved page gives exactly the record a crawl would write.

A page becomes a record only if it is an article: bot walls are refused before parsing (``newsbot.botwall``, as
the downloader middleware does), and soft 404s, error, login, home, tag and listing pages right after it
(``newsbot.pagekind``), so the reason names the kind of page rather than a symptom such as a short body.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from parsel import Selector

from newsbot import botwall, pagekind, sites
from newsbot.detect import detect
from newsbot.encoding import decode_html
from newsbot.finalize import finalize_record
from newsbot.parser import ArticleParser
from newsbot.sites import Site


class NotAnArticle(ValueError):
    """The page is not an article; the message starts with the reason.

    ``bot wall: <reason>`` (see ``newsbot.botwall``), ``<kind>: <evidence>`` for the page kinds of
    ``newsbot.pagekind`` (``soft_404``, ``error_page``, ``login``, ``home``, ``tag``, ``listing``), or the
    record check that failed (``no_title``, ``no_body``, ``body_too_short``).
    """


def extract_article(
    html: str | bytes,
    url: str,
    *,
    spider: str | None = None,
    now: datetime | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
    generic: bool = False,
) -> dict[str, Any]:
    """The article record of one page: the site that owns the URL's domain, else the generic extractor.

    A page of an unregistered domain that shows a CMS family's marks (``newsbot.detect``) gets that family's
    parser, and its record names the domain as its site. ``generic``: the generic extractor whatever site owns the
    URL (what a page of no known CMS gets; the tests and the benchmark pin it for their pages of sites without a
    verified entry). Raises NotAnArticle for a bot
    wall, a page of another kind (soft 404, error, login, home, tag or listing page) or a page with no title or
    body, and KeyError for an unknown site name.
    """
    text = decode_html(html, (headers or {}).get("Content-Type")) if isinstance(html, bytes) else html
    reason = botwall.challenge_reason(status, headers or {}, text)
    if reason:
        raise NotAnArticle(f"bot wall: {reason}")
    site = sites.get(spider) if spider else None if generic else sites.site_for_url(url)
    sel = Selector(text=text)
    if site is None and not generic:
        # A site nobody registered may still run on a known CMS: its family's parser knows the page.
        found = detect(sel, url)
        if found.family is not None:
            site = sites.adhoc(url, found.family)
    record = parse_page(sel, url, site, now=now)
    verdict = pagekind.classify(sel, url, record)
    if verdict:
        raise NotAnArticle(str(verdict))
    record["crawled_at"] = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="seconds")
    record, problems = finalize_record(record, now=now)
    if problems.drop:
        raise NotAnArticle(problems.drop)
    return record


def parse_page(sel: Selector, url: str, site: Site | None, now: datetime | None = None) -> dict[str, Any]:
    """The raw record of one article page: the site's parser over the page, with the site's identity.

    ``site`` None: the generic parser, and the record names no site. The crawl calls this too
    (``NewsSpider.parse_article``), with the spider's site.
    """
    if site is None:
        record = ArticleParser(sel, url, now=now).parse()
        record["site"] = None
        return record
    parser = site.parser_class(sel, url, site_selectors=site.selectors, url_patterns=site.article_patterns,
                               rules=site.rules, now=now)
    record = parser.parse()
    record["site"] = site.name
    if site.agency:
        record["agency"] = site.agency  # else the page's own name for itself (og:site_name)
    code = site.news_code_of(url)
    if code:
        record["news_code"] = code
    return record
