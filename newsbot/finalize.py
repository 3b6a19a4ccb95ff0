"""The pure stages of the item pipelines: normalise → dates → validate, for one record.

Used by the Scrapy pipelines (``newsbot.pipelines``) and by ``extract_article``, so a saved page and a crawl give the
same record; nothing here imports Scrapy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from newsbot import dates
from newsbot.record import LIST_FIELDS, RAW_MODIFIED, RAW_PUBLISHED, TEXT_FIELDS, public
from newsbot.text import ascii_digits, clean_string, normalize_lines, normalize_text


@dataclass
class Problems:
    """What finalising a record found: date candidates rejected (kept, logged) and a reason to drop it."""

    dates: list[str] = field(default_factory=list)
    drop: str | None = None


# ---- pure stages -------------------------------------------------------------------------------------------------
def normalize_record(rec: dict[str, Any]) -> dict[str, Any]:
    """Persian text rules on every text field; idempotent, so running it twice changes nothing."""
    for key in TEXT_FIELDS:
        if isinstance(rec.get(key), str):
            rec[key] = normalize_text(rec[key])
    rec["body"] = normalize_lines(rec.get("body"))
    for key in LIST_FIELDS:
        values = [normalize_text(v) for v in rec.get(key) or [] if isinstance(v, str)]
        rec[key] = list(dict.fromkeys(v for v in values if v))
    if rec.get("news_code") is not None:
        rec["news_code"] = ascii_digits(clean_string(str(rec["news_code"]))).strip() or None
    for key in ("url", "canonical_url", "image", "site", "crawled_at"):
        if isinstance(rec.get(key), str):
            rec[key] = clean_string(rec[key])  # as found, but writable: a lone surrogate would fail the export
    rec["language"] = rec.get("language") or "fa"
    return rec


def resolve_dates(rec: dict[str, Any], now: datetime | None = None) -> list[str]:
    """Turn the raw date strings into ISO fields; return why any candidate was rejected.

    A record whose every date is impossible keeps ``published_at: null``: the text is still worth having.
    """
    published, reasons = dates.choose_published(list(rec.pop(RAW_PUBLISHED, None) or []), now=now)
    modified, modified_reasons = dates.choose_published(list(rec.pop(RAW_MODIFIED, None) or []), now=now)
    rec["published_at"] = dates.to_iso(published) if published else None
    rec["published_jalali"] = dates.to_jalali_iso(published) if published else None
    rec["modified_at"] = dates.to_iso(modified) if modified else None
    return reasons + [f"modified: {r}" for r in modified_reasons]


#: Fewer words than this is a menu or an error page that slipped past the extractors, not a story.
MIN_BODY_WORDS = 8


def validate_record(rec: dict[str, Any]) -> str | None:
    """Why a record is not an article (``no_title``, ``no_body``, ``body_too_short``), or None."""
    if not rec.get("title"):
        return "no_title"
    if not rec.get("body"):
        return "no_body"
    if len(rec["body"].split()) < MIN_BODY_WORDS:
        return "body_too_short"
    return None


def finalize_record(rec: dict[str, Any], now: datetime | None = None) -> tuple[dict[str, Any], Problems]:
    """normalise → dates → validate, as the pipelines do, for one record outside a crawl."""
    problems = Problems()
    normalize_record(rec)
    problems.dates = resolve_dates(rec, now)
    problems.drop = validate_record(rec)
    return public(rec), problems
