"""Shared pieces of the benchmark: the gold pages, the padded (~150 KB) variants, and HTML-to-text for the tools."""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import lxml.html

from newsbot.encoding import decode_html

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
OUT = Path(__file__).resolve().parent / "out"
# The clock the fixture tests use: after every fixture page, so no gold date counts as "in the future".
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=ZoneInfo("Asia/Tehran"))


#: The page groups, in table order: spider pages (fixtures/<spider>/), the old generic set (fixtures/_generic/) and
#: the wild set (fixtures/_wild/<folder>/); the last two are sites without a spider.
GROUPS = ("spider", "generic", "wild")
WILD = FIXTURES / "_wild"
WILD_FOLDERS = ("sports", "aggregators", "pr", "legacy")  # the planned folders; any other folder there counts too


@dataclass
class Page:
    """One gold page: its HTML, URL, the site label used in the tables and the expected record."""

    site: str  # spider name, "generic:<domain>" or "wild:<domain>"
    spider: str | None  # the spider that owns it, None for fixtures/_generic and fixtures/_wild
    name: str  # "isna/article-1", "_generic/page-01", "_wild/sports/page-03"
    url: str
    html: str
    expected: dict[str, Any]
    padded: str = field(default="", repr=False)
    group: str = "spider"  # one of GROUPS
    folder: str = ""  # the fixture folder: spider name, "_generic", or the wild folder ("sports", ...)


def domain_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _warn(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr)


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _content_type(entry: dict[str, Any]) -> str | None:
    headers = entry.get("headers") or {}
    return next((v for k, v in headers.items() if k.lower() == "content-type"), None) if isinstance(headers, dict) \
        else None


def _folder_pages(folder: Path, *, tolerant: bool) -> list[tuple[Path, str, dict[str, Any], str]]:
    """(page, url, expected, html) for every entry of ``folder/responses.json`` with an ``.expected.json`` beside it.

    ``tolerant`` (the wild set, written while the benchmark may run): a folder still being written gives the pages
    that are complete. A page with its HTML and expected record but no index entry yet (or no readable index) is
    taken under the ``url`` of its expected record; an expected record or page that is not readable yet is skipped
    with a warning, instead of failing.
    """
    index_path = folder / "responses.json"
    index: Any = []
    if index_path.exists():
        try:
            index = json.loads(index_path.read_text(encoding="utf-8"))
        except (ValueError, OSError) as exc:
            if not tolerant:
                raise
            _warn(f"{_rel(index_path)} is not readable yet ({exc}); pages taken from their expected records")
    elif not tolerant:
        return []
    entries = [(folder / e["file"], e.get("url"), _content_type(e)) for e in (index if isinstance(index, list) else [])
               if isinstance(e, dict) and e.get("file")]
    if tolerant:
        listed = {page for page, _, _ in entries}
        entries += [(p.with_name(p.name.removesuffix(".expected.json") + ".html"), None, None)
                    for p in sorted(folder.glob("*.expected.json"))
                    if p.with_name(p.name.removesuffix(".expected.json") + ".html") not in listed]
    out = []
    for page, url, content_type in entries:
        expected_path = page.with_name(page.stem + ".expected.json")
        if not expected_path.exists() or (tolerant and not page.exists()):
            continue
        try:
            expected = json.loads(expected_path.read_text(encoding="utf-8"))
            # The wild set has pages in windows-1256 (old sites): decoded as newsbot decodes a response (the
            # index's Content-Type, the page's meta charset, UTF-8, windows-1256), and every tool gets that text.
            html = decode_html(page.read_bytes(), content_type) if tolerant else page.read_bytes().decode("utf-8")
        except (ValueError, OSError) as exc:
            if not tolerant:
                raise
            _warn(f"{_rel(expected_path)} or its page is not complete yet ({exc}); page skipped")
            continue
        if tolerant:
            if not isinstance(expected, dict) or "body" not in expected or not html.strip():
                _warn(f"{_rel(page)}: empty page or expected record without a body; page skipped")
                continue
            url = url or expected.get("url")
        if not url:
            if tolerant:
                _warn(f"{_rel(page)}: no URL in responses.json or its expected record; page skipped")
                continue
            raise KeyError(f"{page}: no url")
        out.append((page, url, expected, html))
    return out


