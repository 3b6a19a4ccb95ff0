"""Donya-e-Eqtesad (donya-e-eqtesad.com): Asam with ``.article-body`` and ``time[itemprop=datepublished]``."""

from newsbot.families import AsamSpider


class DonyaSpider(AsamSpider):
    name = "donya"
    agency = "دنیای اقتصاد"
    domains = ("donya-e-eqtesad.com",)
    base_url = "https://donya-e-eqtesad.com"
    feeds = ("/feeds/",)
    news_sitemaps = ("/sitemap.xml",)  # an index of daily urlsets; only recent days are followed
