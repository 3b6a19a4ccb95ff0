"""Behzisti (behzisti.ir) and its provincial subdomains (kerman.behzisti.ir, ...): NewsStudio."""

from urllib.parse import urlsplit

from newsbot.families import NewsStudioSpider


class BehzistiSpider(NewsStudioSpider):
    name = "behzisti"
    agency = "سازمان بهزیستی کشور"
    domains = ("behzisti.ir",)
    base_url = "https://www.behzisti.ir"
    selectors = {"date": (".item-nav > div:first-child > span",)}

    @classmethod
    def state_key(cls, url: str, news_code: str) -> str:
        # Each provincial subdomain numbers its news on its own: kerman's 24567 is not www's 24567.
        host = urlsplit(url).hostname or ""
        province = host.removesuffix("behzisti.ir").removeprefix("www.").strip(".")
        return f"{province}:{news_code}" if province else news_code
