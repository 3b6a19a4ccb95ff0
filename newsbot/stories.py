"""Republished stories: which records across sites and runs are one story, and which outlet carried it first.

A press release goes to one agency; others republish it with a new headline, «به گزارش ایسنا» in front, a
related-news box and their own trailer, a paragraph or two trimmed, sometimes with the half-spaces turned into
spaces or Arabic letters left in. Each record therefore gets

- a **signature**: a MinHash (datasketch) over shingles of its lead and body, after the attribution opener,
  trailers and related-news lines are cut. The text is folded (:func:`newsbot.watch.fold_chars`: Arabic letters,
  digits, diacritics) and its word breaks removed; a shingle is the 16 characters (about three words) from each
  word start, a half-space counting as one. A copy that turned half-spaces into spaces has the same starts and the
  same characters, so the same shingles; one that dropped them («روابطعمومی») has a subset. Nothing is lost at a
  half-space (trafilatura's simhash tokenizer is not used: it drops every word holding one, which is most Persian
  sentences' verbs). Splitting words on spaces alone and joining known clitics back («می», «ها», …) was tried first;
  compounds such as «توان‌بخشی» still split, and copies with spaces fell to 0.74 containment against 0.93 now.
- **candidates** from LSH banding of that signature (42 bands of 3 rows; a pair at Jaccard 0.5 shares a band with
  probability 0.996), looked up in an SQLite table, so the index never needs to be in memory;
- a **decision** per candidate on the estimated *containment* of the shorter text in the longer (a copy with
  paragraphs trimmed keeps nearly all of its shingles inside the original), helped by the headline's similarity and
  by attribution: a record saying «به گزارش ایسنا» whose candidate comes from ISNA needs less text in common. Two
  different releases on the same topic, with the organisation's boilerplate in common, stay apart: their shared
  share is well under the thresholds (measured in bench/monitoring.py and tests/test_stories.py).

The earliest record of a story (by publish time, then by the order records were indexed) names it:
``story = "<site>:<news_code>"``; every later one gets ``republished_from`` = that record's site, news code and URL.
When a record turns up that is earlier than its story's first one, the story is renamed after it in the index
(lines already written keep what was known then; ``newsbot stories`` shows the index).

The index (``<state>/stories.sqlite3``) holds only a window of days (``NEWSBOT_STORY_WINDOW_DAYS``, 14): rows
indexed longer ago are pruned when it opens and every few hundred records, so its size and the crawl's memory stay
flat however long cron runs.
"""

from __future__ import annotations

import functools
import logging
import re
import sqlite3
import struct
import time
import zlib
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

import numpy as np

from newsbot.dates import iso_timestamp
from newsbot.text import is_trailer
from newsbot.watch import fold, fold_chars

logger = logging.getLogger(__name__)

NUM_PERM = 128
BANDS, ROWS = 42, 3
SHINGLE_CHARS = 16
#: Containment (shared shingles / shingles of the shorter text) above which two records are one story outright.
CONTAINMENT_SURE = 0.7
#: Containment above which the headline or the attribution has to agree.
CONTAINMENT_LIKELY = 0.55
#: Headline similarity (character trigrams) that counts as agreeing.
TITLE_AGREES = 0.45
#: Below this many shingles a text is too short for containment alone.
SHORT = 20
SEED = 1

# Letters and digits between word breaks; a half-space is a break too (U+200C is not a word character).
_PART = re.compile(r"[^\W_]+")
_OPENER = re.compile(r"^\s*(?:به\s*گزارش|به\s*نقل\s*از)\s*([^،,:\n]{1,90}?)\s*[،,:]\s*")
_RELATED = re.compile(r"^\s*(?:اخبار|مطالب|خبرهای|بیشتر)\s*(?:مرتبط|بخوانید|پیشنهادی)")
_AGENCY_WORDS = re.compile(r"^(?:خبرگزاری|خبرگزار|پایگاه|خبری|روزنامه|باشگاه|خبرنگاران|سایت|تحلیلی|اطلاع|رسانی|"
                           r"خبرنگار|گروه|سرویس|اقتصادی|سیاسی|اجتماعی|فرهنگی|ورزشی|بین|الملل)$")


