"""Tests for newsbot.dates.

Expected values are literals, worked out once by hand and checked in a scratch shell against persiantools and
zoneinfo directly (not against newsbot.dates). Tehran DST facts used below, as zoneinfo has them:
* until 2022, clocks jumped at 24:00 on 1 Farvardin (00:00 on 2 Farvardin -> 01:00, +03:30 -> +04:30) and fell
  back at 24:00 on 30 Shahrivar (-> 23:00, +04:30 -> +03:30); the last fall-back was 2022-09-21 (30 Shahrivar 1401);
* from 1402 (2023) on, Tehran is +03:30 all year.
"""

from __future__ import annotations

import pickle
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from persiantools.jdatetime import JalaliDate

from newsbot.dates import (
    TEHRAN,
    DateParseError,
    choose_published,
    parse_datetime,
    to_iso,
    to_jalali_iso,
)

# 12 Shahrivar 1404, 20:00 in Tehran.
NOW = datetime(2025, 9, 3, 20, 0, tzinfo=TEHRAN)

PARSE_CASES = [
    # 1. Jalali text with «/» before the time; summer before 2023 is +04:30
    ("۲۷ اردیبهشت ۱۴۰۰ / ۱۳:۳۰", "2021-05-17T13:30:00+04:30"),
    # 2. weekday, «-» separator, +03:30 summer after 2022; two-digit year
    ("چهارشنبه ۱۲ شهریور ۱۴۰۴ - ۱۸:۱۷", "2025-09-03T18:17:00+03:30"),
    ("۱۲ شهریور ۰۴ - ۱۸:۱۷", "2025-09-03T18:17:00+03:30"),
    ("۱۹ تیر ۹۵", "2016-07-09T00:00:00+04:30"),
    ("۹ مهر ۰۵", "2026-10-01T00:00:00+03:30"),
    # 3. Arabic comma, unpadded hour
    ("۱۹ تیر ۱۳۹۵، ۹:۳۳", "2016-07-09T09:33:00+04:30"),
    # 4. padded hour, label, padded day
    ("۱۹ تیر ۱۳۹۵ - ۰۹:۳۳", "2016-07-09T09:33:00+04:30"),
    ("تاریخ انتشار: ۰۹ دی ۱۳۹۵ - ۱۸:۳۳", "2016-12-29T18:33:00+03:30"),
    # 5. «ساعت» separator, just after midnight
    ("۱۲ دی ۱۴۰۴ ساعت ۰۰:۱۰", "2026-01-02T00:10:00+03:30"),
    # 6. seconds and Persian AM/PM markers on a 12-hour clock
    ("تاریخ انتشار: شنبه ۱۹ تیر ۱۳۹۵ ساعت ۹:۳۳:۱۰ قبل از ظهر", "2016-07-09T09:33:10+04:30"),
    ("۱۹ تیر ۱۳۹۵ ساعت ۹:۳۳ ب.ظ", "2016-07-09T21:33:00+04:30"),
    ("۱۹ تیر ۱۳۹۵ ساعت ۱۲:۰۵ ق.ظ", "2016-07-09T00:05:00+04:30"),
    ("۱۹ تیر ۱۳۹۵ ساعت ۱۲:۰۵ بعد از ظهر", "2016-07-09T12:05:00+04:30"),
    ("۱۹ تیر ۱۳۹۵ ساعت ۶:۱۵ عصر", "2016-07-09T18:15:00+04:30"),
    ("۱۹ تیر ۱۳۹۵ ساعت ۷:۴۵ صبح", "2016-07-09T07:45:00+04:30"),
    ("۱۹ تیر ۱۳۹۵ ساعت ۱۰:۰۰ شب", "2016-07-09T22:00:00+04:30"),
    # 7. Jalali numeric (hyphens, slashes, date only) and Gregorian numeric, decided by the year
    ("۱۴۰۴-۰۶-۱۲ ۱۸:۱۷", "2025-09-03T18:17:00+03:30"),
    ("1398/03/09 - 10:30", "2019-05-30T10:30:00+04:30"),
    ("۱۴۰۵/۰۷/۱۰", "2026-10-02T00:00:00+03:30"),
    ("1403/12/30", "2025-03-20T00:00:00+03:30"),
    ("2024/04/20", "2024-04-20T00:00:00+03:30"),
    ("2024-03-20", "2024-03-20T00:00:00+03:30"),
    # 8. slashes around the month name
    ("9 /مهر/ 1405", "2026-10-01T00:00:00+03:30"),
    # 10. ISO 8601
    ("2026-07-29T08:28:50Z", "2026-07-29T11:58:50+03:30"),
    ("2026-09-30T10:24:42+03:30", "2026-09-30T10:24:42+03:30"),
    ("2016-07-09T09:33:00+0430", "2016-07-09T09:33:00+04:30"),
    ("2016-07-09T05:03:00.123456Z", "2016-07-09T09:33:00+04:30"),
    ("2024-08-02", "2024-08-02T00:00:00+03:30"),
    ("2024-08-02T10:00:00", "2024-08-02T10:00:00+03:30"),
    ("2016-07-09 09:33:00", "2016-07-09T09:33:00+04:30"),
    ("1404-06-12T18:17:00+03:30", "2025-09-03T18:17:00+03:30"),
    # 11. Gregorian text and the old Fars US format
    ("30 December 2016", "2016-12-30T00:00:00+03:30"),
    ("December 30, 2016", "2016-12-30T00:00:00+03:30"),
    ("12/30/2016 6:33:00 PM", "2016-12-30T18:33:00+03:30"),
    ("12/30/2016 12:05:00 AM", "2016-12-30T00:05:00+03:30"),
    # 12. RFC 822 feed dates
    ("Tue, 17 Jul 2018 22:15:01 +0430", "2018-07-17T22:15:01+04:30"),
    ("02 Jan 2026 16:37:50 +0330", "2026-01-02T16:37:50+03:30"),
    ("Fri, 02 Jan 2026 13:07:50 GMT", "2026-01-02T16:37:50+03:30"),
    ("Tue, 17 Jul 2018 22:15:01 -0000", "2018-07-18T02:45:01+04:30"),
    ("Tue, 17 Jul 2018 22:15:01 IRDT", "2018-07-17T22:15:01+04:30"),
    # 13. Arabic yeh/kaf month names, «امرداد», «ماه» suffix, digits of every script
    ("۱ دى ۱۴۰۲", "2023-12-22T00:00:00+03:30"),
    ("۱۰ ارديبهشت ۱۴۰۳ - ۱۰:۰۰", "2024-04-29T10:00:00+03:30"),
    ("۵ امرداد ۱۴۰۱ - ۰۸:۰۰", "2022-07-27T08:00:00+04:30"),
    ("۲۷ اردیبهشت\u200cماه ۱۴۰۰", "2021-05-17T00:00:00+04:30"),
    ("۲۷ اردیبهشت ماه ۱۴۰۰ - ۱۳:۳۰", "2021-05-17T13:30:00+04:30"),
    ("٢٧ اردیبهشت ١٤٠٠ - ١٣:٣٠", "2021-05-17T13:30:00+04:30"),
    ("27 اردیبهشت 1400 - 13:30", "2021-05-17T13:30:00+04:30"),
    ("۳۰ اسفند ۱۴۰۳", "2025-03-20T00:00:00+03:30"),
    # noise: bidi marks, tatweel, Gregorian bracket, update label, weekdays, time first
    ("\u200f۱۲ شهریـور ۱۴۰۴\u200e - ۱۸:۱۷", "2025-09-03T18:17:00+03:30"),
    ("۱۲ شهریور ۱۴۰۴ - ۱۸:۱۷ [2025/09/03]", "2025-09-03T18:17:00+03:30"),
    ("آخرین به\u200cروزرسانی: ۱۲ شهریور ۱۴۰۴ - ۱۸:۱۷", "2025-09-03T18:17:00+03:30"),
    ("۱۸:۱۷ - ۱۲ شهریور ۱۴۰۴", "2025-09-03T18:17:00+03:30"),
    ("سه\u200cشنبه ۱۱ شهریور ۱۴۰۴", "2025-09-02T00:00:00+03:30"),
    ("پنج شنبه، ۱۳ شهریور ۱۴۰۴", "2025-09-04T00:00:00+03:30"),
    ("انتشار: جمعه ۱۴ شهریور ۱۴۰۴ | ۰۷:۰۵", "2025-09-05T07:05:00+03:30"),
    # the clock written before the date keeps its minute, whatever sits between them
    ("09:15 - 3 آبان 1401", "2022-10-25T09:15:00+03:30"),
    ("۰۹:۱۵ - ۳ آبان ۱۴۰۱", "2022-10-25T09:15:00+03:30"),
    ("17:05 1400/07/19", "2021-10-11T17:05:00+03:30"),
    ("زمان: 17:05 1400/07/19", "2021-10-11T17:05:00+03:30"),
    ("ساعت ۱۰:۲۰ | ۱۴۰۳/۰۵/۰۱", "2024-07-22T10:20:00+03:30"),
    ("۱۸:۳۰، ۱۲ مهر ۱۴۰۲", "2023-10-04T18:30:00+03:30"),
    ("۱۸:۳۰ / ۱۲ مهر ۱۴۰۲", "2023-10-04T18:30:00+03:30"),
    ("زمان انتشار: ۱۲ مهر ۱۴۰۲ - ۱۸:۳۰", "2023-10-04T18:30:00+03:30"),
    ("۱:۳۰ شب ۱۲ مهر ۱۴۰۲", "2023-10-04T01:30:00+03:30"),
    # «۱۲ شب» is 00:xx of the date written beside it (it used to be refused as ambiguous)
    ("۱۲:۰۰ شب ۱۲ شهریور ۱۴۰۴", "2025-09-03T00:00:00+03:30"),
    # the supported years are 1900-2200 in Tehran; 1900 is still local mean time (+03:25:44) in zoneinfo
    ("1900-01-01", "1900-01-01T00:00:00+03:25:44"),
    ("۱۱ دی ۱۲۷۸", "1900-01-01T00:00:00+03:25:44"),
    ("Mon, 01 Jan 1900 12:00:00 GMT", "1900-01-01T15:25:44+03:25:44"),
    ("2200-12-31T23:59:59+03:30", "2200-12-31T23:59:59+03:30"),
    ("31 Dec 2200 20:00:00 GMT", "2200-12-31T23:30:00+03:30"),
    # absurdly many fraction digits are only precision, not an error
    ("2024-08-02T10:00:00." + "1234567" + "9" * 5000 + "+03:30", "2024-08-02T10:00:00+03:30"),
    # DST: the same summer month across years
    ("۱۵ تیر ۱۳۹۸ - ۱۲:۰۰", "2019-07-06T12:00:00+04:30"),
    ("۱۵ تیر ۱۴۰۰ - ۱۲:۰۰", "2021-07-06T12:00:00+04:30"),
    ("۱۵ تیر ۱۴۰۱ - ۱۲:۰۰", "2022-07-06T12:00:00+04:30"),
    ("۱۵ تیر ۱۴۰۲ - ۱۲:۰۰", "2023-07-06T12:00:00+03:30"),
    ("۱۵ تیر ۱۴۰۳ - ۱۲:۰۰", "2024-07-05T12:00:00+03:30"),
    # DST: the last fall-back, 2022-09-21 24:00 (+04:30) -> 23:00 (+03:30); the repeated hour takes fold=0
    ("۲۹ شهریور ۱۴۰۱ - ۱۲:۰۰", "2022-09-20T12:00:00+04:30"),
    ("۳۰ شهریور ۱۴۰۱ - ۲۲:۵۹", "2022-09-21T22:59:00+04:30"),
    ("۳۰ شهریور ۱۴۰۱ - ۲۳:۳۰", "2022-09-21T23:30:00+04:30"),
    ("۳۱ شهریور ۱۴۰۱ - ۰۰:۰۰", "2022-09-22T00:00:00+03:30"),
    ("۱ مهر ۱۴۰۱ - ۱۲:۰۰", "2022-09-23T12:00:00+03:30"),
    ("۳۰ شهریور ۱۴۰۰ ۲۳:۳۰", "2021-09-21T23:30:00+04:30"),
    # DST: the spring gap is 00:00-00:59 on 2 Farvardin; fold=0 reads such a time with +03:30 -> one hour later
    ("۱ فروردین ۱۴۰۰ ۲۳:۵۹", "2021-03-21T23:59:00+03:30"),
    ("۲ فروردین ۱۴۰۰ ۰۰:۰۰", "2021-03-22T01:00:00+04:30"),
    ("۲ فروردین ۱۴۰۰ ۰۰:۳۰", "2021-03-22T01:30:00+04:30"),
    ("۲ فروردین ۱۴۰۰ ۰۱:۰۰", "2021-03-22T01:00:00+04:30"),
    ("2021-03-22 00:30", "2021-03-22T01:30:00+04:30"),
    ("۲ فروردین ۱۴۰۱ ۰۰:۳۰", "2022-03-22T01:30:00+04:30"),
    ("۲ فروردین ۱۳۹۹", "2020-03-21T01:00:00+04:30"),  # a date-only 2 Farvardin: its midnight is in the gap
    ("2000-03-21", "2000-03-21T01:00:00+04:30"),
    # no DST any more in 2023: the old gap time exists, summer stays +03:30
    ("۲ فروردین ۱۴۰۲ ۰۰:۳۰", "2023-03-22T00:30:00+03:30"),
    ("۱۵ مرداد ۱۴۰۲ - ۰۹:۰۰", "2023-08-06T09:00:00+03:30"),
]

