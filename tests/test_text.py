from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsbot.finalize import normalize_record
from newsbot.record import empty_record
from newsbot.text import (
    ZWNJ,
    ascii_digits,
    clean_string,
    has_arabic_letters,
    is_trailer,
    normalize_lines,
    normalize_text,
)


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
        ("خبر\ud83d", "خبر"),  # lone high surrogate (a JSON-LD "\ud83d" escape without its pair)
        ("\ude00خبر", "خبر"),  # lone low surrogate
        ("ك\udfff ي", "ک ی"),  # surrogate and Arabic letters in one string
        ("a \ud800 b", "a b"),  # no double space where it was
        ("\ud83d\ude00 خبر", "\U0001f600 خبر"),  # a pair split over two code points is the emoji it encodes
        ("\ud83d\ud83d\ude00\ude00", "\U0001f600"),  # the pair in the middle kept, the halves around it dropped
        ("\udc80", None),  # nothing left
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

_PERSIAN_CHARS = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیيكى ۰۱۲۳\u200c\u200f\u0640\t\n"
_PERSIAN = st.text(alphabet=_PERSIAN_CHARS, max_size=200)
# Persian text with UTF-16 halves (alone, in pairs, out of order) and any other character mixed in. Built from a
# list, because st.text() never yields a surrogate, whatever its alphabet.
_SURROGATES = st.characters(categories=["Cs"])
_MIXED = st.lists(
    st.one_of(st.sampled_from(_PERSIAN_CHARS), _SURROGATES, st.sampled_from("\ud83d\ude00"), st.characters()),
    max_size=200,
).map("".join)


def _plain(value: str) -> str:
    """The characters clean_string never touches: every BMP character that is not a surrogate."""
    return "".join(ch for ch in value if ch < "\ud800" or "\ue000" <= ch <= "\uffff")


@given(st.one_of(_PERSIAN, _MIXED))
def test_normalize_properties(text: str) -> None:
    out = normalize_text(text)
    assert (out or "").count(ZWNJ) == text.count(ZWNJ)  # no half-space lost or added
    if out is None:
        return
    out.encode("utf-8")  # writable: no lone surrogate survives
    assert normalize_text(out) == out  # idempotent
    assert not has_arabic_letters(out)
    assert "\u200f" not in out and "\u0640" not in out and "  " not in out and "\n" not in out


@given(_MIXED)
def test_clean_string_properties(text: str) -> None:
    out = clean_string(text)
    out.encode("utf-8")
    assert clean_string(out) == out
    assert _plain(out) == _plain(text)  # only surrogates go (or are joined); everything else stays, in order


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.isna.ir/news/1/x\ud83d", "https://www.isna.ir/news/1/x"),
        ("\ud83d\ude00", "\U0001f600"),
        ("\ude00\ud83d", ""),  # low before high is no pair
        ("  علي  ك ", "  علي  ك "),  # no normalisation beyond the surrogates
        ("", ""),
    ],
)
def test_clean_string(raw: str, expected: str) -> None:
    assert clean_string(raw) == expected


def test_clean_string_returns_clean_input_itself() -> None:
    # The fast path: most strings hold no surrogate, and come back as they are, not copied.
    value = "https://www.isna.ir/news/1403010100001/عنوان-خبر"
    assert clean_string(value) is value


def test_json_ld_lone_surrogate_is_writable() -> None:
    raw = json.loads('"\\ud83d خبر فوری"', strict=False)  # how metadata reads JSON-LD
    assert raw[0] == "\ud83d"
    assert normalize_text(raw) == "خبر فوری"
    assert normalize_lines(raw + "\nبند دو\ud800") == "خبر فوری\nبند دو"
