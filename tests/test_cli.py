"""The `newsbot` command: extract, list, genspider."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsbot import sites
from newsbot.cli import main
from newsbot.registry import spider_class
from newsbot.text import ZWNJ, has_arabic_letters

from .conftest import FIXTURES, article_cases

ISNA = article_cases(FIXTURES / "isna")[0]
BEHZISTI_ARABIC = next(c for c in article_cases(FIXTURES / "behzisti") if "kerman" in c[1])


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_extract_prints_one_record_with_every_half_space(capsys: pytest.CaptureFixture[str]) -> None:
    page, url, expected = ISNA
    code, out, err = run(capsys, "extract", "--url", url, str(page))
    assert code == 0, err
    assert out.count("\n") == 1  # exactly one JSON object on one line
    record = json.loads(out)
    assert "\\u" not in out  # real characters, never escapes
    source_body = json.loads(expected.read_text(encoding="utf-8"))["body"]
    assert record["body"].count(ZWNJ) == source_body.count(ZWNJ) > 10
    assert record["site"] == "isna" and record["news_code"] == "1404061207654"


def test_extract_on_an_arabic_letter_page_returns_none(capsys: pytest.CaptureFixture[str]) -> None:
    page, url, _ = BEHZISTI_ARABIC
    assert has_arabic_letters(page.read_text(encoding="utf-8"))  # the page really has ي/ك
    code, out, _ = run(capsys, "extract", "--url", url, str(page))
    assert code == 0
    record = json.loads(out)
    assert not any(has_arabic_letters(v) for v in record.values() if isinstance(v, str) and v != record["url"])


def test_extract_with_explicit_spider(capsys: pytest.CaptureFixture[str]) -> None:
    page, url, _ = ISNA
    code, out, _ = run(capsys, "extract", "--url", url, "--spider", "isna", str(page))
    assert code == 0 and json.loads(out)["site"] == "isna"
    code, _, err = run(capsys, "extract", "--url", url, "--spider", "nosuch", str(page))
    assert code == 2 and "no site named 'nosuch'" in err


def test_extract_challenge_page_exits_nonzero_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "wall.html"
    page.write_text("<html><head><title>Transferring to the website...</title><script>var __arcsjs='x';"
                    "location.reload()</script></head><body></body></html>", encoding="utf-8")
    code, out, err = run(capsys, "extract", "--url", "https://www.isna.ir/news/1/x", str(page))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "bot wall" in err and "arvancloud" in err


def test_list_shows_every_site_with_family_and_status(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "list")
    assert code == 0
    known = sites.load()
    assert len(known) >= 226
    for name, site in known.items():
        line = next(line for line in out.splitlines() if line.startswith(name + " "))
        assert site.family in line and site.domains[0] in line and site.status in line
        assert (site.agency or "-") in line
    verified = [n for n, s in known.items() if s.status == "verified"]
    assert f"{len(known)} sites, {len(verified)} verified" in err
    code, out, _ = run(capsys, "list", "--verified")
    assert sorted(line.split()[0] for line in out.splitlines()[1:]) == sorted(verified)
    code, out, _ = run(capsys, "list", "--family", "asam")
    assert all(" asam " in line for line in out.splitlines()[1:])


@pytest.mark.parametrize("family", ["newsstudio", "didgah", "asam", "own"])
def test_genspider_adds_a_site_entry(family: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "spiders"
    code, out, err = run(capsys, "genspider", "hamshahri", "www.hamshahrionline.ir", "--family", family,
                         "--agency", "همشهری آنلاین", "--dir", str(folder))
    assert code == 0, err
    assert "requests" in out and "article URLs" in out
    sites.load.cache_clear()
    site = sites.load(str(folder))["hamshahri"]
    assert site.family == family and site.domains == ("hamshahrionline.ir",) and site.agency == "همشهری آنلاین"
    assert site.lines <= 4
    path_of = {"newsstudio": "/news/798011/x", "didgah": "/fa/news/798011/x", "asam": "/بخش-شهری-7/798011-x",
               "own": "/news/798011/x"}
    url = "https://www.hamshahrionline.ir" + path_of[family]
    assert site.owns(url)
    assert site.news_code_of(url) == "798011"
    cls = spider_class(site)
    assert cls.name == "hamshahri" and cls.news_code_of(url) == "798011"
    # Refuses a second entry of the same name or domain.
    assert main(["genspider", "hamshahri", "hamshahrionline.ir", "--dir", str(folder)]) == 2
    assert main(["genspider", "other", "hamshahrionline.ir", "--dir", str(folder)]) == 2
    sites.load.cache_clear()


def test_record_saves_a_replay_folder_from_a_local_server(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from newsbot.handlers import ReplayIndex

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/old":
                self.send_response(301)
                self.send_header("Location", "/news/1/x")
                self.end_headers()
                return
            body = "<html><body><p>متن خبر با نیم‌فاصله</p></body></html>".encode()
            self.send_response(200 if self.path.startswith("/news/") else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        code, out, _ = run(capsys, "record", f"{base}/news/1/x", f"{base}/old", f"{base}/missing", "--out",
                           str(tmp_path / "rec"))
    finally:
        server.shutdown()
    assert code == 0, out
    index = ReplayIndex(tmp_path / "rec")
    page = index.entries[ReplayIndex.key(f"{base}/news/1/x")]
    assert page[1]["status"] == 200
    assert "نیم‌فاصله" in (tmp_path / "rec" / page[1]["file"]).read_text(encoding="utf-8")
    assert index.entries[ReplayIndex.key(f"{base}/old")][1]["status"] == 301  # each hop recorded, not followed
    assert index.entries[ReplayIndex.key(f"{base}/old")][1]["headers"]["Location"] == "/news/1/x"
    assert index.entries[ReplayIndex.key(f"{base}/missing")][1]["status"] == 404


# ---- one-line errors --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("args", "message"), [
    (["extract", "--url", "https://www.isna.ir/news/1/x", "/nonexistent/page.html"], "cannot read /nonexistent"),
    (["extract", "--url", "https://www.isna.ir/news/1/x", "."], "is a directory"),
    (["extract", "--url", "http://[::1/x", "README.md"], "not a valid URL"),
    (["extract", "--url", "isna.ir/news/1", "README.md"], "not an http(s) URL"),
    (["crawl", "isna", "--since", "1403-02-01", "--until", "1403-01-01"], "is before --since"),
    (["crawl", "isna", "--since", "1403-13-01"], "not a day"),
    (["crawl", "isna", "--until", "1403-01-01"], "--until needs --since"),
    (["crawl", "nosuch"], "unknown site"),
    (["crawl", "isna", "-s", "NEWSBOT_MAX_ATTEMPTS=lots"], "NEWSBOT_MAX_ATTEMPTS must be a whole number"),
    (["crawl", "isna", "-s", "NEWSBOT_STAET_DIR=x"], "unknown setting NEWSBOT_STAET_DIR"),
    (["crawl", "isna", "-s", "NEWSBOT_HOST_MAP={\"www.isna.ir\": 8080}"], "'host:port' strings"),
    (["crawl", "isna", "--replay", "/nonexistent"], "replay folder not found"),
])
def test_bad_usage_is_one_line_and_exit_2(args: list[str], message: str, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    code, out, err = run(capsys, *args)
    assert code == 2, err
    assert err.count("\n") == 1 and message in err and out == ""


def test_unusable_paths_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "afile").write_text("x")
    state = tmp_path / "state"
    state.mkdir()
    (state / "crawl.lock").mkdir()
    cases = [
        (["--state-dir", str(tmp_path / "afile")], "not a directory"),
        (["--state-dir", str(state)], "is a directory"),
        (["--state-dir", str(tmp_path / "s2"), "--log-file", str(tmp_path / "afile" / "crawl.log")],
         "--log-file"),
    ]
    for extra, message in cases:
        code, _, err = run(capsys, "crawl", "isna", *extra)
        assert code == 2 and err.count("\n") == 1 and message in err, (extra, err)


def test_corrupt_state_stops_the_crawl_with_the_recovery_command(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / "seen.sqlite3").write_bytes(b"not sqlite" * 500)
    code, _, err = run(capsys, "crawl", "isna", "--state-dir", str(state))
    assert code == 2 and err.count("\n") == 1 and "newsbot state rebuild" in err
    code, _, err = run(capsys, "state", "check", "--state-dir", str(state))
    assert code == 1 and "unusable" in err
    data = tmp_path / "data" / "isna"
    data.mkdir(parents=True)
    line = {"site": "isna", "news_code": "11", "url": "https://www.isna.ir/news/11/x", "title": "عنوان"}
    (data / "2026-12-01.jsonl").write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "state", "rebuild", "--state-dir", str(state), "--data-dir", str(tmp_path / "data"))
    assert code == 0 and "1 articles from 1 output file(s)" in out
    code, out, _ = run(capsys, "state", "check", "--state-dir", str(state))
    assert code == 0 and "ok; 1 written" in out


def test_crawl_help_lists_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["crawl", "--help"])
    out = capsys.readouterr().out
    for code in ("0 ", "1 ", "2 ", "3 ", "4 ", "5 ", "75 "):
        assert f"\n  {code}" in out
    for status in ("broken", "blocked", "unreachable"):
        assert status in out


def test_extract_of_a_lone_surrogate_page_prints_valid_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page, url, _ = ISNA
    html = page.read_text(encoding="utf-8").replace(
        "</head>", '<script type="application/ld+json">{"@type": "NewsArticle", "description": "\\ud83d x", '
        '"image": "https://cdn.isna.ir/a\\udc00.jpg"}</script></head>', 1)
    (tmp_path / "p.html").write_text(html, encoding="utf-8")
    code, out, err = run(capsys, "extract", "--url", url, str(tmp_path / "p.html"))
    assert code == 0, err
    out.encode("utf-8")
    assert json.loads(out)["site"] == "isna"


def test_a_broken_replay_index_stops_the_crawl_at_start(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    replay = tmp_path / "replay"
    replay.mkdir()
    (replay / "responses.json").write_text('[{"url": "https://www.isna.ir/rss", "file": "missing.xml"}]')
    code, out, err = run(capsys, "crawl", "isna", "--replay", str(replay), "--state-dir", str(tmp_path / "s"))
    assert code == 2 and err.count("\n") == 1 and "missing.xml" in err and out == ""
    (replay / "responses.json").write_text("{not json")
    code, _, err = run(capsys, "crawl", "isna", "--replay", str(replay), "--state-dir", str(tmp_path / "s"))
    assert code == 2 and "not valid JSON" in err


def test_fixture_add_and_draft_make_a_site_verified_only_once_reviewed(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    src = FIXTURES / "isna"
    base = "https://www.isna.ir"
    for n, slug in ((1, "زمان-ثبت-سفارش"), (2, "دشت‌های-ممنوعه")):
        code, out, err = run(capsys, "fixture", "add", "isna", str(src / f"article-{n}.html"),
                             "--url", f"{base}/news/140406120765{n}/{slug}", "--fixtures", str(tmp_path))
        assert code == 0, err
    code, out, err = run(capsys, "fixture", "add", "isna", str(src / "rss.xml"), "--url", f"{base}/rss",
                         "--fixtures", str(tmp_path))
    assert code == 0 and "discovery document" in out
    folder = tmp_path / "isna"
    index = json.loads((folder / "responses.json").read_text(encoding="utf-8"))
    assert [e["file"] for e in index] == ["article-1.html", "article-2.html", "rss.xml"]
    assert index[0]["url"].isascii() and "%D8%B2%D9%85%D8%A7%D9%86" in index[0]["url"]
    assert "%E2%80%8C" in index[1]["url"]  # the half-space of the slug, encoded as a browser does
    assert index[2]["headers"]["Content-Type"].startswith("application/rss+xml")
    assert sites.fixture_status("isna", tmp_path)[0] == "fixtures incomplete"  # no expected records yet
    code, out, _ = run(capsys, "fixture", "draft", "isna", "--fixtures", str(tmp_path))
    assert code == 0 and out.count("(unreviewed)") == 2
    status, why = sites.fixture_status("isna", tmp_path)
    assert status == "fixtures incomplete" and "unreviewed" in why
    for n in (1, 2):
        path = folder / f"article-{n}.expected.json"
        draft = json.loads(path.read_text(encoding="utf-8"))
        assert draft.pop(sites.UNREVIEWED) and draft["site"] == "isna" and draft["title"]
        path.write_text(json.dumps(draft, ensure_ascii=False), encoding="utf-8")
    assert sites.fixture_status("isna", tmp_path)[0] == "verified"
    # A URL off the site's domains, or an unknown site, is refused with one line.
    code, _, err = run(capsys, "fixture", "add", "isna", str(src / "rss.xml"), "--url", "https://example.com/rss",
                       "--fixtures", str(tmp_path))
    assert code == 2 and "not on isna's domains" in err
    code, _, err = run(capsys, "fixture", "add", "nosuch", str(src / "rss.xml"), "--url", f"{base}/rss")
    assert code == 2 and "no site named" in err
