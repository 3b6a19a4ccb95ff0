"""Behzisti (behzisti.ir) and its provincial subdomains (kerman.behzisti.ir, ...): NewsStudio."""

from newsbot.families import NewsStudioSpider


class BehzistiSpider(NewsStudioSpider):
    name = "behzisti"
    agency = "سازمان بهزیستی کشور"
    domains = ("behzisti.ir",)
    base_url = "https://www.behzisti.ir"
    selectors = {"date": (".item-nav > div:first-child > span",)}
