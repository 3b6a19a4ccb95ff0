"""Family detection: every verified family site's pages are recognised, pages of no family stay generic, and an
unregistered domain on a known CMS gets its family's parser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from parsel import Selector

from newsbot import extract_article, sites
from newsbot.cli import main
from newsbot.detect import detect

from .conftest import FIXTURES, NOW, article_cases

FAMILY_SITES = [(name, site.family) for name, site in sites.load().items()
                if site.family != "own" and site.status == "verified"]
PAGES = [pytest.param(page, url, family, id=f"{name}/{page.name}")
         for name, family in FAMILY_SITES for page, url, _ in article_cases(FIXTURES / name)]


@pytest.mark.parametrize(("page", "url", "family"), PAGES)
def test_a_verified_family_page_shows_its_family(page: Path, url: str, family: str) -> None:
    found = detect(Selector(text=page.read_text(encoding="utf-8")), url)
    assert found.family == family, found.describe()
    assert found.evidence[family]


@pytest.mark.parametrize("name", ["page-08.html", "page-09.html", "page-10.html"])
def test_a_page_of_no_family_stays_generic(name: str) -> None:
    html = (FIXTURES / "_generic" / name).read_text(encoding="utf-8")
    url = "https://www.unregistered-example.ir/news/12345/x"
    assert detect(Selector(text=html), url).family is None


def test_one_common_class_is_not_a_family() -> None:
    html = '<html><body><h1 class="title">خبر</h1><div class="rutitr">روتیتر</div><p class="lead">لید</p></body></html>'
    found = detect(Selector(text=html), "https://x.example.ir/news/1")
    assert found.family is None and "no CMS family recognised" in found.describe()


def test_marks_of_two_families_are_neither() -> None:
    html = ('<div class="item-text"></div><div class="short-link-container"></div>'
            '<div class="news_pdate_c"></div><div class="news_id_c"></div>')
    assert detect(Selector(text=html), None).family is None


def test_an_unregistered_domain_on_a_known_cms_gets_its_familys_parser() -> None:
    page, url, expected_path = article_cases(FIXTURES / "tabnak")[0]
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    moved = url.replace("www.tabnak.ir", "www.unregistered-didgah.ir")
    record = extract_article(page.read_bytes(), moved, now=NOW)
    assert record["site"] == "unregistered-didgah.ir"
    generic = extract_article(page.read_bytes(), moved, now=NOW, generic=True)
    assert generic["site"] is None
    # The family parser gets what the registered site gets, but for the site-only selectors and identity.
    for key in ("body", "published_at", "news_code", "lead"):
        assert record[key] == expected[key], key


def test_detect_command_prints_family_and_evidence(capsys: pytest.CaptureFixture[str]) -> None:
    page, url, _ = article_cases(FIXTURES / "isna")[0]
    assert main(["detect", str(page), "--url", url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("family: newsstudio\n") and ".item-text" in out and "registered: [isna]" in out
    assert main(["detect", str(FIXTURES / "nosuch.html")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_detect_command_fetches_a_url_from_a_local_server(capsys: pytest.CaptureFixture[str]) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    body = (FIXTURES / "ilna" / "article-1.html").read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path.startswith("/fa/") else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert main(["detect", f"http://127.0.0.1:{server.server_port}/fa/tiny/news-1"]) == 0
        assert capsys.readouterr().out.startswith("family: asam\n")
        assert main(["detect", f"http://127.0.0.1:{server.server_port}/missing"]) == 1
        assert "HTTP 404" in capsys.readouterr().err
    finally:
        server.shutdown()
