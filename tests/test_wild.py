"""The generic extractor on the wild gold set: real-world layouts of sites without a spider (fixtures/_wild).

Sports and entertainment sites, aggregators republishing agency stories, ministry and provincial PR pages, old
table layouts, AMP and print versions, live-coverage leftovers. Each page reproduces the structure of a real one
with text written for it, and its expected record says what a reader sees. Scored together, with the targets the
product promises; every page's misses are printed, so a failure says where to look.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from newsbot import NotAnArticle, extract_article

from .conftest import FIXTURES, NOW, article_cases, load_index

WILD = FIXTURES / "_wild"
GROUPS = sorted(p for p in WILD.iterdir() if (p / "responses.json").exists()) if WILD.exists() else []
CASES = [case for group in GROUPS for case in article_cases(group)]
KEYS = {"url", "site", "title", "kicker", "lead", "body", "published_at", "modified_at", "news_code", "attribution",
        "category", "authors", "kind", "traps"}


def token_f1(got: str | None, expected: str | None) -> float:
    a, b = Counter((got or "").split()), Counter((expected or "").split())
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def test_the_wild_set_is_there_and_complete() -> None:
    assert len(CASES) >= 40, f"{len(CASES)} wild pages"
    for group in GROUPS:
        listed = {e["file"] for e in load_index(group)}
        pages = {p.name for p in group.glob("*.html")}
        assert pages == listed, f"{group.name}: pages without an index entry or entries without a page"
        for page in pages:
            expected = group / (Path(page).stem + ".expected.json")
            assert expected.exists(), f"{group.name}/{page} has no expected record"
            assert set(json.loads(expected.read_text(encoding="utf-8"))) == KEYS, expected


@pytest.fixture(scope="module")
def scored() -> list[tuple[str, dict, dict | None, float]]:
    rows = []
    for page, url, expected_path in CASES:
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        try:
            record = extract_article(page.read_bytes(), url, now=NOW, generic=True)
        except NotAnArticle:
            record = None
        f1 = token_f1(record["body"], expected["body"]) if record else 0.0
        rows.append((f"{page.parent.name}/{page.name}", expected, record, f1))
    return rows


def _share(rows: list, field: str, *, present_only: bool = False) -> tuple[float, list[str]]:
    hits, misses, total = 0, [], 0
    for name, expected, record, _ in rows:
        if present_only and expected[field] is None:
            continue
        total += 1
        got = record[field] if record else "NOT AN ARTICLE"
        if got == expected[field]:
            hits += 1
        else:
            misses.append(f"{name}: {field} {got!r} != {expected[field]!r}")
    return (hits / total if total else 1.0), misses


def test_every_wild_page_is_an_article(scored: list) -> None:
    refused = [name for name, _, record, _ in scored if record is None]
    assert not refused, refused


@pytest.mark.parametrize(("field", "target"), [("title", 0.97), ("published_at", 0.95), ("kicker", 0.90),
                                               ("lead", 0.90)])
def test_field_exact_share_meets_its_target(scored: list, field: str, target: float) -> None:
    share, misses = _share(scored, field)
    assert share >= target, f"{field} exact {share:.0%} < {target:.0%}:\n" + "\n".join(misses)


def test_body_f1_meets_its_target(scored: list) -> None:
    mean = sum(f1 for *_, f1 in scored) / len(scored)
    worst = sorted(((f1, name) for name, _, _, f1 in scored))[:8]
    assert mean >= 0.98, f"body F1 {mean:.3f}; worst: {worst}"


def test_no_wild_body_keeps_furniture(scored: list) -> None:
    """Whatever the score, none of these may stay in a body: they are the classes of furniture real pages show."""
    furniture = ("انتهای پیام", "بیشتر بخوانید", "کلیه حقوق", "نقل مطالب", "طراحی و اجرا", "به صورت خودکار")
    kept = [(name, f) for name, expected, record, _ in scored if record and record["body"]
            for f in furniture if f in record["body"] and f not in (expected["body"] or "")]
    assert not kept, kept
