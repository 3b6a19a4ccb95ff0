"""The state store on Redis: the same seen, pending and settled articles as ``state.py``, shared by many workers.

Used when a crawl runs with ``--redis URL`` (setting ``NEWSBOT_REDIS_URL``); the default stays the SQLite file.
It answers the same calls as :class:`newsbot.state.StateStore` — the frontier, the pipelines and the spiders do
not know which one they talk to — plus :meth:`RedisStateStore.claim`, which is what makes "every article exactly
once" hold across workers that write their own output files:

* a worker **claims** an article (``claims:<site>``: key → worker) before its line is written; another worker
  that fetched the same article meanwhile finds it claimed and drops its copy;
* the claim ends when the article is marked seen (its line is on disk, fsynced) — the same fsync-then-mark order
  as on one machine;
* a worker killed between writing and marking still holds the claim, so nobody else writes the article; when it
  is restarted (same worker id) it reads its own output back (:meth:`reconcile`, as on one machine), marks what it
  wrote and puts back on the queue what it had claimed but not written. A worker that never comes back loses its
  claims after ``NEWSBOT_REDIS_CLAIM_TTL`` seconds; its articles are still pending and are fetched again.

Keys (all under ``newsbot:``): ``seen:<site>`` (set), ``frontier:<site>``, ``settled:<site>``, ``claims:<site>``
(hashes of JSON), ``outputs:<worker>`` (output file → checkpoint offset), ``sites`` (every site with state).
Every call is one command or one Lua script, so each is atomic; Redis runs one worker's commands in order, which
keeps the SQLite store's promise that what survives a crash is a prefix of what the worker did.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from newsbot.state import OUTCOMES, Pending, StateError, StateStore

logger = logging.getLogger(__name__)

PREFIX = "newsbot"

_STORES: dict[tuple[str, str], RedisStateStore] = {}
_STORES_LOCK = threading.Lock()


class RedisUnavailable(StateError):
    """Redis cannot be reached or refused a command; one line naming the server and the cause."""


def _redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    if "@" not in url:
        return url
    scheme, _, rest = url.partition("://")
    return f"{scheme}://***@{rest.rpartition('@')[2]}"


def connect(url: str, retry_seconds: float = 60.0) -> Any:
    """A client that rides out a Redis restart: commands are retried with backoff for about ``retry_seconds``.

    A restart of a persistent Redis takes seconds (and answers LOADING while it reads its dump); workers should
    wait, not fail the crawl. An address where nothing ever answers fails after the same budget.
    """
    import redis
    from redis.backoff import ExponentialBackoff
    from redis.retry import Retry

    retries = max(0, int(retry_seconds / 2) + 3)
    try:
        return redis.Redis.from_url(
            url, socket_timeout=30, socket_connect_timeout=5, health_check_interval=30,
            retry=Retry(ExponentialBackoff(cap=2.0, base=0.1), retries),
            retry_on_error=[redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError])
    except ValueError as exc:
        raise RedisUnavailable(f"not a Redis URL ({exc}): {_redact(url)}; use redis://HOST:6379/0") from None


def check(url: str) -> None:
    """One quick PING before a crawl starts: an unreachable server is one line, not a run of failures."""
    import redis

    client = connect(url, retry_seconds=0)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise RedisUnavailable(f"cannot reach Redis at {_redact(url)} ({_reason(exc)})") from None
    finally:
        client.close()


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# Every script takes KEYS and ARGV only (cluster-safe), returns a small value and never blocks.
_MARK = """
local added = redis.call('SADD', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1], ARGV[2])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('SADD', KEYS[4], ARGV[3])
return added
"""
# Claim ages are measured on the Redis server's clock, so workers whose clocks disagree still agree on them.
_CLAIM = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 'seen' end
local now = tonumber(redis.call('TIME')[1])
local held = redis.call('HGET', KEYS[2], ARGV[1])
if held then
  local owner, since = string.match(held, '^(.*)|(%d+)$')
  if owner ~= ARGV[2] and since and now - tonumber(since) < tonumber(ARGV[3]) then
    return 'claimed'
  end
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2] .. '|' .. now)
return 'ok'
"""
_FAILED = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return -1 end
local row = cjson.decode(raw)
row['attempts'] = (row['attempts'] or 0) + 1
row['last_error'] = ARGV[2]
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(row))
return row['attempts']
"""
_WALLED = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local row = cjson.decode(raw)
row['walls'] = (row['walls'] or 0) + 1
row['last_error'] = ARGV[2]
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(row))
return 1
"""


