"""Parse the dates Iranian news sites print into aware datetimes in Asia/Tehran.

Sites show the same instant in many shapes: Jalali text («۱۹ تیر ۱۳۹۵، ۹:۳۳»), Jalali numbers («۱۴۰۴/۰۶/۱۲»),
relative phrases («۳ ساعت پیش»), ISO 8601 in metas, RFC 822 in feeds and the odd US-style Gregorian date.
Everything goes through :func:`parse_datetime`, which either returns a datetime whose ``tzinfo`` is :data:`TEHRAN`
or raises :class:`DateParseError` saying why -- never any other exception, since one odd string on one page must not
stop a crawl. Nothing is guessed: an impossible date (30 Esfand of a common year, day 31 of Mehr, hour 25, «۷ ظهر»)
is an error, never "rounded" to a neighbouring day, and so is anything outside 1900-2200 once in Tehran, as no
Iranian news predates 1900 and a far-off year means the text was misread.

Time zone: the offset always comes from ``zoneinfo`` (Asia/Tehran), never a fixed +03:30, because Iran observed
daylight saving time (+04:30) until September 2022. In DST years the clocks jumped from 24:00 on 1 Farvardin
(= 00:00 on 2 Farvardin) to 01:00 and fell back from 24:00 on 30 Shahrivar to 23:00.
Wall times that did not exist or existed twice are resolved with ``fold=0`` (PEP 495):

* a non-existent time in the spring gap (e.g. 2 Farvardin 1400 00:30) is read with the offset in force before the
  jump (+03:30), i.e. it lands one hour later on the new clock: ``2021-03-22T01:30:00+04:30``;
* a repeated time in autumn (e.g. 30 Shahrivar 1400 23:30) is the first occurrence: ``2021-09-21T23:30:00+04:30``.

Every datetime this module returns is canonical (re-derived from UTC), so its wall time always exists.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from persiantools import digits
from persiantools.jdatetime import JalaliDate

__all__ = [
    "TEHRAN",
    "DateParseError",
    "choose_published",
    "parse_datetime",
    "to_iso",
    "to_jalali_iso",
]

TEHRAN: ZoneInfo = ZoneInfo("Asia/Tehran")

#: A numeric year in this range is Jalali; real Iranian news never predates 1200 AP or runs past 1499 AP.
#: This only picks the calendar: a Jalali date before 1278-10-11 (= 1900-01-01) is still refused by the year range.
JALALI_YEARS = range(1200, 1500)
#: A numeric year in this range is Gregorian; disjoint from the Jalali range, so the year alone decides.
#: Every datetime :func:`parse_datetime` returns also has its (Tehran) year in this range.
GREGORIAN_YEARS = range(1900, 2201)
#: How far after `now` a published date may lie before it is suspected (clock skew, time-zone slop).
FUTURE_TOLERANCE = timedelta(days=1)
#: Two candidates closer than this are the same publication time (seconds are often dropped by one of them).
AGREEMENT_TOLERANCE = timedelta(minutes=1)

_DIGIT = "[0-9]"  # ASCII only: input digits are normalised first, and \d would also accept other scripts

JALALI_MONTHS: dict[str, int] = {
    "فروردین": 1,
    "اردیبهشت": 2,
    "خرداد": 3,
    "تیر": 4,
    "مرداد": 5,
    "امرداد": 5,
    "شهریور": 6,
    "مهر": 7,
    "آبان": 8,
    "آذر": 9,
    "دی": 10,
    "بهمن": 11,
    "اسفند": 12,
}
_JALALI_MONTH_NAMES = {number: name for name, number in reversed(JALALI_MONTHS.items())}

# Spelled out rather than taken from calendar.month_name, which follows the process locale.
_ENGLISH_MONTH_NAMES = "january february march april may june july august september october november december".split()
_ENGLISH_MONTHS: dict[str, int] = {
    **{name: number for number, name in enumerate(_ENGLISH_MONTH_NAMES, start=1)},
    **{name[:3]: number for number, name in enumerate(_ENGLISH_MONTH_NAMES, start=1)},
    "sept": 9,
}

_NUMBER_WORDS: dict[str, int] = {
    "یک": 1,
    "دو": 2,
    "سه": 3,
    "چهار": 4,
    "پنج": 5,
    "شش": 6,
    "هفت": 7,
    "هشت": 8,
    "نه": 9,
    "ده": 10,
    "یازده": 11,
    "دوازده": 12,
}

_UNITS: dict[str, timedelta] = {
    "دقیقه": timedelta(minutes=1),
    "ساعت": timedelta(hours=1),
    "روز": timedelta(days=1),
    "هفته": timedelta(weeks=1),
    "ماه": timedelta(days=30),
    "سال": timedelta(days=365),
}

_DAY_WORDS: dict[str, int] = {"امروز": 0, "دیروز": 1, "پریروز": 2}

# Words that may follow a clock time, by the part of the day they name. Order matters: «قبل از ظهر» and
# «بعد از ظهر» must be tried before the bare «ظهر» they contain. The last dot of «p.m.» is optional because
# trailing punctuation is stripped from the text before the clock is looked for.
_DAY_PART_MARKERS: dict[str, tuple[str, ...]] = {
    "am": (r"قبل\s*از\s*ظهر", r"ق\s*\.?\s*ظ\.?", "AM", r"a\.m\.?"),
    "pm": (r"بعد\s*از\s*ظهر", r"ب\s*\.?\s*ظ\.?", "PM", r"p\.m\.?"),
    "morning": ("صبح", "بامداد"),
    "noon": ("ظهر",),
    "afternoon": ("عصر",),
    "night": ("شب",),
}

# Hour as written -> hour on the 24-hour clock, for each day-part. Persian day-parts are not a 12-hour clock:
# «۱ ظهر» is 13:00 but «۱۱ ظهر» is 11:00, «۱ شب» is after midnight but «۵ شب» is evening. A writer who already
# uses the 24-hour clock («۲۱:۰۰ شب») is taken at their word. Hours missing from a table contradict the marker.
_DAY_PART_HOURS: dict[str, dict[int, int]] = {
    "am": {0: 0, **{h: h for h in range(1, 12)}, 12: 0},
    "pm": {**{h: h + 12 for h in range(1, 12)}, 12: 12, **{h: h for h in range(13, 24)}},
    # «۰۰:۳۰ بامداد» is how agencies write half past midnight.
    "morning": {0: 0, **{h: h for h in range(1, 12)}, 12: 0},
    "noon": {11: 11, 12: 12, 1: 13, 2: 14, 3: 15, 13: 13, 14: 14, 15: 15},
    "afternoon": {**{h: h + 12 for h in range(1, 12)}, **{h: h for h in range(13, 24)}},
    # «۱۲ شب» and «۱ شب» are already the next calendar day: 00:xx and 01:xx of the date written beside them.
    "night": {
        0: 0,
        12: 0,
        **{h: h for h in range(1, 5)},
        5: 17,
        6: 18,
        **{h: h + 12 for h in range(7, 12)},
        **{h: h for h in range(13, 24)},
    },
}


def _alternation(words: Iterable[str], *, escape: bool = True) -> str:
    """Regex alternation, longest first so that «دوازده» is not read as «دو»."""
    items = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(w) for w in items) if escape else "|".join(items)


# --- normalisation -----------------------------------------------------------------------------------------------

_DELETED_CHARS = "\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeffـ"
_SPACE_CHARS = "\u200c\u00a0\u202f\u2009\u2007"
_CHAR_MAP = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ك": "ک",
        **{c: " " for c in _SPACE_CHARS},
        **{c: None for c in _DELETED_CHARS},
    }
)
_WHITESPACE_RE = re.compile(r"\s+")

# --- noise around the date ----------------------------------------------------------------------------------------

_LABEL_RE = re.compile(
    r"(?<!\w)(?:آخرین\s*(?:به\s*|ب)روز\s*رسانی|(?:به\s*|ب)روز\s*رسانی|تاریخ\s*انتشار|زمان\s*انتشار|تاریخ|زمان|انتشار)"
    r"(?!\w)\s*:?"
)
_WEEKDAY_RE = re.compile(
    r"(?<!\w)(?:(?:یک|دو|سه|چهار|پنج)\s*شنبه|شنبه|جمعه"
    r"|(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?)(?!\w)\s*[,،]?",
    re.IGNORECASE,
)
_GREGORIAN_BRACKET_RE = re.compile(
    rf"(?<=\S)\s*[\[(]\s*{_DIGIT}{{4}}\s*([/\-.])\s*{_DIGIT}{{1,2}}\s*\1\s*{_DIGIT}{{1,2}}\s*[\])]\s*$"
)
_SEPARATORS = " \t-–—/|,،:;؛."

# --- clock time ---------------------------------------------------------------------------------------------------

_TIME_RE = re.compile(
    rf"(?:(?<!\w)ساعت\s*[:：]?\s*)?(?<![0-9:])(?P<h>{_DIGIT}{{1,2}}):(?P<m>{_DIGIT}{{2}})(?::(?P<s>{_DIGIT}{{2}}))?(?![0-9:])"
    r"(?:\s*(?:"
    + "|".join(f"(?P<{part}>{_alternation(words, escape=False)})" for part, words in _DAY_PART_MARKERS.items())
    + r")(?!\w))?",
    re.IGNORECASE,
)

# --- calendar dates -----------------------------------------------------------------------------------------------

_JALALI_TEXT_RE = re.compile(
    rf"(?P<d>{_DIGIT}{{1,2}})[\s/\-.,،]*(?P<mon>{_alternation(JALALI_MONTHS)})(?:\s*ماه)?[\s/\-.,،]*(?:سال\s*)?"
    rf"(?P<y>{_DIGIT}{{4}}|{_DIGIT}{{2}})"
)
_YMD_RE = re.compile(
    rf"(?P<y>{_DIGIT}{{4}})\s*(?P<sep>[/\-.])\s*(?P<m>{_DIGIT}{{1,2}})\s*(?P=sep)\s*(?P<d>{_DIGIT}{{1,2}})"
)
# «93/11/15»: a Jalali Y/M/D with a two-digit year, as old sites print it. Only years 32-99 (1332-1399): a first
# number that could be a day or a month («02/05/12») is not read as a year, since D/M/Y pages exist too.
_YY_MD_RE = re.compile(rf"(?P<y>3[2-9]|[4-9][0-9])\s*/\s*(?P<m>{_DIGIT}{{1,2}})\s*/\s*(?P<d>{_DIGIT}{{1,2}})")
_MDY_RE = re.compile(
    rf"(?P<m>{_DIGIT}{{1,2}})\s*(?P<sep>[/\-.])\s*(?P<d>{_DIGIT}{{1,2}})\s*(?P=sep)\s*(?P<y>{_DIGIT}{{4}})"
)
_EN_MONTH = _alternation(_ENGLISH_MONTHS)
_EN_DMY_RE = re.compile(
    rf"(?P<d>{_DIGIT}{{1,2}})(?:st|nd|rd|th)?\s*(?P<mon>{_EN_MONTH})\.?,?\s*(?P<y>{_DIGIT}{{4}})", re.IGNORECASE
)
_EN_MDY_RE = re.compile(
    rf"(?P<mon>{_EN_MONTH})\.?\s*(?P<d>{_DIGIT}{{1,2}})(?:st|nd|rd|th)?,?\s*(?P<y>{_DIGIT}{{4}})", re.IGNORECASE
)

# --- machine formats ----------------------------------------------------------------------------------------------

_ISO_RE = re.compile(
    rf"(?P<y>{_DIGIT}{{4}})-(?P<mo>{_DIGIT}{{2}})-(?P<d>{_DIGIT}{{2}})"
    rf"(?:[T ](?P<h>{_DIGIT}{{2}}):(?P<mi>{_DIGIT}{{2}})(?::(?P<s>{_DIGIT}{{2}})(?:[.,](?P<frac>{_DIGIT}+))?)?"
    rf"\s*(?P<tz>Z|[+-]{_DIGIT}{{2}}(?::?{_DIGIT}{{2}}(?::?{_DIGIT}{{2}})?)?)?)?",
    re.IGNORECASE,
)
_RFC822_RE = re.compile(
    rf"(?:[A-Za-z]{{3}},?\s*)?{_DIGIT}{{1,2}}\s+[A-Za-z]{{3}}\s+(?P<y>{_DIGIT}{{2,4}})\s+"
    rf"{_DIGIT}{{1,2}}:{_DIGIT}{{2}}(?::{_DIGIT}{{2}})?\s*(?P<tz>[+-]{_DIGIT}{{4}}|[A-Za-z]{{1,5}})"
)
# Zones email.utils knows. IRST/IRDT are Iran's own abbreviations: the wall time is then Tehran local time.
_RFC822_ZONES = frozenset({"UT", "UTC", "GMT", "Z", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT"})
_TEHRAN_ZONES = frozenset({"IRST", "IRDT"})

# --- relative dates -----------------------------------------------------------------------------------------------

_AGO_RE = re.compile(r"(?P<amount>.+?)\s*(?:پیش|قبل)")
_AMOUNT_RE = re.compile(rf"(?P<n>{_DIGIT}+|{_alternation(_NUMBER_WORDS)})\s*(?P<unit>{_alternation(_UNITS)})")
_AMOUNT_JOIN_RE = re.compile(r"\s+و\s*")
# Even 10**9 minutes is ~1900 years, so a longer count can only land before 1900; refusing it by length also keeps
# int() away from numbers too long for it (Python refuses to convert more than 4300 digits).
_MAX_AMOUNT_DIGITS = 9
_MOMENTS_AGO_RE = re.compile(r"(?:لحظاتی|لحظه\s*ای|چند\s*لحظه)\s*(?:پیش|قبل)")
_DAY_WORD_RE = re.compile(_alternation(_DAY_WORDS))


class DateParseError(ValueError):
    """A date string could not be turned into an instant.

    Raised instead of guessing, so that callers can fall back to another candidate (see :func:`choose_published`)
    and log *why* this one failed. ``str(error)`` names both the reason and the original input text.
    """

    def __init__(self, reason: str, text: str) -> None:
        self.reason = reason
        self.text = text
        super().__init__(f"{reason} in {text!r}")

    def __reduce__(self) -> tuple[type[DateParseError], tuple[str, str]]:
        # Keeps the exception picklable (Scrapy may ship errors between processes) despite the 2-arg constructor.
        return (type(self), (self.reason, self.text))


class _Clock(NamedTuple):
    """A clock time found in the text, already converted to the 24-hour clock."""

    hour: int
    minute: int
    second: int

    def as_time(self) -> time:
        return time(self.hour, self.minute, self.second)


class _Candidate(NamedTuple):
    number: int  # 1-based position in the candidate list, for readable reasons
    raw: str
    value: datetime


# --- public API ---------------------------------------------------------------------------------------------------


def parse_datetime(text: str, *, now: datetime | None = None) -> datetime:
    """Parse any supported date string into an aware datetime with ``tzinfo=TEHRAN``.

    ``now`` anchors relative phrases («۳ ساعت پیش», «دیروز ۱۸:۰۰») and the two-digit Jalali year; it defaults to
    the current time in Tehran. A date without a clock time means 00:00 Tehran time; a naive ISO/RFC time means
    Tehran wall time. Raises :class:`DateParseError` -- and nothing else, for any str -- when the text holds no
    recognisable date, an impossible one or one outside 1900-2200 (in Tehran): a wrong date in the archive is worse
    than a missing one, and one unreadable candidate must never abort :func:`choose_published`.
    """
    if not isinstance(text, str):
        raise TypeError(f"date text must be a str, not {type(text).__name__}")
    parsed = _parse(text, _resolve_now(now))
    if parsed.year not in GREGORIAN_YEARS:
        # Every shape has its own year check, but a UTC offset or a relative amount can still carry a date over
        # the edge (1900-01-01T00:00+14:00, «۲۰۰ سال پیش»), and Jalali 1200-1278 is before 1900.
        raise DateParseError(
            f"{parsed.year:04d}-{parsed.month:02d}-{parsed.day:02d} is outside the years "
            f"{GREGORIAN_YEARS.start}-{GREGORIAN_YEARS.stop - 1}",
            text,
        )
    return parsed


def _parse(text: str, now_tehran: datetime) -> datetime:
    """The shape-by-shape work of :func:`parse_datetime`; split off so the range check sees every exit."""
    normalised = _normalise(text)
    if not normalised:
        raise DateParseError("empty date text", text)

    machine = _parse_iso(normalised, text)
    if machine is None:
        machine = _parse_rfc822(normalised, text)
    if machine is not None:
        return machine

    rest, clock = _split_clock(_strip_noise(normalised), text)
    relative = _parse_relative(rest, clock, now_tehran, text)
    if relative is not None:
        return relative
    day = _parse_calendar_date(rest, now_tehran, text)
    return _localize(datetime.combine(day, clock.as_time() if clock else time()))


def to_jalali_iso(dt: datetime) -> str:
    """Return ``'YYYY-MM-DDTHH:MM:SS'``: the Jalali wall clock of ``dt`` in Tehran.

    ``dt`` is converted to Tehran first (a naive ``dt`` is taken to be Tehran wall time, as in the parser), so the
    Jalali record field always describes the same instant as the ISO one.
    """
    local = _to_tehran(dt)
    jalali = JalaliDate.to_jalali(local.date())
    return f"{jalali.year:04d}-{jalali.month:02d}-{jalali.day:02d}T{local:%H:%M:%S}"


def to_iso(dt: datetime) -> str:
    """Return ``dt`` in Tehran as ISO 8601 with seconds and the offset of that instant: ``2021-05-17T13:30:00+04:30``.

    A naive ``dt`` is taken to be Tehran wall time. Sub-second precision is dropped because no site publishes it.
    """
    return _to_tehran(dt).isoformat(timespec="seconds")


def choose_published(candidates: list[str | None], *, now: datetime | None = None) -> tuple[datetime | None, list[str]]:
    """Pick the publication time from raw candidate strings given in priority order.

    Candidates usually are: the site-specific selector, metas (``article:published_time``, JSON-LD), visible text.
    The first valid candidate wins, except that one lying more than :data:`FUTURE_TOLERANCE` after ``now`` is not
    trusted when another valid candidate disagrees with it by more than :data:`AGREEMENT_TOLERANCE` (sites ship
    metas with wrong time zones or scheduled times); the next trustworthy candidate is used instead. When *every*
    valid candidate is in the future, the first one is returned anyway, with a reason. Impossible dates are
    rejected with their reason, never repaired. ``None`` and blank candidates are skipped silently.

    Returns ``(datetime or None, reasons)`` where ``reasons`` lists, in candidate order, every candidate that could
    not be used and why (including unparseable ones after the chosen candidate, so broken selectors get noticed).
    """
    now_tehran = _resolve_now(now)
    valid, rejections = _parse_candidates(candidates, now_tehran)
    if not valid:
        return None, [reason for _, reason in rejections]

    horizon = _utc(now_tehran) + FUTURE_TOLERANCE
    future = [c for c in valid if _utc(c.value) > horizon]
    if len(future) == len(valid):
        first = valid[0]
        rejections.append(
            (
                len(candidates) + 1,
                f"all valid candidates are more than 1 day after now ({to_iso(now_tehran)}); "
                f"using candidate {first.number} {first.raw!r} = {to_iso(first.value)} anyway",
            )
        )
        return first.value, _ordered(rejections)

    untrusted = [c for c in future if _disagrees(c, valid)]
    for candidate in untrusted:
        rejections.append(
            (
                candidate.number,
                f"candidate {candidate.number} {candidate.raw!r} = {to_iso(candidate.value)} is more than 1 day "
                f"after now ({to_iso(now_tehran)}) and other candidates disagree",
            )
        )
    chosen = next(c for c in valid if c not in untrusted)
    return _with_seconds(_with_time(chosen, valid), valid).value, _ordered(rejections)


_CLOCK_IN_RAW = re.compile(r"[0-9۰-۹٠-٩]\s*:\s*[0-9۰-۹٠-٩]")


def _with_time(chosen: _Candidate, valid: list[_Candidate]) -> _Candidate:
    """A day without a time (a date box reading «۱۲ آذر ۱۴۰۳») yields to a candidate of the same Tehran day that
    knows the time (the page's meta): the two agree on the day, and midnight was never said."""
    local = chosen.value.astimezone(TEHRAN)
    if local.time() != time(0) or _CLOCK_IN_RAW.search(chosen.raw or ""):
        return chosen
    for other in valid:
        when = other.value.astimezone(TEHRAN)
        if other is not chosen and when.date() == local.date() and when.time() != time(0):
            return other
    return chosen


def _with_seconds(chosen: _Candidate, valid: list[_Candidate]) -> _Candidate:
    """The chosen minute, with the seconds of a more precise candidate naming the same minute (a meta with seconds
    beside a visible «۱۸:۱۷»): the two agree, and one of them simply knows more."""
    if chosen.value.second or chosen.value.microsecond:
        return chosen
    minute = _utc(chosen.value).replace(second=0, microsecond=0)
    for other in valid:
        if other.value.second and _utc(other.value).replace(second=0, microsecond=0) == minute:
            return other
    return chosen


# --- choose_published helpers -------------------------------------------------------------------------------------


def _parse_candidates(candidates: list[str | None], now: datetime) -> tuple[list[_Candidate], list[tuple[int, str]]]:
    """Parse every non-blank candidate; return the valid ones and (position, reason) for the rest."""
    valid: list[_Candidate] = []
    rejections: list[tuple[int, str]] = []
    for number, raw in enumerate(candidates, start=1):
        if raw is None or not _normalise(raw):
            continue
        try:
            valid.append(_Candidate(number, raw, parse_datetime(raw, now=now)))
        except DateParseError as error:
            rejections.append((number, f"candidate {number} rejected: {error}"))
    return valid, rejections


def _disagrees(candidate: _Candidate, valid: list[_Candidate]) -> bool:
    """True when some other valid candidate names an instant more than a minute away from this one."""
    return any(
        abs(_utc(other.value) - _utc(candidate.value)) > AGREEMENT_TOLERANCE
        for other in valid
        if other is not candidate
    )


def _ordered(rejections: list[tuple[int, str]]) -> list[str]:
    return [reason for _, reason in sorted(rejections, key=lambda item: item[0])]


# --- time-zone helpers --------------------------------------------------------------------------------------------


def _utc(dt: datetime) -> datetime:
    """Aware datetimes sharing a tzinfo compare and subtract by wall clock; go through UTC to compare instants."""
    return dt.astimezone(timezone.utc)


def _localize(naive: datetime) -> datetime:
    """Attach Tehran time to a wall time (fold=0 for gaps and repeats) and canonicalise it via UTC."""
    return _utc(naive.replace(tzinfo=TEHRAN, fold=0)).astimezone(TEHRAN)


def _to_tehran(dt: datetime) -> datetime:
    if dt.tzinfo is None or dt.utcoffset() is None:
        return _localize(dt)
    return _utc(dt).astimezone(TEHRAN)


def _resolve_now(now: datetime | None) -> datetime:
    return datetime.now(TEHRAN) if now is None else _to_tehran(now)


# --- normalisation ------------------------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    """ASCII digits, Persian ی/ک, no bidi marks or tatweel, ZWNJ/NBSP as spaces, single spaces, trimmed."""
    text = digits.fa_to_en(digits.ar_to_fa(text)).translate(_CHAR_MAP)
    return _WHITESPACE_RE.sub(" ", text).strip()


def _strip_noise(text: str) -> str:
    """Drop labels («تاریخ انتشار:»), weekday names and a trailing Gregorian bracket such as ``[2024/04/20]``."""
    text = _GREGORIAN_BRACKET_RE.sub("", text)
    text = _LABEL_RE.sub(" ", text)
    text = _WEEKDAY_RE.sub(" ", text)
    return _WHITESPACE_RE.sub(" ", text).strip(_SEPARATORS)


def _split_clock(text: str, original: str) -> tuple[str, _Clock | None]:
    """Remove the one clock time (with a leading «ساعت» and a trailing AM/PM marker) from the text."""
    matches = list(_TIME_RE.finditer(text))
    if not matches:
        return text, None
    if len(matches) > 1:
        raise DateParseError("more than one clock time", original)
    match = matches[0]
    rest = f"{text[: match.start()]} {text[match.end() :]}"
    return _WHITESPACE_RE.sub(" ", rest).strip(_SEPARATORS), _clock_from_match(match, original)


def _clock_from_match(match: re.Match[str], original: str) -> _Clock:
    hour, minute = int(match["h"]), int(match["m"])
    second = int(match["s"]) if match["s"] else 0
    part = next((name for name in _DAY_PART_MARKERS if match[name]), None)
    if part is not None:
        hour = _to_24_hour(hour, part=part, marker=match[part], original=original)
    return _checked_clock(hour, minute, second, original)


def _checked_clock(hour: int, minute: int, second: int, original: str) -> _Clock:
    for name, value, limit in (("hour", hour, 23), ("minute", minute, 59), ("second", second, 59)):
        if value > limit:
            raise DateParseError(f"impossible {name} {value}", original)
    return _Clock(hour, minute, second)


def _to_24_hour(hour: int, *, part: str, marker: str, original: str) -> int:
    """Read an hour through its day-part (see :data:`_DAY_PART_HOURS`); a mismatch («۷ ظهر») is an error, since
    either the hour or the word is wrong and we cannot tell which."""
    try:
        return _DAY_PART_HOURS[part][hour]
    except KeyError:
        raise DateParseError(f"hour {hour} contradicts the marker {marker!r}", original) from None


# --- calendar dates -----------------------------------------------------------------------------------------------


def _parse_calendar_date(text: str, now: datetime, original: str) -> date:
    """The date part left after removing noise and the clock time; tried against each textual/numeric shape."""
    parsers: tuple[Callable[[str, datetime, str], date | None], ...] = (
        _parse_jalali_text,
        _parse_numeric,
        _parse_english_text,
    )
    for parser in parsers:
        found = parser(text, now, original)
        if found is not None:
            return found
    raise DateParseError("no recognisable date", original)


def _parse_jalali_text(text: str, now: datetime, original: str) -> date | None:
    """«۲۷ اردیبهشت‌ماه ۱۴۰۰», «9 /مهر/ 1405», «۱۲ شهریور ۰۴»."""
    match = _JALALI_TEXT_RE.fullmatch(text)
    if match is None:
        return None
    year_text = match["y"]
    year = _expand_two_digit_year(int(year_text), now) if len(year_text) == 2 else int(year_text)
    if year not in JALALI_YEARS:
        raise DateParseError(
            f"year {year} is outside the Jalali range {JALALI_YEARS.start}-{JALALI_YEARS.stop - 1}", original
        )
    return _jalali_to_gregorian(year, JALALI_MONTHS[match["mon"]], int(match["d"]), original)


def _expand_two_digit_year(yy: int, now: datetime) -> int:
    """yy -> 14yy up to next year (sites print «۰۴» for 1404), else 13yy («۹۵» is 1395)."""
    current = JalaliDate.to_jalali(now.date()).year
    return 1400 + yy if yy <= current % 100 + 1 else 1300 + yy


def _parse_numeric(text: str, _now: datetime, original: str) -> date | None:
    """Year-first ``Y/M/D`` or ``Y-M-D`` (Jalali or Gregorian by year) and US ``M/D/Y`` (Gregorian only)."""
    match = _YMD_RE.fullmatch(text)
    if match is not None:
        return _build_date(int(match["y"]), int(match["m"]), int(match["d"]), original)
    match = _YY_MD_RE.fullmatch(text)
    if match is not None:
        return _jalali_to_gregorian(1300 + int(match["y"]), int(match["m"]), int(match["d"]), original)
    match = _MDY_RE.fullmatch(text)
    if match is None:
        return None
    year = int(match["y"])
    if year in JALALI_YEARS:
        # «25/05/1391»: year-last with a Jalali year is day/month/year, as Iranian sites write it.
        return _jalali_to_gregorian(year, int(match["d"]), int(match["m"]), original)
    if year not in GREGORIAN_YEARS:
        raise DateParseError(
            f"year-last numeric dates are read as Gregorian M/D/Y, but {year} is not a Gregorian year "
            f"({GREGORIAN_YEARS.start}-{GREGORIAN_YEARS.stop - 1})",
            original,
        )
    return _gregorian_date(year, int(match["m"]), int(match["d"]), original)


def _parse_english_text(text: str, _now: datetime, original: str) -> date | None:
    """«30 December 2016», «December 30, 2016», «17 Jul 2018»."""
    match = _EN_DMY_RE.fullmatch(text) or _EN_MDY_RE.fullmatch(text)
    if match is None:
        return None
    year = int(match["y"])
    if year not in GREGORIAN_YEARS:
        raise DateParseError(f"year {year} is outside the Gregorian range", original)
    return _gregorian_date(year, _ENGLISH_MONTHS[match["mon"].lower()], int(match["d"]), original)


def _build_date(year: int, month: int, day: int, original: str) -> date:
    """A numeric date: the year decides the calendar (1200-1499 Jalali, 1900-2200 Gregorian)."""
    if year in JALALI_YEARS:
        return _jalali_to_gregorian(year, month, day, original)
    if year in GREGORIAN_YEARS:
        return _gregorian_date(year, month, day, original)
    raise DateParseError(
        f"year {year} is neither Jalali ({JALALI_YEARS.start}-{JALALI_YEARS.stop - 1}) "
        f"nor Gregorian ({GREGORIAN_YEARS.start}-{GREGORIAN_YEARS.stop - 1})",
        original,
    )


def _jalali_to_gregorian(year: int, month: int, day: int, original: str) -> date:
    reason = _jalali_impossibility(year, month, day)
    if reason:
        raise DateParseError(f"impossible Jalali date {year:04d}-{month:02d}-{day:02d} ({reason})", original)
    return JalaliDate(year, month, day).to_gregorian()


def _jalali_impossibility(year: int, month: int, day: int) -> str | None:
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    if day < 1:
        return f"there is no day {day}"
    length = JalaliDate.days_in_month(month, year)
    if day <= length:
        return None
    if month == 12 and day == 30:
        return f"{year} is not a leap year"
    return f"{_JALALI_MONTH_NAMES[month]} (month {month}) has {length} days"


def _gregorian_date(year: int, month: int, day: int, original: str) -> date:
    if not 1 <= month <= 12:
        reason = f"there is no month {month}"
    elif day < 1:
        reason = f"there is no day {day}"
    elif day > (length := calendar.monthrange(year, month)[1]):
        reason = f"{_ENGLISH_MONTH_NAMES[month - 1].title()} {year} has {length} days"
    else:
        return date(year, month, day)
    raise DateParseError(f"impossible Gregorian date {year:04d}-{month:02d}-{day:02d} ({reason})", original)


# --- machine formats ----------------------------------------------------------------------------------------------


def _parse_iso(text: str, original: str) -> datetime | None:
    """ISO 8601 (``Z``, ``+03:30``, ``+0330``, ``+03``, fractions, date only). Naive means Tehran wall time.

    The year still decides the calendar, so ``1404-06-12 18:17`` (Jalali written ISO-style) works too.
    """
    match = _ISO_RE.fullmatch(text)
    if match is None:
        return None
    day = _build_date(int(match["y"]), int(match["mo"]), int(match["d"]), original)
    if match["h"] is None:
        return _localize(datetime.combine(day, time()))
    clock = _checked_clock(int(match["h"]), int(match["mi"]), int(match["s"] or 0), original)
    micro = int((match["frac"] or "0")[:6].ljust(6, "0"))
    wall = datetime.combine(day, clock.as_time()).replace(microsecond=micro)
    if match["tz"] is None:
        return _localize(wall)
    return wall.replace(tzinfo=_iso_offset(match["tz"], original)).astimezone(TEHRAN)


def _iso_offset(token: str, original: str) -> timezone:
    if token.upper() == "Z":
        return timezone.utc
    sign = -1 if token[0] == "-" else 1
    body = token[1:].replace(":", "")  # HH, HHMM or HHMMSS (Python writes +03:25:44 for Tehran before 1935)
    hours, minutes, seconds = int(body[:2]), int(body[2:4] or 0), int(body[4:6] or 0)
    if hours > 23 or minutes > 59 or seconds > 59:
        raise DateParseError(f"impossible UTC offset {token}", original)
    return timezone(sign * timedelta(hours=hours, minutes=minutes, seconds=seconds))


def _parse_rfc822(text: str, original: str) -> datetime | None:
    """Feed dates: ``Tue, 17 Jul 2018 22:15:01 +0430``, ``Fri, 02 Jan 2026 13:07:50 GMT``.

    ``-0000`` means UTC (RFC 5322); IRST/IRDT mean Tehran wall time; other zone names are refused, since reading
    an unknown zone as Tehran time could shift the date by hours.
    """
    match = _RFC822_RE.fullmatch(text)
    if match is None:
        return None
    year_text = match["y"]
    if len(year_text) != 4:
        # RFC 5322 obsoleted 2- and 3-digit years; their century is a convention, not data, so do not guess it.
        raise DateParseError(f"RFC 822 year {year_text!r} has no century", original)
    if int(year_text) not in GREGORIAN_YEARS:
        # Feed dates are Gregorian: email.utils would read 0000 as 2000 and a Jalali 1404 as 1404 AD.
        raise DateParseError(
            f"RFC 822 year {year_text} is outside {GREGORIAN_YEARS.start}-{GREGORIAN_YEARS.stop - 1}", original
        )
    zone = match["tz"].upper()
    to_parse = text
    if zone in _TEHRAN_ZONES:
        to_parse = text[: match.start("tz")].rstrip()
    elif zone.isalpha() and zone not in _RFC822_ZONES:
        raise DateParseError(f"unknown time zone {match['tz']!r}", original)
    try:
        parsed = parsedate_to_datetime(to_parse)
        if parsed.tzinfo is not None:
            return parsed.astimezone(TEHRAN)
        if zone == "-0000":
            return parsed.replace(tzinfo=timezone.utc).astimezone(TEHRAN)
        return _localize(parsed)
    except (ValueError, TypeError, IndexError, OverflowError) as error:
        # email.utils reports a bad field with whatever its failing call raised. The year check above keeps
        # astimezone() clear of datetime's limits; OverflowError stays listed so that a change there cannot escape.
        raise DateParseError(f"impossible RFC 822 date ({error})", original) from error


# --- relative dates -----------------------------------------------------------------------------------------------


def _parse_relative(text: str, clock: _Clock | None, now: datetime, original: str) -> datetime | None:
    """«لحظاتی پیش», «۳ ساعت پیش», «۲ ساعت و ۱۰ دقیقه قبل», «امروز ۱۰:۲۰», «دیروز ۱۸:۰۰»."""
    if _DAY_WORD_RE.fullmatch(text):
        day = now.date() - timedelta(days=_DAY_WORDS[text])
        return _localize(datetime.combine(day, clock.as_time() if clock else time()))
    if _MOMENTS_AGO_RE.fullmatch(text):
        delta = timedelta(0)
    else:
        match = _AGO_RE.fullmatch(text)
        delta = _relative_amount(match["amount"], original) if match else None
        if delta is None:
            return None
    if clock is not None:
        raise DateParseError("a clock time cannot accompany a relative «... پیش» date", original)
    try:
        # Through UTC: "3 hours ago" is 3 real hours even across a DST change.
        return (_utc(now) - delta).astimezone(TEHRAN).replace(microsecond=0)
    except (OverflowError, ValueError) as error:
        raise DateParseError("relative date too far in the past", original) from error


def _relative_amount(text: str, original: str) -> timedelta | None:
    """«۲ ساعت و ۱۰ دقیقه» -> timedelta; None when any part is not «number unit»."""
    total = timedelta(0)
    for part in _AMOUNT_JOIN_RE.split(text):
        match = _AMOUNT_RE.fullmatch(part)
        if match is None:
            return None
        if match["n"].isdigit() and len(match["n"]) > _MAX_AMOUNT_DIGITS:
            raise DateParseError(f"a relative amount of {len(match['n'])} digits lands before 1900", original)
        count = int(match["n"]) if match["n"].isdigit() else _NUMBER_WORDS[match["n"]]
        try:
            total += count * _UNITS[match["unit"]]
        except OverflowError as error:
            raise DateParseError("relative date too far in the past", original) from error
    return total


def parse_or_none(text: object, *, now: datetime | None = None) -> datetime | None:
    """:func:`parse_datetime`, or None for anything it cannot read: for callers that only rank or filter."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return parse_datetime(text, now=now)
    except DateParseError:
        return None


def now_tehran() -> datetime:
    """The current instant in Tehran; one place for the crawl's clock."""
    return datetime.now(TEHRAN)


def parse_day(text: str) -> datetime:
    """A day given on the command line (Jalali ``1403-01-01`` or Gregorian ``2024-03-20``) → its Tehran start."""
    parsed = parse_datetime(text)
    return datetime(parsed.year, parsed.month, parsed.day, tzinfo=TEHRAN)


def iso_timestamp(value: Any) -> float | None:
    """The POSIX time of a record's aware ISO 8601 time (``published_at``); None for a missing, naive or
    unparseable one, so that sorting and windows never guess a zone."""
    if not isinstance(value, str) or not value:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return None
    return dt.timestamp() if dt.tzinfo is not None else None


def jalali_ymd(day: date) -> tuple[int, int, int]:
    """(year, month, day) of a Gregorian date in the Jalali calendar, for archive URLs."""
    jd = JalaliDate.to_jalali(day)
    return jd.year, jd.month, jd.day
