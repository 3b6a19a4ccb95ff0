"""Tabnak (tabnak.ir): Didgah; headline in ``h1.Htag``, Gregorian twin date in ``span.en_date``."""

from newsbot.families import DidgahSpider


class TabnakSpider(DidgahSpider):
    name = "tabnak"
    agency = "تابناک"
    domains = ("tabnak.ir",)
    base_url = "https://www.tabnak.ir"
    selectors = {"title": ("h1.Htag",)}
