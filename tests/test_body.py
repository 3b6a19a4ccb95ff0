"""Body text out of containers, and pages nested deeper than Python's recursion limit."""

from __future__ import annotations

import sys

import lxml.html
import pytest
from lxml import etree
from parsel import Selector

from newsbot import NotAnArticle, extract_article
from newsbot.body import block_lines, chrome_text, trafilatura_lines

SPIDER_URL = "https://www.isna.ir/news/1403010100001/x"  # isna's container selectors: the block walk
GENERIC_URL = "https://example.ir/news/123"  # no spider, no container: trafilatura
WORDS = "این بند آزمایشی است که می\u200cشود آن را خواند و متن خبر را نشان می\u200cدهد"
FIRST = f"بند نخست: {WORDS}."
LAST = f"بند پایانی: {WORDS}."


def _container(inner: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(f"<html><body><div id='c'>{inner}</div></body></html>").get_element_by_id("c")


@pytest.mark.parametrize(
    ("inner", "expected"),
    [
        ("<p>یک</p><p>دو</p>", ["یک", "دو"]),
        ("سر <b>پر</b>رنگ<p>بند</p>دم", ["سر پررنگ", "بند", "دم"]),  # inline tails join, block tails start a line
        ("یک<br>دو<br/><br>سه", ["یک", "دو", "سه"]),
        ("<p>یک<!-- یادداشت -->دو</p>", ["یکدو"]),  # a comment's text is not read, its tail is
        ("<p>متن</p><div class='related-news'><p>خبر دیگر</p></div>", ["متن"]),
        ("<p>متن</p><script>var x = 1;</script><nav>منو</nav>", ["متن"]),
        ("<ul><li>یک</li><li>دو</li></ul>", ["یک", "دو"]),  # an enumerated list is text
        ("<ul><li><a href='/1'>خبر</a></li><li><a href='/2'>خبر دو</a></li></ul><p>متن</p>", ["متن"]),
        # «بیشتر بخوانید» drops itself and the list after it, not the paragraph after that.
        ("<p>متن</p><p>بیشتر بخوانید:</p><ul><li>خبر</li></ul><p>ادامه</p>", ["متن", "ادامه"]),
        # ... only among its own siblings: a list in the next paragraph is kept.
        ("<div><p>بیشتر بخوانید</p></div><p>یک<ul><li>دو</li></ul></p>", ["یک", "دو"]),
        ("<p>متن</p><p>انتهای پیام</p>", ["متن"]),
        ("<p>  علي   كتاب </p>", ["علی کتاب"]),
    ],
)
def test_block_lines(inner: str, expected: list[str]) -> None:
    assert block_lines(_container(inner)) == expected


def test_block_lines_ignores_the_containers_tail() -> None:
    container = _container("<p>متن</p>")
    container.tail = "بیرون از متن"
    assert block_lines(container) == ["متن"]


def _built_chain(depth: int, tags: tuple[str, ...]) -> lxml.html.HtmlElement:
    """A container nested ``depth`` levels deep, built node by node: no parser caps the depth."""
    root = lxml.html.fragment_fromstring("<div></div>")  # an HtmlElement, as parsel and lxml.html give
    first = etree.SubElement(root, "p")
    first.text = FIRST
    node = root
    for level in range(depth):
        node = etree.SubElement(node, tags[level % len(tags)])
        if level % 1000 == 0:
            node.text = f"سطح {level} "
    node.text = (node.text or "") + WORDS
    last = etree.SubElement(root, "p")
    last.text = LAST
    return root


@pytest.mark.parametrize(("depth", "tags"), [(20_000, ("span", "b")), (5_000, ("div", "span"))])
def test_block_lines_on_a_tree_deeper_than_the_recursion_limit(depth: int, tags: tuple[str, ...]) -> None:
    assert depth > sys.getrecursionlimit()
    lines = block_lines(_built_chain(depth, tags))
    assert lines[0] == FIRST and lines[-1] == LAST
    assert f"سطح {(depth - 1) // 1000 * 1000}" in "\n".join(lines)
    assert WORDS in lines[-2]


def _deep_page(depth: int, inline: str, container: bool) -> str:
    """A news page whose body nests ``depth`` elements, ``div`` alternating with ``inline``, around paragraphs."""
    tags = [inline if level % 2 else "div" for level in range(depth)]
    opening = "".join(f"<{tag}>" + (f"<p>{WORDS}</p>" if level % 250 == 0 else "") for level, tag in enumerate(tags))
    closing = "".join(f"</{tag}>" for tag in reversed(tags))
    attrs = 'class="item-text" itemprop="articleBody"' if container else 'class="content"'
    return (
        "<html><head><title>عنوان خبر آزمایشی</title></head><body>"
        "<nav><a href='/'>خانه</a></nav><h1>عنوان خبر آزمایشی</h1>"
        f'<div class="item-body"><div {attrs}><p>{FIRST}</p>{opening}<p>{WORDS}</p>{closing}<p>{LAST}</p></div></div>'
        "</body></html>"
    )


def _survives(html: str, url: str) -> None:
    """A record or NotAnArticle; anything else (RecursionError above all) would cost the item."""
    try:
        record = extract_article(html, url)
    except NotAnArticle:
        return
    assert record["title"] == "عنوان خبر آزمایشی"
    assert record["body"].startswith(FIRST)
    assert "\u200c" in record["body"]


@pytest.mark.parametrize("depth", [5_000, 20_000])
@pytest.mark.parametrize("inline", ["div", "span", "b"])
@pytest.mark.parametrize("url", [SPIDER_URL, GENERIC_URL], ids=["spider", "generic"])
@pytest.mark.parametrize("container", [True, False], ids=["articleBody", "no-articleBody"])
def test_deep_page_is_read_or_refused(depth: int, inline: str, url: str, container: bool) -> None:
    # libxml2 stops nesting at its depth cap (2,048 levels with parsel's huge_tree) and drops what lies below it;
    # the tree it builds is still twice as deep as Python's recursion limit.
    _survives(_deep_page(depth, inline, container), url)


# Shapes that trafilatura walks one Python frame per level (handle_lists, define_newelem).
_TRAFILATURA_RECURSES = {
    "lists": "<ul><li>" * 1_000 + WORDS + "</li></ul>" * 1_000,
    "del": "<p>" + f"<del>{WORDS} " * 2_000 + "</del>" * 2_000 + "</p>",
}


@pytest.mark.parametrize("inner", _TRAFILATURA_RECURSES.values(), ids=_TRAFILATURA_RECURSES.keys())
@pytest.mark.parametrize("url", [SPIDER_URL, GENERIC_URL], ids=["spider", "generic"])
def test_deep_page_trafilatura_recurses_on(inner: str, url: str) -> None:
    html = (
        "<html><head><title>عنوان خبر آزمایشی</title></head><body><h1>عنوان خبر آزمایشی</h1>"
        f"<div class='content'><p>{FIRST}</p>{inner}<p>{LAST}</p></div></body></html>"
    )
    _survives(html, url)


def test_trafilatura_recursion_falls_back_to_the_block_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    def recurses(*args: object, **kwargs: object) -> str:
        raise RecursionError("maximum recursion depth exceeded")

    import trafilatura

    monkeypatch.setattr(trafilatura, "extract", recurses)
    tree = Selector(
        text=f"<html><head><title>عنوان</title></head><body><nav>منو</nav><p>{FIRST}</p><p>{LAST}</p>"
        "<footer>پانویس</footer></body></html>"
    ).root
    assert trafilatura_lines(tree, GENERIC_URL) == [FIRST, LAST]


def test_chrome_text_on_a_deep_tree() -> None:
    root = _built_chain(5_000, ("div",))
    nav = etree.SubElement(root, "nav")
    nav.text = "منوی سایت"
    assert chrome_text(root) == "منوی سایت"
