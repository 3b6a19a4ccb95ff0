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

from newsbot import botwall, pagekind, registry
from newsbot.encoding import decode_html
from newsbot.pipelines import finalize_record
from newsbot.spider import NewsSpider, parse_page


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
) -> dict[str, Any]:
    """The article record of one page: the spider that owns the URL's domain, else the generic extractor.

    Raises NotAnArticle for a bot wall, a page of another kind (soft 404, error, login, home, tag or listing
    page) or a page with no title or body, and KeyError for an unknown spider.
    """
    text = decode_html(html, (headers or {}).get("Content-Type")) if isinstance(html, bytes) else html
    reason = botwall.challenge_reason(status, headers or {}, text)
    if reason:
        raise NotAnArticle(f"bot wall: {reason}")
    cls: type[NewsSpider] | None = registry.get_spider(spider) if spider else registry.spider_for_url(url)
    sel = Selector(text=text)
    record = parse_page(sel, url, cls, now=now)
    verdict = pagekind.classify(sel, url, record)
    if verdict:
        raise NotAnArticle(str(verdict))
    record["crawled_at"] = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="seconds")
    record, problems = finalize_record(record, now=now)
    if problems.drop:
        raise NotAnArticle(problems.drop)
    return record
