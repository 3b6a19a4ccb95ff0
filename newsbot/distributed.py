"""Several workers, one crawl: the request queue, the dupefilter, the frontier and the seen-store in Redis.

``newsbot crawl --redis redis://HOST:6379/0`` (setting ``NEWSBOT_REDIS_URL``) swaps Scrapy's scheduler for
scrapy-redis's (its priority queue and its request dupefilter, keys ``newsbot:<spider>:requests`` and
``…:dupefilter``) and the SQLite store for :mod:`newsbot.redisstore`. Any number of workers, on any machines, run
the same command; each needs its own worker id (``--worker-id``, default the host name).

scrapy-redis brings the queue and the dupefilter; what a crawl that must lose nothing needs on top of them is here,
as a small shim on its classes rather than a scheduler of our own:

* **Leases.** scrapy-redis pops a request off the queue and forgets it; a worker killed then loses every request
  it had in flight. :class:`LeasedQueue` moves the popped request into ``…:leases`` (request → worker) in the
  same script. The lease ends when the request's work is done — its article written, settled, failed or walled
  (:class:`Leases`, told by the frontier), a discovery page's output consumed — or when the worker is idle.
  A worker's heartbeat (``newsbot:worker:<id>``, renewed every few seconds) keeps its leases; when it stops, any
  worker puts them back on the queue, and a restarted worker with the same id takes its own back at once.
* **One seeding per interval.** Only the worker that takes ``…:seed`` (``SET NX EX``, for
  ``NEWSBOT_REDIS_SEED_INTERVAL`` seconds) reads the feeds, sitemaps and listings and resumes the frontier; the
  others only work the queue. A new round starts only when the last one is over (queue and leases empty): its
  dupefilter is dropped then, so a listing's page 2 is read again next round.
* **Waiting for the others.** scrapy-redis's spiders keep a worker alive with ``DontCloseSpider`` when its queue is
  empty; newsbot's spiders are not RedisSpiders (they use Scrapy's async ``start()``, which scrapy-redis 0.9 does not
  drive), so the scheduler does it: an idle worker stays while another worker holds leases or is still seeding,
  and closes when the round is done.

Output stays on each worker's disk: ``data/<spider>/<UTC date>.<worker>.jsonl``, written by Scrapy's feed exports
with the same fsync-then-mark order as on one machine; claims in the store (see :mod:`newsbot.redisstore`) make
sure that across all workers an article is written once. Redis holds no article text.
"""

from __future__ import annotations

import functools
import logging
import re
import socket
import time
import uuid
from collections.abc import Callable
from typing import Any, ClassVar

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.misc import load_object
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as RedisScheduler

from newsbot.redisstore import PREFIX, RedisUnavailable, _reason, _redact, connect

logger = logging.getLogger(__name__)

_WORKER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

#: Seconds a worker's heartbeat lives; it is renewed every third of that.
HEARTBEAT_TTL = 15


def worker_id(settings: Any) -> str:
    """This worker's name: ``NEWSBOT_WORKER_ID``, else the host name (one worker per machine)."""
    value = settings.get("NEWSBOT_WORKER_ID") or socket.gethostname().split(".")[0] or "worker"
    return str(value)


def worker_id_problem(value: str) -> str | None:
    if not _WORKER_ID.match(value):
        return (f"worker id {value!r} must be 1-64 letters, digits, '.', '_' or '-' (it names the output files "
                "and the Redis keys)")
    return None


def redis_settings(settings: Any) -> dict[str, Any]:
    """What ``--redis`` changes in Scrapy's settings (applied at the command line's priority)."""
    feeds = {}
    for uri, options in settings.getdict("NEWSBOT_FEED").items():
        base, dot, ext = uri.rpartition(".")
        feeds[f"{base}.%(worker)s.{ext}" if dot and "%(worker)s" not in uri else uri] = options
    return {
        "SCHEDULER": "newsbot.distributed.Scheduler",
        "SCHEDULER_QUEUE_CLASS": "newsbot.distributed.LeasedQueue",
        "SCHEDULER_QUEUE_KEY": f"{PREFIX}:%(spider)s:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{PREFIX}:%(spider)s:dupefilter",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,
        "REDIS_URL": settings.get("NEWSBOT_REDIS_URL"),
        "NEWSBOT_FEED": feeds,
    }


