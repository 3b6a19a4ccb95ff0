"""The sites: one entry per site in ``*.toml`` here (see ``newsbot.sites``), Python only where a site needs logic.

``spiders.all`` turns every entry into a Scrapy spider (``SPIDER_MODULES``); the other modules hold the classes
an entry names with ``class =`` or ``parser =``.
"""