class RedisStateStore(StateStore):
    """Seen, pending and settled articles in Redis; the SQLite store's interface (see the module docstring)."""

    def __init__(self, url: str, worker: str = "local", retry_seconds: float = 60.0,
                 claim_ttl: float = 3600.0) -> None:
        import redis

        self.url = url
        self.worker = worker
        self.claim_ttl = claim_ttl
        self.path = Path(_redact(url))  # for messages that name "the store"
        self.state_dir = self.path
        self._redis_error = redis.RedisError
        self.client = connect(url, retry_seconds)
        try:
            self.client.ping()
            self._mark = self.client.register_script(_MARK)
            self._claim = self.client.register_script(_CLAIM)
            self._failed = self.client.register_script(_FAILED)
            self._walled = self.client.register_script(_WALLED)
        except redis.RedisError as exc:
            raise RedisUnavailable(f"cannot reach Redis at {_redact(url)} ({_reason(exc)})") from None

    @classmethod
    def shared(cls, url: str, worker: str = "local", **kwargs: Any) -> RedisStateStore:  # type: ignore[override]
        """One client per server and worker per process, like :meth:`StateStore.shared`."""
        key = (url, worker)
        with _STORES_LOCK:
            store = _STORES.get(key)
            if store is None:
                store = _STORES[key] = cls(url, worker, **kwargs)
            return store

    def close(self) -> None:
        self.client.close()
        with _STORES_LOCK:
            for key, store in list(_STORES.items()):
                if store is self:
                    del _STORES[key]

    # ---- plumbing --------------------------------------------------------------------------------------------
    def _k(self, table: str, site: str) -> str:
        return f"{PREFIX}:{table}:{site}"

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except self._redis_error as exc:
            raise RedisUnavailable(f"Redis at {_redact(self.url)} failed ({_reason(exc)})") from None

    def transaction(self) -> Any:
        """Each call is atomic on its own; grouping brings nothing here (kept for the store's interface)."""
        return nullcontext()

    @staticmethod
    def _text(value: Any) -> str:
        return value.decode("utf-8") if isinstance(value, bytes) else str(value)

    def sites(self) -> list[str]:
        return sorted(self._text(s) for s in self._call(self.client.smembers, f"{PREFIX}:sites"))

    # ---- seen ------------------------------------------------------------------------------------------------
    def is_seen(self, site: str, news_code: str) -> bool:
        return bool(self._call(self.client.sismember, self._k("seen", site), news_code))

    def known(self, site: str, key: str) -> str | None:
        pipe = self.client.pipeline(transaction=False)
        pipe.sismember(self._k("seen", site), key)
        pipe.hexists(self._k("settled", site), key)
        seen, settled = self._call(pipe.execute)
        return "seen" if seen else "settled" if settled else None

    def mark_seen(self, site: str, news_code: str, frontier_key: str | None = None) -> bool:
        keys = [self._k("seen", site), self._k("frontier", site), self._k("claims", site), f"{PREFIX}:sites"]
        return bool(self._call(self._mark, keys=keys, args=[news_code, frontier_key or news_code, site]))

    def claim(self, site: str, key: str) -> str:
        """``ok`` (this worker may write it), ``seen`` (written already) or ``claimed`` (another worker is)."""
        keys = [self._k("seen", site), self._k("claims", site)]
        result = self._call(self._claim, keys=keys, args=[key, self.worker, int(self.claim_ttl)])
        return self._text(result)

    def unclaim(self, site: str, key: str) -> None:
        self._call(self.client.hdel, self._k("claims", site), key)

    def own_claims(self, site: str) -> list[str]:
        """Keys this worker claimed and never marked: what a killed predecessor with this id was writing."""
        out = []
        for key, value in self._call(self.client.hgetall, self._k("claims", site)).items():
            owner = self._text(value).rpartition("|")[0]
            if owner == self.worker:
                out.append(self._text(key))
        return out

    def count(self, site: str | None = None) -> int:
        if site is not None:
            return self._call(self.client.scard, self._k("seen", site))
        return sum(self._call(self.client.scard, self._k("seen", s)) for s in self.sites())

    def compact(self, settled_keep_days: float = 90.0) -> tuple[int, int]:
        cutoff = (datetime.now(timezone.utc) - timedelta(days=settled_keep_days)).isoformat(timespec="seconds")
        outputs_key = f"{PREFIX}:outputs:{self.worker}"
        gone = [p for p in self._call(self.client.hkeys, outputs_key) if not Path(self._text(p)).exists()]
        if gone:
            self._call(self.client.hdel, outputs_key, *gone)
        settled = 0
        for site in self.sites():
            old = [k for k, v in self._call(self.client.hgetall, self._k("settled", site)).items()
                   if (_json(v) or {}).get("settled_at", "") < cutoff]
            if old:
                settled += self._call(self.client.hdel, self._k("settled", site), *old)
        return len(gone), settled

    # ---- frontier --------------------------------------------------------------------------------------------
    def add_pending(self, site: str, key: str, url: str, kind: str = "article",
                    meta: dict[str, Any] | None = None) -> bool:
        row = {"url": url, "kind": kind, "meta": meta or {}, "found_at": _now(), "attempts": 0, "walls": 0,
               "last_error": None}
        pipe = self.client.pipeline(transaction=True)
        pipe.hsetnx(self._k("frontier", site), key, json.dumps(row, ensure_ascii=False))
        pipe.sadd(f"{PREFIX}:sites", site)
        added, _ = self._call(pipe.execute)
        return bool(added)

    def is_pending(self, site: str, key: str) -> bool:
        return bool(self._call(self.client.hexists, self._k("frontier", site), key))

    def _rows(self, site: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for key, raw in self._call(self.client.hgetall, self._k("frontier", site)).items():
            row = _json(raw)
            if row is not None:
                yield self._text(key), row

    def pending(self, site: str) -> list[Pending]:
        rows = sorted(self._rows(site), key=lambda kr: (kr[1].get("kind") == "article", kr[1].get("found_at", "")))
        return [_pending(site, key, row) for key, row in rows]

    def pending_one(self, site: str, key: str) -> Pending | None:
        row = _json(self._call(self.client.hget, self._k("frontier", site), key))
        return _pending(site, key, row) if row is not None else None

    def pending_count(self, site: str | None = None, kind: str | None = None) -> int:
        names = [site] if site is not None else self.sites()
        if kind is None:
            return sum(self._call(self.client.hlen, self._k("frontier", s)) for s in names)
        return sum(1 for s in names for _, row in self._rows(s) if row.get("kind") == kind)

    def expire(self, site: str, max_age: timedelta) -> int:
        cutoff = (datetime.now(timezone.utc) - max_age).isoformat(timespec="seconds")
        expired = 0
        for key, row in list(self._rows(site)):
            if row.get("found_at", "") >= cutoff:
                continue
            if row.get("kind") == "article":
                self._settle(site, key, row.get("url"), "expired",
                             f"pending since before {cutoff} ({row.get('attempts', 0)} failed attempts; "
                             f"{row.get('last_error') or 'none'})")
                expired += 1
            self.done(site, key)
        return expired

    def done(self, site: str, key: str) -> None:
        self._call(self.client.hdel, self._k("frontier", site), key)

    def failed_attempt(self, site: str, key: str, error: str, max_attempts: int) -> bool:
        attempts = self._call(self._failed, keys=[self._k("frontier", site)], args=[key, error])
        if attempts < max_attempts:
            return False
        row = self.pending_one(site, key)
        if row is not None and row.kind == "article":
            self._settle(site, key, row.url, "given_up", f"{attempts} failed attempts; last: {error}")
        self.done(site, key)
        return True

    def walled(self, site: str, key: str, reason: str) -> None:
        self._call(self._walled, keys=[self._k("frontier", site)], args=[key, reason])

    def settle(self, site: str, key: str, url: str | None, outcome: str, reason: str | None = None) -> None:
        self._settle(site, key, url, outcome, reason)
        self.done(site, key)

    def _settle(self, site: str, key: str, url: str | None, outcome: str, reason: str | None) -> None:
        assert outcome in OUTCOMES, outcome
        row = {"url": url, "outcome": outcome, "reason": reason, "settled_at": _now()}
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(self._k("settled", site), key, json.dumps(row, ensure_ascii=False))
        pipe.hdel(self._k("claims", site), key)
        pipe.sadd(f"{PREFIX}:sites", site)
        self._call(pipe.execute)

    def settled_counts(self, site: str | None = None) -> dict[str, int]:
        counts: dict[str, int] = {}
        for name in [site] if site else self.sites():
            for raw in self._call(self.client.hvals, self._k("settled", name)):
                outcome = (_json(raw) or {}).get("outcome", "?")
                counts[outcome] = counts.get(outcome, 0) + 1
        return counts

    # ---- outputs (this worker's own files) -------------------------------------------------------------------
    def output_offset(self, path: str | os.PathLike[str]) -> int:
        value = self._call(self.client.hget, f"{PREFIX}:outputs:{self.worker}", str(Path(path).resolve()))
        return int(value) if value is not None else 0

    def set_output_offset(self, path: str | os.PathLike[str], offset: int) -> None:
        self._call(self.client.hset, f"{PREFIX}:outputs:{self.worker}", str(Path(path).resolve()), offset)

    # ---- maintenance -----------------------------------------------------------------------------------------
    def check(self) -> list[str]:
        problems = []
        for site in self.sites():
            for table, kind in (("seen", b"set"), ("frontier", b"hash"), ("settled", b"hash")):
                found = self._call(self.client.type, self._k(table, site))
                if found not in (kind, b"none", kind.decode(), "none"):
                    problems.append(f"{self._k(table, site)} is a {self._text(found)}, not a {kind.decode()}")
        return problems

    def dump(self) -> Iterator[dict[str, Any]]:
        for site in self.sites():
            for code in self._call(self.client.smembers, self._k("seen", site)):
                yield {"table": "seen", "site": site, "key": self._text(code)}
            for key, row in self._rows(site):
                yield {"table": "frontier", "site": site, "key": key, **row}
            for key, raw in self._call(self.client.hgetall, self._k("settled", site)).items():
                row = _json(raw)
                if row is not None:
                    yield {"table": "settled", "site": site, "key": self._text(key), **row}

    def load(self, rows: Iterable[dict[str, Any]]) -> dict[str, int]:
        counts = {"seen": 0, "frontier": 0, "settled": 0}
        pipe = self.client.pipeline(transaction=False)
        n = 0
        for row in rows:
            table, site, key = row["table"], row["site"], row["key"]
            if table == "seen":
                pipe.sadd(self._k("seen", site), key)
                pipe.hdel(self._k("frontier", site), key)
            elif table == "frontier":
                body = {k: row.get(k) for k in ("url", "kind", "meta", "found_at", "attempts", "walls", "last_error")}
                pipe.hsetnx(self._k("frontier", site), key, json.dumps(body, ensure_ascii=False))
            else:
                body = {k: row.get(k) for k in ("url", "outcome", "reason", "settled_at")}
                pipe.hset(self._k("settled", site), key, json.dumps(body, ensure_ascii=False))
            pipe.sadd(f"{PREFIX}:sites", site)
            counts[table] += 1
            n += 1
            if n % 5000 == 0:
                self._call(pipe.execute)
        self._call(pipe.execute)
        return counts


def _json(raw: Any) -> dict[str, Any] | None:
    """A stored row, or None for one that is not a JSON object (hand-edited, another program's): skipped."""
    try:
        row = json.loads(raw)
    except (TypeError, ValueError):
        return None
    return row if isinstance(row, dict) else None


def _pending(site: str, key: str, row: dict[str, Any]) -> Pending:
    meta = row.get("meta")
    return Pending(site, key, row.get("url", ""), row.get("kind", "article"), meta if isinstance(meta, dict) else {},
                   row.get("found_at", ""), int(row.get("attempts") or 0), int(row.get("walls") or 0))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