def apply(settings: Any) -> None:
    """Switch a crawler's settings to the shared crawl; each value keeps the priority of what it replaces (a
    ``--data-dir`` given on the command line still decides where the per-worker files go)."""
    from scrapy.settings import SETTINGS_PRIORITIES

    spider = SETTINGS_PRIORITIES["spider"]
    for name, value in redis_settings(settings).items():
        settings.set(name, value, priority=max(spider, settings.getpriority(name) or 0))


def _guarded(default: Any = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A Coordinator call to Redis: past the client's retries the run fails once (:meth:`Coordinator.failed`), and
    once it has, every later call returns ``default`` at once instead of waiting out the retries again."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def inner(self: Coordinator, *args: Any, **kwargs: Any) -> Any:
            import redis

            if self.lost:
                return default
            try:
                return fn(self, *args, **kwargs)
            except redis.RedisError as exc:
                self.failed(exc)
                return default

        return inner

    return wrap


# ---- leases ------------------------------------------------------------------------------------------------------
_POP = """
local found = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #found == 0 then return false end
redis.call('ZREM', KEYS[1], found[1])
redis.call('HSET', KEYS[2], found[1], ARGV[1] .. '|' .. found[2])
return found[1]
"""
# Put back every lease whose worker is ARGV[1] (a restarted worker) or, with ARGV[1] empty, whose worker's
# heartbeat is gone. Returns how many went back.
_REQUEUE = """
local back = 0
local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do
  local owner, score = string.match(all[i + 1], '^(.*)|([^|]*)$')
  local dead
  if ARGV[1] ~= '' then dead = (owner == ARGV[1]) else dead = redis.call('EXISTS', ARGV[2] .. owner) == 0 end
  if dead then
    redis.call('ZADD', KEYS[1], tonumber(score) or 0, all[i])
    redis.call('HDEL', KEYS[2], all[i])
    back = back + 1
  end
end
return back
"""
_SEED = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if redis.call('ZCARD', KEYS[2]) > 0 or redis.call('HLEN', KEYS[3]) > 0 or redis.call('EXISTS', KEYS[4]) == 1 then
  return -1
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('SET', KEYS[4], ARGV[1], 'EX', ARGV[3])
redis.call('DEL', KEYS[5])
return 1
"""


class Leases:
    """This worker's leases: popped requests not yet done, and the frontier key each one serves."""

    def __init__(self, coordinator: Coordinator) -> None:
        self.coordinator = coordinator
        self.own: dict[bytes, str | None] = {}
        self.by_key: dict[str, bytes] = {}

    def taken(self, data: bytes, key: str | None) -> None:
        self.own[data] = key
        if key:
            old = self.by_key.get(key)
            if old is not None and old != data:
                self.release(old)
            self.by_key[key] = data

    def release(self, data: bytes | None) -> None:
        """The request's work is done: its lease ends (nothing goes back on the queue)."""
        if data is None or data not in self.own:
            return
        key = self.own.pop(data)
        if key and self.by_key.get(key) == data:
            del self.by_key[key]
        self.coordinator.drop_lease(data)

    def resolved(self, key: str | None) -> None:
        """The frontier settled ``key`` (written, gone, failed, walled): the request behind it is done."""
        if key:
            self.release(self.by_key.get(key))

    def release_all(self) -> int:
        n = len(self.own)
        for data in list(self.own):
            self.release(data)
        return n


class Heartbeat:
    """``newsbot:worker:<id>``: this process is worker <id> while the key lives. One per process and worker id,
    shared by the crawlers of one run (``newsbot crawl isna mehr`` runs a crawler per site)."""

    _taken: ClassVar[dict[tuple[str, str], Heartbeat]] = {}

    def __init__(self, client: Any, worker: str) -> None:
        self.client = client
        self.worker = worker
        self.key = f"{PREFIX}:worker:{worker}"
        self.token = uuid.uuid4().hex[:12]
        self.beats = 0
        self.users = 0

    @classmethod
    def take(cls, client: Any, url: str, worker: str) -> Heartbeat:
        heartbeat = cls._taken.get((url, worker))
        if heartbeat is None:
            heartbeat = cls(client, worker)
            heartbeat._acquire()
            cls._taken[(url, worker)] = heartbeat
        heartbeat.users += 1
        return heartbeat

    def _acquire(self) -> None:
        """Wait out a killed predecessor's heartbeat (at most two lifetimes); refuse one that is being renewed."""
        deadline = time.monotonic() + HEARTBEAT_TTL * 2 + 1
        last = None
        while not self.client.set(self.key, f"{self.token}:0", nx=True, ex=HEARTBEAT_TTL):
            current = self.client.get(self.key)
            if last is not None and current is not None and current != last:
                raise RedisUnavailable(f"worker id {self.worker} is in use by a running worker (its heartbeat is "
                                       "renewed); give each worker its own --worker-id")
            if time.monotonic() > deadline:
                raise RedisUnavailable(f"worker id {self.worker}: heartbeat did not expire")
            if last is None:
                logger.info("waiting for the heartbeat of a previous run of worker %s to expire", self.worker)
            last = current
            time.sleep(0.5)
        self.client.sadd(f"{PREFIX}:workers", self.worker)

    def beat(self) -> None:
        self.beats += 1
        self.client.set(self.key, f"{self.token}:{self.beats}", ex=HEARTBEAT_TTL)

    def release(self) -> None:
        self.users -= 1
        if self.users <= 0:
            for key, value in list(self._taken.items()):
                if value is self:
                    del self._taken[key]
            self.client.delete(self.key)


class Coordinator:
    """One worker of a crawl shared through Redis: heartbeat, leases, seeding and the end of the round."""

    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.url = settings.get("NEWSBOT_REDIS_URL")
        self.worker = worker_id(settings)
        self.seed_interval = max(1, settings.getint("NEWSBOT_REDIS_SEED_INTERVAL", 300))
        self.client = connect(self.url, settings.getfloat("NEWSBOT_REDIS_RETRY_SECONDS", 60.0))
        self.heartbeat: Heartbeat | None = None
        self.leases = Leases(self)
        self.spider_name = "unknown"
        self.seeding = False
        self._loop: Any = None
        self._wake_pending = False
        crawler.newsbot_leases = self.leases
        self._pop = self.client.register_script(_POP)
        self._requeue = self.client.register_script(_REQUEUE)
        self._seed = self.client.register_script(_SEED)

    @classmethod
    def of(cls, crawler: Any) -> Coordinator | None:
        """The crawler's coordinator, or None when the crawl is not on Redis."""
        if not crawler.settings.get("NEWSBOT_REDIS_URL"):
            return None
        coordinator = getattr(crawler, "newsbot_coordinator", None)
        if coordinator is None:
            coordinator = crawler.newsbot_coordinator = cls(crawler)
        return coordinator

    # ---- failures ----------------------------------------------------------------------------------------------
    @property
    def lost(self) -> bool:
        from newsbot.frontier import Frontier

        return Frontier.of(self.crawler).lost is not None

    def failed(self, exc: BaseException) -> None:
        """Redis did not answer within the client's retries: the run fails (once) and stops."""
        from newsbot.frontier import Frontier

        Frontier.of(self.crawler).lose(RedisUnavailable(f"Redis at {_redact(self.url)} unreachable "
                                                        f"({_reason(exc)})"))

    # ---- keys --------------------------------------------------------------------------------------------------
    def key(self, what: str) -> str:
        return f"{PREFIX}:{self.spider_name}:{what}"

    def _inc(self, what: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(f"newsbot/redis/{what}/{self.spider_name}", n)

    # ---- life --------------------------------------------------------------------------------------------------
    def start(self, spider_name: str) -> None:
        """Take this worker id (waiting out a killed predecessor's heartbeat), take back its leases, beat."""
        self.spider_name = spider_name
        self.crawler.stats.set_value(f"newsbot/redis/shared/{spider_name}", 1)
        self._take_worker_id()
        back = self._requeue(keys=[self.key("requests"), self.key("leases")],
                             args=[self.worker, f"{PREFIX}:worker:"])
        if back:
            self._inc("leases_taken_back", back)
            logger.warning("%s: %d request(s) a previous run of worker %s had in flight are back on the queue",
                           spider_name, back, self.worker)
        self.sweep()
        from twisted.internet import task

        self._loop = task.LoopingCall(self.beat)
        self._loop.start(HEARTBEAT_TTL / 3, now=False)

    def _take_worker_id(self) -> None:
        self.heartbeat = Heartbeat.take(self.client, self.url, self.worker)

    @_guarded()  # a Redis restart is ridden out within the client's retries; past them the run fails
    def beat(self) -> None:
        """Renew the heartbeat (and the seeding flag); put back the leases of workers whose heartbeat is gone."""
        self.heartbeat.beat()
        if self.seeding:
            self.client.set(self.key("seeding"), self.worker, ex=HEARTBEAT_TTL)
        self.sweep()

    def sweep(self) -> int:
        back = self._requeue(keys=[self.key("requests"), self.key("leases")], args=["", f"{PREFIX}:worker:"])
        if back:
            self._inc("leases_requeued", back)
            logger.warning("%s: %d request(s) of a stopped worker put back on the queue", self.spider_name, back)
        return back

    def stop(self, reason: str) -> None:
        """Leases still held go back on the queue (a stopped run's work is someone else's), heartbeat dropped."""
        import redis

        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if self.lost:
            return  # every call would wait out the retries again; the heartbeat lapses and others take over
        try:
            if self.leases.own:
                pipe = self.client.pipeline(transaction=True)
                for data in self.leases.own:
                    pipe.zadd(self.key("requests"), {data: 0})
                    pipe.hdel(self.key("leases"), data)
                pipe.execute()
                logger.info("%s: %d request(s) in flight put back on the queue (%s)", self.spider_name,
                            len(self.leases.own), reason)
                self.leases.own.clear()
                self.leases.by_key.clear()
            if self.seeding:
                self.seeding_done()
            self.heartbeat.release()
        except redis.RedisError as exc:
            logger.warning("Redis at %s unreachable while stopping (%s): this worker's leases return once its "
                           "heartbeat expires", _redact(self.url), _reason(exc))

    # ---- the queue ---------------------------------------------------------------------------------------------
    @_guarded()
    def pop(self) -> bytes | None:
        return self._pop(keys=[self.key("requests"), self.key("leases")], args=[self.worker]) or None

    @_guarded()
    def drop_lease(self, data: bytes) -> None:
        self.client.hdel(self.key("leases"), data)

    # ---- seeding -----------------------------------------------------------------------------------------------
    @_guarded(False)
    def try_seed(self) -> bool:
        """Whether this worker seeds this round's discovery (and, if so, the round is started: dupefilter cleared)."""
        result = self._seed(keys=[self.key("seed"), self.key("requests"), self.key("leases"), self.key("seeding"),
                                  self.key("dupefilter")],
                            args=[self.worker, self.seed_interval, HEARTBEAT_TTL])
        if result == 1:
            self.seeding = True
            logger.info("%s: worker %s seeds this round's discovery", self.spider_name, self.worker)
            self._inc("seeded")
        elif result == 0:
            logger.info("%s: discovery was seeded less than %d s ago; working the shared queue", self.spider_name,
                        self.seed_interval)
        else:
            logger.info("%s: a round is in progress; working the shared queue", self.spider_name)
        return result == 1

    def seeding_done(self) -> None:
        self.seeding = False
        self._drop_seeding_flag()

    @_guarded()
    def _drop_seeding_flag(self) -> None:
        if self.client.get(self.key("seeding")) in (self.worker.encode(), self.worker):
            self.client.delete(self.key("seeding"))

    def round_open(self) -> bool:
        """Work left anywhere: requests queued, leases held by live workers, or a seeder still reading."""
        self.sweep()
        pipe = self.client.pipeline(transaction=False)
        pipe.zcard(self.key("requests"))
        pipe.hlen(self.key("leases"))
        pipe.exists(self.key("seeding"))
        queued, leased, seeding = pipe.execute()
        return bool(queued or leased or seeding)

    def idle(self) -> None:
        """Scrapy found this worker idle: what it still holds is not in flight; stay while others work."""
        import redis

        if self.lost:
            return
        released = self.leases.release_all()
        if released:
            self._inc("leases_released_idle", released)
        try:
            open_ = self.round_open()
        except redis.RedisError as exc:
            self.failed(exc)
            return
        if open_:
            self._wake_soon()
            raise DontCloseSpider

    def _wake_soon(self, delay: float = 0.5) -> None:
        """Look at the shared queue again in ``delay`` seconds, not at the engine's next 5-second heartbeat: work
        another worker gives back (or a seeder adds) is taken at once. Scrapy has no public call for "check the
        scheduler now"; its engine slot's ``nextcall`` is what ``engine.crawl()`` itself uses."""
        if self._wake_pending:
            return
        from twisted.internet import reactor

        def wake() -> None:
            self._wake_pending = False
            slot = getattr(self.crawler.engine, "_slot", None)
            nextcall = getattr(slot, "nextcall", None)
            if nextcall is not None and not getattr(self.crawler.engine, "_closing", False):
                nextcall.schedule()

        self._wake_pending = True
        reactor.callLater(delay, wake)


class LeasedQueue(PriorityQueue):
    """scrapy-redis's priority queue, popping into a lease instead of into thin air (see the module docstring)."""

    coordinator: Coordinator | None = None

    def pop(self, timeout: int = 0) -> Any:
        if self.coordinator is None:
            return super().pop(timeout)
        data = self.coordinator.pop()
        if not data:
            return None
        request = self._decode_request(data)
        request.meta["newsbot_lease"] = data
        key = request.meta.get("newsbot_key") if "news_code" in request.meta else \
            request.meta.get("newsbot_frontier_key")
        self.coordinator.leases.taken(data, key)
        return request

    def clear(self) -> None:
        super().clear()
        self.server.delete(self.key.rsplit(":", 1)[0] + ":leases")


class Scheduler(RedisScheduler):
    """scrapy-redis's scheduler with leases, a heartbeat and a round shared by every worker."""

    coordinator: Coordinator

    @classmethod
    def from_crawler(cls, crawler: Any) -> Scheduler:
        import redis

        try:
            scheduler = super().from_crawler(crawler)
        except redis.RedisError as exc:
            raise RedisUnavailable(f"cannot reach Redis at {_redact(crawler.settings.get('REDIS_URL'))} "
                                   f"({_reason(exc)})") from None
        scheduler.crawler = crawler
        coordinator = Coordinator.of(crawler)
        assert coordinator is not None, "newsbot.distributed.Scheduler needs NEWSBOT_REDIS_URL"
        scheduler.coordinator = coordinator
        crawler.signals.connect(scheduler._spider_idle, signal=signals.spider_idle)
        return scheduler

    # open, enqueue_request and next_request are scrapy-redis's, less the calls Scrapy 2.13+ deprecates
    # (spider.log, stats.inc_value(spider=…)), plus the leases.
    def open(self, spider: Any) -> None:
        self.spider = spider
        self.queue = load_object(self.queue_cls)(server=self.server, spider=spider,
                                                 key=self.queue_key % {"spider": spider.name},
                                                 serializer=self.serializer)
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        self.queue.coordinator = self.coordinator
        self.coordinator.start(spider.name)
        if len(self.queue):
            logger.info("%s: %d request(s) waiting on the shared queue", spider.name, len(self.queue))

    def close(self, reason: str) -> None:
        self.coordinator.stop(reason)  # the queue and dupefilter persist (SCHEDULER_PERSIST): nothing to flush

    def has_pending_requests(self) -> bool:
        import redis

        if self.coordinator.lost:
            return False
        try:
            return len(self) > 0
        except redis.RedisError as exc:
            self.coordinator.failed(exc)
            return False

    def enqueue_request(self, request: Any) -> bool:
        # A retry or a redirect of a leased request: the new request is queued first, then the old lease ends
        # (a crash between the two leaves a duplicate request, never a lost one).
        import redis

        lease = request.meta.pop("newsbot_lease", None)
        if self.coordinator.lost:
            return False  # the run is stopping; the request's article, if any, is pending in the store
        try:
            if not request.dont_filter and self.df.request_seen(request):
                self.df.log(request, self.spider)
                return False
            self.queue.push(request)
            if self.stats:
                self.stats.inc_value("scheduler/enqueued/redis")
            return True
        except redis.RedisError as exc:
            self.coordinator.failed(exc)
            return False
        finally:
            if lease is not None:
                self.coordinator.leases.release(lease)

    def next_request(self) -> Any:
        request = self.queue.pop(self.idle_before_close)
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def _spider_idle(self, spider: Any) -> None:
        self.coordinator.idle()
