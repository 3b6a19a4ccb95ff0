"""Persian text normalisation.

The users read and search this text, so it must stay exactly as the agency wrote it except for the few things
that are encoding noise: Arabic letter variants, bidi control marks, tatweel and runs of whitespace. The half-space
(ZWNJ, U+200C) is part of Persian spelling (``می‌شود``) and is never touched.
"""

from __future__ import annotations

import re

from persiantools import digits as _digits

ZWNJ = "\u200c"

# persiantools.characters.ar_to_fa also strips some kasra marks (``دِ`` -> ``د``); that changes the agency's
# spelling, so only the three letter variants are mapped here.
_LETTERS = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9"})
# LRM, RLM, ALM, LRE..RLO, LRI..PDI and tatweel: invisible or decorative, and they break search.
_NOISE = dict.fromkeys(map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u0640"))
_LETTERS.update(_NOISE)
# UTF-16 halves. A str holding one cannot be written as UTF-8, so one such character would fail the whole item at
# export time; they come from JSON-LD ``"\ud83d"`` escapes that lost their other half, and from broken decoders.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# A high half followed by a low half is a character split in two (an emoji, mostly): joined, it is kept.
_SURROGATE_PAIR_OR_LONE = re.compile(r"([\ud800-\udbff][\udc00-\udfff])|[\ud800-\udfff]")
# Most text holds none of the characters above; finding that out in C is much cheaper than translating every string.
_NEEDS_TRANSLATION = re.compile("[" + "".join(map(chr, _LETTERS)) + r"\ud800-\udfff]")
# Every whitespace except ZWNJ (which str.split() would not treat as space anyway) and the zero-width joiner.
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]+")

# Lines an agency appends to every story; they are furniture, not text.
_TRAILER = re.compile(
    r"^\s*(?:"
    r"انتهای\s*پیام\s*/?.*"
    r"|انتهای\s*خبر\s*/?"
    r"|بیشتر\s*بخوانید\s*:?.*"
    r"|بیشتر\s*:\s*.*"
    r"|بخوانید\s*:.*"
    r"|این\s*خبر\s*(?:در\s*حال\s*)?(?:بروز|به‌روز|به\s*روز)\s*رسانی\s*می\s*(?:‌)?شود.*"
    r"|بازگشت\s*به\s*صفحه\s*رسانه.*"
    # The heading of a box (latest news, most viewed, comments): alone on a line it is never a story's text.
    r"|(?:آخرین|مهم\s*‌?\s*ترین|پربازدیدترین|پربحث\s*‌?\s*ترین|داغ\s*‌?\s*ترین|برگزیده\s*‌?\s*ترین)\s*"
    r"(?:اخبار|مطالب|خبرها|عناوین)?\s*:?"
    r"|(?:اخبار|مطالب|خبرهای)\s*(?:مرتبط|برگزیده|داغ|پربازدید|پیشنهادی|فوری)\s*:?"
    r"|(?:نظرات\s*(?:شما|کاربران)|ارسال\s*نظر|دیدگاه\s*ها|برچسب\s*‌?\s*ها|کلید\s*واژه\s*‌?\s*ها|تیتر\s*یک)\s*:?"
    r"|تهیه\s*شده\s*در\s*اداره\s*کل\s*رسانه.*"
    # Site footers that land in or under a story: an aggregator's "collected automatically" disclaimer, rights
    # lines, designer credits, rules for quoting.
    r"|(?:این|تمامی|کلیه)\s*(?:سایت|وب\s*‌?\s*سایت|پایگاه|سامانه|موتور\s*جست\s*‌?\s*و\s*جوی)[^.]{0,80}"
    r"(?:خودکار|اتوماتیک)[^.]{0,80}(?:گردآوری|جمع\s*‌?\s*آوری|دریافت|منتشر|بازنشر)[^\n]{0,200}"
    r"|(?:©\s*)?(?:کلیه|تمامی|همه)\s*(?:ی\s*)?حقوق[^\n]{0,160}(?:محفوظ|متعلق\s*به)[^\n]{0,80}"
    r"|(?:طراحی|طراحی\s*و\s*(?:اجرا|توسعه|تولید|پیاده\s*‌?\s*سازی|پشتیبانی)|طراحی\s*سایت|قدرت\s*گرفته\s*از)"
    r"\s*(?:و\s*\S+\s*)?[:：][^\n]{0,80}"
    r"|(?:نقل|استفاده\s*از|بازنشر)\s*(?:مطالب|اخبار|مطلب|محتوا)[^\n]{0,120}"
    r"(?:ذکر\s*منبع|منبع|آزاد|مجاز|ممنوع|بلامانع)[^\n]{0,80}"
    r")\s*$"
)


def normalize_text(value: str | None) -> str | None:
    """Return the text as a Persian reader expects it, or None for empty input.

    Arabic ي/ى/ك become Persian ی/ک, bidi marks and tatweel go, whitespace collapses to single spaces.
    ZWNJ and digits are kept as written. Lone surrogates go too (see :func:`clean_string`): every field passes
    through here, and one of them would make the record unwritable.
    """
    if value is None:
        return None
    if _NEEDS_TRANSLATION.search(value):
        value = clean_string(value).translate(_LETTERS)
    out = _SPACES.sub(" ", value).strip()
    return out or None


def clean_string(value: str) -> str:
    """The string with lone UTF-16 surrogates removed, so that it can be written as UTF-8; nothing else changes.

    For fields that must stay byte-for-byte as found (URLs, ids), where :func:`normalize_text` would be wrong.
    A surrogate pair split over two characters is joined into the one character it encodes.
    """
    if not _SURROGATE.search(value):
        return value
    return _SURROGATE_PAIR_OR_LONE.sub(_join_pair, value)


def _join_pair(match: re.Match[str]) -> str:
    pair = match.group(1)
    if pair is None:
        return ""
    return chr(0x10000 + ((ord(pair[0]) - 0xD800) << 10) + (ord(pair[1]) - 0xDC00))


def normalize_lines(text: str | None) -> str | None:
    """Normalise each line of a multi-paragraph text and drop empty lines and agency trailers."""
    if not text:
        return None
    lines = [normalize_text(line) for line in text.split("\n")]
    kept = [line for line in lines if line and not is_trailer(line)]
    return "\n".join(kept) or None


def is_trailer(line: str) -> bool:
    """True for agency furniture lines such as «انتهای پیام» or «بیشتر بخوانید:»."""
    return bool(_TRAILER.match(line))


def ascii_digits(value: str) -> str:
    """Persian and Arabic-Indic digits to ASCII, for ids and dates (never for body text)."""
    return _digits.fa_to_en(_digits.ar_to_fa(value))


def persian_digits(value: object) -> str:
    """ASCII digits to Persian, for text newsbot writes for people (the report, the digest), never for records."""
    return _digits.en_to_fa(str(value))


def has_arabic_letters(value: str) -> bool:
    """True when Arabic ي/ى/ك are present: a check the tests and the benchmark share."""
    return any(ch in value for ch in "\u064a\u0649\u0643")