def load_pages(groups: tuple[str, ...] = GROUPS) -> list[Page]:
    """Every gold page of fixtures/ that has an ``.expected.json`` beside it, in three groups (``Page.group``).

    *spider*: fixtures/<spider>/article-N (18 pages of 9 spider sites); *generic*: fixtures/_generic/page-NN (12
    pages of sites without a spider); *wild*: fixtures/_wild/<folder>/ (sports, aggregators, pr, legacy; more
    sites without a spider), whatever pages there are complete. Spider and generic pages come first, in the order
    they always had, so their padded variants (seeded by position) do not change when wild pages are added.
    """
    pages: list[Page] = []
    for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for page, url, expected, html in _folder_pages(folder, tolerant=False):
            generic = folder.name == "_generic"
            pages.append(Page(
                site=f"generic:{domain_of(url)}" if generic else folder.name,
                spider=None if generic else folder.name,
                name=f"{folder.name}/{page.stem}",
                url=url,
                html=html,
                expected=expected,
                group="generic" if generic else "spider",
                folder=folder.name,
            ))
    if WILD.is_dir():
        folders = sorted((p for p in WILD.iterdir() if p.is_dir()),
                         key=lambda p: (WILD_FOLDERS.index(p.name) if p.name in WILD_FOLDERS else 99, p.name))
        for folder in folders:
            for page, url, expected, html in _folder_pages(folder, tolerant=True):
                pages.append(Page(
                    site=f"wild:{domain_of(url)}",
                    spider=None,
                    name=f"_wild/{folder.name}/{page.stem}",
                    url=url,
                    html=html,
                    expected=expected,
                    group="wild",
                    folder=folder.name,
                ))
    for i, page in enumerate(pages):
        page.padded = pad_page(page.html, seed=i)
    GENERIC_URLS.update(p.url for p in pages if p.group != "spider")
    return [p for p in pages if p.group in groups]


#: URLs of the pages of sites without a verified entry (the generic and wild sets): newsbot runs its generic
#: extractor on them (``extract_article(..., generic=True)``), as it would for a site nobody registered, even where
#: a family-default entry now owns the domain.
GENERIC_URLS: set[str] = set()


# ---- HTML to text ------------------------------------------------------------------------------------------------
_BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol blockquote pre section article header footer table tr td th dl dt dd "
    "figure figcaption aside main nav address hr br center body".split()
)


def html_to_text(fragment: str | None) -> str:
    """Visible text of an HTML fragment, one line per block element (what a user of readability would do)."""
    if not fragment or not fragment.strip():
        return ""
    root = lxml.html.fromstring(fragment)
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    parts: list[str] = []

    def walk(el: Any) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        block = tag in _BLOCK_TAGS
        if block:
            parts.append("\n")
        if el.text and tag:
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    walk(root)
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


# ---- padded variants ---------------------------------------------------------------------------------------------
# Persian vocabulary for the generated furniture (menus, related boxes, a few comments, the footer). Words with ZWNJ
# and a few Arabic letters are included, as real menus and comment boxes have them.
_WORDS = (
    "خبر گزارش دولت مجلس اقتصاد بازار قیمت خودرو مسکن ارز طلا سکه بورس شاخص نفت گاز برق آب هوا باران سیل زلزله "
    "دانشگاه کنکور دانشجو مدرسه معلم بیمارستان پزشک دارو بیمه حقوق بازنشستگان کارگران یارانه مالیات گمرک واردات "
    "صادرات تولید صنعت معدن کشاورزی گندم برنج مرغ گوشت تخم‌مرغ لبنیات می‌شود می‌کند نمی‌دهد شده‌اند کرده‌ایم "
    "به‌صورت هم‌زمان پیش‌بینی بین‌المللی سازمان‌ها استان‌ها شهرداری تهران اصفهان مشهد شیراز تبریز کرج اهواز "
    "فوتبال استقلال پرسپولیس لیگ برتر تیم ملی سرمربی بازیکن جام جهانی والیبال کشتی المپیک سینما فیلم کتاب "
    "نمایشگاه موسیقی تئاتر جشنواره هنرمند عکس ویدیو گفت‌وگو یادداشت تحلیل دیدگاه نظر مردم شهروندان کاربران "
    "سلام واقعا خیلی خوب بود ممنون از گزارش‌تان لطفا پیگیری کنید چرا هیچ‌کس جواب نمی‌دهد این وضع قابل قبول نیست "
    "متأسفانه باز هم گرانی دیروز امروز فردا هفته ماه سال کي يك شركت"
).split()
_MONTHS = "فروردین اردیبهشت خرداد تیر مرداد شهریور مهر آبان آذر دی بهمن اسفند".split()
_FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")

#: Comments in the padding's comment box. Kept short on purpose: the padding once carried a 40-comment thread, which
#: is text that trafilatura's default mode (``include_comments=True``) extracts and keeps working on, so the padded
#: rows measured that thread rather than a bigger page. Every piece of the padding is furniture that every tool is
#: expected to drop.
PAD_COMMENTS = 3


