from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsbot.pipelines import normalize_record
from newsbot.record import empty_record
from newsbot.text import ZWNJ, ascii_digits, has_arabic_letters, is_trailer, normalize_lines, normalize_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("علي كتاب", "علی کتاب"),
        ("دى ماه", "دی ماه"),
        ("می\u200cشود", "می\u200cشود"),  # half-space kept
        ("  سلام \t\n دنیا  ", "سلام دنیا"),
        ("\u200fتهران\u200e", "تهران"),  # RLM / LRM
        ("\u202bمتن\u202c", "متن"),  # RLE / PDF
        ("تهـــران", "تهران"),  # tatweel
        ("سال ۱۴۰۴ و 2025", "سال ۱۴۰۴ و 2025"),  # digits in text stay as written
        ("a\u00a0b", "a b"),  # NBSP is a space
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_normalize_text(raw: str | None, expected: str | None) -> None:
    assert normalize_text(raw) == expected


def test_normalize_keeps_every_zwnj() -> None:
    text = "نیم\u200cفاصله\u200cها در گفت\u200cوگو\u200cها حفظ می\u200cشوند " * 5
    assert normalize_text(text).count(ZWNJ) == text.count(ZWNJ)


def test_normalize_leaves_diacritics_alone() -> None:
    # persiantools' ar_to_fa would strip this kasra; the agency wrote it.
    assert normalize_text("دِل") == "دِل"


@pytest.mark.parametrize(
    "line",
    ["انتهای پیام", "انتهای پیام/", "انتهای پیام/ ۱۲", "بیشتر بخوانید:", "بیشتر بخوانید: عنوان خبری دیگر",
     "این خبر بروز رسانی می شود...", "بیشتر: خبر دیگر"],
)
def test_trailers(line: str) -> None:
    assert is_trailer(line)


@pytest.mark.parametrize("line", ["پیام رهبر انقلاب منتشر شد", "بیشتر مردم موافق بودند", "انتهای خیابان ولیعصر"])
def test_not_trailers(line: str) -> None:
    assert not is_trailer(line)


def test_normalize_lines_drops_trailers_and_blank_lines() -> None:
    assert normalize_lines("بند یک\n\n  \nبند دو\nانتهای پیام") == "بند یک\nبند دو"


def test_ascii_digits() -> None:
    assert ascii_digits("۱۲۳۴۵۶۷۸۹۰") == "1234567890"
    assert ascii_digits("٤٥٦") == "456"


def test_normalize_record_is_idempotent() -> None:
    rec = empty_record()
    rec.update(title=" عنوان  خبر ", body="بند\u200cیک\n\nانتهای پیام", tags=["برچسب", "برچسب", " "],
               news_code="۱۲۳")
    once = normalize_record(dict(rec))
    twice = normalize_record(dict(once))
    assert once == twice
    assert once["title"] == "عنوان خبر"
    assert once["body"] == "بند\u200cیک"
    assert once["tags"] == ["برچسب"]
    assert once["news_code"] == "123"

_PERSIAN = st.text(alphabet="ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیيكى ۰۱۲۳\u200c\u200f\u0640\t\n", max_size=200)


@given(_PERSIAN)
def test_normalize_properties(text: str) -> None:
    out = normalize_text(text)
    if out is None:
        return
    assert normalize_text(out) == out  # idempotent
    assert out.count(ZWNJ) == text.count(ZWNJ)  # no half-space lost or added
    assert not has_arabic_letters(out)
    assert "\u200f" not in out and "\u0640" not in out and "  " not in out and "\n" not in out
