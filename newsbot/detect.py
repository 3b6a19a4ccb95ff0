"""Which CMS family built a page: NewsStudio, Didgah or Asam, told by their markup, for a site nobody registered.

A family leaves the same marks on every site it runs: its class and id names (``.item-text`` and
``.short-link-container`` on NewsStudio, ``.news_pdate_c``/``.news_id_c``/``.news_path`` on Didgah,
``#echo_detail`` and the vendor's «aasaam» signature on Asam), its URL shapes and its feed paths. Each mark found
adds its weight to its family; a family is named only with enough weight (``THRESHOLD``) and a clear lead over the
next one, so that a page which merely shares a common class name (``.lead``, ``.title``) stays generic. The result
carries the evidence, so ``newsbot detect`` can say why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from parsel import Selector

from newsbot.selectors import PageIndex, xpath

#: (family, weight, what is looked for, how): ``token`` = a class/id/itemprop on the page, ``url`` = a regex over the
#: page's URL path, ``link`` = a regex over the page's link and script URLs, ``text`` = a regex over comments and
#: script sources. Facts from the research notes (how to tell the families apart on a first fetch).
MARKS: tuple[tuple[str, int, str, str], ...] = (
    ("newsstudio", 2, "item-text", "token"),
    ("newsstudio", 2, "short-link-container", "token"),
    ("newsstudio", 1, "item-body", "token"),
    ("newsstudio", 1, "item-summary", "token"),
    ("newsstudio", 1, "item-date", "token"),
    ("newsstudio", 1, "item-nav", "token"),
    ("newsstudio", 1, "introtext", "token"),
    ("newsstudio", 1, "meta-news", "token"),
    ("newsstudio", 1, r"^/(?:news|photo|media)/\d+", "url"),
    ("newsstudio", 1, r"^/rss(?:/tp/\d+)?$", "link"),
    ("didgah", 2, "news_pdate_c", "token"),
    ("didgah", 2, "news_id_c", "token"),
    ("didgah", 2, "news_path", "token"),
    ("didgah", 1, "news_nav", "token"),
    ("didgah", 1, "tags_title", "token"),
    ("didgah", 1, "news_corner_image", "token"),
    ("didgah", 1, "rutitr", "token"),
    ("didgah", 1, "comments_item", "token"),
    ("didgah", 1, "comm_answer_line", "token"),
    ("didgah", 1, r"^/fa/news/\d+", "url"),
    ("didgah", 1, r"^/fa/rss/allnews$|^/fa-sitemap-news", "link"),
    ("asam", 3, r"aasaam", "text"),
    ("asam", 2, "echo_detail", "token"),
    ("asam", 1, "main_ck_editor", "token"),
    ("asam", 1, "breadcrumb_list", "token"),
    ("asam", 1, "tinyurl_form", "token"),
    ("asam", 1, "short_link_cnt", "token"),
    ("asam", 1, "article_body", "token"),
    ("asam", 2, r"^/بخش-[^/]+/\d+-|^/fa/tiny/news-\d+", "url"),
    ("asam", 1, r"^/fa/feeds/?$|^/feeds/?$", "link"),
)
THRESHOLD = 3
#: The winner must lead the runner-up by this much: two families' marks on one page is a page of neither.
LEAD = 2

_LINKS = xpath("//a/@href | //link/@href | //script/@src")
_TEXTS = xpath("//comment() | //script[not(@src)]/text() | //meta[@name='generator']/@content")


@dataclass
class Detection:
    """A family and what showed it (``evidence``: the marks found, with their weights), or ``family`` None."""

    family: str | None
    scores: dict[str, int] = field(default_factory=dict)
    evidence: dict[str, list[str]] = field(default_factory=dict)

    def describe(self) -> str:
        if self.family is None:
            best = max(self.scores.items(), key=lambda kv: kv[1], default=(None, 0))
            found = f"; strongest {best[0]} ({best[1]}: {', '.join(self.evidence.get(best[0], []))})" if best[1] \
                else ""
            return f"no CMS family recognised{found}"
        return f"{self.family} ({self.scores[self.family]}): {', '.join(self.evidence[self.family])}"


def detect(sel: Selector, url: str | None = None, index: PageIndex | None = None) -> Detection:
    """The page's CMS family from its marks (see :data:`MARKS`), or a Detection with ``family`` None."""
    root = sel.root
    tokens = (index or PageIndex(root)).tokens
    path = unquote(urlsplit(url).path) if url else ""
    links: list[str] | None = None
    texts: str | None = None
    scores: dict[str, int] = {}
    evidence: dict[str, list[str]] = {}
    for family, weight, what, how in MARKS:
        if how == "token":
            hit = what in tokens
            label = f".{what}"
        elif how == "url":
            hit = bool(path) and re.search(what, path) is not None
            label = f"URL {path[:40]}"
        elif how == "link":
            if links is None:
                links = [_path_of(v) for v in _LINKS(root)[:2000]]
            first = next((p for p in links if re.search(what, p)), None)
            hit = first is not None
            label = f"link {first}"
        else:
            if texts is None:
                texts = " ".join(str(t) for t in _TEXTS(root)[:200])[:200_000].lower()
            hit = re.search(what, texts) is not None
            label = f"«{what}» in the source"
        if hit:
            scores[family] = scores.get(family, 0) + weight
            evidence.setdefault(family, []).append(label)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    if ranked and ranked[0][1] >= THRESHOLD and (len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= LEAD):
        return Detection(ranked[0][0], scores, evidence)
    return Detection(None, scores, evidence)


def _path_of(link: Any) -> str:
    try:
        return unquote(urlsplit(str(link).strip()).path).rstrip("/") or "/"
    except ValueError:
        return ""
