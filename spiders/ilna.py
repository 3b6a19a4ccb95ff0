"""ILNA (ilna.ir, formerly ilna.news): Asam; URLs ``/بخش-{section}-{id}/{news code}-{slug}``."""

from newsbot.families import AsamSpider


class IlnaSpider(AsamSpider):
    name = "ilna"
    agency = "ایلنا"
    domains = ("ilna.ir", "ilna.news")
    base_url = "https://www.ilna.ir"