RELATIVE_CASES = [
    ("۳ ساعت پیش", "2025-09-03T17:00:00+03:30"),
    ("۱۰ دقیقه پیش", "2025-09-03T19:50:00+03:30"),
    ("لحظاتی پیش", "2025-09-03T20:00:00+03:30"),
    ("امروز ۱۰:۲۰", "2025-09-03T10:20:00+03:30"),
    ("امروز ساعت ۱۰:۲۰", "2025-09-03T10:20:00+03:30"),
    ("دیروز ۱۸:۰۰", "2025-09-02T18:00:00+03:30"),
    ("دیروز", "2025-09-02T00:00:00+03:30"),
    ("۲ روز قبل", "2025-09-01T20:00:00+03:30"),
    ("یک هفته پیش", "2025-08-27T20:00:00+03:30"),
    ("دو ماه پیش", "2025-07-05T20:00:00+03:30"),
    ("یک سال پیش", "2024-09-03T20:00:00+03:30"),
    ("دوازده ساعت قبل", "2025-09-03T08:00:00+03:30"),
    ("یازده دقیقه پیش", "2025-09-03T19:49:00+03:30"),
    ("۲ ساعت و ۳۰ دقیقه پیش", "2025-09-03T17:30:00+03:30"),
    # 45901 days before NOW is the first day of 1900 (16:30 UTC = 19:55:44 local mean time)
    ("۴۵۹۰۱ روز پیش", "1900-01-01T19:55:44+03:25:44"),
]

