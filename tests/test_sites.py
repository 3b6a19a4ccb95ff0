"""Sites as data: the shipped entries, the checks on a bad entry, and the clean-up rules an entry can set."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest
from parsel import Selector

from newsbot import sites
from newsbot.extract import parse_page
from newsbot.families import FAMILIES
from newsbot.registry import spider_class, spiders
from newsbot.selectors import compiled
from newsbot.sites import SiteDataError

ALL = sites.load()


def test_every_family_site_is_registered() -> None:
    by_family = {f: sum(1 for s in ALL.values() if s.family == f) for f in FAMILIES}
    assert by_family["newsstudio"] >= 51 and by_family["didgah"] >= 104 and by_family["asam"] >= 70, by_family
    assert len(ALL) >= 226


def test_scrapy_sees_one_spider_per_site() -> None:
    found = spiders()
    assert sorted(found) == sorted(ALL)
    for name, cls in found.items():
        assert cls.site == ALL[name] and cls.name == name and cls.domains == ALL[name].domains


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_entry_compiles(name: str) -> None:
    """Every selector is valid CSS, every pattern has its group, every named class or parser loads."""
    site = ALL[name]
    for field, chain in site.selectors.items():
        for css in chain:
            compiled(css)  # raises on invalid CSS
        assert field in sites.SELECTOR_FIELDS
    for css in site.rules["body_exclude"] + tuple(site.value("listing_selectors", ())):
        compiled(css)
    assert site.parser_class is not None
    cls = spider_class(site)
    assert cls.news_code_of(site.base_url + "/") is None  # the home page is no article


def test_a_verified_family_site_is_a_few_lines() -> None:
    verified = [s for s in ALL.values() if s.status == "verified"]
    assert len(verified) >= 60
    assert statistics.median(s.lines for s in verified) <= 5, sorted((s.lines, s.name) for s in verified)
    plain = [s for s in ALL.values() if set(s.data) <= {"agency", "family", "domains"}]
    assert max(s.lines for s in plain) <= 4


# ---- bad entries --------------------------------------------------------------------------------------------------
def _load(tmp_path: Path, text: str, name: str = "x.toml") -> dict[str, sites.Site]:
    (tmp_path / name).write_text(text, encoding="utf-8")
    sites.load.cache_clear()
    try:
        return sites.load(str(tmp_path))
    finally:
        sites.load.cache_clear()


GOOD = '[demo]\nfamily = "didgah"\ndomains = ["demo.ir"]\n'


@pytest.mark.parametrize(("text", "message"), [
    ('[demo]\nfamily = "didgah"\ndomains = ["demo.ir"]\nfeed = ["/rss"]\n', "unknown key(s) feed"),
    ('[demo]\nfamily = "wordpress"\ndomains = ["demo.ir"]\n', "family must be one of"),
    ('[demo]\nfamily = "didgah"\n', "needs domains"),
    ('[demo]\nfamily = "didgah"\ndomains = ["not a domain"]\n', "is not a domain name"),
    ('[demo]\nfamily = "didgah"\ndomains = ["demo.ir"]\narticle_patterns = ["^/news/\\\\d+"]\n', "needs a group"),
    ('[demo]\nfamily = "didgah"\ndomains = ["demo.ir"]\ntrailers = ["(unclosed"]\n', "not a regular expression"),
    ('[demo]\nfamily = "didgah"\ndomains = ["demo.ir"]\nselectors.headline = ["h1"]\n', "unknown field(s) headline"),
    ('[demo]\nfamily = "didgah"\ndomains = ["demo.ir"]\nfeeds = "/rss"\n', "feeds must be a list"),
    ('[demo]\nfamily = "didgah"\ndomains = ["demo.ir"]\nbase_url = "https://demo.ir/fa"\n', "scheme and host only"),
    ('[demo]\nfamily = "didgah"\ndomains = ["demo.ir"]\nwindow_days = -1\n', "positive number"),
    ('[Demo]\nfamily = "didgah"\ndomains = ["demo.ir"]\n', "lowercase ASCII"),
    ('[demo\nfamily = "didgah"\n', "not valid TOML"),
])
def test_a_bad_entry_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SiteDataError) as info:
        _load(tmp_path, text)
    assert message in str(info.value)
    assert "x.toml" in str(info.value) and "\n" not in str(info.value)


def test_a_domain_or_name_defined_twice_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SiteDataError, match=r"domain demo.ir belongs to \[demo\]"):
        _load(tmp_path, GOOD + '\n[other]\nfamily = "asam"\ndomains = ["demo.ir"]\n')
    (tmp_path / "a.toml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(SiteDataError, match=r"\[demo\] is also defined in"):
        _load(tmp_path, GOOD.replace("demo.ir", "demo2.ir"), "b.toml")


def test_a_missing_class_is_named(tmp_path: Path) -> None:
    found = _load(tmp_path, GOOD + 'parser = "spiders.nosuch:Parser"\n')
    with pytest.raises(SiteDataError, match=r"cannot load spiders\.nosuch:Parser"):
        _ = found["demo"].parser_class


def test_lookup_by_url_takes_subdomains_and_not_lookalikes() -> None:
    assert sites.site_for_url("https://kerman.behzisti.ir/news/1/x").name == "behzisti"
    assert sites.site_for_url("https://www.isna.ir/news/1").name == "isna"
    assert sites.site_for_url("https://notisna.ir/news/1") is None
    assert sites.site_for_url("https://isna.ir.example.com/news/1") is None


# ---- clean-up rules as data ---------------------------------------------------------------------------------------
PAGE = """<html><head><title>خبر</title><meta property="og:site_name" content="سایت نمونه"></head><body>
<div class="news_path"><a href="/">خانه</a> <a href="/fa/service/2">عصر ایران دو/سیاسی</a></div>
<h1 class="title">شهرداری طرح تازه‌ای برای پیاده‌راه‌ها اعلام کرد</h1>
<div class="news_author"><span class="author-name">گروه خبر</span></div>
<div class="body">
<p>به گزارش سایت نمونه، معاون شهرداری از آغاز طرح پیاده‌راه‌سازی در سه محله خبر داد و گفت کار از هفته بعد آغاز می‌شود.</p>
<div class="photo"><img src="/a.jpg"><span class="img_caption">نمایی از خیابان پیاده‌راه شده در مرکز شهر</span></div>
<div class="boxed-note">این یادداشت جزو خبر نیست و باید کنار گذاشته شود.</div>
<p>وی افزود: هزینه این طرح از محل اعتبارات عمرانی سال جاری تأمین شده و شهروندان در تصمیم‌ها مشارکت دارند.</p>
<p>منبع: روابط عمومی شهرداری</p>
<p>۲۱۶۲۱۶</p>
</div></body></html>"""
URL = "https://www.demo.ir/fa/news/123456/x"


def test_rules_are_data(tmp_path: Path) -> None:
    found = _load(tmp_path, GOOD + 'agency = "سایت نمونه"\nbody_exclude = [".boxed-note"]\n'
                  'trailers = ["منبع: .*"]\ncategory_strip = ["عصر ایران دو/"]\nauthor_exclude = ["گروه خبر"]\n')
    record = parse_page(Selector(text=PAGE), URL, found["demo"])
    lines = record["body"].split("\n")
    assert len(lines) == 2 and lines[0].startswith("به گزارش") and lines[1].startswith("وی افزود")
    assert "نمایی از خیابان" not in record["body"]  # Didgah's caption rule, from the family
    assert record["category"] == "سیاسی"
    assert record["authors"] == []
    assert record["news_code"] == "123456" and record["site"] == "demo" and record["agency"] == "سایت نمونه"
    # Without the site's rules: the note, the source line and the category prefix stay; the desk code never does.
    plain = parse_page(Selector(text=PAGE), URL, _load(tmp_path, GOOD)["demo"])
    assert "این یادداشت" in plain["body"] and "منبع:" in plain["body"] and "۲۱۶۲۱۶" not in plain["body"]
    assert plain["category"] == "عصر ایران دو/سیاسی" and plain["authors"] == ["گروه خبر"]


def test_an_organisation_is_never_an_author() -> None:
    page = PAGE.replace("</head>", '<script type="application/ld+json">{"@type": "NewsArticle", "author": '
                        '{"@type": "Organization", "name": "دبیرخانه خبر"}}</script></head>')
    page = page.replace('<div class="news_author"><span class="author-name">گروه خبر</span></div>', "")
    record = parse_page(Selector(text=page), "https://unknown.example.ir/news/55/x", None)
    assert record["authors"] == []
