"""Mehr News (mehrnews.com): NewsStudio; dates like «۱۹ تیر ۱۳۹۵، ۹:۳۳» in ``.item-date``."""

from newsbot.families import NewsStudioSpider


class MehrSpider(NewsStudioSpider):
    name = "mehr"
    agency = "خبرگزاری مهر"
    domains = ("mehrnews.com",)
    base_url = "https://www.mehrnews.com"
    archive_by_date = "/page/archive.xhtml?mn={jm}&wide=0&ty=1&dy={jd}&ms=0&pi={page}&yr={jy}"
    service_feeds = ("/rss/tp/25", "/rss/tp/9")
