"""The Redis state store against a real redis-server: the SQLite store's answers, claims, and damage handled.

Every behaviour the crawl relies on is checked on both stores side by side, so the two cannot drift apart.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from newsbot.redisstore import RedisStateStore, RedisUnavailable, check
from newsbot.state import StateError, StateStore

from .e2e.redis_server import RedisServer, free_port


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture
def redis_store(redis_server: RedisServer) -> Iterator[RedisStateStore]:
    redis_server.client().flushall()
    store = RedisStateStore(redis_server.url, "w1", retry_seconds=0)
    yield store
    store.close()


@pytest.fixture(params=["sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StateStore]:
    if request.param == "sqlite":
        s = StateStore(tmp_path / "state")
        yield s
        s.close()
    else:
        yield request.getfixturevalue("redis_store")


def test_seen_pending_settled_behave_alike(store: StateStore) -> None:
    assert store.known("isna", "1") is None
    assert store.add_pending("isna", "1", "https://www.isna.ir/news/1/", "article", {"listed_date": "x"})
    assert not store.add_pending("isna", "1", "https://www.isna.ir/news/1/")
    assert store.is_pending("isna", "1") and store.pending_count("isna", "article") == 1
    (row,) = store.pending("isna")
    assert (row.key, row.kind, row.meta, row.attempts) == ("1", "article", {"listed_date": "x"}, 0)
    assert store.mark_seen("isna", "1") and not store.mark_seen("isna", "1")
    assert store.known("isna", "1") == "seen" and not store.is_pending("isna", "1")
    assert store.count("isna") == 1 and store.count() == 1
    store.add_pending("isna", "2", "u2")
    store.walled("isna", "2", "arvan")
    assert store.pending("isna")[0].walls == 1
    assert not store.failed_attempt("isna", "2", "timeout", max_attempts=2)
    assert store.failed_attempt("isna", "2", "timeout", max_attempts=2)  # given up at the limit
    assert store.known("isna", "2") == "settled" and store.settled_counts("isna") == {"given_up": 1}
    store.add_pending("isna", "3", "u3")
    store.settle("isna", "3", "u3", "gone", "HTTP 404")
    assert store.settled_counts() == {"given_up": 1, "gone": 1}
    store.add_pending("isna", "doc:x", "https://www.isna.ir/archive?pi=2", "discovery", {"page": 2})
    store.done("isna", "doc:x")
    assert store.pending_count() == 0


def test_expire_settles_only_old_articles(store: StateStore) -> None:
    store.add_pending("isna", "old", "u")
    store.add_pending("isna", "doc:old", "d", "discovery")
    assert store.expire("isna", timedelta(days=1)) == 0  # nothing is older than a day
    assert store.expire("isna", timedelta(seconds=-5)) == 1  # everything is "older" than the future
    assert store.known("isna", "old") == "settled" and store.pending_count() == 0


def test_dump_and_load_round_trip_between_the_stores(redis_store: RedisStateStore, tmp_path: Path) -> None:
    sqlite = StateStore(tmp_path / "a")
    sqlite.mark_seen("isna", "1")
    sqlite.mark_seen("mehr", "7")
    sqlite.add_pending("isna", "2", "u2", "article", {"listed_date": "2026-12-01"})
    sqlite.settle("isna", "3", "u3", "not_article", "soft-404")
    rows = list(sqlite.dump())
    assert redis_store.load(rows) == {"seen": 2, "frontier": 1, "settled": 1}
    assert redis_store.load(rows) == {"seen": 2, "frontier": 1, "settled": 1}  # again: harmless
    assert redis_store.count() == 2 and redis_store.pending_count() == 1
    back = StateStore(tmp_path / "b")
    back.load(redis_store.dump())
    assert sorted(map(str, back.dump())) == sorted(map(str, sqlite.dump()))
    sqlite.close()
    back.close()


def test_claims_make_one_writer_per_article(redis_server: RedisServer, redis_store: RedisStateStore) -> None:
    other = RedisStateStore(redis_server.url, "w2", retry_seconds=0, claim_ttl=2)
    try:
        assert redis_store.claim("isna", "1") == "ok"
        assert redis_store.claim("isna", "1") == "ok"  # its own claim again
        assert other.claim("isna", "1") == "claimed"
        assert redis_store.own_claims("isna") == ["1"] and other.own_claims("isna") == []
        redis_store.mark_seen("isna", "1")  # written: the claim ends with the mark
        assert other.claim("isna", "1") == "seen" and redis_store.own_claims("isna") == []
        # A claim older than the TTL (its worker died and never came back) is taken over.
        assert other.claim("isna", "2") == "ok"
        assert redis_store.claim("isna", "2") == "claimed"
        short = RedisStateStore(redis_server.url, "w3", retry_seconds=0, claim_ttl=1)
        time.sleep(2.1)
        assert short.claim("isna", "2") == "ok"
        short.close()
    finally:
        other.close()


def test_sqlite_claims_are_the_seen_question(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s")
    assert store.claim("isna", "1") == "ok"
    store.mark_seen("isna", "1")
    assert store.claim("isna", "1") == "seen" and store.own_claims("isna") == []
    store.close()


def test_damaged_keys_are_reported_not_a_traceback(redis_server: RedisServer,
                                                    redis_store: RedisStateStore) -> None:
    client = redis_server.client()
    redis_store.mark_seen("isna", "1")
    client.delete("newsbot:seen:isna")
    client.set("newsbot:seen:isna", "not a set")  # hand-edited, or another program's key
    assert redis_store.check() == ["newsbot:seen:isna is a string, not a set"]
    with pytest.raises(StateError) as failure:
        redis_store.is_seen("isna", "1")
    assert "WRONGTYPE" in str(failure.value) and "\n" not in str(failure.value)
    client.hset("newsbot:frontier:isna", "9", "{not json")
    client.hset("newsbot:settled:isna", "8", "[1, 2]")
    assert [p.key for p in redis_store.pending("isna")] == []  # a garbled row is skipped, not fatal
    assert redis_store.pending_one("isna", "9") is None
    assert redis_store.settled_counts("isna") == {"?": 1}
    with pytest.raises(StateError):
        list(redis_store.dump())  # the broken seen key stops an export: a partial dump would lose articles
    client.delete("newsbot:seen:isna")
    assert list(redis_store.dump()) == []  # garbled rows are not exported
    # The frontier script meets the garbled row: Redis refuses, the store says so in one line.
    with pytest.raises(StateError) as script:
        redis_store.walled("isna", "9", "wall")
    assert "\n" not in str(script.value)


def test_unreachable_is_one_line(tmp_path: Path) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    with pytest.raises(RedisUnavailable) as failure:
        check(url)
    assert str(failure.value).startswith(f"cannot reach Redis at {url} (")
    with pytest.raises(RedisUnavailable):
        RedisStateStore(url, retry_seconds=0)
    with pytest.raises(RedisUnavailable) as bad:
        check("http://nope")
    assert "not a Redis URL" in str(bad.value)


def test_password_never_shown(redis_server: RedisServer) -> None:
    url = f"redis://user:secret@127.0.0.1:{free_port()}/0"
    with pytest.raises(RedisUnavailable) as failure:
        check(url)
    assert "secret" not in str(failure.value) and "***@127.0.0.1" in str(failure.value)
