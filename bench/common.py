"""Shared pieces of the benchmark: the gold pages, the padded (~150 KB) variants, and HTML-to-text for the tools."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
OUT = Path(__file__).resolve().parent / "out"
# The clock the fixture tests use: after every fixture page, so no gold date counts as "in the future".
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=ZoneInfo("Asia/Tehran"))


@dataclass
class Page:
    """One gold page: its HTML, URL, the site label used in the tables and the expected record."""

    site: str  # spider name, or "generic:<domain>"
    spider: str | None  # the spider that owns it, None for fixtures/_generic
    name: str  # "isna/article-1"
    url: str
    html: str
    expected: dict[str, Any]
    padded: str = field(default="", repr=False)


def domain_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def load_pages() -> list[Page]:
    """Every page of fixtures/ that has an ``.expected.json`` beside it: 18 spider pages, 12 generic pages."""
    pages: list[Page] = []
    for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        index_path = folder / "responses.json"
        if not index_path.exists():
            continue
        for entry in json.loads(index_path.read_text(encoding="utf-8")):
            file = entry.get("file")
            if not file:
                continue
            page = folder / file
            expected_path = page.with_name(page.stem + ".expected.json")
            if not expected_path.exists():
                continue
            expected = json.loads(expected_path.read_text(encoding="utf-8"))
            url = entry["url"]
            generic = folder.name == "_generic"
            pages.append(Page(
                site=f"generic:{domain_of(url)}" if generic else folder.name,
                spider=None if generic else folder.name,
                name=f"{folder.name}/{page.stem}",
                url=url,
                html=page.read_bytes().decode("utf-8"),
                expected=expected,
            ))
    for i, page in enumerate(pages):
        page.padded = pad_page(page.html, seed=i)
    return pages


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
# Persian vocabulary for the generated junk (menus, related boxes, comments). Words with ZWNJ and a few Arabic
# letters are included, as real comment threads and menus have them.
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


def _sentence(rng: random.Random, lo: int = 6, hi: int = 22) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(lo, hi)))


def _fa(n: int) -> str:
    return str(n).translate(_FA_DIGITS)


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


def _inline_json(rng: random.Random, size: int) -> str:
    items = []
    total = 0
    n = 0
    while total < size:
        item = {"id": 1404000000000 + rng.randint(0, 9_999_999), "title": _sentence(rng, 5, 12),
                "lead": _sentence(rng, 12, 30), "img": f"https://cdn.example-fa.ir/d/{rng.randint(1, 99999)}.jpg",
                "service": rng.randint(1, 40), "visits": rng.randint(100, 90000)}
        text = json.dumps(item, ensure_ascii=False)
        items.append(text)
        total += len(text.encode())
        n += 1
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
        f'<li><a href="/news/{1404000000000 + rng.randint(0, 9_999_999)}/"><img src="/thumb/{rng.randint(1, 9999)}.jpg"'
        f' alt=""><span class="box-title-text">{_sentence(rng, 5, 12)}</span></a></li>'
        for _ in range(n)
    )
    return f'<section class="box related-news-box"><h2 class="box-title">{title}</h2><ul>{items}</ul></section>'


def _comments(rng: random.Random, n: int) -> str:
    out = ['<section id="comment-thread" class="comments-thread"><h2>نظرات کاربران</h2><ul class="comment-list">']
    for i in range(n):
        when = f"{_fa(rng.randint(1, 29))} {rng.choice(_MONTHS)} {_fa(1404)} - {_fa(rng.randint(0, 23))}:" \
               f"{_fa(rng.randint(10, 59))}"
        body = "".join(f"<p>{_sentence(rng, 8, 30)}</p>" for _ in range(rng.randint(1, 3)))
        out.append(
            f'<li class="comment-item" id="c{i}"><div class="comment-head"><span class="comment-author">'
            f'{_sentence(rng, 1, 2)}</span><span class="comment-date">{when}</span></div>'
            f'<div class="comment-text">{body}</div><div class="comment-actions"><a href="#" class="like">'
            f'{_fa(rng.randint(0, 300))}</a><a href="#" class="dislike">{_fa(rng.randint(0, 90))}</a>'
            f'<a href="#reply" class="reply">پاسخ</a></div></li>'
        )
    out.append("</ul></section>")
    return "".join(out)


def pad_page(html: str, seed: int, target: int = 150_000) -> str:
    """The page grown to ~``target`` bytes with realistic junk before and after the article block.

    Junk goes right after ``<body ...>`` (mega menu, inline ad script, page-state JSON) and right before
    ``</body>`` (related and most-viewed boxes, a comment thread, more inline JSON); the article markup in between
    is untouched, so the expected record is unchanged.
    """
    rng = random.Random(seed)
    size = len(html.encode())
    budget = max(target - size, 0)
    head = _mega_menu(rng) + _inline_script(rng, budget // 8)
    tail_parts = [_related_box(rng, "اخبار مرتبط", 12), _related_box(rng, "پربازدیدترین‌ها", 10)]
    tail_parts.append(_comments(rng, 40))
    tail = "".join(tail_parts)
    used = len(head.encode()) + len(tail.encode())
    json_blob = _inline_json(rng, max(budget - used, 1000))
    head += json_blob
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
