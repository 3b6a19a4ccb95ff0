"""Tests for the page scan that finds Jalali dates in visible text (``ArticleParser.visible_dates``).

The pages are tiny hand-written articles: a headline, one date line, a sentence of body. What matters is the exact
text the scan hands on as a candidate, and that this text still reads, through ``parse_datetime``, as the minute the
page shows: a clock dropped by the scan would publish the article at 00:00.
"""

from __future__ import annotations

from datetime import datetime

import parsel
import pytest

from newsbot.dates import TEHRAN, choose_published, parse_datetime, to_iso
from newsbot.parser import ArticleParser

NOW = datetime(2025, 9, 3, 20, 0, tzinfo=TEHRAN)
URL = "https://example.ir/news/123456/"


def page(*lines: str) -> str:
    paragraphs = "".join(f"<p>{line}</p>" for line in lines)
    return (
        "<html><head><title>خبر</title></head><body><h1>افتتاح کتابخانه تازه در مرکز شهر</h1>"
        f"{paragraphs}<p>کتابخانه تازه از فردا به روی مردم باز است.</p></body></html>"
    )


def visible_dates(html: str) -> list[str]:
    return ArticleParser(parsel.Selector(text=html), URL, now=NOW).visible_dates()


# The clock before the date, with each separator sites use (or none), optional «ساعت», any digit script.
CLOCK_FIRST = [
    ("۰۹:۱۵ - ۳ آبان ۱۴۰۱", "2022-10-25T09:15:00+03:30"),
    ("09:15 - 3 آبان 1401", "2022-10-25T09:15:00+03:30"),
    ("۰۹:۱۵:۳۰ - ۳ آبان ۱۴۰۱", "2022-10-25T09:15:30+03:30"),
    ("17:05 1400/07/19", "2021-10-11T17:05:00+03:30"),
    ("ساعت ۱۰:۲۰ | ۱۴۰۳/۰۵/۰۱", "2024-07-22T10:20:00+03:30"),
    ("۱۸:۳۰، ۱۲ مهر ۱۴۰۲", "2023-10-04T18:30:00+03:30"),
    ("۱۸:۳۰ , ۱۲ مهر ۱۴۰۲", "2023-10-04T18:30:00+03:30"),
    ("۱۸:۳۰ / ۱۲ مهر ۱۴۰۲", "2023-10-04T18:30:00+03:30"),
    ("۱۸:۳۰ ۱۲ مهر ۱۴۰۲", "2023-10-04T18:30:00+03:30"),
    ("ساعت ۱۸:۳۰ - ۱۲ مهر ۱۴۰۲", "2023-10-04T18:30:00+03:30"),
    ("١٨:٣٠ - ١٢ مهر ١٤٠٢", "2023-10-04T18:30:00+03:30"),
    ("۱:۳۰ ظهر - ۱۲ مهر ۱۴۰۲", "2023-10-04T13:30:00+03:30"),
    ("۱۱:۴۵ شب | ۱۴۰۲/۰۷/۱۲", "2023-10-04T23:45:00+03:30"),
    ("۶:۱۵ عصر، ۱۲ مهر ۱۴۰۲", "2023-10-04T18:15:00+03:30"),
]


@pytest.mark.parametrize(("text", "expected"), CLOCK_FIRST)
def test_clock_before_the_date_is_part_of_the_match(text: str, expected: str) -> None:
    found = visible_dates(page(text))
    assert found == [text]
    assert to_iso(parse_datetime(found[0], now=NOW)) == expected


def test_clock_before_the_date_inside_a_sentence() -> None:
    found = visible_dates(page("این خبر ۱۸:۳۰ - ۱۲ مهر ۱۴۰۲ در سایت منتشر شد"))
    assert found == ["۱۸:۳۰ - ۱۲ مهر ۱۴۰۲"]


def test_clock_before_the_date_after_a_label() -> None:
    found = visible_dates(page("تاریخ انتشار: ۰۹:۱۵ - ۳ آبان ۱۴۰۱"))
    assert found == ["۰۹:۱۵ - ۳ آبان ۱۴۰۱"]
    assert to_iso(parse_datetime(found[0], now=NOW)) == "2022-10-25T09:15:00+03:30"


