"""CMS families: most Iranian agencies run on one of three systems, so a site is mostly its family.

Each family module holds a parser (selectors for the family's markup) and a spider base (URL patterns and
discovery endpoints). A site subclasses the family spider and sets a few lines of data.
"""

from newsbot.families.asam import AsamParser, AsamSpider
from newsbot.families.didgah import DidgahParser, DidgahSpider
from newsbot.families.newsstudio import NewsStudioParser, NewsStudioSpider

FAMILIES = {"newsstudio": NewsStudioSpider, "didgah": DidgahSpider, "asam": AsamSpider}

__all__ = [
    "FAMILIES",
    "AsamParser",
    "AsamSpider",
    "DidgahParser",
    "DidgahSpider",
    "NewsStudioParser",
    "NewsStudioSpider",
]
