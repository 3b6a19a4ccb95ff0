"""The generic extractor's rules for pages nobody designed for, each on a small page written for it.

Every class of mistake real pages showed (time before the date, og:article dates, kicker and lead without known
classes, stale og:title, furniture in and under the body, odd news codes, attribution, publisher as author) has
its own test here; the gold set in fixtures/_wild scores them together on whole pages.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from newsbot import extract_article
from newsbot.parser import source_of

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=ZoneInfo("Asia/Tehran"))
URL = "https://www.example-news.ir/news/48213/x"
PARAGRAPHS = [
    "به گزارش خبرنگار ما، شورای شهر در نشست روز گذشته طرح تازه‌ای را برای ساماندهی پیاده‌روهای مرکز شهر بررسی کرد.",
    "رئیس شورا گفت: اجرای این طرح از ماه آینده آغاز می‌شود و تا پایان سال در همه محله‌های مرکزی ادامه خواهد داشت.",
    "بر اساس این مصوبه، بخشی از درآمدهای عوارض نوسازی به بهسازی معابر و نصب نیمکت‌های تازه اختصاص می‌یابد.",
]


def page(*, head: str = "", before_h1: str = "", h1: str = "ساماندهی پیاده‌روهای مرکز شهر از ماه آینده",
         after_h1: str = "", body: str | None = None, after_body: str = "", footer: str = "") -> str:
    body = body if body is not None else "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return f"""<!DOCTYPE html><html lang="fa" dir="rtl"><head><meta charset="utf-8">
