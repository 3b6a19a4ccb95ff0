"""``newsbot crawl --watch``, ``stories`` and ``digest`` on the replay fixtures, where mehr republishes an ISNA story
(fixtures/mehr/article-3.html), and the commands' one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from newsbot.cli import main

from .conftest import FIXTURES, ROOT
from .e2e.conftest import clean_env

WATCHLIST = ROOT / "docs" / "examples" / "watchlist.toml"
ORIGINAL = json.loads((FIXTURES / "isna" / "article-1.expected.json").read_text(encoding="utf-8"))
COPY = json.loads((FIXTURES / "mehr" / "article-3.expected.json").read_text(encoding="utf-8"))
DAY = "1404-06-12"  # both were published on 12 Shahrivar 1404 (2025-09-03)


def newsbot(tmp: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsbot.cli", *args], cwd=tmp, env=clean_env(tmp),
                          capture_output=True, text=True, timeout=timeout)


def records(data: Path, site: str) -> list[dict[str, Any]]:
    return [json.loads(line) for p in sorted((data / site).glob("*.jsonl"))
            for line in p.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("replay")
    proc = newsbot(tmp, "crawl", "--verified", "--replay", str(FIXTURES), "--state-dir", "state", "--data-dir",
                   "data", "--watch", str(WATCHLIST), "-s", "NEWSBOT_HOST_MAP_ONLY=true", "-q")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return tmp


def test_stories_of_the_day_from_the_index(replayed: Path) -> None:
    proc = newsbot(replayed, "stories", "--day", DAY, "--state-dir", "state", "--json")
    assert proc.returncode == 0, proc.stderr
    stories = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(stories) == 1, stories
    story = stories[0]
    assert story["story"] == f"isna:{ORIGINAL['news_code']}" == COPY["story"]
    assert [(r["site"], r["news_code"], r["url"]) for r in story["records"]] == [
        ("isna", ORIGINAL["news_code"], ORIGINAL["url"]), ("mehr", COPY["news_code"], COPY["url"])]

    table = newsbot(replayed, "stories", "--day", "2025-09-03", "--state-dir", "state")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    isna = next(i for i, line in enumerate(lines) if " isna " in line)
    mehr = next(i for i, line in enumerate(lines) if " mehr " in line)
    assert isna < mehr and "1404-06-12 18:17" in lines[isna] and "1404-06-12 20:05" in lines[mehr]
    assert "1 stories on 1404-06-12, 2 records" in table.stdout


def test_stories_over_output_files_and_no_false_merges(replayed: Path) -> None:
    proc = newsbot(replayed, "stories", "data", "--json")
    assert proc.returncode == 0, proc.stderr
    stories = [json.loads(line) for line in proc.stdout.splitlines()]
    total = sum(len(s["records"]) for s in stories)
    assert total == sum(len(records(replayed / "data", p.name)) for p in (replayed / "data").iterdir()
                        if p.is_dir() and p.name != "watch")
    shared = [s for s in stories if len(s["records"]) > 1]
    assert [s["story"] for s in shared] == [COPY["story"]], shared


def test_records_carry_matches_and_the_watch_files_hold_them(replayed: Path) -> None:
    isna = next(r for r in records(replayed / "data", "isna") if r["news_code"] == ORIGINAL["news_code"])
    mehr = next(r for r in records(replayed / "data", "mehr") if r["news_code"] == COPY["news_code"])
    assert isna["story"] == COPY["story"] and isna["republished_from"] is None
    assert mehr["story"] in (COPY["story"], f"mehr:{COPY['news_code']}")  # which page came first is a race
    for rec in (isna, mehr):
        assert "ثبت سفارش" in rec["matches"]["trade"] and "مواد اولیه" in rec["matches"]["trade"]
        assert rec["body"] == (ORIGINAL if rec is isna else COPY)["body"], "the record's text is as published"
    watched = [json.loads(line) for p in (replayed / "data" / "watch" / "trade").glob("*.jsonl")
               for line in p.read_text(encoding="utf-8").splitlines()]
    assert {(r["site"], r["news_code"]) for r in watched} >= {("isna", ORIGINAL["news_code"]),
                                                              ("mehr", COPY["news_code"])}
    behzisti = [json.loads(line) for p in (replayed / "data" / "watch" / "behzisti").glob("*.jsonl")
                for line in p.read_text(encoding="utf-8").splitlines()]
    assert behzisti and all("behzisti" in r["matches"] for r in behzisti)


def test_digest_lists_the_story_with_both_outlets(replayed: Path) -> None:
    proc = newsbot(replayed, "digest", "--watch", str(WATCHLIST), "--day", DAY, "--state-dir", "state",
                   "--data-dir", "data", "--out", "digest")
    assert proc.returncode == 0, proc.stderr
    md = (replayed / "digest" / f"trade-{DAY}.md").read_text(encoding="utf-8")
    page = (replayed / "digest" / f"trade-{DAY}.html").read_text(encoding="utf-8")
    for text in (md, page):
        assert ORIGINAL["url"] in text and COPY["url"] in text
        assert "ایسنا" in text and "خبرگزاری مهر" in text
        assert "۱۴۰۴-۰۶-۱۲ ۱۸:۱۷" in text  # first seen, Jalali, Tehran
        assert text.index(ORIGINAL["url"]) < text.index(COPY["url"])
    assert '<html lang="fa" dir="rtl">' in page and "<script" not in page and "http" not in page.split("<body>")[0]
    assert (replayed / "digest" / f"behzisti-{DAY}.md").exists()


def test_a_copy_crawled_after_its_original_gets_the_expected_fields(tmp_path: Path) -> None:
    """The order of a cron day: ISNA's story is indexed first, mehr's copy in a later run."""
    for site in ("isna", "mehr"):
        proc = newsbot(tmp_path, "crawl", site, "--replay", str(FIXTURES), "--state-dir", "state", "--data-dir",
                       "data", "-s", "NEWSBOT_HOST_MAP_ONLY=true", "-q")
        assert proc.returncode == 0, proc.stderr[-3000:]
    mehr = next(r for r in records(tmp_path / "data", "mehr") if r["news_code"] == COPY["news_code"])
    assert mehr["story"] == COPY["story"]
    assert mehr["republished_from"] == COPY["republished_from"]
    assert mehr["matches"] == {}
    others = [r for r in records(tmp_path / "data", "mehr") if r["news_code"] != COPY["news_code"]]
    assert all(r["republished_from"] is None and r["story"] == f"mehr:{r['news_code']}" for r in others)


# ---- errors: one line, exit 2 -------------------------------------------------------------------------------------
def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_crawl_refuses_a_bad_watchlist_before_crawling(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "wl.toml"
    bad.write_text('[lists.b]\nanyy = ["x"]\n', encoding="utf-8")
    code, _, err = run(capsys, "crawl", "isna", "--replay", str(FIXTURES), "--watch", str(bad), "--state-dir",
                       str(tmp_path / "state"), "--data-dir", str(tmp_path / "data"))
    assert code == 2
    assert "--watch" in one_line(err) and str(bad) in err and "'b'" in err and "anyy" in err
    assert not (tmp_path / "data").exists() and not (tmp_path / "state").exists()
    code, _, err = run(capsys, "crawl", "isna", "-s", f"NEWSBOT_WATCHLIST={tmp_path / 'missing.toml'}",
                       "--state-dir", str(tmp_path / "state"))
    assert code == 2 and "cannot read" in one_line(err)


@pytest.mark.parametrize(("args", "needle"), [
    (["stories"], "needs --day"),
    (["stories", "--day", "1404-13-40", "--state-dir", "{tmp}"], "not a day"),
    (["stories", "--day", "yesterday-ish", "--state-dir", "{tmp}"], "not a day"),
    (["stories", "--day", "1404-06-12", "--state-dir", "{tmp}"], "no story index"),
    (["stories", "{tmp}/none.jsonl"], "no such file"),
    (["watch", "{tmp}/none.toml", "{tmp}"], "cannot read"),
    (["digest", "--watch", str(WATCHLIST), "--day", "1404-06-12", "--data-dir", "{tmp}/nodata",
      "--state-dir", "{tmp}"], "data directory not found"),
    (["digest", "--watch", str(WATCHLIST), "--day", "31-31-31", "--data-dir", "{tmp}"], "not a day"),
])
def test_usage_problems_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                     needle: str) -> None:
    code, _, err = run(capsys, *[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert code == 2
    assert needle in one_line(err), err


def test_watch_over_files_prints_matches_and_no_match_is_fine(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "out.jsonl"
    rows = [{**ORIGINAL, "crawled_at": "2026-12-02T06:00:00+00:00"},
            {**COPY, "story": None, "republished_from": None, "crawled_at": "2026-12-02T06:00:00+00:00"},
            {**ORIGINAL, "news_code": "1", "title": "هیچ", "lead": None, "kicker": None, "body": "متن دیگر"}]
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows) + "{torn", encoding="utf-8")
    code, out, err = run(capsys, "watch", str(WATCHLIST), str(data))
    assert code == 0
    printed = [json.loads(line) for line in out.splitlines()]
    assert [r["news_code"] for r in printed] == [ORIGINAL["news_code"], COPY["news_code"]]
    assert all("trade" in r["matches"] for r in printed) and "not a record" in err
    code, out, err = run(capsys, "watch", str(WATCHLIST), str(data), "--data-dir", str(tmp_path / "d"))
    assert code == 0 and out == ""
    assert len((tmp_path / "d" / "watch" / "trade" / "2026-12-02.jsonl").read_text().splitlines()) == 2
    empty = tmp_path / "empty.jsonl"
    empty.write_text(json.dumps(rows[2], ensure_ascii=False) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "watch", str(WATCHLIST), str(empty))
    assert code == 0 and out == ""


def test_objects_that_are_not_records_are_skipped_and_named(replayed: Path) -> None:
    odd = replayed / "odd.jsonl"
    odd.write_text('{"x": 1}\n{"spider": "isna", "status": "ok"}\nnot json\n'
                   + json.dumps(ORIGINAL, ensure_ascii=False) + "\n", encoding="utf-8")
    proc = newsbot(replayed, "stories", str(odd), "--json")
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line)["story"] for line in proc.stdout.splitlines()] == [f"isna:{ORIGINAL['news_code']}"]
    assert [line for line in proc.stderr.splitlines() if "not a record, skipped" in line] == [
        f"newsbot: {odd}:{n}: not a record, skipped" for n in (1, 2, 3)]


def test_watch_into_a_closed_pipe_stops_quietly(replayed: Path) -> None:
    reader = subprocess.Popen([sys.executable, "-m", "newsbot.cli", "watch", str(WATCHLIST), "data"], cwd=replayed,
                              env=clean_env(replayed), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.read(10)
    reader.stdout.close()  # `newsbot watch … | head -c 10`
    err = reader.stderr.read().decode()
    assert reader.wait(timeout=60) == 0
    assert "Traceback" not in err and "Broken pipe" not in err, err
