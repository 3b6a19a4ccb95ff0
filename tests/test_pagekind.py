"""Pages that are not articles (bot walls, soft 404s, error, login, home, tag and listing pages) never become records,
and real articles, whatever they mention or carry beside the story, always do.

Driven by ``fixtures/_not_articles/cases.json`` (one entry per page and status; a page without an entry fails the
suite) and by every recorded article of the spider and generic fixtures.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from parsel import Selector
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from newsbot import NotAnArticle, extract_article, sites
from newsbot.botwall import challenge_reason
from newsbot.extract import parse_page
from newsbot.middlewares import BotWallMiddleware
from newsbot.pagekind import REASONS, classify, not_article_reason
from newsbot.spider import NewsSpider

from .conftest import FIXTURES, NOW, load_index

CORPUS = FIXTURES / "_not_articles"
CASES: list[dict[str, Any]] = json.loads((CORPUS / "cases.json").read_text(encoding="utf-8"))
WALL = "bot wall: "
WALLS = [c for c in CASES if (c["expected"] or "").startswith(WALL)]
PAGES = [c for c in CASES if not (c["expected"] or "").startswith(WALL)]
ARTICLES = [c for c in CASES if c["expected"] is None]


def case_id(case: dict[str, Any]) -> str:
    return f"{case['file']}@{case['status']}" + ("" if case["headers"].get("Server") else "-noserver")


def read(case: dict[str, Any]) -> str:
    return (CORPUS / case["file"]).read_text(encoding="utf-8")


def recorded_articles() -> list[tuple[Path, str]]:
    """Every recorded article page with the URL it was recorded under: all of fixtures/*/article-*.html and
    fixtures/_generic/page-*.html, whether or not it has an expected record."""
    pages = sorted(FIXTURES.glob("*/article-*.html")) + sorted((FIXTURES / "_generic").glob("page-*.html"))
    urls = {}
    for folder in {p.parent for p in pages}:
        urls.update({folder / e["file"]: e["url"] for e in load_index(folder) if e.get("file")})
    missing = [str(p) for p in pages if p not in urls]
    assert not missing, f"recorded pages without a URL in their responses.json: {missing}"
    return [(p, urls[p]) for p in pages]


ARTICLE_PAGES = recorded_articles()
ARCHIVE_PAGES = [(folder / e["file"], e["url"]) for folder in sorted(FIXTURES.iterdir())
                 if (folder / "responses.json").exists()
                 for e in load_index(folder) if e.get("file", "").startswith("archive")]


def parsed(html: str, url: str) -> tuple[Selector, dict[str, Any]]:
    sel = Selector(text=html)
    return sel, parse_page(sel, url, sites.site_for_url(url), now=NOW)


# ---- the corpus itself ---------------------------------------------------------------------------------------------
def test_every_page_has_a_case_and_every_case_a_page() -> None:
    pages = {p.name for p in CORPUS.glob("*.html")}
    cased = {c["file"] for c in CASES}
    assert pages - cased == set(), f"pages in {CORPUS.name}/ without an entry in cases.json"
    assert cased - pages == set(), "cases.json names pages that do not exist"


def test_every_case_expects_a_known_reason() -> None:
    for case in CASES:
        expected = case["expected"]
        assert expected is None or expected.startswith(WALL) or expected in REASONS, case
        assert set(case) >= {"file", "url", "status", "headers", "expected"}, case
        if expected is None:
            assert case.get("title") and case.get("body_starts"), "a true negative says which record it must give"


def test_the_corpus_covers_every_kind() -> None:
    assert {c["expected"] for c in PAGES} >= {*REASONS, None}
    walls = " ".join(c["expected"] for c in WALLS)
    for needle in ("cloudflare, JS page", "cloudflare, HTTP 403", "cloudflare, HTTP 503", "arvancloud, JS page",
                   "arvancloud, HTTP 403", "captcha ("):
        assert needle in walls


def test_the_padded_arvancloud_page_is_past_the_old_size_limit() -> None:
    # Pages over 30,000 characters used to be let through unread; this one must stay large to keep that covered.
    assert len((CORPUS / "arvan-challenge-padded.html").read_text(encoding="utf-8")) > 30_000


