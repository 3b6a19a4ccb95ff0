"""Scrapy's view of the sites: one spider class per entry of ``spiders/*.toml`` (see ``newsbot.sites``).

``spiders/all.py`` puts these classes in a module of ``SPIDER_MODULES``, so ``scrapy list``, ``scrapy crawl NAME``
and ``newsbot crawl`` all see one spider per site. A class is the site's Python ``class`` when it names one (crawl
logic such as a state key), else ``NewsSpider``, with the entry's and its family's data as class attributes.
"""

from __future__ import annotations

import functools
from typing import Any

from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader

from newsbot import sites
from newsbot.sites import Site, SiteDataError, load_object
from newsbot.spider import NewsSpider

#: Spider attributes a site entry or its family may set (the rest of an entry is parsing data, read via Site).
_SPIDER_ATTRS = ("article_patterns", "skip_patterns", "feeds", "service_feeds", "news_sitemaps", "listings",
                 "sitemap_indexes", "yearly_sitemap", "daily_sitemap", "archive_by_date", "listing_selectors",
                 "next_page_selectors", "window_days", "max_archive_pages")


def project_settings() -> Settings:
    """The project's settings without needing scrapy.cfg in the working directory."""
    settings = Settings()
    settings.setmodule("newsbot.settings", priority="project")
    return settings


def spider_class(site: Site, module: str = "spiders.all") -> type[NewsSpider]:
    """The Scrapy spider class of one site entry."""
    base: type[NewsSpider] = NewsSpider
    if "class" in site.data:
        base = load_object(site.data["class"], f"{site.source}: [{site.name}] class")
        if not (isinstance(base, type) and issubclass(base, NewsSpider)):
            raise SiteDataError(f"{site.source}: [{site.name}] class {site.data['class']} is not a NewsSpider")
    attrs: dict[str, Any] = {
        "__module__": module,
        "__doc__": f"{site.agency or site.name} ({', '.join(site.domains)}): {site.family} family, "
                   f"from {site.source}.",
        "name": site.name,
        "site": site,
        "agency": site.agency,
        "domains": site.domains,
        "base_url": site.base_url,
        "family": site.family,
        "parser": site.parser_class,
        "selectors": site.selectors,
    }
    for key in _SPIDER_ATTRS:
        value = site.value(key)
        if value is not None:
            attrs[key] = value
    cls_name = "".join(part.capitalize() for part in site.name.split("_")) + "Spider"
    return type(cls_name, (base,), attrs)


def build_spiders(module: str) -> dict[str, type[NewsSpider]]:
    """Every site's spider class, keyed by class name, for a module's globals."""
    classes = {}
    for site in sites.load().values():
        cls = spider_class(site, module)
        classes[cls.__name__] = cls
    return classes


@functools.lru_cache(maxsize=1)
def spiders() -> dict[str, type[NewsSpider]]:
    """The project's spiders as Scrapy loads them (``SPIDER_MODULES``), by name."""
    loader = SpiderLoader.from_settings(project_settings())
    found = {name: loader.load(name) for name in loader.list()}
    return {name: cls for name, cls in sorted(found.items()) if issubclass(cls, NewsSpider)}


def get_spider(name: str) -> type[NewsSpider]:
    try:
        return spiders()[name]
    except KeyError:
        raise KeyError(f"no spider named {name!r} (see `newsbot list`)") from None
