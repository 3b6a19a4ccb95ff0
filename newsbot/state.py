"""The state store: which articles were written, which are still owed, and which were settled without a record.

A SQLite file in the state directory (default ``./state/seen.sqlite3``). SQLite because cron runs are separate
processes that must agree on what was written, the set grows for months (it must not be held in memory), and a
crash must never leave it half-written.

Three tables, one promise ("every article exactly once"):

* ``seen``: articles whose line is in the output. The output files are the truth and this table is their index: an
  article is marked only after its line was written (and fsynced), and at the start of each run
  :meth:`StateStore.reconcile` reads whatever an interrupted run appended after the last mark, so a ``kill -9``
  between writing a line and marking it neither loses nor doubles the article.
* ``frontier``: work found but not finished — article URLs recorded *before* they are requested, and the follow-up
  discovery pages (listing page 2, 3, …; the documents of a backfill) that lead to more of them. A row leaves only
  when its article is written or settled, or when its discovery page was read to the end; each run starts by asking
  again for what is left, so a run killed at any moment is completed by the next one.
* ``settled``: articles that will never become a record, with the reason: gone (404/410), not an article (a
  soft-404, a listing, no body), refused (robots.txt, off-site redirect), given up after
  ``NEWSBOT_MAX_ATTEMPTS`` failed downloads across runs, or expired from the frontier after
  ``NEWSBOT_FRONTIER_MAX_AGE_DAYS``. Known like ``seen``, so they are not downloaded again.

SQLite keeps statements of one connection in order, so whatever the store holds after a crash is a prefix of what
the run did: an article never appears written while the discovery that found it is lost.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

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
CREATE TABLE IF NOT EXISTS frontier (
    site TEXT NOT NULL,
    key TEXT NOT NULL,
    url TEXT NOT NULL,
    kind TEXT NOT NULL,
    meta TEXT,
    found_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    walls INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    PRIMARY KEY (site, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS settled (
    site TEXT NOT NULL,
    key TEXT NOT NULL,
    url TEXT,
    outcome TEXT NOT NULL,
    reason TEXT,
    settled_at TEXT NOT NULL,
    PRIMARY KEY (site, key)
) WITHOUT ROWID;
"""

#: How a settled article ended. ``expired`` and ``given_up`` are the frontier's bounds; the rest are the page's answer.
OUTCOMES = ("gone", "not_article", "refused", "given_up", "expired")

#: (record) -> (site, key): how a written line maps to the store's key (see NewsSpider.state_key).
KeyFn = Callable[[dict], tuple[str, str]]

_STORES: dict[str, StateStore] = {}
_STORES_LOCK = threading.Lock()


class StateError(RuntimeError):
    """The state directory or database cannot be used; the message is one line and says how to recover."""


@dataclass(frozen=True)
class Pending:
    """One frontier row: what to request again, and how it went so far."""

    site: str
    key: str
    url: str
    kind: str
    meta: dict[str, Any]
    found_at: str
    attempts: int
    walls: int


def _recovery(state_dir: Path) -> str:
    return (f"check it with `newsbot state check --state-dir {state_dir}`, or rebuild it from the output with "
            f"`newsbot state rebuild --state-dir {state_dir} --data-dir DATA_DIR`")


