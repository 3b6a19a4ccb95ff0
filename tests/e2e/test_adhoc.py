"""``newsbot crawl https://…`` for a site nobody registered, against local servers: a Didgah site recognised from its
home page, and a site of no known CMS whose article URLs carry no news code."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from .conftest import FIXTURES, clean_env

pytestmark = pytest.mark.e2e


class Pages:
    """path → (content type, body) on a local server; counts what was asked for."""

    def __init__(self, pages: dict[str, tuple[str, bytes]]) -> None:
        self.pages = pages
        self.hits: dict[str, int] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits[self.path] = outer.hits.get(self.path, 0) + 1
                found = outer.pages.get(self.path)
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", found[0] if found else "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(found[1] if found else b"<html><body>not found</body></html>")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def crawl(tmp: Path, host: str, port: int, url: str) -> tuple[int, str, list[dict[str, Any]], dict[str, Any]]:
    proc = subprocess.run(
        [sys.executable, "-m", "newsbot.cli", "crawl", url, "--state-dir", str(tmp / "state"),
         "--data-dir", str(tmp / "data"), "-s", "NEWSBOT_HOST_MAP=" + json.dumps({host: f"127.0.0.1:{port}"}),
         "-s", "NEWSBOT_HOST_MAP_ONLY=true", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=false"],
        cwd=tmp, env=clean_env(tmp), capture_output=True, timeout=120)
    records = [json.loads(line) for f in sorted((tmp / "data").glob("*/*.jsonl"))
               for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    runs = sorted((tmp / "state" / "runs").glob("*.json"))
    report = json.loads(runs[-1].read_text(encoding="utf-8")) if runs else {}
    return proc.returncode, proc.stderr.decode("utf-8", "replace"), records, report


def test_a_didgah_site_nobody_registered_is_recognised_and_crawled(tmp_path: Path) -> None:
    folder = FIXTURES / "tabnak"
    index = json.loads((folder / "responses.json").read_text(encoding="utf-8"))
    host = "www.adhoc-didgah.ir"

    def moved(data: bytes) -> bytes:
        return data.replace(b"www.tabnak.ir", host.encode()).replace(b"tabnak.ir", b"adhoc-didgah.ir")

    pages: dict[str, tuple[str, bytes]] = {}
    for entry in index:
        path = entry["url"].split("tabnak.ir", 1)[1]
        pages[path] = (entry.get("headers", {}).get("Content-Type", "text/html"), moved((folder / entry["file"])
                                                                                       .read_bytes()))
    pages["/"] = pages["/fa/archive"]  # the home page: a list of stories with the family's marks
    server = Pages(pages)
    try:
        code, err, records, report = crawl(tmp_path, host, server.port, f"https://{host}")
        assert code == 0, err[-3000:]
        summary = report["spiders"][0]
        assert summary["spider"] == "adhoc-didgah.ir" and summary["status"] == "ok"
        codes = {r["news_code"] for r in records}
        expected = {json.loads((folder / f"article-{n}.expected.json").read_text(encoding="utf-8"))["news_code"]
                    for n in (1, 2)}
        assert codes == expected and len(records) == 2
        assert all(r["site"] == "adhoc-didgah.ir" and r["url"].startswith(f"https://{host}/") for r in records)
        assert "/fa/rss/allnews" in server.hits  # the family's feed, known once the home page showed Didgah
        # A second run finds nothing new and fetches no article again.
        before = dict(server.hits)
        code, err, again, report = crawl(tmp_path, host, server.port, f"https://{host}/")
        assert code == 0, err[-3000:]
        assert len(again) == 2 and report["spiders"][0]["fetched"] == 0
        assert all(server.hits.get(p, 0) == before.get(p, 0) for p in pages if p.startswith("/fa/news/"))
    finally:
        server.close()


ARTICLE = """<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>{title} | گاهنامه محله</title>
<meta property="og:type" content="article"><meta property="og:title" content="{title}">
<meta property="og:site_name" content="گاهنامه محله"><link rel="canonical" href="https://blog.mahalle-example.ir{path}">
<meta property="article:published_time" content="{when}"></head><body>
<header class="site-header"><a href="/">گاهنامه محله</a><nav><a href="/category/news/">اخبار</a></nav></header>
<main><article class="post"><h1 class="entry-title">{title}</h1><div class="entry-content">{body}</div></article></main>
<footer class="site-footer">همه حقوق محفوظ است.</footer></body></html>"""


def test_a_site_of_no_known_cms_is_crawled_from_its_announced_feed(tmp_path: Path) -> None:
    host = "blog.mahalle-example.ir"
    stories = {
        "/1404/05/bazarche-mahalli/": ("بازارچه محلی دوباره باز شد", "2025-08-03T09:30:00+03:30",
                                       "<p>بازارچه محلی خیابان بهار پس از سه ماه تعمیر دوباره به روی شهروندان باز شد و "
                                       "غرفه‌داران از روز شنبه کار خود را از سر گرفتند.</p><p>مدیر بازارچه گفت "
                                       "ساعت کار غرفه‌ها تا ده شب تمدید شده و خریداران می‌توانند بدون نوبت مراجعه "
                                       "کنند.</p>"),
        "/1404/05/kelas-naghashi-kodakan/": ("کلاس نقاشی رایگان برای کودکان محله", "2025-08-05T17:00:00+03:30",
                                             "<p>فرهنگسرای محله از هفته آینده کلاس نقاشی رایگانی برای کودکان هفت تا "
                                             "دوازده ساله برگزار می‌کند و ثبت‌نام از امروز آغاز شده است.</p><p>به "
                                             "گفته مسئول فرهنگسرا، ظرفیت هر کلاس بیست نفر است و وسایل نقاشی را "
                                             "فرهنگسرا فراهم می‌کند.</p>"),
    }
    items = "".join(f"<item><title>{t}</title><link>https://{host}{p}</link><pubDate>Sun, 03 Aug 2025 06:00:00 "
                    f"GMT</pubDate></item>" for p, (t, _, _) in stories.items())
    pages: dict[str, tuple[str, bytes]] = {
        "/": ("text/html; charset=utf-8", (
            '<html><head><title>گاهنامه محله</title><link rel="alternate" type="application/rss+xml" '
            'href="/feed/"></head><body><h1>گاهنامه محله</h1>'
            + "".join(f'<a href="{p}">{t}</a>' for p, (t, _, _) in stories.items()) + "</body></html>").encode()),
        "/feed/": ("application/rss+xml; charset=utf-8",
                   f'<?xml version="1.0"?><rss version="2.0"><channel><title>محله</title>{items}</channel></rss>'
                   .encode()),
        "/robots.txt": ("text/plain", b"User-agent: *\nAllow: /\n"),
    }
    for path, (title, when, body) in stories.items():
        pages[path] = ("text/html; charset=utf-8",
                       ARTICLE.format(title=title, when=when, body=body, path=path).encode())
    server = Pages(pages)
    try:
        code, err, records, report = crawl(tmp_path, host, server.port, f"https://{host}/")
        assert code == 0, err[-3000:]
        assert sorted(r["title"] for r in records) == sorted(t for t, _, _ in stories.values())
        assert all(r["site"] == "mahalle-example.ir" or r["site"] == "blog.mahalle-example.ir" for r in records)
        assert all(r["news_code"] is None and "\u200c" in r["body"] for r in records)
        assert {r["published_at"] for r in records} == {w for _, w, _ in stories.values()}
        # Remembered by URL: the next run fetches neither again.
        code, err, again, report = crawl(tmp_path, host, server.port, f"https://{host}/")
        assert code == 0, err[-3000:]
        assert len(again) == 2 and report["spiders"][0]["fetched"] == 0
        assert all(server.hits[p] == 1 for p in stories)
        # The state rebuilt from the output (a lost state directory) knows them by URL too: nothing twice.
        import shutil

        shutil.rmtree(tmp_path / "state")
        rebuilt = subprocess.run([sys.executable, "-m", "newsbot.cli", "state", "rebuild", "--state-dir",
                                  str(tmp_path / "state"), "--data-dir", str(tmp_path / "data")],
                                 cwd=tmp_path, env=clean_env(tmp_path), capture_output=True, text=True, timeout=60)
        assert rebuilt.returncode == 0, rebuilt.stderr
        code, err, after, report = crawl(tmp_path, host, server.port, f"https://{host}/")
        assert code == 0 and len(after) == 2 and report["spiders"][0]["written"] == 0, err[-2000:]
    finally:
        server.close()


def test_a_url_of_a_registered_site_crawls_its_entry(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "newsbot.cli", "crawl", "https://www.isna.ir/", "--replay", str(FIXTURES),
         "--state-dir", str(tmp_path / "state"), "--data-dir", str(tmp_path / "data")],
        cwd=tmp_path, env=clean_env(tmp_path), capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert b"registered as [isna]" in proc.stderr
    assert len(list((tmp_path / "data" / "isna").glob("*.jsonl"))) == 1


def test_a_registered_site_whose_pages_show_another_family_is_flagged(tmp_path: Path) -> None:
    """fararu's entry says Didgah; if its pages show Asam, the run says so (once) instead of silently thinning out."""
    host = "fararu.com"
    page = (FIXTURES / "ilna" / "article-1.html").read_bytes().replace(b"www.ilna.ir", host.encode())
    feed = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title><item><title>t</title>'
            f'<link>https://{host}/fa/news/123456/x</link></item></channel></rss>').encode()
    server = Pages({"/fa/rss/allnews": ("application/rss+xml", feed), "/fa/news/123456/x": ("text/html", page),
                    "/robots.txt": ("text/plain", b"User-agent: *\n")})
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "newsbot.cli", "crawl", "fararu", "--state-dir", str(tmp_path / "state"),
             "--data-dir", str(tmp_path / "data"), "-q",
             "-s", "NEWSBOT_HOST_MAP=" + json.dumps({host: f"127.0.0.1:{server.port}",
                                                     f"www.{host}": f"127.0.0.1:{server.port}"}),
             "-s", "NEWSBOT_HOST_MAP_ONLY=true", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=false"],
            cwd=tmp_path, env=clean_env(tmp_path), capture_output=True, timeout=120)
    finally:
        server.close()
    err = proc.stderr.decode("utf-8", "replace")
    assert err.count("its entry says didgah, but") == 1, err[-3000:]
    assert "shows asam" in err and "spiders/didgah.toml" in err


def test_a_site_by_url_that_is_down_or_walled_is_not_ok(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    (tmp_path / "down").mkdir()
    (tmp_path / "walled").mkdir()
    code, err, records, report = crawl(tmp_path / "down", "www.down-example.ir", closed, "https://www.down-example.ir")
    assert code == 5 and records == [] and report["spiders"][0]["status"] == "unreachable", err[-2000:]
    wall = (b"<html><head><title>Just a moment...</title></head><body><div id='cf-challenge'>Checking your browser"
            b"</div><script>window._cf_chl_opt={cType:'managed'};</script></body></html>")
    server = Pages({"/": ("text/html; charset=utf-8", wall), "/robots.txt": ("text/html; charset=utf-8", wall)})
    try:
        code, err, records, report = crawl(tmp_path / "walled", "www.walled-example.ir", server.port,
                                           "https://www.walled-example.ir")
    finally:
        server.close()
    assert records == [] and code != 0 and report["spiders"][0]["status"] in ("blocked", "broken"), err[-2000:]