IMPOSSIBLE_CASES = [
    ("۳۰ اسفند ۱۴۰۲", "1402 is not a leap year"),
    ("1402/13/01", "no month 13"),
    ("۳۲ فروردین ۱۴۰۳", "has 31 days"),
    ("۳۱ مهر ۱۴۰۳", "has 30 days"),
    ("۳۱ اسفند ۱۴۰۳", "has 30 days"),
    ("۰ شهریور ۱۴۰۴", "no day 0"),
    ("۱۲ شهریور ۱۴۰۴ - ۲۵:۰۰", "hour 25"),
    ("۱۲ شهریور ۱۴۰۴ - ۱۰:۶۰", "minute 60"),
    ("2026-13-01T00:00:00Z", "no month 13"),
    ("2023-02-29", "February 2023 has 28 days"),
    ("2024-08-02T24:00:00", "hour 24"),
    ("Fri, 32 Jan 2026 13:07:50 GMT", "RFC 822"),
    ("Mon, 17 Jul 2018 22:15:01 CET", "unknown time zone"),
    ("12/30/2016 13:00:00 AM", "contradicts"),
    # years: RFC 822 dates are Gregorian and need a century; every result must land in 1900-2200 in Tehran
    ("Fri, 31 Dec 9999 23:59:59 GMT", "RFC 822 year 9999 is outside 1900-2200"),
    ("Sat, 01 Jan 0000 00:00:00 GMT", "RFC 822 year 0000 is outside 1900-2200"),
    ("Sun, 01 Jan 1404 10:00:00 +0330", "RFC 822 year 1404 is outside 1900-2200"),
    ("Fri, 02 Jan 26 13:07:50 GMT", "RFC 822 year '26' has no century"),
    ("Tue, 17 Jul 99 22:15:01 +0430", "RFC 822 year '99' has no century"),
    ("Fri, 02 Jan 026 13:07:50 GMT", "RFC 822 year '026' has no century"),
    ("Mon, 01 Jan 1900 00:00:00 +0330", "1899-12-31 is outside the years 1900-2200"),
    ("9999-12-31T23:59:59Z", "year 9999 is neither Jalali"),
    ("0000-01-01", "year 0 is neither Jalali"),
    ("1900-01-01T00:00:00+14:00", "1899-12-31 is outside the years 1900-2200"),
    ("2200-12-31T23:59:00Z", "2201-01-01 is outside the years 1900-2200"),
    ("۱ فروردین ۱۲۵۰", "1871-03-21 is outside the years 1900-2200"),
    ("۱۰ دی ۱۲۷۸", "1899-12-31 is outside the years 1900-2200"),
    ("۲۰۰ سال پیش", "1825-10-22 is outside the years 1900-2200"),
    ("۴۵۹۰۲ روز پیش", "1899-12-31 is outside the years 1900-2200"),
    ("۹۹۹۹۹۹ سال پیش", "relative date too far in the past"),
    ("999999999 سال پیش", "relative date too far in the past"),
    ("1" + "0" * 20 + " دقیقه پیش", "a relative amount of 21 digits lands before 1900"),
    ("5" * 5000 + " دقیقه پیش", "a relative amount of 5000 digits lands before 1900"),
    ("1700/01/01", "neither Jalali"),
    ("12 شهریور 2025", "outside the Jalali range"),
    ("30/12/2016", "no month 30"),
    ("۱۲ شهریور ۱۴۰۴ - ۱۰:۰۰ - ۱۱:۰۰", "more than one clock time"),
    ("امروز هوا خوب است", "no recognisable date"),
    ("۱۰:۲۰", "no recognisable date"),
    ("۱۲ شهریور", "no recognisable date"),
    ("دقایقی پیش", "no recognisable date"),
    ("۳ ساعت پیش ۱۰:۲۰", "relative"),
    ("", "empty"),
    (" \u200f ", "empty"),
]