class StateStore:
    """Seen, pending and settled articles, keyed by (site, key)."""

    def __init__(self, state_dir: str | os.PathLike[str]) -> None:
        self.state_dir = Path(state_dir)
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise StateError(f"state directory {self.state_dir} exists and is not a directory") from None
        except OSError as exc:
            raise StateError(f"cannot create the state directory {self.state_dir}: {exc.strerror or exc}") from None
        self.path = self.state_dir / "seen.sqlite3"
        if self.path.exists() and not self.path.is_file():
            raise StateError(f"state database {self.path} is not a file")
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise StateError(f"state database {self.path} is unusable ({exc}); {_recovery(self.state_dir)}") from None

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

    def _execute(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, tuple(params))
        except sqlite3.DatabaseError as exc:
            raise StateError(f"state database {self.path} failed ({exc}); {_recovery(self.state_dir)}") from None

    def transaction(self) -> _Transaction:
        """Several statements as one commit (a batch of marks costs one journal write, not one each)."""
        return _Transaction(self)

    # ---- seen ------------------------------------------------------------------------------------------------
    def is_seen(self, site: str, news_code: str) -> bool:
        row = self._execute("SELECT 1 FROM seen WHERE site=? AND news_code=?", (site, news_code)).fetchone()
        return row is not None

    def known(self, site: str, key: str) -> str | None:
        """``"seen"`` (written), ``"settled"`` (never to be written) or None (new or pending)."""
        if self.is_seen(site, key):
            return "seen"
        row = self._execute("SELECT 1 FROM settled WHERE site=? AND key=?", (site, key)).fetchone()
        return "settled" if row else None

    def mark_seen(self, site: str, news_code: str, frontier_key: str | None = None) -> bool:
        """Record a written article and take it off the frontier; False if it was already there.

        The URL is not kept: the output line has it, and a percent-encoded Persian slug was most of the bytes
        the store spent per article (``url`` stays in the schema, NULL, so older stores open unchanged).
        """
        cur = self._execute(
            "INSERT OR IGNORE INTO seen (site, news_code, url, written_at) VALUES (?, ?, NULL, ?)",
            (site, news_code, _now()),
        )
        self._execute("DELETE FROM frontier WHERE site=? AND key IN (?, ?)", (site, news_code,
                                                                             frontier_key or news_code))
        return cur.rowcount == 1

    def compact(self, settled_keep_days: float = 90.0) -> tuple[int, int]:
        """Forget what no longer matters: offsets of output files that are gone, settled URLs older than
        ``settled_keep_days`` (a 404 of last spring is no longer in any feed). Returns (outputs, settled) removed."""
        gone = [row[0] for row in self._execute("SELECT path FROM outputs") if not Path(row[0]).exists()]
        cutoff = (datetime.now(timezone.utc) - timedelta(days=settled_keep_days)).isoformat(timespec="seconds")
        with self.transaction():
            for path in gone:
                self._execute("DELETE FROM outputs WHERE path = ?", (path,))
            settled = self._execute("DELETE FROM settled WHERE settled_at < ?", (cutoff,)).rowcount
        self._execute("PRAGMA optimize")
        return len(gone), settled

    def count(self, site: str | None = None) -> int:
        if site is None:
            return self._execute("SELECT COUNT(*) FROM seen").fetchone()[0]
        return self._execute("SELECT COUNT(*) FROM seen WHERE site=?", (site,)).fetchone()[0]

    # ---- frontier --------------------------------------------------------------------------------------------
    def add_pending(self, site: str, key: str, url: str, kind: str = "article",
                    meta: dict[str, Any] | None = None) -> bool:
        """Remember work before it is requested; False when it was already pending."""
        cur = self._execute(
            "INSERT OR IGNORE INTO frontier (site, key, url, kind, meta, found_at) VALUES (?, ?, ?, ?, ?, ?)",
            (site, key, url, kind, json.dumps(meta or {}, ensure_ascii=False), _now()),
        )
        return cur.rowcount == 1

    def is_pending(self, site: str, key: str) -> bool:
        return self._execute("SELECT 1 FROM frontier WHERE site=? AND key=?", (site, key)).fetchone() is not None

    _PENDING = "SELECT site, key, url, kind, meta, found_at, attempts, walls FROM frontier WHERE site=?"

    def pending(self, site: str) -> list[Pending]:
        """Every frontier row of a site, discovery pages first (they lead to articles), oldest first."""
        rows = self._execute(self._PENDING + " ORDER BY kind = 'article', found_at", (site,)).fetchall()
        return [_pending(r) for r in rows]

    def pending_one(self, site: str, key: str) -> Pending | None:
        row = self._execute(self._PENDING + " AND key=?", (site, key)).fetchone()
        return _pending(row) if row else None

    def pending_count(self, site: str | None = None, kind: str | None = None) -> int:
        sql, params = "SELECT COUNT(*) FROM frontier WHERE 1=1", []
        if site is not None:
            sql, params = sql + " AND site=?", [*params, site]
        if kind is not None:
            sql, params = sql + " AND kind=?", [*params, kind]
        return self._execute(sql, params).fetchone()[0]

    def expire(self, site: str, max_age: timedelta) -> int:
        """Settle frontier rows older than ``max_age`` as ``expired``: a bound on how long a backlog is owed."""
        cutoff = (datetime.now(timezone.utc) - max_age).isoformat(timespec="seconds")
        with self.transaction():
            rows = self._execute("SELECT key, url, kind, attempts, last_error FROM frontier "
                                 "WHERE site=? AND found_at<?", (site, cutoff)).fetchall()
            for key, url, kind, attempts, last_error in rows:
                if kind == "article":
                    self._settle(site, key, url, "expired",
                                 f"pending since before {cutoff} ({attempts} failed attempts; {last_error or 'none'})")
            self._execute("DELETE FROM frontier WHERE site=? AND found_at<?", (site, cutoff))
        return sum(1 for row in rows if row[2] == "article")

    def done(self, site: str, key: str) -> None:
        """A discovery page was read to the end: everything it led to is on the frontier now."""
        self._execute("DELETE FROM frontier WHERE site=? AND key=?", (site, key))

    def failed_attempt(self, site: str, key: str, error: str, max_attempts: int) -> bool:
        """Count a failed download; True when that was the last allowed one and the row was settled (given up)."""
        self._execute("UPDATE frontier SET attempts = attempts + 1, last_error=? WHERE site=? AND key=?",
                      (error, site, key))
        row = self._execute("SELECT attempts, url, kind FROM frontier WHERE site=? AND key=?", (site, key)).fetchone()
        if row is None or row[0] < max_attempts:
            return False
        with self.transaction():
            if row[2] == "article":
                self._settle(site, key, row[1], "given_up", f"{row[0]} failed attempts; last: {error}")
            self._execute("DELETE FROM frontier WHERE site=? AND key=?", (site, key))
        return True

    def walled(self, site: str, key: str, reason: str) -> None:
        """A bot wall answered: the article stays owed (walls lift), counted apart from failed attempts."""
        self._execute("UPDATE frontier SET walls = walls + 1, last_error=? WHERE site=? AND key=?",
                      (reason, site, key))

    def settle(self, site: str, key: str, url: str | None, outcome: str, reason: str | None = None) -> None:
        """The article will never be a record: remember why, and never ask for it again."""
        with self.transaction():
            self._settle(site, key, url, outcome, reason)
            self._execute("DELETE FROM frontier WHERE site=? AND key=?", (site, key))

    def _settle(self, site: str, key: str, url: str | None, outcome: str, reason: str | None) -> None:
        assert outcome in OUTCOMES, outcome
        self._execute(
            "INSERT INTO settled (site, key, url, outcome, reason, settled_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(site, key) DO UPDATE SET outcome=excluded.outcome, reason=excluded.reason, "
            "settled_at=excluded.settled_at", (site, key, url, outcome, reason, _now()))

    def settled_counts(self, site: str | None = None) -> dict[str, int]:
        sql = "SELECT outcome, COUNT(*) FROM settled" + (" WHERE site=?" if site else "") + " GROUP BY outcome"
        return dict(self._execute(sql, (site,) if site else ()).fetchall())

    # ---- outputs ---------------------------------------------------------------------------------------------
    def output_offset(self, path: str | os.PathLike[str]) -> int:
        row = self._execute("SELECT offset FROM outputs WHERE path=?", (str(Path(path).resolve()),)).fetchone()
        return row[0] if row else 0

    def set_output_offset(self, path: str | os.PathLike[str], offset: int) -> None:
        self._execute(
            "INSERT INTO outputs (path, offset) VALUES (?, ?) ON CONFLICT(path) DO UPDATE SET offset=excluded.offset",
            (str(Path(path).resolve()), offset),
        )

    def reconcile(self, path: str | os.PathLike[str], key: KeyFn | None = None) -> tuple[int, int]:
        """Bring the store up to date with an output file; return (records marked, bytes of torn line removed).

        A torn last line (a crash mid-write) is cut off: its article was never marked, so it is fetched again.
        A line that is not a JSON object (hand-edited, or garbage from elsewhere) is left in place with a warning.
        """
        path = Path(path)
        if not path.is_file():
            return 0, 0
        size = path.stat().st_size
        start = min(self.output_offset(path), size)
        if start == size:
            return 0, 0  # read to the end by an earlier run: nothing to open, nothing to write back
        marked = 0
        with path.open("rb+") as fh, self.transaction():
            fh.seek(start)
            pos = start
            for raw in fh:
                if not raw.endswith(b"\n"):
                    break
                pos += len(raw)
                for rec in _records(raw, path, pos - len(raw)):
                    if key is None and not rec.get("news_code"):
                        continue
                    site, code = key(rec) if key else (rec["site"], str(rec["news_code"]))
                    marked += self.mark_seen(site, code)
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

    # ---- maintenance -----------------------------------------------------------------------------------------
    def check(self) -> list[str]:
        """Problems SQLite finds in the database file (empty when it is sound)."""
        rows = self._execute("PRAGMA integrity_check").fetchall()
        return [r[0] for r in rows if r[0] != "ok"]

    # ---- several writers (see newsbot.redisstore; one machine has one writer, the lock holder) ---------------
    def claim(self, site: str, key: str) -> str:
        """``ok`` unless written already: the state directory's lock makes this process the only writer."""
        return "seen" if self.is_seen(site, key) else "ok"

    def unclaim(self, site: str, key: str) -> None:
        """Nothing to release: claims exist only where several workers write."""

    def own_claims(self, site: str) -> list[str]:
        return []

    def sites(self) -> list[str]:
        rows = self._execute("SELECT site FROM seen UNION SELECT site FROM frontier UNION SELECT site FROM settled")
        return sorted(r[0] for r in rows)

    # ---- export / import (newsbot state export|import): one JSON object per row, the same for both stores ----
    def dump(self) -> Iterator[dict[str, Any]]:
        for site, key in self._execute("SELECT site, news_code FROM seen ORDER BY site, news_code"):
            yield {"table": "seen", "site": site, "key": key}
        for site, key, url, kind, meta, found_at, attempts, walls, last_error in self._execute(
                "SELECT site, key, url, kind, meta, found_at, attempts, walls, last_error FROM frontier"):
            yield {"table": "frontier", "site": site, "key": key, "url": url, "kind": kind, "meta": _meta(meta),
                   "found_at": found_at, "attempts": attempts, "walls": walls, "last_error": last_error}
        for site, key, url, outcome, reason, settled_at in self._execute(
                "SELECT site, key, url, outcome, reason, settled_at FROM settled"):
            yield {"table": "settled", "site": site, "key": key, "url": url, "outcome": outcome, "reason": reason,
                   "settled_at": settled_at}

    def load(self, rows: Iterable[dict[str, Any]]) -> dict[str, int]:
        """Add exported rows: seen wins over pending, nothing already here is overwritten but a settled reason."""
        counts = {"seen": 0, "frontier": 0, "settled": 0}
        with self.transaction():
            for row in rows:
                table, site, key = row["table"], row["site"], row["key"]
                if table == "seen":
                    self.mark_seen(site, key)
                elif table == "frontier":
                    if self.known(site, key) is None:
                        self._execute(
                            "INSERT OR IGNORE INTO frontier (site, key, url, kind, meta, found_at, attempts, walls, "
                            "last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (site, key, row["url"], row.get("kind") or "article",
                             json.dumps(row.get("meta") or {}, ensure_ascii=False), row.get("found_at") or _now(),
                             int(row.get("attempts") or 0), int(row.get("walls") or 0), row.get("last_error")))
                else:
                    self._settle(site, key, row.get("url"), row["outcome"], row.get("reason"))
                counts[table] += 1
        return counts


