from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsbot.runlock import LockHeld, RunLock
from newsbot.state import StateStore


def test_seen_roundtrip_across_instances(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    assert not store.is_seen("isna", "1")
    assert store.mark_seen("isna", "1")
    assert not store.mark_seen("isna", "1")  # already there
    assert store.is_seen("isna", "1")
    assert not store.is_seen("mehr", "1")  # keyed by site too
    store.close()
    again = StateStore(tmp_path)
    assert again.is_seen("isna", "1")
    assert again.count() == 1
    again.close()


def test_shared_store_is_one_per_directory(tmp_path: Path) -> None:
    a = StateStore.shared(tmp_path)
    b = StateStore.shared(tmp_path / "." )
    assert a is b
    a.close()


def _line(site: str, code: str) -> bytes:
    return (json.dumps({"site": site, "news_code": code, "title": "عنوان"}, ensure_ascii=False) + "\n").encode()


def test_reconcile_marks_unmarked_lines_and_cuts_a_torn_tail(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_bytes(_line("isna", "1") + _line("isna", "2") + b'{"site": "isna", "news_co')
    store = StateStore(tmp_path / "state")
    marked, torn = store.reconcile(out)
    assert (marked, torn) == (2, len(b'{"site": "isna", "news_co'))
    assert store.is_seen("isna", "1") and store.is_seen("isna", "2")
    assert out.read_bytes().endswith(b"\n")
    assert all(json.loads(line) for line in out.read_bytes().splitlines())
    # Later appends are read from the checkpoint on.
    with out.open("ab") as fh:
        fh.write(_line("isna", "3"))
    assert store.reconcile(out) == (1, 0)
    assert store.is_seen("isna", "3")
    store.close()


def test_lock_refuses_second_holder_and_is_released_by_death(tmp_path: Path) -> None:
    lock_path = tmp_path / "crawl.lock"
    with RunLock(lock_path):
        with pytest.raises(LockHeld, match=str(os.getpid())):
            RunLock(lock_path).acquire()
    # A process that dies holding the lock leaves a stale file; the next run takes it over.
    code = f"from newsbot.runlock import RunLock; import os; RunLock({str(lock_path)!r}).acquire(); os._exit(0)"
    subprocess.run([sys.executable, "-c", code], check=True)
    assert lock_path.read_text().strip()  # the dead holder's pid is still written
    with RunLock(lock_path):
        pass


# ---- the frontier and settled articles ------------------------------------------------------------------------------
def test_pending_until_written_and_marking_takes_it_off(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    assert store.add_pending("isna", "7", "https://www.isna.ir/news/7/x", meta={"listed_date": "d"})
    assert not store.add_pending("isna", "7", "https://www.isna.ir/news/7/x")  # once
    assert store.known("isna", "7") is None and store.is_pending("isna", "7")
    [row] = store.pending("isna")
    assert (row.url, row.kind, row.meta, row.attempts) == ("https://www.isna.ir/news/7/x", "article",
                                                           {"listed_date": "d"}, 0)
    store.mark_seen("isna", "7")
    assert store.known("isna", "7") == "seen" and not store.is_pending("isna", "7")


def test_discovery_pages_come_back_first(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    store.add_pending("isna", "1", "https://www.isna.ir/news/1/x")
    store.add_pending("isna", "doc:https://www.isna.ir/archive?pi=3", "https://www.isna.ir/archive?pi=3",
                      "discovery", {"newsbot_kind": "listing", "page": 3})
    assert [p.kind for p in store.pending("isna")] == ["discovery", "article"]
    store.done("isna", "doc:https://www.isna.ir/archive?pi=3")
    assert [p.kind for p in store.pending("isna")] == ["article"]


def test_failed_attempts_are_bounded_across_runs(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    store.add_pending("isna", "9", "https://www.isna.ir/news/9/x")
    assert not store.failed_attempt("isna", "9", "TimeoutError", max_attempts=3)
    store.walled("isna", "9", "bot wall")  # walls do not use up attempts
    store.close()
    store = StateStore(tmp_path)  # the next run
    assert not store.failed_attempt("isna", "9", "HTTP 503", max_attempts=3)
    assert store.failed_attempt("isna", "9", "HTTP 503", max_attempts=3)
    assert store.known("isna", "9") == "settled" and store.settled_counts() == {"given_up": 1}
    assert store.pending("isna") == []


def test_old_pending_rows_expire(tmp_path: Path) -> None:
    from datetime import timedelta

    store = StateStore(tmp_path)
    store.add_pending("isna", "5", "https://www.isna.ir/news/5/x")
    store._execute("UPDATE frontier SET found_at='2020-01-01T00:00:00+00:00'")
    store.add_pending("isna", "6", "https://www.isna.ir/news/6/x")
    assert store.expire("isna", timedelta(days=14)) == 1
    assert store.known("isna", "5") == "settled" and [p.key for p in store.pending("isna")] == ["6"]


def test_settled_articles_are_known_with_their_reason(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    store.add_pending("isna", "4", "https://www.isna.ir/news/4/x")
    store.settle("isna", "4", "https://www.isna.ir/news/4/x", "not_article", "soft_404")
    assert store.known("isna", "4") == "settled" and not store.is_seen("isna", "4")
    assert store._execute("SELECT reason FROM settled").fetchone()[0] == "soft_404"


def test_reconcile_skips_lines_that_are_not_records(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"null\n[1, 2]\nnot json\n" + _line("isna", "1") + b'"text"\n')
    store = StateStore(tmp_path / "state")
    assert store.reconcile(out) == (1, 0)
    assert store.is_seen("isna", "1")
    assert sum("skipped" in r.message for r in caplog.records) == 4


def test_a_corrupt_database_is_one_line_with_the_way_out(tmp_path: Path) -> None:
    from newsbot.state import StateError

    (tmp_path / "seen.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StateError) as err:
        StateStore(tmp_path)
    message = str(err.value)
    assert "\n" not in message and "newsbot state rebuild" in message and "newsbot state check" in message


def test_state_dir_that_is_a_file(tmp_path: Path) -> None:
    from newsbot.state import StateError

    (tmp_path / "state").write_text("x")
    with pytest.raises(StateError, match="is not a directory"):
        StateStore(tmp_path / "state")


def test_rebuild_from_the_output_keeps_the_broken_file(tmp_path: Path) -> None:
    from newsbot.state import rebuild

    out = tmp_path / "data" / "isna" / "2026-12-01.jsonl"
    out.parent.mkdir(parents=True)
    out.write_bytes(_line("isna", "1") + _line("isna", "2"))
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "seen.sqlite3").write_bytes(b"garbage" * 1000)
    marked, moved = rebuild(tmp_path / "state", [out])
    assert marked == 2 and moved is not None and moved.read_bytes().startswith(b"garbage")
    store = StateStore(tmp_path / "state")
    assert store.is_seen("isna", "1") and store.is_seen("isna", "2") and store.check() == []


def test_the_lock_is_shared_within_a_process_and_counted(tmp_path: Path) -> None:
    lock = RunLock.shared(tmp_path / "crawl.lock")
    lock.acquire()
    RunLock.shared(tmp_path / "crawl.lock").acquire()  # the same process again (newsbot crawl, then a pipeline)
    lock.release()
    assert lock.held
    code = f"from newsbot.runlock import RunLock; RunLock({str(tmp_path / 'crawl.lock')!r}).acquire()"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode != 0
    lock.release()
    assert not lock.held
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def test_a_lock_path_that_is_a_directory_is_one_line(tmp_path: Path) -> None:
    from newsbot.runlock import LockError

    (tmp_path / "crawl.lock").mkdir()
    with pytest.raises(LockError, match="is a directory"):
        RunLock(tmp_path / "crawl.lock").acquire()


def test_reconcile_leaves_a_file_read_to_the_end_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A year of daily files is not re-opened, re-read or re-written on every run."""
    out = tmp_path / "out.jsonl"
    out.write_bytes(_line("isna", "1"))
    store = StateStore(tmp_path / "state")
    assert store.reconcile(out) == (1, 0)
    opened: list[Path] = []
    real_open = Path.open

    def spy(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        opened.append(self)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy)
    writes: list[object] = []
    monkeypatch.setattr(store, "set_output_offset", lambda *a: writes.append(a))
    assert store.reconcile(out) == (0, 0)
    assert opened == [] and writes == []
    store.close()


def test_compaction_forgets_gone_outputs_and_old_settled_urls(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state")
    kept, gone = tmp_path / "kept.jsonl", tmp_path / "gone.jsonl"
    for path in (kept, gone):
        path.write_bytes(_line("isna", path.stem))
        store.reconcile(path)
    gone.unlink()
    store.settle("isna", "old", "https://www.isna.ir/news/1", "gone", "404")
    store._execute("UPDATE settled SET settled_at = '2020-01-01T00:00:00+00:00' WHERE key = 'old'")
    store.settle("isna", "new", "https://www.isna.ir/news/2", "gone", "404")
    assert store.compact(settled_keep_days=90) == (1, 1)
    assert store.output_offset(kept) > 0 and store.output_offset(gone) == 0
    assert store.settled_counts("isna") == {"gone": 1}
    assert store.is_seen("isna", "gone")  # what was written stays known
    store.close()


def test_reconcile_marks_a_record_without_a_news_code_by_the_key_it_was_written_under(tmp_path: Path) -> None:
    """A site crawled by URL may have no news codes: a crash between its write and its mark must not write it twice."""
    out = tmp_path / "out.jsonl"
    rec = {"site": "blog.example.ir", "news_code": None, "url": "https://blog.example.ir/1404/05/slug/", "title": "x"}
    out.write_bytes((json.dumps(rec) + "\n").encode())
    store = StateStore(tmp_path / "state")
    assert store.reconcile(out) == (0, 0)  # without a key function a codeless record has no key
    store.set_output_offset(out, 0)
    assert store.reconcile(out, key=lambda r: (r["site"], "url:" + r["url"].split("/", 3)[3])) == (1, 0)
    assert store.is_seen("blog.example.ir", "url:1404/05/slug/")
    store.close()