@pytest.mark.parametrize(("text", "expected"), PARSE_CASES)
def test_parse_datetime(text: str, expected: str) -> None:
    parsed = parse_datetime(text, now=NOW)
    assert parsed.tzinfo is TEHRAN
    assert to_iso(parsed) == expected
    assert parsed.isoformat(timespec="seconds") == expected  # already canonical, no conversion needed


@pytest.mark.parametrize(("text", "expected"), RELATIVE_CASES)
def test_parse_relative(text: str, expected: str) -> None:
    assert to_iso(parse_datetime(text, now=NOW)) == expected


def test_relative_counts_real_hours_across_the_spring_gap() -> None:
    # 2022-03-22 03:00+04:30 minus 3 real hours; wall-clock arithmetic would land in the 00:00-01:00 gap
    now = datetime(2022, 3, 22, 3, 0, tzinfo=TEHRAN)
    assert to_iso(parse_datetime("۳ ساعت پیش", now=now)) == "2022-03-21T23:00:00+03:30"


def test_relative_accepts_naive_and_foreign_now() -> None:
    assert to_iso(parse_datetime("۱۰ دقیقه پیش", now=datetime(2025, 9, 3, 20, 0))) == "2025-09-03T19:50:00+03:30"
    utc_now = datetime(2025, 9, 3, 21, 0, tzinfo=timezone.utc)  # already 4 September in Tehran
    assert to_iso(parse_datetime("امروز ۱۰:۲۰", now=utc_now)) == "2025-09-04T10:20:00+03:30"


def test_two_digit_year_follows_now() -> None:
    # in 1404, «۰۵» is next year (1405) and «۰۶» falls back to 1306
    assert to_jalali_iso(parse_datetime("۱ مهر ۰۵", now=NOW)) == "1405-07-01T00:00:00"
    assert to_jalali_iso(parse_datetime("۱ مهر ۰۶", now=NOW)) == "1306-07-01T00:00:00"


@pytest.mark.parametrize(("text", "reason"), IMPOSSIBLE_CASES)
def test_impossible_dates_raise(text: str, reason: str) -> None:
    with pytest.raises(DateParseError) as caught:
        parse_datetime(text, now=NOW)
    message = str(caught.value)
    assert repr(text) in message
    assert reason in message
    assert caught.value.text == text


# Clock as written + day-part word -> wall time on 12 Shahrivar 1404 (2025-09-03, +03:30).
DAY_PART_CASES = [
    # morning: as written; 12 is the midnight that starts the day; 0 is how agencies write «۰۰:۳۰ بامداد»
    ("۷:۴۵ صبح", "07:45"),
    ("۱۱:۵۹ صبح", "11:59"),
    ("۱۲:۱۵ صبح", "00:15"),
    ("۳:۰۰ بامداد", "03:00"),
    ("۱۲:۳۰ بامداد", "00:30"),
    ("۰۰:۳۰ بامداد", "00:30"),
    # midday: 11 and 12 as written, 1-3 are early afternoon
    ("۱۱:۳۰ ظهر", "11:30"),
    ("۱۲:۰۰ ظهر", "12:00"),
    ("۱:۳۰ ظهر", "13:30"),
    ("۳:۱۵ ظهر", "15:15"),
    # afternoon: 1-11 are PM, a 24-hour clock is kept
    ("۱:۰۰ عصر", "13:00"),
    ("۶:۱۵ عصر", "18:15"),
    ("۱۱:۰۰ عصر", "23:00"),
    ("۱۷:۰۰ عصر", "17:00"),
    # night: 7-11 evening, 12 and 1-4 after midnight (same date), 5-6 early evening, 24-hour clock kept
    ("۷:۰۰ شب", "19:00"),
    ("۱۱:۳۰ شب", "23:30"),
    ("۱۲:۰۰ شب", "00:00"),
    ("۱۲:۴۵ شب", "00:45"),
    ("۱:۳۰ شب", "01:30"),
    ("۴:۵۹ شب", "04:59"),
    ("۵:۰۰ شب", "17:00"),
    ("۶:۳۰ شب", "18:30"),
    ("۲۱:۰۰ شب", "21:00"),
    ("۱۳:۰۰ شب", "13:00"),
    ("۰۰:۲۰ شب", "00:20"),
    # explicit AM/PM keep the ordinary 12-hour rule
    ("۱۲:۰۵ ق.ظ", "00:05"),
    ("۱۱:۰۰ قبل از ظهر", "11:00"),
    ("۹:۳۳ ب.ظ", "21:33"),
    ("۱۲:۰۵ ب.ظ", "12:05"),
    ("۱:۰۰ بعد از ظهر", "13:00"),
    ("۱۵:۰۰ بعد از ظهر", "15:00"),
    ("12:30 AM", "00:30"),
    ("12:30 PM", "12:30"),
    ("5:30 p.m.", "17:30"),
    ("۱۳:۳۰ ظهر", "13:30"),  # a 24-hour clock beside «ظهر» is taken at its word
]

