"""Which spider owns a URL: the project's spiders as Scrapy loads them (``SPIDER_MODULES``)."""

from __future__ import annotations

import functools

from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader

from newsbot.spider import NewsSpider


def project_settings() -> Settings:
    """The project's settings without needing scrapy.cfg in the working directory."""
    settings = Settings()
    settings.setmodule("newsbot.settings", priority="project")
    return settings


@functools.lru_cache(maxsize=1)
def spiders() -> dict[str, type[NewsSpider]]:
    loader = SpiderLoader.from_settings(project_settings())
    found = {name: loader.load(name) for name in loader.list()}
    return {name: cls for name, cls in sorted(found.items()) if issubclass(cls, NewsSpider)}


def get_spider(name: str) -> type[NewsSpider]:
    try:
        return spiders()[name]
    except KeyError:
        raise KeyError(f"no spider named {name!r}; known: {', '.join(spiders())}") from None


def spider_for_url(url: str) -> type[NewsSpider] | None:
    for cls in spiders().values():
        if cls.owns(url):
            return cls
    return None