# ---- text → signature --------------------------------------------------------------------------------------------
def story_text(record: dict[str, Any]) -> str:
    """Lead and body without what republishing adds or removes: the «به گزارش …،» opener, trailers, related lists."""
    parts = []
    lead = record.get("lead")
    if isinstance(lead, str) and lead.strip():
        parts.append(lead)
    body = record.get("body") or ""
    lines = [line for line in body.split("\n") if line.strip()]
    kept: list[str] = []
    related = False
    for line in lines:
        if _RELATED.match(line) or is_trailer(line):
            related = bool(_RELATED.match(line)) or related
            continue
        if related and len(line.split()) <= 16:
            continue  # a headline in a related-news list
        related = False
        kept.append(line)
    if kept:
        kept[0] = _OPENER.sub("", kept[0], count=1)
    return "\n".join(parts + kept)


def shingles(text: str, width: int = SHINGLE_CHARS) -> set[bytes]:
    """Shingles of the folded text with its word breaks removed, one starting at each word and at each half-space.

    Where a half-space stood, a copy that turned it into a space has a word break too, and neither text has a
    character there once breaks are removed: such a copy has exactly the original's shingles. A copy that dropped
    half-spaces altogether («روابطعمومی») has a subset of them. Each shingle is ``width`` characters, about three
    words.
    """
    parts = _PART.findall(fold_chars(text))
    joined = "".join(parts)
    if not joined:
        return set()
    if len(joined) <= width:
        return {joined.encode("utf-8")}
    last = len(joined) - width
    return {joined[p:p + width].encode("utf-8") for p in accumulate(map(len, parts), initial=0) if p <= last}


def _datasketch_minhash() -> Any:
    """datasketch's MinHash class, without running the package's ``__init__``: that imports every sketch it has,
    scipy among them (for LSH parameter tuning this index does not use), which cost every crawl a second and 60 MB.
    The package is entered through a placeholder only long enough to import ``datasketch.minhash``; a later
    ``import datasketch`` elsewhere runs the real ``__init__`` (and reuses the submodule)."""
    import importlib
    import importlib.util
    import sys
    import types

    if "datasketch" in sys.modules:
        return importlib.import_module("datasketch.minhash").MinHash
    spec = importlib.util.find_spec("datasketch")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("datasketch is not installed (pip install datasketch)")
    placeholder = types.ModuleType("datasketch")
    placeholder.__path__ = list(spec.submodule_search_locations)
    sys.modules["datasketch"] = placeholder
    try:
        return importlib.import_module("datasketch.minhash").MinHash
    finally:
        if sys.modules.get("datasketch") is placeholder:
            del sys.modules["datasketch"]


MinHash = _datasketch_minhash()

#: The permutations of the signature, made once (datasketch derives them from the seed). datasketch 2 names its
#: hashing scheme; 1.x has one scheme and no such argument.
_SCHEME: dict[str, Any] = {"scheme": "affine32"} if "scheme" in MinHash.__init__.__code__.co_varnames else {}
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=SEED, **_SCHEME).permutations
#: What a stored signature was made with; an index made otherwise is emptied when it opens (it is only a window).
SIGNATURE_KIND = f"minhash/{_SCHEME.get('scheme', 'v1')}/{NUM_PERM}/{SEED}/crc32/{SHINGLE_CHARS}/{BANDS}x{ROWS}"


def signature(shingle_set: set[bytes]) -> np.ndarray:
    """The MinHash signature (uint32 × NUM_PERM). Shingles are hashed with CRC-32 (in C: the signature of a
    150 KB page's text costs well under a millisecond) before datasketch's seeded permutations; seed and hash are
    fixed, so signatures stored by one run compare with the next run's."""
    m = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=zlib.crc32, permutations=_PERMUTATIONS,
                **_SCHEME)
    if shingle_set:
        m.update_batch(list(shingle_set))
    return m.hashvalues.astype(np.uint32)