DAY_PART_CONTRADICTIONS = [
    "۱۰:۰۰ ظهر",
    "۴:۰۰ ظهر",
    "۰:۳۰ ظهر",
    "۱۶:۰۰ ظهر",
    "۱۲:۰۰ عصر",
    "۰:۳۰ عصر",
    "۱۳:۰۰ صبح",
    "۲۳:۰۰ بامداد",
    "۰:۱۰ ب.ظ",
    "۱۳:۰۰ ق.ظ",
    "۲۴:۰۰ شب",
]


@pytest.mark.parametrize("layout", ["۱۲ شهریور ۱۴۰۴ ساعت {clock}", "{clock} - ۱۲ شهریور ۱۴۰۴"])
@pytest.mark.parametrize(("clock", "expected"), DAY_PART_CASES)
def test_day_part_words(layout: str, clock: str, expected: str) -> None:
    parsed = parse_datetime(layout.format(clock=clock), now=NOW)
    assert to_iso(parsed) == f"2025-09-03T{expected}:00+03:30"


@pytest.mark.parametrize("clock", DAY_PART_CONTRADICTIONS)
def test_day_part_word_contradicting_the_hour_is_refused(clock: str) -> None:
    with pytest.raises(DateParseError, match="contradicts the marker"):
        parse_datetime(f"۱۲ شهریور ۱۴۰۴ ساعت {clock}", now=NOW)


def test_day_part_must_be_a_whole_word() -> None:
    # «شبکه» (a TV channel) after the time is not «شب»: with no marker the clock is the 24-hour 10:00
    assert to_iso(parse_datetime("۱۲ شهریور ۱۴۰۴ ۱۰:۰۰", now=NOW)) == "2025-09-03T10:00:00+03:30"
    with pytest.raises(DateParseError, match="no recognisable date"):
        parse_datetime("۱۲ شهریور ۱۴۰۴ ۱۰:۰۰ شبکه", now=NOW)


def test_error_message_names_input_and_reason() -> None:
    with pytest.raises(DateParseError) as caught:
        parse_datetime("۳۰ اسفند ۱۴۰۲")
    assert str(caught.value) == "impossible Jalali date 1402-12-30 (1402 is not a leap year) in '۳۰ اسفند ۱۴۰۲'"
    assert isinstance(caught.value, ValueError)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert str(copy) == str(caught.value)


def test_non_string_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        parse_datetime(None)  # type: ignore[arg-type]


def test_now_defaults_to_the_current_time() -> None:
    before = datetime.now(timezone.utc)
    parsed = parse_datetime("لحظاتی پیش")
    assert parsed.tzinfo is TEHRAN
    assert before - timedelta(seconds=1) <= parsed <= datetime.now(timezone.utc)


# --- to_iso / to_jalali_iso ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "iso", "jalali"),
    [
        (datetime(2021, 5, 17, 9, 0, tzinfo=timezone.utc), "2021-05-17T13:30:00+04:30", "1400-02-27T13:30:00"),
        (datetime(2025, 9, 3, 14, 47, tzinfo=timezone.utc), "2025-09-03T18:17:00+03:30", "1404-06-12T18:17:00"),
        # crosses midnight in Tehran: 21:00 UTC is already the next Jalali day
        (datetime(2016, 12, 29, 21, 0, tzinfo=timezone.utc), "2016-12-30T00:30:00+03:30", "1395-10-10T00:30:00"),
        (datetime(2024, 8, 2, 10, 0), "2024-08-02T10:00:00+03:30", "1403-05-12T10:00:00"),  # naive = Tehran
        (datetime(2024, 8, 2, 10, 0, 5, 999_999, tzinfo=TEHRAN), "2024-08-02T10:00:05+03:30", "1403-05-12T10:00:05"),
        (datetime(2024, 3, 19, 23, 59, tzinfo=TEHRAN), "2024-03-19T23:59:00+03:30", "1402-12-29T23:59:00"),
        # a gap wall time built by hand is canonicalised like the parser does
        (datetime(2021, 3, 22, 0, 30, tzinfo=TEHRAN), "2021-03-22T01:30:00+04:30", "1400-01-02T01:30:00"),
        # the repeated autumn hour, second occurrence (fold=1) keeps its own offset
        (datetime(2021, 9, 21, 23, 30, tzinfo=TEHRAN, fold=1), "2021-09-21T23:30:00+03:30", "1400-06-30T23:30:00"),
        (
            datetime(2021, 9, 21, 19, 30, tzinfo=timezone(timedelta(hours=-4))),
            "2021-09-22T03:00:00+03:30",
            "1400-06-31T03:00:00",
        ),
    ],
)
def test_to_iso_and_to_jalali_iso(value: datetime, iso: str, jalali: str) -> None:
    assert to_iso(value) == iso
    assert to_jalali_iso(value) == jalali


