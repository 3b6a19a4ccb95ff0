"""Downloader middlewares, driven with hand-made responses."""

from __future__ import annotations

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler

from newsbot.middlewares import BotWallMiddleware, LegacyEncodingMiddleware
from newsbot.spider import NewsSpider

URL = "https://www.isna.ir/news/1404061207654/x"


@pytest.fixture
def wall() -> BotWallMiddleware:
    spider_cls = type("GenericSpider", (NewsSpider,), {"name": "generic"})
    crawler = get_crawler(spider_cls)
    crawler.spider = spider_cls.from_crawler(crawler)
    return BotWallMiddleware.from_crawler(crawler)


def test_cookie_bounce_is_asked_again_once(wall: BotWallMiddleware) -> None:
    request = Request(URL)
    bounce = Response(URL, status=307, headers={"Location": URL, "Set-Cookie": "__arcsjs=abc; Path=/"})
    again = wall.process_response(request, bounce)
    assert isinstance(again, Request) and again.dont_filter and again.url == URL
    assert wall.stats.get_value("newsbot/cookie_bounce/generic") == 1
    # A second bounce is passed on (the redirect middleware and its limits take over).
    assert wall.process_response(again, bounce) is bounce


def test_ordinary_redirect_is_left_alone(wall: BotWallMiddleware) -> None:
    redirect = Response(URL, status=301, headers={"Location": "https://www.isna.ir/news/1404061207654/y"})
    assert wall.process_response(Request(URL), redirect) is redirect


def test_challenge_is_counted_and_dropped(wall: BotWallMiddleware) -> None:
    page = HtmlResponse(URL, status=403, headers={"Server": "ArvanCloud"}, body=b"<html>blocked</html>")
    with pytest.raises(IgnoreRequest, match="bot wall"):
        wall.process_response(Request(URL), page)
    assert wall.stats.get_value("newsbot/challenge/generic") == 1


def test_legacy_encoding_middleware_redecodes_windows_1256() -> None:
    text = "<html><body><p>" + "خبرهاي امروز درباره بازار سرمايه و بورس تهران. " * 4 + "</p></body></html>"
    response = HtmlResponse(URL, body=text.encode("cp1256"), headers={"Content-Type": "text/html"})
    fixed = LegacyEncodingMiddleware().process_response(Request(URL), response)
    assert fixed.text == text