# ---- every case through extract_article --------------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_extract_article_on_every_case(case: dict[str, Any]) -> None:
    body = (CORPUS / case["file"]).read_bytes()
    expected = case["expected"]
    if expected is None:
        record = extract_article(body, case["url"], status=case["status"], headers=case["headers"], now=NOW)
        assert record["title"] == case["title"]
        assert record["body"].startswith(case["body_starts"]), record["body"][:200]
        return
    with pytest.raises(NotAnArticle) as raised:
        extract_article(body, case["url"], status=case["status"], headers=case["headers"], now=NOW)
    message = str(raised.value)
    if expected.startswith(WALL):
        assert message == expected
    else:
        assert message.startswith(expected + ": "), message


# ---- bot walls -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", WALLS, ids=case_id)
def test_challenge_reason_on_each_wall(case: dict[str, Any]) -> None:
    assert challenge_reason(case["status"], case["headers"], read(case)) == case["expected"][len(WALL):]


@pytest.mark.parametrize("case", PAGES, ids=case_id)
def test_pages_that_are_not_walls(case: dict[str, Any]) -> None:
    html = read(case)
    assert challenge_reason(case["status"], case["headers"], html) is None
    for server in ("nginx", "ArvanCloud", "cloudflare"):  # every page of a site behind a CDN names it
        assert challenge_reason(200, {"Server": server}, html) is None


@pytest.mark.parametrize(("page", "url"), ARTICLE_PAGES, ids=[f"{p.parent.name}/{p.name}" for p, _ in ARTICLE_PAGES])
def test_recorded_articles_are_not_walls(page: Path, url: str) -> None:
    html = page.read_text(encoding="utf-8")
    for headers in ({}, {"Server": "nginx"}, {"Server": "ArvanCloud"}, {"Server": "cloudflare"}):
        assert challenge_reason(200, headers, html) is None, headers


def test_a_wall_is_recognised_at_any_size() -> None:
    wall = read(next(c for c in WALLS if c["file"] == "arvan-challenge.html"))
    padding = "<style>" + ".x{color:#123456}\n" * 20_000 + "</style>"
    assert challenge_reason(200, {}, wall.replace("</head>", padding + "</head>")) == "challenge (arvancloud, JS page)"


def test_svg_paths_and_pre_blocks_do_not_hide_a_challenge() -> None:
    # The old check counted "<p" to tell a scripted page from a text page, and an SVG logo's <path>s, a <pre> or
    # an <param> counted as paragraphs.
    logo = "<svg viewBox='0 0 10 10'>" + "<path d='M0 0h10v10z'/>" * 40 + "</svg><pre>ray 8e1f</pre><param name=x>"
    wall = read(next(c for c in WALLS if c["file"] == "cloudflare-managed.html"))
    assert challenge_reason(200, {}, wall.replace("<body class=\"no-js\">", "<body>" + logo)) == \
        "challenge (cloudflare, JS page)"


def test_an_article_quoting_challenge_markup_is_not_a_wall() -> None:
    # A long article about bot walls may quote their markup; its text says it is an article.
    case = next(c for c in ARTICLES if c["file"] == "real-article-long-related.html")
    quoted = "<pre>window._cf_chl_opt = {cType: 'managed'}; var __arcsjs;</pre>"
    html = read(case).replace("</article>", quoted + "</article>")
    assert challenge_reason(200, {"Server": "cloudflare"}, html) is None


def test_the_middleware_drops_a_200_challenge_and_passes_an_article_behind_cloudflare() -> None:
    spider_cls = type("GenericSpider", (NewsSpider,), {"name": "generic"})
    crawler = get_crawler(spider_cls)
    crawler.spider = spider_cls.from_crawler(crawler)
    wall = BotWallMiddleware.from_crawler(crawler)
    url = "https://news.sample-agency.com/news/48213/x"
    challenge = HtmlResponse(url, status=200, headers={"Server": "cloudflare"}, encoding="utf-8",
                             body=(CORPUS / "cloudflare-managed.html").read_bytes())
    with pytest.raises(IgnoreRequest, match=r"bot wall: challenge \(cloudflare, JS page\)"):
        wall.process_response(Request(url), challenge)
    article = HtmlResponse(url, status=200, headers={"Server": "cloudflare"}, encoding="utf-8",
                           body=(CORPUS / "real-article-cdn-mentions.html").read_bytes())
    assert wall.process_response(Request(url), article) is article