# --- choose_published ---------------------------------------------------------------------------------------------


def test_choose_future_meta_loses_to_visible_date() -> None:
    chosen, reasons = choose_published(["2025-09-10T10:00:00+03:30", "۱۲ شهریور ۱۴۰۴ - ۱۸:۱۷"], now=NOW)
    assert chosen is not None and to_iso(chosen) == "2025-09-03T18:17:00+03:30"
    assert len(reasons) == 1
    assert "candidate 1" in reasons[0] and "2025-09-10T10:00:00" in reasons[0] and "after now" in reasons[0]


def test_choose_all_future_returns_first_with_reason() -> None:
    chosen, reasons = choose_published(["2025-09-10T10:00:00+03:30", "۲۰ شهریور ۱۴۰۴"], now=NOW)
    assert chosen is not None and to_iso(chosen) == "2025-09-10T10:00:00+03:30"
    assert len(reasons) == 1 and "all valid candidates" in reasons[0]


def test_choose_single_future_candidate_is_kept_with_reason() -> None:
    chosen, reasons = choose_published(["۱ مهر ۱۴۰۴"], now=NOW)
    assert chosen is not None and to_iso(chosen) == "2025-09-23T00:00:00+03:30"
    assert len(reasons) == 1 and "all valid candidates" in reasons[0]


def test_choose_agreeing_future_candidates_are_all_future() -> None:
    chosen, reasons = choose_published(["2025-09-10T10:00:00+03:30", "2025-09-10T10:00:30+03:30"], now=NOW)
    assert chosen is not None and to_iso(chosen) == "2025-09-10T10:00:00+03:30"
    assert len(reasons) == 1 and "all valid candidates" in reasons[0]


def test_choose_skips_impossible_first_candidate_with_reason() -> None:
    chosen, reasons = choose_published(["۳۰ اسفند ۱۴۰۲", "2024-03-19T10:00:00+03:30"], now=NOW)
    assert chosen is not None and to_iso(chosen) == "2024-03-19T10:00:00+03:30"
    assert len(reasons) == 1
    assert "candidate 1" in reasons[0] and "not a leap year" in reasons[0] and "۳۰ اسفند ۱۴۰۲" in reasons[0]


def test_choose_empty_list() -> None:
    assert choose_published([], now=NOW) == (None, [])


def test_choose_skips_blank_candidates_silently() -> None:
    chosen, reasons = choose_published([None, "", "   ", "\u200f", "2024-08-02"], now=NOW)
    assert chosen is not None and to_iso(chosen) == "2024-08-02T00:00:00+03:30"
    assert reasons == []


def test_choose_nothing_valid() -> None:
    chosen, reasons = choose_published(["فردا", "۳۲ دی ۱۴۰۳"], now=NOW)
    assert chosen is None
    assert [r.split(":")[0] for r in reasons] == ["candidate 1 rejected", "candidate 2 rejected"]


def test_choose_slightly_future_is_trusted() -> None:
    # within a day of now: a time-zone slip, not a scheduled post
    chosen, reasons = choose_published(["2025-09-04T10:00:00+03:30", "۱۲ شهریور ۱۴۰۴"], now=NOW)
    assert chosen is not None and to_iso(chosen) == "2025-09-04T10:00:00+03:30"
    assert reasons == []


def test_choose_two_disagreeing_future_then_valid() -> None:
    candidates = ["2025-09-10T10:00:00+03:30", "2025-10-01T10:00:00Z", "bad", "۱۱ شهریور ۱۴۰۴ - ۰۹:۰۰"]
    chosen, reasons = choose_published(candidates, now=NOW)
    assert chosen is not None and to_iso(chosen) == "2025-09-02T09:00:00+03:30"
    assert [r.split()[1] for r in reasons] == ["1", "2", "3"]


def test_choose_survives_candidates_that_once_overflowed() -> None:
    candidates = ["Fri, 31 Dec 9999 23:59:59 GMT", "5" * 5000 + " دقیقه پیش", "۱۲ شهریور ۱۴۰۴ - ۱۸:۱۷"]
    chosen, reasons = choose_published(candidates, now=NOW)
    assert chosen is not None and to_iso(chosen) == "2025-09-03T18:17:00+03:30"
    assert [r.split(":")[0] for r in reasons] == ["candidate 1 rejected", "candidate 2 rejected"]
    assert "year 9999" in reasons[0] and "5000 digits" in reasons[1]


def test_choose_reports_broken_candidates_after_the_chosen_one() -> None:
    chosen, reasons = choose_published(["2024-08-02T10:00:00+03:30", "۳۰ اسفند ۱۴۰۲"], now=NOW)
    assert chosen is not None and to_iso(chosen) == "2024-08-02T10:00:00+03:30"
    assert len(reasons) == 1 and "candidate 2" in reasons[0]


# --- properties ---------------------------------------------------------------------------------------------------

MONTH_NAMES = ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"]
TO_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
TO_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
TO_ARABIC_LETTERS = str.maketrans({"ی": "ي", "ک": "ك"})


@st.composite
def jalali_wall_times(draw: st.DrawFn) -> tuple[int, int, int, int, int]:
    year = draw(st.integers(1300, 1499))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, JalaliDate.days_in_month(month, year)))
    return year, month, day, draw(st.integers(0, 23)), draw(st.integers(0, 59))