def band_keys(sig: np.ndarray) -> list[int]:
    """One signed 64-bit key per LSH band (the band's number is part of the key)."""
    keys = []
    raw = sig.tobytes()
    width = ROWS * 4
    for b in range(BANDS):
        chunk = raw[b * width:(b + 1) * width]
        h = zlib.crc32(chunk, b * 2654435761 & 0xFFFFFFFF)
        keys.append(struct.unpack("<q", struct.pack("<II", h, zlib.adler32(chunk) ^ b))[0])
    return keys


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a == b)) / len(a)


def containment(j: float, na: int, nb: int) -> float:
    """Shared shingles over the shorter text's, from the Jaccard estimate and the two set sizes."""
    if na <= 0 or nb <= 0:
        return 0.0
    inter = j * (na + nb) / (1.0 + j)
    return min(1.0, inter / min(na, nb))


@functools.lru_cache(maxsize=8192)
def _trigrams(text: str) -> frozenset[str]:
    # Cached: a record is compared with up to CANDIDATES others, and their titles come round again and again.
    f = fold(text)
    return frozenset(f[i:i + 3] for i in range(max(1, len(f) - 2))) if f else frozenset()


def title_similarity(a: str | None, b: str | None) -> float:
    ta, tb = _trigrams(a or ""), _trigrams(b or "")
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def attribution_of(record: dict[str, Any]) -> str | None:
    """The source a record credits: its ``attribution`` field, else a «به گزارش X،» opening its body."""
    value = record.get("attribution")
    if isinstance(value, str) and value.strip():
        return value.strip()
    match = _OPENER.match(record.get("body") or "")
    return match.group(1).strip() if match else None


@functools.lru_cache(maxsize=1024)
def _source_key(name: str | None) -> str:
    words = [w for w in re.findall(r"[^\W_]+", fold_chars(name or "")) if not _AGENCY_WORDS.match(w)]
    return "".join(words)


def credits(attribution: str | None, site: str | None, agency: str | None) -> bool:
    """Whether an attribution («ایسنا», «خبرگزاری مهر», «خبرنگار اقتصادی ایسنا») names this site or agency."""
    got = _source_key(attribution)
    if len(got) < 2:
        return False
    for name in (agency, site):
        want = _source_key(name)
        if len(want) >= 2 and (want == got or (len(want) >= 3 and (want in got or got in want))):
            return True
    return False


# ---- the index ---------------------------------------------------------------------------------------------------
@dataclass
class Placement:
    """Where a record went: its story and, for a copy, the story's first record."""

    story: str
    republished_from: dict[str, Any] | None = None
    score: float = 0.0


@dataclass
class StoryRecord:
    site: str | None
    news_code: str | None
    url: str | None
    title: str | None
    agency: str | None
    published_at: str | None
    published_ts: float
    story: str
    rid: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def ref(self) -> dict[str, Any]:
        return {"site": self.site, "news_code": self.news_code, "url": self.url}


def record_id(record: dict[str, Any]) -> str:
    """``<site>:<news_code>``; the URL stands in for a missing site or code."""
    site = record.get("site") or "_generic"
    code = record.get("news_code") or record.get("canonical_url") or record.get("url") or "?"
    return f"{site}:{code}"


class StoryIndexError(Exception):
    """The story index cannot be opened or written (one line)."""


_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    rid INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    site TEXT, news_code TEXT, url TEXT, title TEXT, agency TEXT, attribution TEXT,
    published_at TEXT, published_ts REAL NOT NULL, seen_ts REAL NOT NULL,
    n INTEGER NOT NULL, sig BLOB NOT NULL, story TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_story_time ON records(story, published_ts, rid);
