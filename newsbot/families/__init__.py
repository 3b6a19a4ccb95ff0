"""CMS families: most Iranian agencies run on one of three systems, so a site is mostly its family.

Each family module holds a parser (selectors for the family's markup) and ``SPIDER``, the data its sites' spiders
start from (URL patterns, discovery endpoints). A site (an entry of ``spiders/*.toml``, see ``newsbot.sites``)
names its family and overrides what differs. ``own`` is for a site with a CMS of its own: the generic parser and
generic URL shapes, so such a site usually names its own patterns and endpoints.

Nothing here imports Scrapy: a saved page is parsed with a family's parser alone (``newsbot extract``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from newsbot.families import asam, didgah, newsstudio
from newsbot.families.asam import AsamParser
from newsbot.families.didgah import DidgahParser
from newsbot.families.newsstudio import NewsStudioParser
from newsbot.parser import ArticleParser


@dataclass(frozen=True)
class Family:
    """A CMS family: its parser, its spider data and its clean-up rules (what every site of it shares)."""

    name: str
    parser: type[ArticleParser]
    spider: Mapping[str, Any]
    #: Clean-up rules every site of the family gets (see ``newsbot.parser.Rules``), before the site's own.
    rules: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


OWN = Family(
    "own",
    ArticleParser,
    {"article_patterns": (r"^/(?:fa/)?(?:news|article|content|post)s?/(\d+)", r"/(\d{5,})(?:[-/]|$|\.html?)")},
)

FAMILIES: dict[str, Family] = {
    "newsstudio": Family("newsstudio", NewsStudioParser, newsstudio.SPIDER),
    # Didgah pages print a caption under each image inside the body (``span.img_caption``); it is not the story.
    "didgah": Family("didgah", DidgahParser, didgah.SPIDER, {"body_exclude": (".img_caption",)}),
    "asam": Family("asam", AsamParser, asam.SPIDER),
    "own": OWN,
}

__all__ = ["FAMILIES", "AsamParser", "DidgahParser", "Family", "NewsStudioParser"]