def _exists_in_tehran(year: int, month: int, day: int, hour: int, minute: int) -> bool:
    """False for wall times skipped by a spring-forward jump (they resolve to a later wall time by design)."""
    wall = datetime.combine(JalaliDate(year, month, day).to_gregorian(), datetime.min.time()).replace(
        hour=hour, minute=minute
    )
    canonical = wall.replace(tzinfo=TEHRAN).astimezone(timezone.utc).astimezone(TEHRAN)
    return canonical.replace(tzinfo=None) == wall


@given(jalali_wall_times())
def test_jalali_text_round_trip(parts: tuple[int, int, int, int, int]) -> None:
    year, month, day, hour, minute = parts
    assume(_exists_in_tehran(*parts))
    text = f"{day} {MONTH_NAMES[month - 1]} {year} - {hour:02d}:{minute:02d}".translate(TO_PERSIAN_DIGITS)
    expected = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00"
    assert to_jalali_iso(parse_datetime(text, now=NOW)) == expected


@given(
    jalali_wall_times(),
    st.sampled_from([" - ", "، ", " ساعت ", " / ", " "]),
    st.sampled_from([TO_PERSIAN_DIGITS, TO_ARABIC_DIGITS, str.maketrans({})]),
    st.booleans(),
    st.sampled_from(["", "تاریخ انتشار: ", "\u200f"]),
)
def test_jalali_text_variants_round_trip(
    parts: tuple[int, int, int, int, int], separator: str, digit_map: dict[int, str], arabic: bool, prefix: str
) -> None:
    year, month, day, hour, minute = parts
    assume(_exists_in_tehran(*parts))
    month_name = MONTH_NAMES[month - 1].translate(TO_ARABIC_LETTERS) if arabic else MONTH_NAMES[month - 1]
    text = prefix + f"{day:02d} {month_name}\u200cماه {year}{separator}{hour}:{minute:02d}".translate(digit_map)
    expected = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00"
    assert to_jalali_iso(parse_datetime(text, now=NOW)) == expected


@given(st.dates(min_value=date(1921, 1, 1), max_value=date(2120, 12, 31)))
def test_gregorian_jalali_gregorian_round_trip(day: date) -> None:
    jalali = JalaliDate.to_jalali(day)
    assert jalali.to_gregorian() == day
    numeric = f"{jalali.year}/{jalali.month:02d}/{jalali.day:02d}"
    assert parse_datetime(numeric, now=NOW).date() == day
    # date part only: midnight of 2 Farvardin did not exist in DST years and becomes 01:00 (see the gap rows)
    assert to_jalali_iso(parse_datetime(day.isoformat(), now=NOW))[:10] == jalali.isoformat()


@given(st.datetimes(min_value=datetime(1921, 3, 21), max_value=datetime(2120, 12, 31), timezones=st.just(timezone.utc)))
def test_iso_round_trip_is_the_same_instant(instant: datetime) -> None:
    iso = to_iso(instant)
    parsed = parse_datetime(iso, now=NOW)
    # Compared in UTC: under PEP 495 a time in the repeated autumn hour never compares equal across zones.
    assert parsed.astimezone(timezone.utc) == instant.replace(microsecond=0)
    assert to_iso(parsed) == iso


FRAGMENTS = [
    *MONTH_NAMES,
    "دى",
    "امرداد",
    "ماه",
    "ساعت",
    "پیش",
    "قبل",
    "امروز",
    "دیروز",
    "یک",
    "دوازده",
    "هفته",
    "سال",
    "شنبه",
    "ب.ظ",
    "قبل از ظهر",
    "شب",
    "PM",
    "Jan",
    "December",
    "Fri,",
    "GMT",
    "+0330",
    "Z",
    "T",
    "-",
    "/",
    ":",
    "،",
    " ",
    "[",
    "]",
    "\u200c",
    "\u200f",
    "۱۴۰۴",
    "1399",
    "2024",
    "9999",
    "0000",
    "12",
    "30",
    "31",
    "00",
    "99",
]


# Words that steer the parser into one branch or another: day-parts, labels, weekdays, relative units, zones.
WORDS = [
    *FRAGMENTS,
    "اردیبهشت\u200cماه",
    "ارديبهشت",
    "صبح",
    "بامداد",
    "ظهر",
    "عصر",
    "بعد از ظهر",
    "ق.ظ",
    "AM",
    "a.m.",
    "p.m.",
    "تاریخ انتشار:",
    "زمان:",
    "آخرین به\u200cروزرسانی:",
    "سه\u200cشنبه",
    "جمعه",
    "دقیقه",
    "روز",
    "لحظاتی",
    "و",
    "IRST",
    "IRDT",
    "CET",
    "-0000",
    "+14:00",
    "Mon,",
    "Sept",
]
DIGIT_SCRIPTS = [str.maketrans({}), TO_PERSIAN_DIGITS, TO_ARABIC_DIGITS]

NUMBERS = st.one_of(
    st.integers(0, 99).map(str),
    st.integers(0, 99).map("{:02d}".format),
    st.integers(0, 99_999).map(str),
    st.integers(10**9, 10**40).map(str),
    st.integers(4_290, 5_000).map(lambda n: "5" * n),  # around int()'s 4300-digit limit
)
# Half of the draws are plausible (hours up to 23, years near both calendars' edges), so that the "parsed" branch
# of the property is exercised as often as the "refused" one.
TWO_DIGITS = (st.integers(0, 99) | st.integers(0, 23)).map("{:02d}".format)
YEARS = st.integers(0, 99_999) | st.integers(1_190, 1_510) | st.integers(1_890, 2_210)


