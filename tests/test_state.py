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
    assert store.mark_seen("isna", "1", "https://www.isna.ir/news/1/x")
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
