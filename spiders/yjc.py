"""Young Journalists Club (yjc.ir): Didgah; dates like «۱۲ دی ۱۴۰۴ ساعت ۰۰:۱۰»."""

from newsbot.families import DidgahSpider


class YjcSpider(DidgahSpider):
    name = "yjc"
    agency = "باشگاه خبرنگاران جوان"
    domains = ("yjc.ir", "yjc.news")
    base_url = "https://www.yjc.ir"