def _sentence(rng: random.Random, lo: int = 6, hi: int = 22) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(lo, hi)))


def _fa(n: int) -> str:
    return str(n).translate(_FA_DIGITS)


def _jalali(rng: random.Random) -> str:
    return (f"{_fa(rng.randint(1, 29))} {rng.choice(_MONTHS)} {_fa(1404)} - {_fa(rng.randint(0, 23))}:"
            f"{_fa(rng.randint(10, 59))}")


def _news_href(rng: random.Random) -> str:
    return f"/news/{1404000000000 + rng.randint(0, 9_999_999)}/"


def _top_bar(rng: random.Random) -> str:
    links = "".join(f'<li><a href="/page/{i}">{_sentence(rng, 1, 2)}</a></li>' for i in range(6))
    return (f'<div class="top-bar"><span class="today-date">امروز {_jalali(rng)}</span><ul class="top-links">{links}'
            '</ul><form class="search-form" action="/search" method="get"><input type="text" name="q" '
            'placeholder="جست‌وجو"><button type="submit">جست‌وجو</button></form>'
            '<a class="rss-link" href="/rss">RSS</a><a class="login" href="/user/login">ورود</a></div>')


def _mega_menu(rng: random.Random) -> str:
    out = ['<nav class="mega-menu" id="mega-menu"><ul class="mega-menu-list">']
    for s in range(14):
        out.append(f'<li class="mega-item"><a href="/service/s{s}">{_sentence(rng, 1, 3)}</a><div class="mega-panel">')
        for c in range(4):
            out.append(f'<ul class="mega-col col-{c}">')
            for i in range(7):
                out.append(f'<li><a href="/service/s{s}/c{c}-{i}" title="{_sentence(rng, 2, 4)}">'
                           f"{_sentence(rng, 1, 3)}</a></li>")
            out.append("</ul>")
        out.append("</div></li>")
    out.append("</ul></nav>")
    return "".join(out)


def _ticker(rng: random.Random, n: int = 10) -> str:
    items = "".join(f'<li><a href="{_news_href(rng)}">{_sentence(rng, 5, 10)}</a></li>' for _ in range(n))
    return f'<div class="news-ticker breaking"><span class="ticker-label">فوری</span><ul>{items}</ul></div>'


def _inline_json(rng: random.Random, size: int) -> str:
    items = []
    total = 0
    while total < size:
        item = {"id": 1404000000000 + rng.randint(0, 9_999_999), "title": _sentence(rng, 5, 12),
                "lead": _sentence(rng, 12, 30), "img": f"https://cdn.example-fa.ir/d/{rng.randint(1, 99999)}.jpg",
                "service": rng.randint(1, 40), "visits": rng.randint(100, 90000)}
        text = json.dumps(item, ensure_ascii=False)
        items.append(text)
        total += len(text.encode())
    return ('<script type="application/json" id="__PAGE_STATE__">{"widgets":{"latest":['
            + ",".join(items) + ']},"abTest":"b","lazy":true}</script>')


def _inline_script(rng: random.Random, size: int) -> str:
    lines = ["(function(w,d){'use strict';var zones=[];"]
    total = 0
    i = 0
    while total < size:
        line = (f"zones.push({{id:{rng.randint(1000, 9999)},pos:'slot{i}',w:{rng.choice([300, 728, 970])},"
                f"h:{rng.choice([90, 250, 600])},label:'{_sentence(rng, 1, 3)}',"
                f"refresh:function(){{return d.getElementById('slot{i}')&&w.adq&&w.adq.push('slot{i}')}}}});")
        lines.append(line)
        total += len(line.encode())
        i += 1
    lines.append("w.__zones=zones;})(window,document);")
    return "<script>" + "\n".join(lines) + "</script>"


def _related_box(rng: random.Random, title: str, n: int) -> str:
    items = "".join(
        f'<li><a href="{_news_href(rng)}"><img src="/thumb/{rng.randint(1, 9999)}.jpg"'
        f' alt=""><span class="box-title-text">{_sentence(rng, 5, 12)}</span></a></li>'
        for _ in range(n)
    )
    return f'<section class="box related-news-box"><h2 class="box-title">{title}</h2><ul>{items}</ul></section>'


