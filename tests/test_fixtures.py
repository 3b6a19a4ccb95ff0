"""Every spider against its recorded pages: the record must equal the hand-written expected one, field by field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy.http import Request, TextResponse, XmlResponse
from scrapy.utils.test import get_crawler

from newsbot import extract_article, sites
from newsbot.record import CRAWL_FIELDS
from newsbot.registry import spiders
from newsbot.text import ZWNJ, has_arabic_letters

from .conftest import FIXTURES, NOW, article_cases, load_index

SITES = sites.load()
#: Sites with a fixtures folder: each must be verified (two reviewed articles and a discovery document).
FOLDERS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith("_"))
VERIFIED = [name for name in FOLDERS if name in SITES]
CASES = [
    pytest.param(name, page, url, expected, id=f"{name}/{page.name}")
    for name in VERIFIED
    if (FIXTURES / name / "responses.json").exists()
    for page, url, expected in article_cases(FIXTURES / name)
]


@pytest.mark.parametrize("name", FOLDERS)
def test_every_fixture_folder_is_a_verified_site(name: str) -> None:
    """A fixtures folder belongs to a site entry and is complete: half a verification is none."""
    assert name in SITES, f"fixtures/{name}/ belongs to no site of spiders/*.toml"
    status, why = sites.fixture_status(name)
    assert status == "verified", f"fixtures/{name}/: {why}"
    files = {e.get("file", "") for e in load_index(FIXTURES / name)}
    assert any(f.endswith(".xml") for f in files) or any(f.endswith(".html") and not f.startswith("article")
                                                        for f in files), f"{name} has no recorded discovery document"


def test_sites_without_fixtures_are_family_defaults() -> None:
    statuses = {name: site.status for name, site in SITES.items()}
    assert set(statuses.values()) <= {"verified", "family default"}
    assert {n for n, s in statuses.items() if s == "verified"} == set(VERIFIED)


@pytest.mark.parametrize(("name", "page", "url", "expected_path"), CASES)
def test_spider_fixture_record(name: str, page: Path, url: str, expected_path: Path) -> None:
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    record = extract_article(page.read_bytes(), url, now=NOW)
    assert record["site"] == name
    mismatches = {
        key: {"got": record.get(key), "expected": value}
        for key, value in expected.items()
        # story and republished_from come from the crawl around the page (tests/test_media_cli.py checks them).
        if key not in ("crawled_at", *CRAWL_FIELDS) and record.get(key) != value
    }
    assert not mismatches, json.dumps(mismatches, ensure_ascii=False, indent=1)
    assert set(record) >= set(expected)


@pytest.mark.parametrize(("name", "page", "url", "expected_path"), CASES)
def test_half_spaces_kept_and_no_arabic_letters(name: str, page: Path, url: str, expected_path: Path) -> None:
    record = extract_article(page.read_bytes(), url, now=NOW)
    body = record["body"]
    assert body.count(ZWNJ) > 0, "fixture bodies are written with half-spaces"
    assert body.count(ZWNJ) == json.loads(expected_path.read_text(encoding="utf-8"))["body"].count(ZWNJ)
    for key in ("title", "kicker", "lead", "body", "category"):
        assert not has_arabic_letters(record[key] or ""), key


def _response(folder: Path, entry: dict) -> TextResponse:
    body = (folder / entry["file"]).read_bytes()
    cls = XmlResponse if entry["file"].endswith(".xml") else TextResponse
    return cls(url=entry["url"], body=body, headers=entry.get("headers") or {}, encoding="utf-8",
               request=Request(entry["url"]))


@pytest.mark.parametrize("name", VERIFIED)
def test_discovery_finds_recorded_articles(name: str) -> None:
    """Each recorded feed, sitemap and listing yields article requests, each with its news code, all recorded."""
    folder = FIXTURES / name
    index = load_index(folder)
    recorded = {e["url"] for e in index}
    cls = spiders()[name]
    spider = cls.from_crawler(get_crawler(cls, {"NEWSBOT_INCREMENTAL": False}))
    found: dict[str, str] = {}
    for entry in index:
        file = entry.get("file", "")
        if not file or file.startswith("article") or file.endswith(".txt"):
            continue
        response = _response(folder, entry)
        callback = spider.parse_sitemap if "sitemap" in file else spider.parse_feed if file.endswith(".xml") \
            else spider.parse_listing
        for request in callback(response):
            if "news_code" in request.meta:
                found[request.url] = request.meta["news_code"]
    assert found, f"no article discovered from {name}'s recorded feeds/sitemaps/listings"
    missing = sorted(set(found) - recorded)
    assert not missing, f"discovered but not recorded: {missing}"
    for url, code in found.items():
        assert code.isascii() and code.isdigit(), (url, code)
