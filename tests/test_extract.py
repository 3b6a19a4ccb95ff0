"""The generic extractor on sites without a spider, bot walls, encodings and metadata fallbacks."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from newsbot import NotAnArticle, extract_article
from newsbot.botwall import challenge_reason
from newsbot.encoding import decode_html
from newsbot.text import ZWNJ, has_arabic_letters

from .conftest import FIXTURES, NOW, article_cases

GENERIC = article_cases(FIXTURES / "_generic")


def token_f1(got: str, expected: str) -> float:
    a, b = Counter(got.split()), Counter(expected.split())
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def test_generic_gold_set_is_there() -> None:
    assert len(GENERIC) >= 10


@pytest.mark.parametrize(("page", "url", "expected_path"), GENERIC, ids=[c[0].name for c in GENERIC])
def test_generic_extractor(page: Path, url: str, expected_path: Path) -> None:
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    record = extract_article(page.read_bytes(), url, now=NOW, generic=True)
    assert record["site"] is None  # no spider owns these domains
    assert record["title"] == expected["title"]
    assert record["published_at"] == expected["published_at"]
    assert record["news_code"] == expected["news_code"]
    assert token_f1(record["body"], expected["body"]) >= 0.9, record["body"]
    # Every half-space of the article text survives (extra lines may add more, none may be lost).
    assert record["body"].count(ZWNJ) >= expected["body"].count(ZWNJ)
    assert not has_arabic_letters(record["title"] + record["body"])
    for trailer in ("انتهای پیام", "بیشتر بخوانید"):
        assert trailer not in record["body"]


def test_generic_bodies_are_mostly_exact() -> None:
    """A stricter aggregate than the per-page bound: most generic pages come out line for line."""
    exact = 0
    for page, url, expected_path in GENERIC:
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        exact += extract_article(page.read_bytes(), url, now=NOW, generic=True)["body"] == expected["body"]
    assert exact >= len(GENERIC) - 2


ARVAN_JS = """<html><head><title>Transferring to the website...</title>
<script>var __arcsjs = "a1b2"; document.cookie = "__arcsjs=" + __arcsjs; location.reload();</script></head>
<body><p>Transferring to the website...</p></body></html>"""
CLOUDFLARE_403 = """<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>
<div id="challenge-form"><script src="/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1"></script></div>
</body></html>"""


@pytest.mark.parametrize(
    ("status", "headers", "body", "vendor"),
    [
        (200, {}, ARVAN_JS, "arvancloud"),
        (403, {"Server": "cloudflare"}, CLOUDFLARE_403, "cloudflare"),
        (429, {"Server": "ArvanCloud"}, "<html><body>Too many requests</body></html>", "arvancloud"),
        (503, {}, CLOUDFLARE_403, "cloudflare"),
    ],
)
def test_challenge_pages_are_recognised(status: int, headers: dict, body: str, vendor: str) -> None:
    reason = challenge_reason(status, headers, body)
    assert reason and vendor in reason


def test_real_articles_are_not_challenges() -> None:
    for page, _, _ in article_cases(FIXTURES / "isna") + GENERIC:
        assert challenge_reason(200, {"Server": "nginx"}, page.read_text(encoding="utf-8")) is None, page


def test_extract_refuses_a_challenge_page() -> None:
    with pytest.raises(NotAnArticle, match="bot wall"):
        extract_article(ARVAN_JS, "https://www.isna.ir/news/1404061207654/x", now=NOW)


def test_extract_refuses_a_page_without_body() -> None:
    html = "<html><head><title>صفحه</title></head><body><h1>عنوان</h1><nav><a href='/'>خانه</a></nav></body></html>"
    with pytest.raises(NotAnArticle, match=r"body_too_short|no_body"):
        extract_article(html, "https://example.ir/x", now=NOW)


def test_undeclared_windows_1256_page_decodes_to_persian() -> None:
    # windows-1256 has no Persian yeh: legacy pages were written with Arabic ي, which the record normalises.
    text = ("<html><body><h1>افزايش نرخ‌ها در بازار</h1><p>" + "بازار سرمايه امروز با رشد شاخص همراه بود. " * 5
            + "</p></body></html>")
    body = text.encode("cp1256")
    assert decode_html(body, "text/html") == text
    assert decode_html(text.encode("utf-8"), "text/html") == text  # UTF-8 is left to w3lib
    record = extract_article(body, "https://old.example.ir/news/55/x", now=NOW)
    assert record["title"] == "افزایش نرخ‌ها در بازار"
    assert "بازار سرمایه امروز" in record["body"]


def test_jsonld_and_opengraph_fill_what_selectors_miss() -> None:
    html = """<html><head>
    <meta property="og:title" content="سقوط قیمت طلا در بازار تهران - خبرگزاری نمونه">
    <meta property="og:image" content="/img/gold.jpg">
    <meta property="og:site_name" content="خبرگزاری نمونه">
    <script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"x"},
      {"@type":"NewsArticle","headline":"سقوط قیمت طلا در بازار تهران","datePublished":"2022-06-01T09:30:00+04:30",
       "author":[{"@type":"Person","name":"مریم رضایی"}],"articleSection":"اقتصادی","keywords":"طلا، سکه"}]}</script>
    </head><body><article><p>""" + "قیمت هر گرم طلای ۱۸ عیار امروز کاهش یافت و بازار آرام‌تر شد. " * 6 + """</p>
    <p>کارشناسان می‌گویند این روند ادامه خواهد داشت.</p></article></body></html>"""
    record = extract_article(html, "https://www.example-news.ir/news/12345/gold", now=NOW)
    assert record["title"] == "سقوط قیمت طلا در بازار تهران"
    assert record["published_at"] == "2022-06-01T09:30:00+04:30"
    assert record["published_jalali"] == "1401-03-11T09:30:00"
    assert record["authors"] == ["مریم رضایی"]
    assert record["category"] == "اقتصادی"
    assert record["tags"] == ["طلا", "سکه"]
    assert record["image"] == "https://www.example-news.ir/img/gold.jpg"
    assert record["agency"] == "خبرگزاری نمونه"
    assert record["news_code"] == "12345"
    assert record["body"].count(ZWNJ) == 7  # six «آرام‌تر» and one «می‌گویند»


def test_impossible_date_keeps_the_record_without_a_date() -> None:
    html = ("<html><body><h1>خبر آزمایشی درباره بودجه</h1><div class='date'>تاریخ انتشار: ۳۰ اسفند ۱۴۰۲ - ۱۰:۰۰</div>"
            "<article><p>" + "متن خبر درباره بودجه سال آینده است که در مجلس بررسی می‌شود. " * 8 + "</p></article>"
            "</body></html>")
    record = extract_article(html, "https://example.ir/news/777/x", now=NOW)
    assert record["published_at"] is None and record["published_jalali"] is None
    assert record["title"] == "خبر آزمایشی درباره بودجه"
