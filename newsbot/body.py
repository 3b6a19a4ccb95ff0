"""Body text: paragraphs out of a container element, and trafilatura for pages without a known container.

Why not trafilatura everywhere: when a site's own selector names the article container, the agency has already
told us where the text is; a walk over its blocks keeps every short paragraph and subheading that a generic
boilerplate classifier may drop, and costs a fraction of the time. trafilatura is the fallback for pages with no
known container, and it is run with HTML output, because its plain-text output deletes every ZWNJ
(``remove_control_characters`` keeps only ``str.isprintable`` characters, and U+200C is not one).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator

import lxml.html
from lxml.etree import _Element

from newsbot.text import is_trailer, normalize_text

# Elements that end a line of text.
_BLOCKS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol blockquote pre section article header footer table tr td th dl dt dd "
    "figure aside main nav address hr center".split()
)
# Elements never read as body text.
_SKIP_TAGS = frozenset(
    "script style noscript template iframe object embed form button input select textarea svg canvas video "
    "audio figcaption nav aside footer header".split()
)
# Class/id fragments of boxes that sit inside article containers but are not the article.
_JUNK = re.compile(
    r"related|most[-_]?(?:view|visit|read|popular)|share|social|(?<![-\w])tags?(?![-\w])|tag[-_]?(?:s|items|list)\b|"
    r"comment|advert|"
    r"\bads?\b|banner|noprint|jwplayer|hidetag|newsletter|subscribe|short[-_]?link|tinyurl|breadcrumb|"
    r"news[-_]?path|author[-_]?box|print[-_]?btn|rating|survey|"
    # A photo's caption set as a paragraph («p.caption», «span.img_caption»), a source credit box («منبع: ایسنا»).
    r"caption|(?<![-\w])source[-_]?(?:box|link)s?(?![-\w])",
    re.I,
)
_READ_MORE = re.compile(r"^\s*(?:بیشتر\s*بخوانید|بخوانید|مطالب\s*مرتبط|اخبار\s*مرتبط|بیشتر)\s*:?\s*$")


def _is_junk(el: _Element) -> bool:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _SKIP_TAGS:
        return True
    marker = f"{el.get('class', '')} {el.get('id', '')}"
    return bool(marker.strip()) and bool(_JUNK.search(marker))


# Blocks that hold one line of text (a div may hold the whole story, so it is never judged as one line).
_LINE_BLOCKS = frozenset("p h1 h2 h3 h4 h5 h6 li blockquote dd dt".split())
#: «بیشتر بخوانید:» and its kin in front of a link to another story (the generic extractor strips it too).
READ_MORE_PREFIX = re.compile(r"^\s*(?:بیشتر\s*بخوانید|بخوانید|مطلب\s*مرتبط|خبر\s*مرتبط|پیشنهاد\s*(?:ویژه|خواندنی)|"
                               r"همچنین\s*بخوانید|اینجا\s*بخوانید|read\s*more)\s*[:：]?\s*", re.I)


def _is_link_line(el: _Element, text: str) -> bool:
    """A line whose text is all link text (after an optional «بیشتر بخوانید:»): a pointer to another story.

    An in-body read-more box is a paragraph or heading holding one link to another article (``/news/123``,
    ``tn.ai/123``); its text is that story's headline, not this one's. A paragraph with a link inside a sentence
    keeps its text, since the words around the link are the author's.
    """
    stripped = READ_MORE_PREFIX.sub("", text).strip()
    if not stripped:
        return False
    links = [a for a in el.iter("a") if (a.get("href") or "").strip() not in ("", "#")
             and not (a.get("href") or "").startswith(("javascript:", "mailto:", "tel:"))]
    if not links:
        return False
    linked = "".join(a.text_content() or "" for a in links).strip()
    return bool(linked) and len("".join(linked.split())) >= 0.9 * len("".join(stripped.split()))


def _is_link_list(el: _Element) -> bool:
    """A list whose every item is just a link: a related-news list, not an enumerated paragraph."""
    items = [li for li in el if isinstance(li.tag, str) and li.tag == "li"]
    if not items:
        return False
    for li in items:
        text = (li.text_content() or "").strip()
        links = "".join(a.text_content() or "" for a in li.iter("a")).strip()
        if not text or links != text:
            return False
    return True


class _Open:
    """What a recursive call kept in its frame, for one element :func:`_pieces` has entered and not yet left.

    ``skip_next_list`` is per parent: a «بیشتر بخوانید» line drops the next list among its own siblings only.
    """

    __slots__ = ("block", "children", "skip_next_list", "tail")

    def __init__(self, children: Iterator[_Element], *, block: bool, tail: str | None) -> None:
        self.children = children
        self.block = block
        self.tail = tail
        self.skip_next_list = False


def _pieces(el: _Element, skip: frozenset[_Element] = frozenset()) -> Iterator[str | None]:
    """Text pieces in document order; ``None`` marks a line break (a block boundary or ``<br>``).

    The walk keeps its own stack of open elements instead of recursing: a page nested deeper than Python's
    recursion limit (parsel's libxml2 builds trees up to 2,048 levels deep, and hostile or broken pages get there)
    must cost a longer loop, not the whole item.
    """
    if el.text:
        yield el.text
    # A block is closed by a line break, then its tail; the root's tail is outside the container and never read.
    stack: list[_Open] = [_Open(iter(el), block=False, tail=None)]
    while stack:
        top = stack[-1]
        child = next(top.children, None)
        if child is None:
            stack.pop()
            if top.block:
                yield None
            if top.tail:
                yield top.tail
            continue
        tag = child.tag if isinstance(child.tag, str) else None
        if tag is None:  # comment or processing instruction
            pass
        elif top.skip_next_list and tag in ("ul", "ol", "div"):
            top.skip_next_list = False
        elif child in skip or _is_junk(child) or (tag in ("ul", "ol") and _is_link_list(child)):
            pass
        elif tag == "br":
            yield None
        elif tag in _BLOCKS:
            text = child.text_content() or ""
            if _READ_MORE.match(text):
                top.skip_next_list = True
            elif tag in _LINE_BLOCKS and _is_link_line(child, text):
                top.skip_next_list = False  # a read-more box: a line that is only a link to another page
            else:
                top.skip_next_list = False
                yield None
                if child.text:
                    yield child.text
                stack.append(_Open(iter(child), block=True, tail=child.tail))
                continue  # the tail comes when the child is closed
        else:
            if child.text:
                yield child.text
            stack.append(_Open(iter(child), block=False, tail=child.tail))
            continue
        if child.tail:
            yield child.tail


def block_lines(container: _Element, skip: frozenset[_Element] = frozenset()) -> list[str]:
    """The container's text as normalised lines, one per block, without agency trailers; elements in ``skip``
    (a site's ``body_exclude``) and everything inside them are not read."""
    lines: list[str] = []
    buf: list[str] = []
    for piece in _pieces(container, skip):
        if piece is None:
            if buf:
                lines.append("".join(buf))
                buf = []
        else:
            buf.append(piece)
    if buf:
        lines.append("".join(buf))
    out = []
    for raw in lines:
        line = normalize_text(raw)
        if line and not is_trailer(line):
            out.append(line)
    return out


_PAGE_CHROME = frozenset("nav header footer aside".split())
# A form is furniture when it is a search, login or comment form; ASP.NET WebForms pages wrap the whole page,
# article included, in one <form>, which is not.
_SMALL_FORM = 400
_SKIP_TEXT = frozenset("script style noscript template svg head".split())


def chrome_text(tree: _Element) -> str:
    """The text of the page's furniture (comments, related/most-viewed boxes, menus, headers, footers), one box a line.

    trafilatura sometimes keeps a comment thread or a side box that its classifier took for text; a line that the
    page itself prints inside such a box is not body text. Only the outermost box of a nest is read, once, so the
    cost is one pass over the page.
    """
    boxes: list[str] = []
    # A box holding a third of the page's text is the article itself, whatever its classes say
    # (WordPress marks posts "tag-travel", "post-123").
    limit = len(tree.text_content() or "") / 3
    stack = [tree]
    while stack:
        for el in stack.pop():
            tag = el.tag if isinstance(el.tag, str) else ""
            if not tag or tag in _SKIP_TEXT:
                continue
            if tag == "form" and len(el.text_content() or "") < _SMALL_FORM:
                boxes.append(normalize_text(" ".join(el.itertext())) or "")
                continue
            if tag in _PAGE_CHROME or (tag != "form" and _is_junk(el)):
                text = " ".join(el.itertext())
                if len(text) <= limit:
                    boxes.append(normalize_text(text) or "")
                    continue
            stack.append(el)
    return "\n".join(boxes)


def trafilatura_lines(tree: _Element, url: str | None = None) -> list[str]:
    """Main text found by trafilatura, as normalised lines with every ZWNJ kept."""
    # Imported here, not at the top: it costs 0.2 s of start-up, and pages with a known container never need it.
    import trafilatura

    # trafilatura prunes the tree it is given; the caller's tree is shared by every field method.
    # fast=True skips its jusText/readability fallback: 40% of the generic path's time, with the same gold scores.
    try:
        html = trafilatura.extract(
            copy.deepcopy(tree),
            url=url,
            output_format="html",
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            deduplicate=False,
            fast=True,
        )
    except RecursionError:
        # trafilatura recurses once per nesting level in places (nested lists in handle_lists, nested inline
        # formatting such as <del> in define_newelem), so a page nested about a thousand levels deep, which libxml2
        # still parses, exhausts Python's stack there. The page's text is still worth having: the iterative block
        # walk over <body> reads it, and the caller drops the page furniture it keeps.
        body = tree.find("body") if tree.tag != "body" else tree
        return block_lines(body if body is not None else tree)
    if not html:
        return []
    root = lxml.html.fromstring(html)
    body = root.find("body")
    return block_lines(body if body is not None else root)