# ---- page kinds ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", PAGES, ids=case_id)
def test_not_article_reason_on_each_page(case: dict[str, Any]) -> None:
    sel, record = parsed(read(case), case["url"])
    assert not_article_reason(sel, case["url"], record) == case["expected"]


@pytest.mark.parametrize(("page", "url"), ARTICLE_PAGES, ids=[f"{p.parent.name}/{p.name}" for p, _ in ARTICLE_PAGES])
def test_recorded_articles_are_articles(page: Path, url: str) -> None:
    sel, record = parsed(page.read_text(encoding="utf-8"), url)
    assert classify(sel, url, record) is None


def strip_metadata(html: str) -> str:
    """The page without the article metadata that lets most pages skip the structural checks."""
    html = re.sub(r"<meta property=\"og:type\"[^>]*>", "", html)
    html = re.sub(r"<script type=\"application/ld\+json\">.*?</script>", "", html, flags=re.S)
    return re.sub(r"itemprop=\"articleBody\"|itemtype=\"[^\"]*\"|article:published_time", "x", html)


@pytest.mark.parametrize(
    ("page", "url"), ARTICLE_PAGES + [(CORPUS / c["file"], c["url"]) for c in ARTICLES],
    ids=[f"{p.parent.name}/{p.name}" for p, _ in ARTICLE_PAGES] + [c["file"] for c in ARTICLES],
)
def test_articles_stay_articles_without_metadata_and_when_short(page: Path, url: str) -> None:
    """Structure decides, not metadata or length: without og:type/JSON-LD/microdata, and cut to one paragraph."""
    html = strip_metadata(page.read_text(encoding="utf-8"))
    sel, record = parsed(html, url)
    assert classify(sel, url, record) is None
    record["body"] = (record["body"] or "").split("\n")[0]
    assert classify(sel, url, record) is None
    sel, record = parsed(page.read_text(encoding="utf-8"), url)
    record["body"] = (record["body"] or "").split("\n")[0]
    assert classify(sel, url, record) is None


@pytest.mark.parametrize(("page", "url"), ARCHIVE_PAGES, ids=[f"{p.parent.name}/{p.name}" for p, _ in ARCHIVE_PAGES])
def test_recorded_archive_pages_are_listings(page: Path, url: str) -> None:
    sel, record = parsed(page.read_text(encoding="utf-8"), url)
    assert not_article_reason(sel, url, record) in ("listing", "tag", "home")


def test_an_article_about_a_missing_page_is_an_article() -> None:
    # The error wording only counts on a page without a story of its own.
    case = next(c for c in ARTICLES if c["file"] == "real-article-long-related.html")
    title = "پیام «صفحه مورد نظر یافت نشد» و «خطای داخلی سرور» برای داوطلبان"
    html = re.sub(r"<title>.*?</title>", f"<title>{title} - خبرگزاری مهر</title>", read(case))
    html = re.sub(r"(<h1 class=\"title\" itemprop=\"headline\">).*?(</h1>)", rf"\g<1>{title}\g<2>", html)
    record = extract_article(html, case["url"], now=NOW)
    assert record["title"] == title


def test_a_soft_404_keeps_its_reason_without_a_title_or_body() -> None:
    # The Didgah skeleton has an empty headline box and two lines of body: the record checks would only say
    # "body_too_short"; the reason names the page.
    case = next(c for c in PAGES if c["file"] == "soft404-didgah.html")
    with pytest.raises(NotAnArticle, match=r"^soft_404: the h1 says «خبر مورد نظر یافت نشد»"):
        extract_article(read(case), case["url"], now=NOW)


