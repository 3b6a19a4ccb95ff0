"""Settings checked before a crawl starts: a typo or a malformed value stops the run with one line.

A bad value must not look like a bad site: a malformed ``NEWSBOT_HOST_MAP`` once made every request fail as an
unsupported URL scheme, and the run reported every spider "ok". ``newsbot crawl`` calls :func:`problems` before it
starts Scrapy (exit 2); under ``scrapy crawl`` the dedup pipeline calls it when the spider opens and closes the
spider with ``newsbot_bad_settings``.
"""

from __future__ import annotations

import re
from typing import Any

_INTS = {
    "NEWSBOT_DUPEFILTER_MAX_ARTICLES": 1, "NEWSBOT_MAX_ATTEMPTS": 1, "NEWSBOT_SITEMAP_MAX_DEPTH": 0,
    "NEWSBOT_SITEMAP_MAX_DOCS": 0, "NEWSBOT_MARK_BATCH": 1, "CONCURRENT_REQUESTS": 1,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 1, "RETRY_TIMES": 0, "DOWNLOAD_MAXSIZE": 0, "REDIRECT_MAX_TIMES": 0,
    "NEWSBOT_REDIS_SEED_INTERVAL": 1,
}
_FLOATS = {"NEWSBOT_FRONTIER_MAX_AGE_DAYS": 0.0, "DOWNLOAD_DELAY": 0.0, "DOWNLOAD_TIMEOUT": 0.001,
           "NEWSBOT_HISTORY_KEEP_DAYS": 1.0, "NEWSBOT_RUNS_KEEP_DAYS": 0.0, "NEWSBOT_MONITOR_WINDOW_DAYS": 1.0,
           "NEWSBOT_STORY_WINDOW_DAYS": 1.0,
           "NEWSBOT_PROGRESS_INTERVAL": 0.0, "NEWSBOT_REDIS_RETRY_SECONDS": 0.0, "NEWSBOT_REDIS_CLAIM_TTL": 1.0}
_BOOLS = ("NEWSBOT_INCREMENTAL", "NEWSBOT_SERVICE_FEEDS", "NEWSBOT_HOST_MAP_ONLY", "ROBOTSTXT_OBEY",
          "AUTOTHROTTLE_ENABLED", "RETRY_ENABLED", "NEWSBOT_HISTORY", "NEWSBOT_STORIES")
_KNOWN = {"NEWSBOT_CONTACT_URL", "NEWSBOT_STATE_DIR", "NEWSBOT_FEED", "NEWSBOT_HOST_MAP", "NEWSBOT_REPLAY_DIR",
          "NEWSBOT_ALERT_CMD", "NEWSBOT_WATCHLIST", "NEWSBOT_REDIS_URL", "NEWSBOT_WORKER_ID", *_INTS, *_FLOATS, *_BOOLS}
_HOSTPORT = re.compile(r"^[A-Za-z0-9.\-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$")


def problems(settings: Any) -> list[str]:
    """One line per unusable setting; empty when the crawl may start."""
    out: list[str] = []
    for name in list(settings):
        if name.startswith("NEWSBOT_") and name not in _KNOWN:
            out.append(f"unknown setting {name} (newsbot's settings are listed in the README)")
    for kinds, read, noun in ((_INTS, settings.getint, "a whole number"), (_FLOATS, settings.getfloat, "a number")):
        for name, low in kinds.items():
            if settings.get(name) is None:
                continue
            try:
                value = read(name)
            except (TypeError, ValueError):
                out.append(f"{name} must be {noun}, got {settings.get(name)!r}")
                continue
            if value < low:
                out.append(f"{name} must be at least {low}, got {value}")
    for name in _BOOLS:
        try:
            settings.getbool(name)
        except (TypeError, ValueError):
            out.append(f"{name} must be true or false, got {settings.get(name)!r}")
    out += _host_map_problems(settings)
    try:
        settings.getdict("FEEDS")
    except (TypeError, ValueError):
        out.append("FEEDS must be a JSON object of {uri: options}")
    out += _redis_problems(settings)
    replay = settings.get("NEWSBOT_REPLAY_DIR")
    if replay:
        from newsbot.handlers import ReplayIndex

        try:
            ReplayIndex(replay)
        except (OSError, ValueError) as exc:
            out.append(f"NEWSBOT_REPLAY_DIR: {exc}")
    return out


def _host_map_problems(settings: Any) -> list[str]:
    example = '{"www.isna.ir": "127.0.0.1:8080"}'
    try:
        host_map = settings.getdict("NEWSBOT_HOST_MAP")
    except (TypeError, ValueError):
        return [f"NEWSBOT_HOST_MAP must be a JSON object like {example}, got {settings.get('NEWSBOT_HOST_MAP')!r}"]
    bad = [f"{k!r}: {v!r}" for k, v in host_map.items()
           if not isinstance(k, str) or not isinstance(v, str) or not _HOSTPORT.match(v)]
    if bad:
        return [f"NEWSBOT_HOST_MAP values must be 'host:port' strings ({example}); not {', '.join(bad[:3])}"]
    return []


def _redis_problems(settings: Any) -> list[str]:
    url = settings.get("NEWSBOT_REDIS_URL")
    if not url:
        return []
    if not isinstance(url, str) or not re.match(r"^(redis|rediss|unix)://", url):
        return [f"NEWSBOT_REDIS_URL must look like redis://HOST:6379/0, got {url!r}"]
    from newsbot.distributed import worker_id, worker_id_problem

    out = [p for p in [worker_id_problem(worker_id(settings))] if p]
    try:
        if not settings.getbool("NEWSBOT_INCREMENTAL", True):
            out.append("NEWSBOT_INCREMENTAL=false cannot be shared through Redis: workers agree on who writes an "
                       "article through the seen-store")
    except (TypeError, ValueError):
        pass  # reported with the other booleans
    return out