CREATE INDEX IF NOT EXISTS records_seen ON records(seen_ts);
CREATE INDEX IF NOT EXISTS records_published ON records(published_ts);
CREATE TABLE IF NOT EXISTS bands (key INTEGER NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY (key, rid)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS bands_rid ON bands(rid);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class StoryIndex:
    """The window-bounded index of signatures: SQLite on disk (or ``:memory:`` for files given on the command line).

    ``now`` arguments exist so tests and backfills can run the clock; they default to the wall clock.
    """

    PRUNE_EVERY = 500
    #: Records kept per LSH bucket (the newest), and candidates compared per record: bounds on the cost of one
    #: lookup whatever the window holds.
    BUCKET_MAX = 64
    CANDIDATES = 32
    COMMIT_EVERY = 100

    def __init__(self, path: str | Path = ":memory:", window_days: float = 14.0, *, now: float | None = None,
                 readonly: bool = False) -> None:
        self.path = str(path)
        self.window = max(0.0, float(window_days)) * 86400.0
        self._added = 0
        self._uncommitted = 0
        try:
            if self.path != ":memory:" and readonly:
                self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)
            else:
                if self.path != ":memory:":
                    Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(self.path, timeout=10, isolation_level="DEFERRED")
                if self.path != ":memory:":
                    self.db.execute("PRAGMA journal_mode=WAL")
                    self.db.execute("PRAGMA synchronous=NORMAL")
                self.db.executescript(_SCHEMA)
                self._check_kind()
                self.prune(now)
                self.db.commit()
        except (sqlite3.Error, OSError) as exc:
            raise StoryIndexError(f"story index {self.path}: {exc}") from None
        self.readonly = readonly

    def _check_kind(self) -> None:
        row = self.db.execute("SELECT value FROM meta WHERE name = 'signature'").fetchone()
        if row is not None and row[0] == SIGNATURE_KIND:
            return
        if row is not None:
            logger.warning("story index %s was made with other signatures (%s); starting it afresh", self.path, row[0])
            self.db.execute("DELETE FROM bands")
            self.db.execute("DELETE FROM records")
        self.db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('signature', ?)", (SIGNATURE_KIND,))

    # -- writing --
    def add(self, record: dict[str, Any], *, now: float | None = None) -> Placement:
        """Index a record and say which story it belongs to. A record indexed before keeps its story."""
        now = time.time() if now is None else now
        key = record_id(record)
        row = self.db.execute("SELECT story FROM records WHERE key = ?", (key,)).fetchone()
        if row is not None:
            return self._placement_of(key, row[0])
        sh = shingles(story_text(record))
        sig = signature(sh)
        n = len(sh)
        published_ts = iso_timestamp(record.get("published_at"))
        ts = published_ts if published_ts is not None else now
        attribution = attribution_of(record)
        best = self._best_candidate(record, sig, n, ts, attribution)
        story = best[0] if best else key
        cur = self.db.execute(
            "INSERT INTO records (key, site, news_code, url, title, agency, attribution, published_at, published_ts, "
            "seen_ts, n, sig, story) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (key, record.get("site"), record.get("news_code"), record.get("url"), record.get("title"),
             record.get("agency"), attribution, record.get("published_at"), ts, now, n, sig.tobytes(), story))
        rid = cur.lastrowid
        keys = band_keys(sig) if n else []
        self.db.executemany("INSERT OR IGNORE INTO bands (key, rid) VALUES (?, ?)", [(k, rid) for k in keys])
        # A bucket shared by many records is boilerplate (a templated daily report, a site's stock paragraph), not a
        # story: only its newest BUCKET_MAX records stay in it, so a lookup costs the same on day 1 and day 14.
        self.db.executemany(
            "DELETE FROM bands WHERE key = ? AND rid IN (SELECT rid FROM bands WHERE key = ? ORDER BY rid DESC "
            "LIMIT -1 OFFSET ?)", [(k, k, self.BUCKET_MAX) for k in keys])
        if best:
            head = self._head(story)
            if head is not None and head.rid == rid and story != key:
                # This record is earlier than every one the story had: the story is named after it from now on.
                self.db.execute("UPDATE records SET story = ? WHERE story = ?", (key, story))
                story = key
        self._added += 1
        self._uncommitted += 1
        if self._uncommitted >= self.COMMIT_EVERY:
            self.commit()
        if self._added % self.PRUNE_EVERY == 0:
            self.prune(now)
        return self._placement_of(key, story, best[1] if best else 0.0)

    def _best_candidate(self, record: dict[str, Any], sig: np.ndarray, n: int, ts: float,
                        attribution: str | None) -> tuple[str, float] | None:
        if not n:
            return None
        keys = band_keys(sig)
        marks = ",".join("?" * len(keys))
        # The candidates sharing the most bands (the likeliest to be the same text), at most CANDIDATES of them.
        rows = self.db.execute(
            f"SELECT r.site, r.agency, r.attribution, r.title, r.n, r.sig, r.story FROM records r "
            f"JOIN (SELECT rid, COUNT(*) AS shared FROM bands WHERE key IN ({marks}) GROUP BY rid "
            f"ORDER BY shared DESC, rid DESC LIMIT ?) b ON b.rid = r.rid "
            f"WHERE r.published_ts BETWEEN ? AND ?",
            (*keys, self.CANDIDATES, ts - self.window, ts + self.window)).fetchall()
        best: tuple[str, float] | None = None
        for site, agency, their_attribution, title, cn, csig, story in rows:
            j = jaccard(sig, np.frombuffer(csig, dtype=np.uint32))
            credited = credits(attribution, site, agency) or credits(their_attribution, record.get("site"),
                                                                     record.get("agency"))
            score = same_story(j, n, cn, title_similarity(record.get("title"), title), credited)
            if score and (best is None or score > best[1]):
                best = (story, score)
        return best

    def commit(self) -> None:
        self.db.commit()
        self._uncommitted = 0

    def prune(self, now: float | None = None) -> int:
        """Forget records indexed longer ago than the window."""
        if self.window <= 0:
            return 0
        cutoff = (time.time() if now is None else now) - self.window
        old = [r for (r,) in self.db.execute("SELECT rid FROM records WHERE seen_ts < ?", (cutoff,))]
        if not old:
            return 0
        for i in range(0, len(old), 500):
            chunk = old[i:i + 500]
            marks = ",".join("?" * len(chunk))
            self.db.execute(f"DELETE FROM bands WHERE rid IN ({marks})", chunk)
            self.db.execute(f"DELETE FROM records WHERE rid IN ({marks})", chunk)
        self.commit()
        return len(old)

    def close(self) -> None:
        try:
            if not self.readonly:
                self.db.commit()
        finally:
            self.db.close()

    # -- reading --
    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM records").fetchone()[0])

    def band_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM bands").fetchone()[0])

    def _rows(self, where: str, args: tuple[Any, ...], limit: int = -1) -> list[StoryRecord]:
        rows = self.db.execute(
            "SELECT rid, site, news_code, url, title, agency, published_at, published_ts, story FROM records "
            f"WHERE {where} ORDER BY published_ts, rid LIMIT ?", (*args, limit)).fetchall()
        return [StoryRecord(site=r[1], news_code=r[2], url=r[3], title=r[4], agency=r[5], published_at=r[6],
                            published_ts=r[7], story=r[8], rid=r[0]) for r in rows]

    def _head(self, story: str) -> StoryRecord | None:
        rows = self._rows("story = ?", (story,), limit=1)  # a templated "story" can hold thousands of records
        return rows[0] if rows else None

    def _placement_of(self, key: str, story: str, score: float = 0.0) -> Placement:
        head = self._head(story)
        if head is None or record_id({"site": head.site, "news_code": head.news_code, "url": head.url}) == key:
            return Placement(story, None, score)
        return Placement(story, head.ref(), score)

    def story_of(self, record: dict[str, Any]) -> str | None:
        row = self.db.execute("SELECT story FROM records WHERE key = ?", (record_id(record),)).fetchone()
        return row[0] if row else None

    def story_records(self, story: str) -> list[StoryRecord]:
        return self._rows("story = ?", (story,))

    def stories_between(self, start: float, end: float) -> list[list[StoryRecord]]:
        """Every story with a record published in [start, end), each with all its records, earliest first;
        stories ordered by their first record."""
        ids = [s for (s,) in self.db.execute(
            "SELECT DISTINCT story FROM records WHERE published_ts >= ? AND published_ts < ?", (start, end))]
        stories = [self.story_records(s) for s in ids]
        stories = [s for s in stories if s]
        stories.sort(key=lambda recs: (recs[0].published_ts, recs[0].rid))
        return stories

    def all_stories(self) -> list[list[StoryRecord]]:
        return self.stories_between(float("-inf"), float("inf"))


