"""The state store: which articles were already written, across runs.

A SQLite file in the state directory (default ``./state/seen.sqlite3``). SQLite because cron runs are separate
processes that must agree on what was written, the set grows for months (it must not be held in memory), and a
crash must never leave it half-written.

The output files are the truth and the store is their index: an article is marked only after its line was written
and flushed, and at the start of each run :meth:`StateStore.reconcile` reads whatever an interrupted run appended
after the last mark, so a ``kill -9`` between writing a line and marking it neither loses nor doubles the article.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
    site TEXT NOT NULL,
    news_code TEXT NOT NULL,
    url TEXT,
    written_at TEXT NOT NULL,
    PRIMARY KEY (site, news_code)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outputs (
    path TEXT PRIMARY KEY,
    offset INTEGER NOT NULL
);
"""

#: (record) -> (site, key): how a written line maps to the store's key (see NewsSpider.state_key).
KeyFn = Callable[[dict], tuple[str, str]]

_STORES: dict[str, StateStore] = {}
_STORES_LOCK = threading.Lock()


class StateStore:
    """Seen articles keyed by (site, news_code)."""

    def __init__(self, state_dir: str | os.PathLike[str]) -> None:
        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.state_dir / "seen.sqlite3"
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    @classmethod
    def shared(cls, state_dir: str | os.PathLike[str]) -> StateStore:
        """One store per directory per process: spiders, middlewares and pipelines of one run share it."""
        key = str(Path(state_dir).resolve())
        with _STORES_LOCK:
            store = _STORES.get(key)
            if store is None:
                store = _STORES[key] = cls(state_dir)
            return store

    def close(self) -> None:
        self._db.close()
        with _STORES_LOCK:
            for key, store in list(_STORES.items()):
                if store is self:
                    del _STORES[key]

    # ---- seen ------------------------------------------------------------------------------------------------
    def is_seen(self, site: str, news_code: str) -> bool:
        row = self._db.execute("SELECT 1 FROM seen WHERE site=? AND news_code=?", (site, news_code)).fetchone()
        return row is not None

    def mark_seen(self, site: str, news_code: str, url: str | None = None) -> bool:
        """Record a written article; False if it was already there."""
        cur = self._db.execute(
            "INSERT OR IGNORE INTO seen (site, news_code, url, written_at) VALUES (?, ?, ?, ?)",
            (site, news_code, url, _now()),
        )
        return cur.rowcount == 1

    def count(self, site: str | None = None) -> int:
        if site is None:
            return self._db.execute("SELECT COUNT(*) FROM seen").fetchone()[0]
        return self._db.execute("SELECT COUNT(*) FROM seen WHERE site=?", (site,)).fetchone()[0]

    # ---- outputs ---------------------------------------------------------------------------------------------
    def output_offset(self, path: str | os.PathLike[str]) -> int:
        row = self._db.execute("SELECT offset FROM outputs WHERE path=?", (str(Path(path).resolve()),)).fetchone()
        return row[0] if row else 0

    def set_output_offset(self, path: str | os.PathLike[str], offset: int) -> None:
        self._db.execute(
            "INSERT INTO outputs (path, offset) VALUES (?, ?) ON CONFLICT(path) DO UPDATE SET offset=excluded.offset",
            (str(Path(path).resolve()), offset),
        )

    def reconcile(self, path: str | os.PathLike[str], key: KeyFn | None = None) -> tuple[int, int]:
        """Bring the store up to date with an output file; return (records marked, bytes of torn line removed).

        A torn last line (a crash mid-write) is cut off: its article was never marked, so it is fetched again.
        """
        path = Path(path)
        if not path.exists():
            return 0, 0
        size = path.stat().st_size
        start = min(self.output_offset(path), size)
        marked = 0
        with path.open("rb+") as fh:
            fh.seek(start)
            pos = start
            for raw in fh:
                if not raw.endswith(b"\n"):
                    break
                pos += len(raw)
                try:
                    rec = json.loads(raw)
                except ValueError:
                    logger.warning("unparseable line at byte %d of %s left in place", pos - len(raw), path)
                    continue
                if rec.get("site") and rec.get("news_code"):
                    site, code = key(rec) if key else (rec["site"], str(rec["news_code"]))
                    marked += self.mark_seen(site, code, rec.get("url"))
            torn = size - pos
            if torn:
                logger.warning("removing a torn last line (%d bytes) from %s left by an interrupted run", torn, path)
                fh.truncate(pos)
        self.set_output_offset(path, pos)
        return marked, torn

    def reconcile_all(self, paths: Iterable[str | os.PathLike[str]], key: KeyFn | None = None) -> tuple[int, int]:
        marked = torn = 0
        for path in paths:
            m, t = self.reconcile(path, key)
            marked += m
            torn += t
        return marked, torn


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
