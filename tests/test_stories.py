"""Republished stories: precision and recall on the generated set, the hard negatives, stable story ids,
``republished_from``, an index that persists across runs, and a window that keeps its size and memory flat."""

from __future__ import annotations

import gc
import tracemalloc
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from newsbot.stories import StoryIndex, StoryPipeline, cluster, record_id, shingles, story_text

from .storygen import VARIANTS, generate, pair_scores

TEHRAN = ZoneInfo("Asia/Tehran")
Z = "\u200c"


@pytest.fixture(scope="module")
def generated() -> Any:
    ss = generate(320, seed=2025)
    placed = cluster(ss.records())
    return ss, {record_id(r): p for r, p in placed}


def test_precision_and_recall_on_the_generated_set(generated: Any) -> None:
    ss, placed = generated
    assert len(ss.stories) >= 300 and sum(len(s.copies) for s in ss.stories) >= 300
    scores = pair_scores(ss.truth(), {k: p.story for k, p in placed.items()})
    assert scores["precision"] >= 0.99, scores
    assert scores["recall"] >= 0.95, scores


def test_every_variant_is_recognised(generated: Any) -> None:
    ss, placed = generated
    total, found = Counter(), Counter()
    for story in ss.stories:
        head = placed[record_id(story.record)].story
        for copy, variants in story.copies:
            for v in variants:
                total[v] += 1
                found[v] += placed[record_id(copy)].story == head
    assert set(total) == set(VARIANTS)
    rates = {v: found[v] / total[v] for v in VARIANTS}
    assert all(rate >= 0.95 for rate in rates.values()), rates


def test_same_office_same_day_releases_stay_apart(generated: Any) -> None:
    """The hard negatives: two or three «روابط عمومی» releases of one office on one day, same official, same
    opener and closing boilerplate."""
    ss, placed = generated
    siblings = Counter((s.org, s.city, s.record["published_at"][:10]) for s in ss.stories)
    assert sum(1 for n in siblings.values() if n > 1) >= 40, "the set must hold hard negatives"
    heads = [placed[record_id(s.record)].story for s in ss.stories]
    assert len(set(heads)) == len(heads), "two different releases were merged"


def test_story_is_the_earliest_record_and_copies_point_to_it(generated: Any) -> None:
    ss, placed = generated
    for story in ss.stories:
        head = placed[record_id(story.record)]
        assert head.story == record_id(story.record)
        assert head.republished_from is None
        for copy, _ in story.copies:
            got = placed[record_id(copy)]
            assert got.story == head.story
            assert got.republished_from == {"site": story.record["site"], "news_code": story.record["news_code"],
                                            "url": story.record["url"]}


def test_story_id_does_not_depend_on_arrival_order(tmp_path: Path) -> None:
    ss = generate(12, seed=5)
    story = next(s for s in ss.stories if len(s.copies) >= 2)
    copies = [c for c, _ in story.copies]
    index = StoryIndex(tmp_path / "s.sqlite3")
    for copy in copies:  # the copies arrive first (another spider was faster)
        index.add(copy)
    first = index.add(story.record)
    assert first.story == record_id(story.record) and first.republished_from is None
    assert {index.story_of(c) for c in copies} == {record_id(story.record)}
    rows = index.story_records(record_id(story.record))
    assert rows[0].site == story.record["site"] and len(rows) == len(copies) + 1
    # The same record again (a rerun without state) keeps its place.
    assert index.add(copies[0]).story == record_id(story.record)
    index.close()


def test_the_index_persists_across_runs(tmp_path: Path) -> None:
    ss = generate(10, seed=9)
    story = next(s for s in ss.stories if s.copies)
    one = StoryIndex(tmp_path / "stories.sqlite3")
    one.add(story.record)
    one.close()
    two = StoryIndex(tmp_path / "stories.sqlite3")
    placed = two.add(story.copies[0][0])
    assert placed.story == record_id(story.record)
    assert placed.republished_from["news_code"] == story.record["news_code"]
    two.close()


def test_half_space_words_stay_whole_and_spacing_does_not_matter() -> None:
    a = f"این طرح از هفته آینده اجرا می{Z}شود و پرونده{Z}ها بررسی می{Z}شوند تا روابط{Z}عمومی اعلام کند"
    assert shingles(a) == shingles(a.replace(Z, " "))
    assert shingles(a.replace(Z, "")) <= shingles(a)
    assert shingles(a.replace("ی", "ي").replace("ک", "ك")) == shingles(a)