# The scan as it was: a clock after the date, or no clock at all.
CLOCK_AFTER_OR_NONE = [
    ("۱۲ مهر ۱۴۰۲ - ۱۸:۳۰", "2023-10-04T18:30:00+03:30"),
    ("۱۴۰۲/۰۷/۱۲ ساعت ۱۸:۳۰", "2023-10-04T18:30:00+03:30"),
    ("۱۲ مهر ۱۴۰۲ ساعت ۱۰:۰۰ شب", "2023-10-04T22:00:00+03:30"),
    ("۱۲ مهر ۱۴۰۲ | ۱:۳۰ ظهر", "2023-10-04T13:30:00+03:30"),
    ("۱۲ مهر ۱۴۰۲ ساعت ۰۰:۳۰ بامداد", "2023-10-04T00:30:00+03:30"),
    ("۱۲ مهر ۱۴۰۲", "2023-10-04T00:00:00+03:30"),
]


@pytest.mark.parametrize(("text", "expected"), CLOCK_AFTER_OR_NONE)
def test_clock_after_the_date_still_matches(text: str, expected: str) -> None:
    found = visible_dates(page(text))
    assert found == [text]
    assert to_iso(parse_datetime(found[0], now=NOW)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a word between clock and date: the clock may belong to something else
        ("جلسه ساعت ۱۸:۳۰ روز ۱۲ مهر ۱۴۰۲ برگزار شد", "۱۲ مهر ۱۴۰۲"),
        # the "clock" is the tail of a longer number, or runs into the day
        ("شماره ۱۲۳۴:۵۶ ۱۲ مهر ۱۴۰۲", "۱۲ مهر ۱۴۰۲"),
        ("۱۸:۳۰۱۲ مهر ۱۴۰۲", "۱۲ مهر ۱۴۰۲"),
        # «شبکه» is not «شب»: the 24-hour clock stays as written
        ("۱۲ مهر ۱۴۰۲ ۱۰:۰۰ شبکه خبر", "۱۲ مهر ۱۴۰۲ ۱۰:۰۰"),
    ],
)
def test_only_a_clock_that_belongs_to_the_date_is_taken(text: str, expected: str) -> None:
    assert visible_dates(page(text)) == [expected]


def test_a_clock_on_both_sides_yields_one_readable_candidate() -> None:
    # parse_datetime refuses two clocks, so the match must not swallow both
    found = visible_dates(page("۱۸:۳۰ - ۱۲ مهر ۱۴۰۲ - ۱۹:۰۰"))
    assert found == ["۱۸:۳۰ - ۱۲ مهر ۱۴۰۲"]
    assert to_iso(parse_datetime(found[0], now=NOW)) == "2023-10-04T18:30:00+03:30"


def test_a_clock_before_the_date_counts_as_having_a_time_in_the_ranking() -> None:
    # both unlabelled and after the headline; the one with a clock is the more trustworthy, although it comes later
    found = visible_dates(page("۱۲ مهر ۱۴۰۲", "۱۸:۳۰ - ۱۳ مهر ۱۴۰۲"))
    assert found == ["۱۸:۳۰ - ۱۳ مهر ۱۴۰۲", "۱۲ مهر ۱۴۰۲"]


def test_date_box_candidate_keeps_the_clock_written_before_the_date() -> None:
    html = page('<span class="news-date">زمان: ۰۹:۱۵ - ۳ آبان ۱۴۰۱ [2022/10/25]</span>')
    parser = ArticleParser(parsel.Selector(text=html), URL, site_selectors={"date": (".news-date",)}, now=NOW)
    candidates = parser.published_candidates()
    assert candidates[0] == "۰۹:۱۵ - ۳ آبان ۱۴۰۱"
    chosen, reasons = choose_published(candidates, now=NOW)
    assert chosen is not None and to_iso(chosen) == "2022-10-25T09:15:00+03:30"
    assert reasons == []