def in_any_script(texts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """The same text with its digits in ASCII, Persian or Arabic-Indic, as sites mix all three."""
    return st.tuples(texts, st.sampled_from(DIGIT_SCRIPTS)).map(lambda pair: pair[0].translate(pair[1]))


@st.composite
def rfc822_skeletons(draw: st.DrawFn) -> str:
    weekday = draw(st.sampled_from(["", "Mon, ", "Fri, ", "Xyz, "]))
    month = draw(st.sampled_from(["Jan", "Mar", "Dec", "Foo"]))
    year_text = f"{draw(YEARS):0{draw(st.integers(2, 4))}d}"
    clock = ":".join(draw(st.lists(TWO_DIGITS, min_size=2, max_size=3)))
    zone = draw(
        st.sampled_from(["GMT", "UT", "Z", "EST", "IRST", "IRDT", "CET", "-0000", "abcdef"])
        | st.tuples(st.sampled_from("+-"), st.integers(0, 9_999)).map(lambda t: f"{t[0]}{t[1]:04d}")
    )
    return f"{weekday}{draw(TWO_DIGITS)} {month} {year_text} {clock} {zone}"


@st.composite
def iso_skeletons(draw: st.DrawFn) -> str:
    text = f"{draw(YEARS):04d}-{draw(TWO_DIGITS)}-{draw(TWO_DIGITS)}"
    if draw(st.booleans()):
        return text
    text += f"{draw(st.sampled_from(['T', ' ']))}{draw(TWO_DIGITS)}:{draw(TWO_DIGITS)}:{draw(TWO_DIGITS)}"
    text += draw(
        st.just("")
        | st.text("0123456789", min_size=1, max_size=30).map(".".__add__)
        | st.integers(4_290, 5_000).map(lambda n: "," + "9" * n)
    )
    sign = draw(st.sampled_from("+-"))
    return text + draw(
        st.sampled_from(["", "Z", "z"])
        | st.tuples(TWO_DIGITS, TWO_DIGITS).map(lambda hm: f"{sign}{hm[0]}:{hm[1]}")
        | st.tuples(TWO_DIGITS, TWO_DIGITS, TWO_DIGITS).map(lambda hms: sign + "".join(hms))
        | TWO_DIGITS.map(sign.__add__)
    )


@st.composite
def jalali_skeletons(draw: st.DrawFn) -> str:
    day = draw(NUMBERS | st.integers(0, 32).map(str))
    year = draw(NUMBERS | YEARS.map(str))
    month = draw(st.sampled_from(MONTH_NAMES))
    separator = draw(st.sampled_from([" - ", "، ", " ساعت ", " / ", " | ", " "]))
    clock = f"{draw(st.integers(0, 99) | st.integers(0, 24))}:{draw(TWO_DIGITS)}"
    day_part = draw(st.sampled_from(["", " صبح", " بامداد", " ظهر", " عصر", " شب", " ب.ظ", " قبل از ظهر"]))
    date_text = f"{day} {month} {year}" if draw(st.booleans()) else f"{year}/{draw(TWO_DIGITS)}/{day}"
    if draw(st.booleans()):
        return f"{date_text}{separator}{clock}{day_part}"
    return f"{clock}{day_part}{separator}{date_text}"


@st.composite
def relative_skeletons(draw: st.DrawFn) -> str:
    unit = st.sampled_from(["دقیقه", "ساعت", "روز", "هفته", "ماه", "سال"])
    amounts = draw(st.lists(st.tuples(NUMBERS | st.sampled_from(["یک", "دوازده"]), unit), min_size=1, max_size=3))
    return " و ".join(f"{n} {u}" for n, u in amounts) + draw(st.sampled_from([" پیش", " قبل", "پیش"]))


SKELETONS = st.one_of(rfc822_skeletons(), iso_skeletons(), jalali_skeletons(), relative_skeletons())
# Fragments of date syntax glued in any order, the skeletons above, and skeletons with noise around them.
DATE_LIKE_TEXTS = in_any_script(
    st.one_of(
        SKELETONS,
        st.lists(st.one_of(NUMBERS, st.sampled_from(WORDS)), max_size=12).map("".join),
        st.tuples(st.sampled_from(WORDS), SKELETONS, st.sampled_from(WORDS)).map(" ".join),
    )
)


def assert_parsed_or_refused(text: str) -> None:
    """The contract callers rely on: a Tehran datetime within 1900-2200, or DateParseError -- nothing else."""
    try:
        parsed = parse_datetime(text, now=NOW)
    except DateParseError as error:
        assert error.text == text and error.reason
        assert repr(text) in str(error)
        return
    assert isinstance(parsed, datetime) and parsed.tzinfo is TEHRAN
    assert 1900 <= parsed.year <= 2200
    # What we return must itself be readable, as the same instant.
    assert to_iso(parse_datetime(to_iso(parsed), now=NOW)) == to_iso(parsed)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_parses_in_range_or_raises_date_parse_error(text: str) -> None:
    assert_parsed_or_refused(text)


@settings(max_examples=500, deadline=None)
@given(DATE_LIKE_TEXTS)
def test_date_like_text_parses_in_range_or_raises_date_parse_error(text: str) -> None:
    assert_parsed_or_refused(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.none() | st.text(max_size=30) | DATE_LIKE_TEXTS, max_size=5))
def test_choose_published_never_raises(candidates: list[str | None]) -> None:
    chosen, reasons = choose_published(candidates, now=NOW)
    assert all(isinstance(reason, str) and reason for reason in reasons)
    if chosen is None:
        # nothing valid: only rejections, each naming a real candidate, in candidate order
        numbers = [int(reason.split()[1]) for reason in reasons]
        assert all(reason.startswith(f"candidate {n} rejected: ") for n, reason in zip(numbers, reasons, strict=True))
        assert numbers == sorted(set(numbers)) and all(candidates[n - 1] is not None for n in numbers)
    else:
        assert chosen.tzinfo is TEHRAN and 1900 <= chosen.year <= 2200
