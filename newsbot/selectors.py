"""CSS selectors, run on a page only when they can match it.

A field tries a list of selectors (the site's, the family's, the generic ones), and on a given page most of them
name classes the page does not have: every one still cost a whole-document scan of a few hundred microseconds,
about two dozen per page, most of the parsing time. So the page's class, id and ``itemprop`` tokens are read once,
in one compiled XPath pass in C, and a selector whose required tokens are missing is answered "nothing" without
touching the tree. The rest run as XPath compiled once per process, on lxml elements directly (no parsel
``Selector`` wrapper per result).

What a selector requires is read from its text: every ``.class``, ``#id`` and ``[itemprop=x]`` outside ``:not()``,
for each alternative of a comma-separated union. That is an under-approximation of what a match needs, so a
skipped selector could never have matched.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from lxml import etree
from parsel.csstranslator import HTMLTranslator

_TRANSLATOR = HTMLTranslator()
_TOKENS = etree.XPath("//@class|//@id|//@itemprop", smart_strings=False)
_NOT = re.compile(r":not\((?:[^()]|\([^()]*\))*\)")
_ITEMPROP = re.compile(r"""\[\s*itemprop\s*=\s*['"]?([-\w]+)['"]?\s*\]""")
_BRACKETS = re.compile(r"\[[^\]]*\]")
_PSEUDO_ARGS = re.compile(r"::?[-\w]+\((?:[^()]|\([^()]*\))*\)")
_CLASS_OR_ID = re.compile(r"[.#](-?[_a-zA-Z\u00a0-\uffff][-\w\u00a0-\uffff]*)")


class PageIndex:
    """The class, id and itemprop tokens of one page (all in one set: a false "present" only costs a scan)."""

    __slots__ = ("root", "tokens")

    def __init__(self, root: Any) -> None:
        self.root = root
        tokens: set[str] = set()
        for value in _TOKENS(root) if root is not None else ():
            tokens.update(value.split())
        self.tokens = tokens

    def can_match(self, css: str) -> bool:
        return any(need <= self.tokens for need in requirements(css))

    def select(self, css: str, root: Any = None) -> list[Any]:
        """Elements (or strings, for ``::text`` and ``::attr()``) matching ``css`` under ``root`` (the page)."""
        if not self.can_match(css):
            return []
        target = self.root if root is None else root
        if target is None:
            return []
        return compiled(css)(target)


@lru_cache(maxsize=4096)
def requirements(css: str) -> tuple[frozenset[str], ...]:
    """For each alternative of the selector, the tokens a page must hold for it to match anything."""
    out = []
    for alternative in _split_union(css):
        text = _NOT.sub("", alternative)
        props = set(_ITEMPROP.findall(text))
        text = _PSEUDO_ARGS.sub("", _BRACKETS.sub("", text))
        out.append(frozenset(props | set(_CLASS_OR_ID.findall(text))))
    return tuple(out) or (frozenset(),)


@lru_cache(maxsize=4096)
def compiled(css: str) -> etree.XPath:
    return xpath(_TRANSLATOR.css_to_xpath(css))


@lru_cache(maxsize=1024)
def xpath(query: str) -> etree.XPath:
    """An XPath compiled once per process, run on lxml directly (parsel would wrap every result in a Selector)."""
    return etree.XPath(query, smart_strings=False)


def _split_union(css: str) -> list[str]:
    """Top-level alternatives of ``a, b:not(c, d)``: commas inside brackets or parentheses do not split."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(css):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(css[start:i])
            start = i + 1
    parts.append(css[start:])
    return [p.strip() for p in parts if p.strip()]
