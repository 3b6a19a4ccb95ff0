"""Behzisti (behzisti.ir) and its provincial subdomains (kerman.behzisti.ir, ...): crawl logic its data cannot say."""

from urllib.parse import urlsplit

from newsbot.spider import NewsSpider


class Behzisti(NewsSpider):
    """The state key: each provincial subdomain numbers its news on its own."""

    @classmethod
    def state_key(cls, url: str, news_code: str) -> str:
        # kerman's 24567 is not www's 24567.
        host = urlsplit(url).hostname or ""
        province = host.removesuffix("behzisti.ir").removeprefix("www.").strip(".")
        return f"{province}:{news_code}" if province else news_code
