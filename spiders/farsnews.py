"""Fars (farsnews.ir) since its 2024 redesign: a Next.js app whose story also sits in ``script#__NEXT_DATA__``.

Pages rendered on the server carry the story in the HTML (the generic parser and the entry's selectors read it);
pages served as the app's shell carry only the ``<head>`` and the JSON. Each field here is the HTML's value when
the page has one, else the story object's in ``props.pageProps`` of that JSON.
"""

from __future__ import annotations

import json
from typing import Any

import lxml.html

from newsbot.body import block_lines
from newsbot.parser import ArticleParser, memo
from newsbot.selectors import xpath
from newsbot.text import normalize_text

_NEXT_DATA = "//script[@id='__NEXT_DATA__']/text()"


class FarsParser(ArticleParser):
    """The generic parser, with the Next.js story object as every field's fallback."""

    @memo
    def post(self) -> dict[str, Any]:
        """The story object of ``__NEXT_DATA__`` (the first dict in ``pageProps`` with a title and a body)."""
        for raw in xpath(_NEXT_DATA)(self.sel.root)[:1]:
            try:
                data = json.loads(raw)
            except ValueError:
                return {}
            props = (data.get("props") or {}).get("pageProps") or {} if isinstance(data, dict) else {}
            return _story(props) or {}
        return {}

    def _json(self, *keys: str) -> Any:
        value: Any = self.post()
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    def _json_text(self, *keys: str) -> str | None:
        value = self._json(*keys)
        return normalize_text(value) if isinstance(value, str) else None

    @memo
    def title(self) -> str | None:
        return super().title() or self._json_text("title")

    @memo
    def kicker(self) -> str | None:
        return super().kicker() or self._json_text("upTitle")

    @memo
    def lead(self) -> str | None:
        return super().lead() or self._json_text("lead")

    @memo
    def body_lines(self) -> list[str]:
        # The HTML's text container when the server rendered it; else the story's own HTML from the JSON (the
        # shell's text, all menus and footers, is no story).
        if any(self.select(css) for css in self.chain("body")):
            return super().body_lines()
        html = self._json("body")
        if isinstance(html, str) and html.strip():
            lines = block_lines(lxml.html.fragment_fromstring(html, create_parent="div"))
            if lines:
                self._body_from = "container"
                return self._drop_trailers(lines)
        return super().body_lines()

    def published_candidates(self) -> list[str]:
        return self._with_json(super().published_candidates(), "publishedAt",
                               self.meta.ld("datePublished") or self.meta.meta("article:published_time"))

    @memo
    def modified_candidates(self) -> list[str]:
        return self._with_json(super().modified_candidates(), "updatedAt", None)

    def _with_json(self, found: list[str], key: str, machine: Any) -> list[str]:
        """The JSON's timestamp first when the page states no machine-readable one, else last."""
        stamp = self._json(key)
        if not isinstance(stamp, str) or not stamp.strip() or stamp in found:
            return found
        return [*found, stamp] if machine else [stamp, *found]

    def category(self) -> str | None:
        return super().category() or self._json_text("category", "title")

    def tags(self) -> list[str]:
        found = super().tags()
        if found:
            return found
        items = self._json("tags") or []
        names = [normalize_text(t.get("title") if isinstance(t, dict) else t) for t in items]
        return list(dict.fromkeys(n for n in names if n))

    def authors(self) -> list[str]:
        found = super().authors()
        name = self._json_text("author", "fullName")
        return found or ([name] if name and name not in self.rules.author_exclude else [])

    def image(self) -> str | None:
        return super().image() or self.absolute(self._json_text("image", "url"))


def _story(node: Any, depth: int = 0) -> dict[str, Any] | None:
    if depth > 4 or not isinstance(node, dict):
        return None
    if isinstance(node.get("title"), str) and isinstance(node.get("body"), str):
        return node
    for value in node.values():
        found = _story(value, depth + 1)
        if found:
            return found
    return None