def _comments(rng: random.Random, n: int) -> str:
    out = ['<section class="comments-box user-comments"><h2>نظرات کاربران</h2><ul class="comment-list">']
    for i in range(n):
        out.append(
            f'<li class="comment-item" id="c{i}"><div class="comment-head"><span class="comment-author">'
            f'{_sentence(rng, 1, 2)}</span><span class="comment-date">{_jalali(rng)}</span></div>'
            f'<div class="comment-text"><p>{_sentence(rng, 6, 18)}</p></div><div class="comment-actions">'
            f'<a href="#" class="like">{_fa(rng.randint(0, 300))}</a><a href="#" class="dislike">'
            f'{_fa(rng.randint(0, 90))}</a><a href="#reply" class="reply">پاسخ</a></div></li>'
        )
    out.append('</ul><form class="comment-form" action="/comment/new" method="post"><input name="name" '
               'placeholder="نام"><textarea name="body"></textarea><button type="submit">ارسال نظر</button>'
               "</form></section>")
    return "".join(out)


def _footer(rng: random.Random) -> str:
    cols = "".join(
        f'<div class="footer-col"><h4>{_sentence(rng, 1, 2)}</h4><ul>'
        + "".join(f'<li><a href="/service/f{c}-{i}">{_sentence(rng, 1, 3)}</a></li>' for i in range(8))
        + "</ul></div>"
        for c in range(5)
    )
    social = "".join(f'<a class="social {name}" href="https://{name}.example/fa-news">{name}</a>'
                     for name in ("telegram", "instagram", "x", "aparat", "eitaa", "bale"))
    return (f'<footer class="site-footer"><div class="footer-cols">{cols}</div>'
            f'<div class="footer-about"><p>{_sentence(rng, 12, 18)}</p><address>تهران، خیابان '
            f"{_sentence(rng, 1, 2)}، پلاک {_fa(rng.randint(1, 200))} - تلفن {_fa(rng.randint(21000000, 21999999))}"
            f'</address></div><div class="social-links">{social}</div><p class="copyright">© {_fa(1404)} تمامی '
            "حقوق مادی و معنوی این سایت محفوظ است. استفاده از مطالب با ذکر منبع آزاد است.</p></footer>")


def _analytics_script(rng: random.Random) -> str:
    return ("<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}"
            f"gtag('js',new Date());gtag('config','G-{rng.randint(10**9, 10**10 - 1)}');</script>")


def pad_page(html: str, seed: int, target: int = 150_000) -> str:
    """The page grown to ~``target`` bytes with neutral page furniture before and after the article block.

    Right after ``<body ...>``: a top bar (date, links, search form), a mega menu (14 sections of 28 links), a
    breaking-news ticker, an inline ad script (1/8 of the bytes to add) and a page-state JSON blob in a
    ``<script type="application/json">`` that takes whatever is left. Right before ``</body>``: "related" and
    "most viewed" link boxes, a comment box of ``PAD_COMMENTS`` (3) short comments with its form, a footer (link
    columns, an about line, address, social links, copyright) and an analytics snippet. No ``id`` of the padding
    is one a page may already use (``comments``, ``footer``, ...).

    Neutral: everything added is furniture that each tool is expected to drop, none of it looks like article text,
    and there is no long comment thread (which trafilatura's default mode would extract). The article markup in
    between is untouched, so the expected record is unchanged; the same ``seed`` gives the same page.
    """
    rng = random.Random(seed)
    size = len(html.encode())
    budget = max(target - size, 0)
    head = _top_bar(rng) + _mega_menu(rng) + _ticker(rng) + _inline_script(rng, budget // 8)
    tail = (_related_box(rng, "اخبار مرتبط", 12) + _related_box(rng, "پربازدیدترین‌ها", 10)
            + _comments(rng, PAD_COMMENTS) + _footer(rng) + _analytics_script(rng))
    used = len(head.encode()) + len(tail.encode())
    head += _inline_json(rng, max(budget - used, 1000))
    match = re.search(r"<body[^>]*>", html, re.I)
    end = html.lower().rfind("</body>")
    if not match or end < 0:
        return head + html + tail
    return html[: match.end()] + head + html[match.end():end] + tail + html[end:]


# ---- markdown ----------------------------------------------------------------------------------------------------
def md_table(headers: list[str], rows: list[list[Any]], align: str | None = None) -> str:
    """A GitHub markdown table; ``align`` is one letter per column (l/r), default: first left, others right."""
    align = align or "l" + "r" * (len(headers) - 1)
    sep = ["---" if a == "l" else "---:" for a in align]
    lines = ["| " + " | ".join(str(h) for h in headers) + " |", "| " + " | ".join(sep) + " |"]
    lines += ["| " + " | ".join("" if c is None else str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def write_out(name: str, data: Any, markdown: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n",
                                      encoding="utf-8")
    (OUT / f"{name}.md").write_text(markdown.rstrip() + "\n", encoding="utf-8")
