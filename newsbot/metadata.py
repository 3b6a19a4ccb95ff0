"""Machine-readable page metadata: JSON-LD, OpenGraph / ``article:*`` metas and ``itemprop`` microdata.

Read once per page into a small object so that every field method can consult it without walking the tree again.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from parsel import Selector

logger = logging.getLogger(__name__)

_ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "blogposting", "analysisnewsarticle",
                  "opinionnewsarticle", "backgroundnewsarticle", "report", "liveblogposting"}


@dataclass
class PageMeta:
    """What the page says about itself in machine-readable form (all values raw strings)."""

    metas: dict[str, list[str]] = field(default_factory=dict)
    jsonld: dict[str, Any] = field(default_factory=dict)
    canonical: str | None = None

    def meta(self, *names: str) -> str | None:
        """First non-empty value among the named metas (``og:title``, ``description``, ...)."""
        for name in names:
            for value in self.metas.get(name.lower(), ()):
                if value and value.strip():
                    return value.strip()
        return None

    def meta_all(self, name: str) -> list[str]:
        return [v.strip() for v in self.metas.get(name.lower(), ()) if v and v.strip()]

    def ld(self, key: str) -> Any:
        return self.jsonld.get(key)


_METAS = etree.XPath("//meta[@content]")
_CANONICAL = etree.XPath("//link[@rel='canonical']/@href", smart_strings=False)
_JSONLD = etree.XPath("//script[@type='application/ld+json']/text()", smart_strings=False)


def read_meta(sel: Selector) -> PageMeta:
    """Collect metas (by ``property``, ``name`` or ``itemprop``), the article JSON-LD object and the canonical link.

    Read with compiled XPath on the lxml tree: once per page, but parsel would wrap each of a page's hundred
    metas in a Selector of its own.
    """
    metas: dict[str, list[str]] = {}
    root = sel.root
    for node in _METAS(root):
        key = node.get("property") or node.get("name") or node.get("itemprop")
        if key:
            metas.setdefault(key.strip().lower(), []).append(node.get("content"))
    canonical = _CANONICAL(root)
    return PageMeta(metas=metas, jsonld=_article_jsonld(root),
                    canonical=canonical[0].strip() if canonical else None)


def _article_jsonld(root: Any) -> dict[str, Any]:
    for raw in _JSONLD(root):
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            logger.debug("unparseable JSON-LD block skipped")
            continue
        found = _find_article(data)
        if found:
            return found
    return {}


def _find_article(data: Any) -> dict[str, Any] | None:
    if isinstance(data, list):
        for item in data:
            found = _find_article(item)
            if found:
                return found
        return None
    if not isinstance(data, dict):
        return None
    types = data.get("@type")
    types = types if isinstance(types, list) else [types]
    if any(isinstance(t, str) and t.lower() in _ARTICLE_TYPES for t in types):
        return data
    return _find_article(data.get("@graph", []))


def ld_names(value: Any, exclude: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Names out of a JSON-LD ``author``-like value (string, object or list of either).

    An ``Organization`` is left out, and so is a plain name in ``exclude`` (the publisher, the site's name): sites
    put themselves (or a desk) as the author of every story, which says nothing about who wrote it.
    """
    if value is None:
        return []
    if isinstance(value, str):
        return [] if value.strip() in exclude else [value]
    if isinstance(value, dict):
        name = value.get("name")
        if not isinstance(name, str):
            return []
        kinds = value.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if any(k in ("Organization", "NewsMediaOrganization", "Corporation") for k in kinds):
            return []  # an organisation (the agency, a desk) is not who wrote the story
        return [name]
    if isinstance(value, list):
        return [n for item in value for n in ld_names(item, exclude)]
    return []


def ld_url(value: Any) -> str | None:
    """A URL out of a JSON-LD ``image``-like value (string, ImageObject or list)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return ld_url(value.get("url") or value.get("contentUrl"))
    if isinstance(value, list) and value:
        return ld_url(value[0])
    return None


def ld_keywords(value: Any) -> list[str]:
    if isinstance(value, str):
        return [k.strip() for k in value.replace("،", ",").split(",") if k.strip()]
    if isinstance(value, list):
        return [k.strip() for k in value if isinstance(k, str) and k.strip()]
    return []