def test_opener_trailers_and_related_lists_are_cut() -> None:
    rec = {"lead": None, "body": "به گزارش ایسنا، متن اصلی خبر اینجاست.\nانتهای پیام\nاخبار مرتبط:\nتیتر یک خبر دیگر"}
    assert story_text(rec) == "متن اصلی خبر اینجاست."


def _day_records(day: int, n: int, start: datetime) -> list[dict[str, Any]]:
    ss = generate(n, seed=1000 + day, start=start + timedelta(days=day), days=1)
    # Each day's generator numbers its records from the same start: codes are made unique across days here.
    return [{**s.record, "news_code": f"{day + 1}{i:05d}"} for i, s in enumerate(ss.stories)]


def test_window_keeps_rows_and_memory_flat(tmp_path: Path) -> None:
    """30 days of records through a 14-day window: the row count stops growing once the window is full, and so
    does the memory adding a day costs (tracemalloc peak, measured on days 10-14 and 25-29)."""
    start = datetime(2025, 10, 1, 8, 0, tzinfo=TEHRAN)
    days = [_day_records(day, 30, start) for day in range(30)]
    index = StoryIndex(tmp_path / "stories.sqlite3", window_days=14, now=start.timestamp())
    index.PRUNE_EVERY = 25
    rows: list[int] = []
    peaks: dict[int, int] = {}
    for day, records in enumerate(days):
        now = (start + timedelta(days=day, hours=12)).timestamp()
        measured = day in range(10, 15) or day in range(25, 30)
        if measured:
            gc.collect()
            tracemalloc.start()
        try:
            for rec in records:
                index.add(rec, now=now)
            index.prune(now)
            index.commit()
            if measured:
                peaks[day] = tracemalloc.get_traced_memory()[1]
        finally:
            if measured:
                tracemalloc.stop()
        rows.append(index.count())
    assert rows[13] == 14 * 30 and max(rows) <= 15 * 30, rows
    assert all(abs(n - rows[15]) <= 30 for n in rows[15:]), rows
    assert index.band_count() == index.count() * 42
    early, late = max(peaks[d] for d in range(10, 15)), max(peaks[d] for d in range(25, 30))
    assert late <= early * 1.25 + 100_000, peaks
    index.close()
    assert (tmp_path / "stories.sqlite3").stat().st_size < 20 * 1024 * 1024


class _Stats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str, n: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + n


class _Settings(dict):
    def getbool(self, key: str, default: bool = False) -> bool:
        return bool(self.get(key, default))

    def getfloat(self, key: str, default: float = 0.0) -> float:
        return float(self.get(key, default))


class _Crawler:
    def __init__(self, state_dir: Path) -> None:
        self.settings = _Settings(NEWSBOT_STATE_DIR=str(state_dir))
        self.stats = _Stats()
        self.spider = type("S", (), {"name": "isna"})()


def test_pipeline_sets_fields_and_survives_a_broken_index(tmp_path: Path) -> None:
    ss = generate(10, seed=3)
    story = next(s for s in ss.stories if s.copies)
    crawler = _Crawler(tmp_path / "state")
    pipe = StoryPipeline.from_crawler(crawler)
    pipe.open_spider()
    original = pipe.process_item(dict(story.record))
    copy = pipe.process_item(dict(story.copies[0][0]))
    assert original["story"] == copy["story"] == record_id(story.record)
    assert copy["republished_from"]["site"] == story.record["site"] and original.get("republished_from") is None
    pipe.index.db.close()  # the index breaks mid-crawl
    item = pipe.process_item({**story.copies[0][0], "news_code": "1"})
    assert item["news_code"] == "1" and item.get("story") is None
    assert crawler.stats.values.get("newsbot/stories_error/isna") == 1

    blocked = tmp_path / "file"
    blocked.write_text("x")
    crawler = _Crawler(blocked)  # the state dir is a file: the index cannot open
    pipe = StoryPipeline.from_crawler(crawler)
    pipe.open_spider()
    assert pipe.process_item(dict(story.record))["site"] == story.record["site"]
    assert crawler.stats.values.get("newsbot/stories_error/isna") == 1
    pipe.close_spider()