def same_story(j: float, na: int, nb: int, title_sim: float, credited: bool) -> float:
    """0 when two records are different stories, else a score (higher: surer). The thresholds were tuned on the
    generated set (tests/storygen.py): copies with trimmed paragraphs, new headlines and trailers against different
    releases of the same organisation on the same day."""
    c = containment(j, na, nb)
    short = min(na, nb) < SHORT
    if short:
        return c if c >= 0.9 and (title_sim >= TITLE_AGREES or credited) else 0.0
    if c >= CONTAINMENT_SURE:
        return c + (0.2 if credited else 0.0) + title_sim * 0.1
    if c >= CONTAINMENT_LIKELY and (credited or title_sim >= TITLE_AGREES):
        return c + (0.2 if credited else 0.0) + title_sim * 0.1
    return 0.0


def cluster(records: list[dict[str, Any]], window_days: float = 14.0) -> list[tuple[dict[str, Any], Placement]]:
    """Stories over records in memory (``newsbot stories FILE``, the tests, the bench): in publish order, so the
    result does not depend on the order the files were given in."""
    index = StoryIndex(":memory:", window_days)
    order = sorted(range(len(records)),
                   key=lambda i: (iso_timestamp(records[i].get("published_at")) or float("inf"), i))
    placed: dict[int, Placement] = {}
    now = time.time()
    for i in order:
        placed[i] = index.add(records[i], now=now)
    # Stories renamed after an earlier record: the final names.
    out = []
    for i in range(len(records)):
        story = index.story_of(records[i]) or placed[i].story
        out.append((records[i], index._placement_of(record_id(records[i]), story)))
    index.close()
    return out


