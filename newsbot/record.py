"""The article record: one JSON object per line of output.

The field order here is the order of every output line (FEEDS ``fields``), so records diff cleanly between runs.
Keys starting with ``_`` are working data for the pipelines (raw date strings) and never reach the output.
"""

from __future__ import annotations

from typing import Any

FIELDS: tuple[str, ...] = (
    "site",
    "agency",
    "news_code",
    "url",
    "canonical_url",
    "title",
    "kicker",
    "lead",
    "body",
    "published_at",
    "modified_at",
    "published_jalali",
    "category",
    "tags",
    "authors",
    "image",
    "attribution",
    "language",
    "crawled_at",
    "matches",
    "story",
    "republished_from",
)

#: Fields a record gets from the crawl around it, not from its page (newsbot.watch, newsbot.stories): null from
#: ``newsbot extract``, and not a sign of a layout change when empty.
CRAWL_FIELDS: tuple[str, ...] = ("matches", "story", "republished_from")

TEXT_FIELDS: tuple[str, ...] = ("title", "kicker", "lead", "category", "attribution", "agency")
LIST_FIELDS: tuple[str, ...] = ("tags", "authors")

# Working keys the pipelines consume.
RAW_PUBLISHED = "_published_raw"
RAW_MODIFIED = "_modified_raw"
#: Where the body came from: ``container`` (the site's own article element) or ``generic`` (trafilatura).
BODY_FROM = "_body_from"
#: Why the page is not an article (newsbot.pagekind); the validate stage drops the record with this reason.
NOT_ARTICLE = "_not_article"


def empty_record() -> dict[str, Any]:
    """A record with every field present, so consumers never have to guess whether a key is missing or null."""
    rec: dict[str, Any] = dict.fromkeys(FIELDS)
    rec["tags"] = []
    rec["authors"] = []
    rec["language"] = "fa"
    return rec


def public(record: dict[str, Any]) -> dict[str, Any]:
    """The record as written: schema fields only, in schema order."""
    return {key: record.get(key) for key in FIELDS}
