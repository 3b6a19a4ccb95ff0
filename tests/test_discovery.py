"""Discovery without the network: which requests a spider makes, incremental and backfill."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler

from newsbot.frontier import Frontier
from newsbot.registry import get_spider
from newsbot.state import StateStore


def make(name: str, tmp_path: Path | None = None, **kwargs: str):
    cls = get_spider(name)
    settings = {"NEWSBOT_INCREMENTAL": tmp_path is not None}
    if tmp_path is not None:
        settings["NEWSBOT_STATE_DIR"] = str(tmp_path)
    crawler = get_crawler(cls, settings)
    spider = crawler.spider = cls.from_crawler(crawler, **kwargs)
    if tmp_path is not None:
        Frontier.of(crawler).open()  # what the dedup pipeline does when a spider opens: lock, then the store
    return spider


def test_incremental_discovery_uses_feeds_news_sitemaps_and_listings() -> None:
    urls = [r.url for r in make("isna").discovery_requests()]
    assert urls == ["https://www.isna.ir/rss", "https://www.isna.ir/sitemap/news/sitemap.xml",
                    "https://www.isna.ir/archive"]


def test_service_feeds_are_opt_in() -> None:
    cls = get_spider("isna")
    spider = cls.from_crawler(get_crawler(cls, {"NEWSBOT_INCREMENTAL": False, "NEWSBOT_SERVICE_FEEDS": True}))
    urls = [r.url for r in spider.discovery_requests()]
    assert "https://www.isna.ir/rss/tp/3" in urls and "https://www.isna.ir/rss" in urls
    assert "https://www.isna.ir/rss/tp/3" not in [r.url for r in make("isna").discovery_requests()]


def test_backfill_walks_archive_days_in_jalali_and_yearly_sitemaps() -> None:
    spider = make("mehr", since="1403-12-29", until="1404-01-01")  # across the Jalali new year
    urls = [unquote(r.url) for r in spider.discovery_requests()]
    assert "https://www.mehrnews.com/sitemap/1403/sitemap.xml" in urls
    assert "https://www.mehrnews.com/sitemap/1404/sitemap.xml" in urls
    archive = [u for u in urls if "archive" in u]
    assert len(archive) == 3  # 29 Esfand, 30 Esfand (1403 is leap), 1 Farvardin
    assert "dy=30&ms=0&pi=1&yr=1403" in archive[1] and "mn=12" in archive[1]
    assert "mn=1&" in archive[2] and "yr=1404" in archive[2]


def test_backfill_accepts_gregorian_days_and_builds_tasnim_daily_sitemaps() -> None:
    spider = make("tasnim", since="2025-12-23", until="2025-12-24")
    urls = [r.url for r in spider.discovery_requests()]
    assert "https://www.tasnimnews.com/fa/2025/12/23/fa_2025_12_23_sitemap.xml" in urls
    assert "https://www.tasnimnews.com/fa/2025/12/24/fa_2025_12_24_sitemap.xml" in urls


def test_article_requests_carry_the_news_code_and_skip_other_links() -> None:
    spider = make("ilna")
    req = spider.article_request("https://www.ilna.ir/بخش-سیاسی-3/1842299-عنوان")
    assert req is not None and req.meta["news_code"] == "1842299"
    assert spider.article_request("https://www.ilna.ir/بخش-سیاسی-3") is None  # a section page
    assert spider.article_request("https://evil.example.org/بخش-سیاسی-3/1842299-x") is None  # another site


def test_behzisti_provinces_have_their_own_id_space() -> None:
    cls = get_spider("behzisti")
    assert cls.state_key("https://www.behzisti.ir/news/24567/x", "24567") == "24567"
    assert cls.state_key("https://kerman.behzisti.ir/news/24567/x", "24567") == "kerman:24567"


def _listing(links: list[str], next_href: str | None = None) -> HtmlResponse:
    items = "".join(f'<li class="news"><h3><a href="{u}">خبر</a></h3><time><a>۱۲ شهریور ۱۴۰۴، ۱۸:۱۷</a></time></li>'
                    for u in links)
    pager = f'<a rel="next" href="{next_href}">بعدی</a>' if next_href else ""
    html = f'<html><body><div class="items"><ul>{items}</ul></div>{pager}</body></html>'
    return HtmlResponse("https://www.isna.ir/archive", body=html.encode(), encoding="utf-8",
                        request=Request("https://www.isna.ir/archive"))


def test_listing_paging_stops_at_a_page_of_known_articles(tmp_path: Path) -> None:
    spider = make("isna", tmp_path)
    spider.window_days = 10_000  # the listed dates are old; the window is not what this test is about
    links = [f"/news/14040612{i:05d}/x" for i in range(3)]
    out = list(spider.parse_listing(_listing(links, "/archive?pi=2")))
    assert [r.url for r in out][-1] == "https://www.isna.ir/archive?pi=2"  # unseen articles: next page followed
    store = StateStore.shared(tmp_path)
    for i in range(3):
        store.mark_seen("isna", f"14040612{i:05d}")
    out = list(spider.parse_listing(_listing(links, "/archive?pi=2")))
    assert all("news_code" in r.meta for r in out)  # only known articles: no next page
    store.close()


def test_listing_paging_stops_outside_the_window(tmp_path: Path) -> None:
    spider = make("isna", tmp_path)  # window of 2 days; the listed dates are from 1404
    out = list(spider.parse_listing(_listing(["/news/1404061200001/x"], "/archive?pi=2")))
    assert all("news_code" in r.meta for r in out)
    StateStore.shared(tmp_path).close()


def test_dupefilter_forgets_old_articles_but_not_discovery_pages() -> None:
    from newsbot.dupefilter import RecentArticlesDupeFilter

    dupefilter = RecentArticlesDupeFilter(max_articles=3)
    article = [Request(f"https://www.isna.ir/news/{i}/x", meta={"news_code": str(i)}) for i in range(5)]
    assert not any(dupefilter.request_seen(r) for r in article)
    assert dupefilter.request_seen(article[4])  # recent: still a duplicate
    assert not dupefilter.request_seen(article[0])  # forgotten: the state store is its guard now
    assert len(dupefilter._recent) == 3
    feed = Request("https://www.isna.ir/rss")
    assert not dupefilter.request_seen(feed) and dupefilter.request_seen(feed)


def test_a_resumed_walk_allows_one_more_page_of_known_articles(tmp_path: Path) -> None:
    spider = make("isna", tmp_path)
    spider.window_days = 10_000
    links = [f"/news/14040613{i:05d}/x" for i in range(3)]
    store = StateStore.shared(tmp_path)
    for i in range(3):
        store.mark_seen("isna", f"14040613{i:05d}")
    response = _listing(links, "/archive?pi=3")
    response.meta.update({"newsbot_resumed": True, "page": 2})
    out = list(spider.parse_listing(response))
    assert out[-1].url == "https://www.isna.ir/archive?pi=3" and out[-1].meta["known_streak"] == 1
    assert out[-1].meta["newsbot_durable"] is True  # the next page goes on the frontier before it is asked for
    response = _listing(links, "/archive?pi=4")
    response.meta.update(out[-1].meta)
    assert all("news_code" in r.meta for r in spider.parse_listing(response))  # the second such page ends it
    store.close()


def _sitemap_response(url: str, body: bytes, **meta: object) -> Response:
    return Response(url, body=body, request=Request(url, meta=dict(meta)))


def test_gzip_sitemap_and_the_per_run_cap_on_index_documents(tmp_path: Path) -> None:
    import gzip

    spider = make("isna", tmp_path)
    spider.max_index_docs = 2
    index = ("<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
             + "".join(f"<sitemap><loc>https://www.isna.ir/sitemap/{i}.xml.gz</loc></sitemap>" for i in range(5))
             + "</sitemapindex>").encode()
    out = list(spider.parse_sitemap(_sitemap_response("https://www.isna.ir/sitemap/all/sitemap.xml",
                                                      gzip.compress(index))))
    assert [r.url for r in out] == ["https://www.isna.ir/sitemap/0.xml.gz", "https://www.isna.ir/sitemap/1.xml.gz"]
    assert spider.crawler.stats.get_value("newsbot/capped/sitemap_docs/isna") == 1
    urlset = (b"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
              b"<url><loc>https://www.isna.ir/news/1404061200007/x</loc></url></urlset>")
    out = list(spider.parse_sitemap(_sitemap_response("https://www.isna.ir/sitemap/0.xml.gz", gzip.compress(urlset))))
    assert [r.meta["news_code"] for r in out] == ["1404061200007"]
    broken = list(spider.parse_sitemap(_sitemap_response("https://www.isna.ir/sitemap/1.xml.gz", b"\x1f\x8bnot gzip")))
    assert broken == [] and spider.crawler.stats.get_value("newsbot/discovery/unparsed/isna") == 1
    StateStore.shared(tmp_path).close()


def test_a_feed_that_answers_html_is_counted_not_silent(tmp_path: Path) -> None:
    spider = make("isna", tmp_path)
    page = HtmlResponse("https://www.isna.ir/rss", body="<html><body><p>صفحه</p></body></html>".encode(),
                        encoding="utf-8", request=Request("https://www.isna.ir/rss", meta={"newsbot_kind": "feed"}))
    assert list(spider.parse_feed(page)) == []
    assert spider.crawler.stats.get_value("newsbot/discovery/unparsed/isna") == 1
    StateStore.shared(tmp_path).close()


def test_tasnim_short_links_carry_the_news_code() -> None:
    cls = get_spider("tasnim")
    assert cls.news_code_of("https://tn.ai/3012345") == "3012345"
    assert cls.news_code_of("https://www.tasnimnews.com/3012345") == "3012345"
    assert cls.news_code_of("https://www.tasnimnews.com/fa/news/1404/09/10/3012345/x") == "3012345"
    assert cls.news_code_of("https://www.tasnimnews.com/2025") is None  # a year page, not a story