<title>{h1} | خبر نمونه</title><meta property="og:site_name" content="خبر نمونه">{head}</head>
<body><header class="site-header"><h1 class="logo"><a href="/">خبر نمونه</a></h1>
<nav><ul><li><a href="/">خانه</a></li><li><a href="/service/city">شهری</a></li></ul></nav></header>
<main><article class="news-detail">{before_h1}<h1>{h1}</h1>{after_h1}
<div class="news-content">{body}</div>{after_body}</article></main>
<footer class="site-footer">{footer}<p>تماس با ما | درباره ما</p></footer></body></html>"""


def extract(html: str, url: str = URL) -> dict:
    return extract_article(html, url, now=NOW)


# ---- 1. time before the date ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("visible", "expected"), [
    ("09:15 - 3 آبان 1401", "2022-10-25T09:15:00+03:30"),
    ("زمان: 17:05 1400/07/19", "2021-10-11T17:05:00+03:30"),
    ("۱۸:۳۰، ۱۲ مهر ۱۴۰۲", "2023-10-04T18:30:00+03:30"),
    ("تاریخ انتشار: ۱۰:۲۰ | ۱۴۰۳/۰۵/۰۱", "2024-07-22T10:20:00+03:30"),
])
def test_a_visible_time_before_the_date_is_kept(visible: str, expected: str) -> None:
    record = extract(page(after_h1=f'<div class="news-date">{visible}</div>'))
    assert record["published_at"] == expected


# ---- 2. date sources --------------------------------------------------------------------------------------------
def test_og_article_published_time_is_read_and_naive_means_tehran() -> None:
    record = extract(page(head='<meta property="og:article:published_time" content="2024-03-05T08:40:12">'))
    assert record["published_at"] == "2024-03-05T08:40:12+03:30"


def test_seconds_of_an_agreeing_meta_are_kept() -> None:
    record = extract(page(head='<meta property="article:published_time" content="2024-03-05T05:10:47Z">',
                          after_h1='<div class="news-date">۱۵ اسفند ۱۴۰۲ - ۰۸:۴۰</div>'))
    assert record["published_at"] == "2024-03-05T08:40:47+03:30"


def test_the_update_time_is_not_the_publish_time() -> None:
    record = extract(page(
        head='<meta property="article:modified_time" content="2024-03-05T10:05:00+03:30">'
             '<meta property="article:published_time" content="2024-03-05T08:40:00+03:30">',
        after_h1='<div class="news-date">آخرین به‌روزرسانی: ۱۵ اسفند ۱۴۰۲ - ۱۰:۰۵</div>'))
    assert record["published_at"] == "2024-03-05T08:40:00+03:30"
    assert record["modified_at"] == "2024-03-05T10:05:00+03:30"


def test_a_date_only_time_element_does_not_beat_a_visible_time() -> None:
    record = extract(page(after_h1='<time datetime="2024-03-05">۱۵ اسفند</time>'
                                   '<div class="news-date">۱۵ اسفند ۱۴۰۲ ساعت ۰۸:۴۰</div>'))
    assert record["published_at"] == "2024-03-05T08:40:00+03:30"


# ---- 3. kicker and lead by position -------------------------------------------------------------------------------
LEAD = ("طرح ساماندهی پیاده‌روهای مرکز شهر با تصویب شورا از ماه آینده اجرا می‌شود و بخشی از عوارض نوسازی صرف "
        "بهسازی معابر خواهد شد.")


@pytest.mark.parametrize(("kicker_html", "lead_html"), [
    ('<h3 class="roo-titr">رئیس شورای شهر خبر داد</h3>', f'<p class="news-lead-text">{LEAD}</p>'),
    ('<div>رئیس شورای شهر خبر داد</div>', f'<div class="chapo">{LEAD}</div>'),
    ('<span class="top-title">رئیس شورای شهر خبر داد</span>', f"<h2>{LEAD}</h2>"),
])
def test_kicker_above_and_lead_below_the_headline_whatever_their_class(kicker_html: str, lead_html: str) -> None:
    record = extract(page(before_h1=kicker_html, after_h1=lead_html,
                          head=f'<meta name="description" content="{LEAD}">'))
    assert record["kicker"] == "رئیس شورای شهر خبر داد"
    assert record["lead"] == LEAD
    assert not record["body"].startswith(("رئیس شورای شهر خبر داد", LEAD))
    assert record["body"].split("\n")[0] == PARAGRAPHS[0]


def test_a_lead_without_a_class_is_confirmed_by_the_description() -> None:
    record = extract(page(after_h1=f"<p>{LEAD}</p>", head=f'<meta property="og:description" content="{LEAD}">'))
    assert record["lead"] == LEAD


def test_the_first_paragraph_is_not_taken_for_a_lead() -> None:
    record = extract(page(body="".join(f"<p>{p}</p>" for p in PARAGRAPHS)))
    assert record["lead"] is None and record["kicker"] is None
    assert record["body"].split("\n")[0] == PARAGRAPHS[0]


def test_a_breadcrumb_or_date_above_the_headline_is_not_a_kicker() -> None:
    record = extract(page(before_h1='<div class="path"><a href="/">خانه</a> / <a href="/city">شهری</a></div>'
                                    '<div>۱۵ اسفند ۱۴۰۲ - ۰۸:۴۰</div>'))
    assert record["kicker"] is None


# ---- 4. titles -----------------------------------------------------------------------------------------------------
def test_a_stale_live_coverage_og_title_loses_to_the_article_h1() -> None:
    head = ('<meta property="og:title" content="لحظه به لحظه با نشست شورای شهر">'
            '<meta property="og:title" content="نشست شورا آغاز شد">')
    record = extract(page(head=head).replace("<title>ساماندهی پیاده‌روهای مرکز شهر از ماه آینده | خبر نمونه</title>",
                                             "<title>لحظه به لحظه با نشست شورای شهر</title>"))
    assert record["title"] == "ساماندهی پیاده‌روهای مرکز شهر از ماه آینده"


# ---- 5. furniture in and under the body -----------------------------------------------------------------------------
def test_read_more_boxes_and_link_lines_are_not_body() -> None:
    body = (f"<p>{PARAGRAPHS[0]}</p>"
            '<p><strong>بیشتر بخوانید: </strong><a href="/news/48100/y">افتتاح پارک محله‌ای در منطقه ۶</a></p>'
            f"<p>{PARAGRAPHS[1]}</p>"
            '<h4><a href="https://tn.ai/3012345">مخالفت اصناف با طرح پیاده‌راه‌سازی خیابان مرکزی</a></h4>'
            f"<p>{PARAGRAPHS[2]}</p>")
    record = extract(page(body=body))
    assert record["body"] == "\n".join(PARAGRAPHS)


def test_a_subheading_starting_with_br_is_body_text() -> None:
    body = f"<p>{PARAGRAPHS[0]}</p><h3><br/>مرحله دوم طرح</h3><p>{PARAGRAPHS[1]}</p>"
    record = extract(page(body=body))
    assert record["body"].split("\n")[1] == "مرحله دوم طرح"


def test_site_footers_and_related_lines_after_the_story_are_dropped() -> None:
    after = ('<div class="note"><p>"ایرنا" افتتاح سه مدرسه تازه در جنوب شهر با حضور وزیر</p>'
             '<p>"ایسنا" برگزاری جشنواره محله‌ها در پایان هفته با برنامه‌های متنوع</p></div>')
    footer = ("<p>این سایت اخبار را به صورت خودکار از منابع گوناگون گردآوری می‌کند و مسئولیتی در قبال آن ندارد.</p>"
              "<p>کلیه حقوق مادی و معنوی این پایگاه محفوظ است.</p><p>طراحی و اجرا: گروه نرم‌افزاری نمونه</p>"
              "<p>نقل مطالب با ذکر منبع آزاد است.</p>")
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + after.replace('<div class="note">', "").replace("</div>", "")
    record = extract(page(body=body, footer=footer))
    assert record["body"] == "\n".join(PARAGRAPHS)


# ---- 6. news codes ---------------------------------------------------------------------------------------------------
def test_an_alphanumeric_news_code_is_kept() -> None:
    record = extract(page(after_body='<div class="news-code">کد خبر: k7Pq2</div>'),
                     url="https://www.example-news.ir/fa/content/amaliat-jadid")
    assert record["news_code"] == "k7Pq2"


# ---- 7. attribution --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("phrase", "source"), [
    ("گروه استان‌های خبرگزاری فارس از اراک", "خبرگزاری فارس"),
    ('"آفتاب‌نیوز"', "آفتاب‌نیوز"),
    ("«عصر ایران»", "عصر ایران"),
    ("ایسنا", "ایسنا"),
    ("خبرنگار اقتصادی ایسنا", "ایسنا"),
])
def test_attribution_credits_the_agency(phrase: str, source: str) -> None:
    assert source_of(phrase) == source


# ---- 8. authors and category ---------------------------------------------------------------------------------
def test_the_publisher_is_not_an_author_and_a_section_label_is_the_category() -> None:
    ld = ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
          '"headline": "ساماندهی پیاده‌روهای مرکز شهر از ماه آینده", '
          '"author": {"@type": "Organization", "name": "خبر نمونه"}, '
          '"publisher": {"@type": "Organization", "name": "خبر نمونه"}}</script>')
    record = extract(page(head=ld, before_h1='<span class="cat">شهری</span>'))
    assert record["authors"] == []
    assert record["category"] == "شهری"


# ---- in a site's own body container (the pages of sites written by other hands showed these) -------------------
SITE_URL = "https://www.isna.ir/news/1404061207654/x"


def container_page(body: str, head: str = "") -> str:
    return f"""<!DOCTYPE html><html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>عنوان خبر | ایسنا</title>
{head}</head><body><article><h1 class="first-title">آغاز طرح پیاده‌راه‌سازی در سه محله پایتخت</h1>
<div class="item-text" itemprop="articleBody">{body}</div></article></body></html>"""


def test_the_meta_line_and_the_headline_at_the_top_of_a_container_are_not_the_story() -> None:
    body = ("<p>شهری سه‌شنبه ۲۰ آبان ۱۴۰۴ ساعت ۱۰:۴۲ ۱۸۳۴۲ بازدید</p><p>آغاز طرح پیاده‌راه‌سازی در سه محله پایتخت</p>"
            + "".join(f"<p>{p}</p>" for p in PARAGRAPHS))
    record = extract_article(container_page(body), SITE_URL, now=NOW)
    assert record["body"].split("\n") == PARAGRAPHS


def test_a_caption_paragraph_and_a_source_box_in_a_container_are_not_the_story() -> None:
    body = (f"<p>{PARAGRAPHS[0]}</p><img src='/a.jpg' alt='نمایی از پیاده‌راه تازه خیابان بهار'>"
            "<p>نمایی از پیاده‌راه تازه خیابان بهار</p>"
            f"<p class='caption'>عکس: آرشیو روابط عمومی شهرداری تهران</p><p>{PARAGRAPHS[1]}</p>"
            f"<p>{PARAGRAPHS[2]}</p><div class='source-box'><span>منبع:</span> <a href='https://x.ir'>ایسنا</a></div>")
    record = extract_article(container_page(body), SITE_URL, now=NOW)
    assert record["body"].split("\n") == PARAGRAPHS


def test_a_date_without_a_time_yields_to_the_same_days_meta_time() -> None:
    head = '<meta property="article:published_time" content="2024-12-02T07:33:27Z">'
    body = "<p>" + PARAGRAPHS[0] + "</p>"
    html = container_page(body, head).replace("<div class=\"item-text\"",
                                              "<div class=\"item-date\">۱۲ آذر ۱۴۰۳</div><div class=\"item-text\"")
    record = extract_article(html, SITE_URL, now=NOW)
    assert record["published_at"] == "2024-12-02T11:03:27+03:30"
    # A date box of another day keeps its day: the meta's time does not move it.
    other = html.replace("۱۲ آذر ۱۴۰۳", "۱۱ آذر ۱۴۰۳")
    assert extract_article(other, SITE_URL, now=NOW)["published_at"] == "2024-12-01T00:00:00+03:30"
