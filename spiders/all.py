"""Every site of ``spiders/*.toml`` as a Scrapy spider class (the module Scrapy's loader reads)."""

from newsbot.registry import build_spiders

globals().update(build_spiders(__name__))