def test_a_listing_names_its_evidence() -> None:
    case = next(c for c in PAGES if c["file"] == "listing-service.html")
    sel, record = parsed(read(case), case["url"])
    verdict = classify(sel, case["url"], record)
    assert verdict is not None and verdict.reason == "listing"
    assert "15 with teasers" in verdict.evidence and "JSON-LD of a collection" in verdict.evidence
    assert str(verdict).startswith("listing: ")


def test_a_listing_whose_canonical_url_is_the_root_is_the_home_page() -> None:
    case = next(c for c in PAGES if c["file"] == "home.html")
    sel, record = parsed(read(case), "https://www.ilna.ir/fa/index")  # the root under another name
    assert not_article_reason(sel, "https://www.ilna.ir/fa/index", record) == "home"
    sel, record = parsed(read(case), "https://www.ilna.ir/latest?page=1")
    assert not_article_reason(sel, "https://www.ilna.ir/latest?page=1", record) == "home"


# ---- the wording of error pages, against headlines that merely resemble it -------------------------------------------
SHORT_STORY = (
    "به گزارش خبرنگار ما، مسئولان استان امروز در نشستی با حضور نمایندگان اصناف درباره وضعیت بازار در هفته‌های "
    "پیش رو گفت‌وگو کردند و قرار شد گزارش کاملی از موجودی انبارها تا پایان ماه منتشر شود. به گفته یکی از "
    "حاضران، نگرانی جدی درباره تأمین کالا وجود ندارد و عرضه در همه شهرها طبق برنامه ادامه دارد."
)


def short_page(headline: str, text: str = SHORT_STORY) -> str:
    return (f"<html lang='fa'><head><meta charset='utf-8'><title>{headline} - خبرگزاری نمونه</title></head><body>"
            f"<nav><a href='/'>صفحه نخست</a> <a href='/archive'>آرشیو</a></nav><h1>{headline}</h1>"
            f"<div class='news-text'><p>{text}</p></div><footer>© ۱۴۰۴ خبرگزاری نمونه</footer></body></html>")


@pytest.mark.parametrize("headline", [
    "خبری از کمبود دارو در داروخانه‌ها وجود ندارد",
    "سرویس پیامک بانک‌ها در دسترس نیست",
    "سامانه سجام در حال به‌روزرسانی است",
    "۴۰۴ داوطلب در آزمون استخدامی پذیرفته شدند",
    "خطا در محاسبه یارانه ۳ هزار خانوار اصلاح شد",
    "صفحه‌ای تازه در روابط دو کشور؛ سفیر جدید یافت نشد؟",
    "ثبت‌نام وام ودیعه مسکن از فردا",
])
def test_short_news_with_error_like_headlines_are_articles(headline: str) -> None:
    url = "https://www.khabar-sample.ir/news/61204/x"
    sel, record = parsed(short_page(headline), url)
    assert classify(sel, url, record) is None
    assert extract_article(short_page(headline), url, now=NOW)["title"] == headline


@pytest.mark.parametrize(("headline", "reason"), [
    ("صفحه مورد نظر یافت نشد", "soft_404"),
    ("خطای ۴۰۴", "soft_404"),
    ("۴۰۴", "soft_404"),
    ("404 Not Found", "soft_404"),
    ("مطلب مورد نظر وجود ندارد", "soft_404"),
    ("خبر مورد نظر یافت نشد", "soft_404"),
    ("500 Internal Server Error", "error_page"),
    ("خطای داخلی سرور (۵۰۰)", "error_page"),
    ("سرویس موقتاً در دسترس نیست", "error_page"),
    ("خطا در برقراری ارتباط با سرور", "error_page"),
    ("خطا در پردازش درخواست", "error_page"),
])
def test_bare_error_pages_are_named(headline: str, reason: str) -> None:
    url = "https://www.khabar-sample.ir/news/61205/x"
    html = short_page(headline, "لطفاً چند دقیقه دیگر دوباره تلاش کنید یا به صفحه نخست بازگردید.")
    sel, record = parsed(html, url)
    assert not_article_reason(sel, url, record) == reason
    with pytest.raises(NotAnArticle, match=f"^{reason}: "):
        extract_article(html, url, now=NOW)