# ---- the Scrapy pipeline -----------------------------------------------------------------------------------------
_SHARED: dict[str, list[Any]] = {}


def shared_index(path: Path, window_days: float) -> StoryIndex:
    """One index per file per process: every spider of a crawl runs in one reactor thread and shares it."""
    key = str(Path(path).resolve())
    entry = _SHARED.get(key)
    if entry is None:
        entry = _SHARED[key] = [StoryIndex(path, window_days), 0]
    entry[1] += 1
    return entry[0]


def release_index(index: StoryIndex) -> None:
    for key, entry in list(_SHARED.items()):
        if entry[0] is index:
            entry[1] -= 1
            if entry[1] <= 0:
                del _SHARED[key]
                index.close()
            else:
                index.commit()
            return


class StoryPipeline:
    """Sets ``story`` and ``republished_from`` from the index in ``<NEWSBOT_STATE_DIR>/stories.sqlite3``.

    On by default (``NEWSBOT_STORIES``). It never fails the crawl: an index that cannot be opened or written is
    logged and counted (``newsbot/stories_error/<spider>``) and the record is written with ``story`` null.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.enabled = settings.getbool("NEWSBOT_STORIES", True)
        self.window = settings.getfloat("NEWSBOT_STORY_WINDOW_DAYS", 14.0)
        self.path = Path(settings.get("NEWSBOT_STATE_DIR") or "state") / "stories.sqlite3"
        self.index: StoryIndex | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> StoryPipeline:
        return cls(crawler)

    def _name(self) -> str:
        return getattr(getattr(self.crawler, "spider", None), "name", "unknown")

    def _failed(self, what: str, exc: BaseException) -> None:
        logger.warning("story index: %s: %s", what, exc)
        self.stats.inc_value(f"newsbot/stories_error/{self._name()}")

    def open_spider(self, spider: Any = None) -> None:
        if not self.enabled:
            return
        try:
            self.index = shared_index(self.path, self.window)
        except (StoryIndexError, sqlite3.Error, OSError) as exc:
            self._failed("not opened", exc)

    def process_item(self, item: dict[str, Any], spider: Any = None) -> dict[str, Any]:
        if self.index is None:
            return item
        try:
            placed = self.index.add(item)
        except Exception as exc:  # a broken index must not cost the article
            self._failed(f"{item.get('url')} not indexed", exc)
            return item
        item["story"] = placed.story
        item["republished_from"] = placed.republished_from
        if placed.republished_from:
            self.stats.inc_value(f"newsbot/republished/{self._name()}")
        return item

    def close_spider(self, spider: Any = None) -> None:
        if self.index is None:
            return
        try:
            release_index(self.index)
        except (sqlite3.Error, OSError) as exc:
            self._failed("not saved", exc)
        self.index = None
