"""ISNA (isna.ir): NewsStudio with its own theme. Ids pack the Jalali date: 1404061207654 = 1404/06/12 + seq."""

from newsbot.families import NewsStudioSpider


class IsnaSpider(NewsStudioSpider):
    name = "isna"
    agency = "ایسنا"
    domains = ("isna.ir",)
    base_url = "https://www.isna.ir"
    selectors = {
        "date": (".meta-news li:first-child .text-meta",),
        "category": (".meta-news [itemprop=articleSection]",),
    }
    archive_by_date = "/page/archive.xhtml?ms=0&dy={jd}&mn={jm}&yr={jy}&pi={page}"
    service_feeds = ("/rss/tp/3", "/rss/tp/14")