def _pending(row: tuple[Any, ...]) -> Pending:
    site, key, url, kind, meta, found_at, attempts, walls = row
    return Pending(site, key, url, kind, _meta(meta), found_at, attempts, walls)


def _meta(raw: str | None) -> dict[str, Any]:
    """A frontier row's stored meta; anything that is not a JSON object reads as none."""
    try:
        meta = json.loads(raw or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def _records(raw: bytes, path: Path, offset: int) -> Iterator[dict[str, Any]]:
    """The record on one output line, if it is one; anything else is reported and skipped, never fatal."""
    try:
        rec = json.loads(raw)
    except ValueError:
        logger.warning("unparseable line at byte %d of %s skipped", offset, path)
        return
    if not isinstance(rec, dict):
        logger.warning("line at byte %d of %s is not a JSON object; skipped", offset, path)
        return
    # A record of a site crawled by URL may have no news code; it is remembered by its URL (the key function's job).
    if rec.get("site") and (rec.get("news_code") or rec.get("url")):
        yield rec


class _Transaction:
    """BEGIN … COMMIT around a block (nested uses join the outer one); ROLLBACK when the block raises."""

    def __init__(self, store: StateStore) -> None:
        self.store = store
        self.outer = False

    def __enter__(self) -> _Transaction:
        if not self.store._db.in_transaction:
            self.store._execute("BEGIN")
            self.outer = True
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        if not self.outer:
            return
        if exc_type is None:
            self.store._execute("COMMIT")
        else:
            self.store._db.rollback()


def open_store(settings: Any) -> StateStore:
    """The crawl's store: Redis when ``NEWSBOT_REDIS_URL`` is set (several workers), else the SQLite file."""
    url = settings.get("NEWSBOT_REDIS_URL")
    if url:
        from newsbot.distributed import worker_id
        from newsbot.redisstore import RedisStateStore

        return RedisStateStore.shared(url, worker_id(settings),
                                      retry_seconds=settings.getfloat("NEWSBOT_REDIS_RETRY_SECONDS", 60.0),
                                      claim_ttl=settings.getfloat("NEWSBOT_REDIS_CLAIM_TTL", 3600.0))
    return StateStore.shared(settings.get("NEWSBOT_STATE_DIR", "state"))


def lock_path(settings: Any) -> Path:
    """The crawl lock: one per state directory, or one per worker id when workers share Redis (several workers
    may then run from one machine and one state directory)."""
    state_dir = Path(settings.get("NEWSBOT_STATE_DIR", "state"))
    if settings.get("NEWSBOT_REDIS_URL"):
        from newsbot.distributed import worker_id

        return state_dir / f"crawl.{worker_id(settings)}.lock"
    return state_dir / "crawl.lock"


def rebuild(state_dir: str | os.PathLike[str], outputs: Iterable[str | os.PathLike[str]],
            key: KeyFn | None = None) -> tuple[int, Path | None]:
    """A new seen set from the JSON Lines output (the source of truth); the old database is kept aside.

    Returns (records marked, where the old database was moved). The frontier and settled lists cannot be rebuilt
    from the output: articles that were pending are found again by discovery, settled ones are asked for once more.
    """
    state_dir = Path(state_dir)
    db = state_dir / "seen.sqlite3"
    moved = None
    if db.exists():
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        moved = db.with_name(f"seen.sqlite3.broken-{stamp}")
        db.rename(moved)
        for suffix in ("-wal", "-shm"):
            side = db.with_name(db.name + suffix)
            if side.exists():
                side.rename(moved.with_name(moved.name + suffix))
    store = StateStore(state_dir)
    try:
        marked, _ = store.reconcile_all(outputs, key)
    finally:
        store.close()
    return marked, moved


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
