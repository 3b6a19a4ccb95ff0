"""Download handlers: replay recorded responses, or send a site's requests to another server.

Both work below every middleware, so robots.txt, retries, redirects, bot-wall detection, the size cap and the
pipelines behave exactly as in a live crawl; responses keep the site's real URL.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.responsetypes import responsetypes
from w3lib.url import canonicalize_url

logger = logging.getLogger(__name__)


class ReplayIndex:
    """URL → recorded response, from every ``responses.json`` under a folder (see docs/fixtures.md)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise FileNotFoundError(f"replay folder not found: {self.root}")
        self.entries: dict[str, tuple[Path, dict[str, Any]]] = {}
        for index in sorted(self.root.rglob("responses.json")):
            try:
                records = json.loads(index.read_text(encoding="utf-8"))
            except ValueError as exc:
                raise ValueError(f"{index}: not valid JSON ({exc})") from None
            if not isinstance(records, list):
                raise ValueError(f"{index}: not a JSON list of entries")
            for rec in records:
                if not isinstance(rec, dict) or "url" not in rec:
                    raise ValueError(f"{index}: an entry has no 'url': {rec}")
                if rec.get("file") and not (index.parent / rec["file"]).is_file():
                    raise ValueError(f"{index}: the file of {rec['url']} is missing: {rec['file']}")
                self.entries[self.key(rec["url"])] = (index.parent, rec)

    @classmethod
    def empty(cls, root: str | Path) -> ReplayIndex:
        """An index that answers nothing (standing in for a folder that could not be read)."""
        index = cls.__new__(cls)
        index.root = Path(root)
        index.entries = {}
        return index

    @staticmethod
    def key(url: str) -> str:
        return canonicalize_url(url, keep_fragments=False)

    def response_for(self, request: Request) -> Response:
        found = self.entries.get(self.key(request.url))
        if found is None:
            return Response(request.url, status=404, body=b"", request=request, flags=["replay-missing"])
        folder, rec = found
        body = (folder / rec["file"]).read_bytes() if rec.get("file") else b""
        headers = {k: v for k, v in (rec.get("headers") or {}).items()}
        cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        return cls(url=request.url, status=int(rec.get("status", 200)), headers=headers, body=body,
                   request=request, flags=["replay"])


class NewsbotHTTPHandler(BaseDownloadHandler):
    """HTTP(S) through Scrapy's own handler, unless ``NEWSBOT_REPLAY_DIR`` or ``NEWSBOT_HOST_MAP`` says otherwise."""

    lazy = False

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        replay = crawler.settings.get("NEWSBOT_REPLAY_DIR")
        # A broken replay folder or host map is reported by newsbot.config when the spider opens (one line, the
        # spider closed); here it must not raise, or `scrapy crawl` would die with a traceback first.
        try:
            self.replay = ReplayIndex(replay) if replay else None
        except (OSError, ValueError):
            self.replay = ReplayIndex.empty(replay)
        try:
            self.host_map: dict[str, str] = dict(crawler.settings.getdict("NEWSBOT_HOST_MAP"))
        except (TypeError, ValueError):
            self.host_map = {}
        # Tests and benchmarks set this so that a request to an unmapped host can never reach the internet.
        self.host_map_only = crawler.settings.getbool("NEWSBOT_HOST_MAP_ONLY")
        self._http: HTTP11DownloadHandler | None = None if self.replay else HTTP11DownloadHandler(crawler)

    async def download_request(self, request: Request) -> Response:
        if self.replay is not None:
            response = self.replay.response_for(request)
            if "replay-missing" in response.flags:
                name = getattr(self.crawler.spider, "name", "unknown")
                self.crawler.stats.inc_value(f"newsbot/replay_missing/{name}")
                logger.info("not in the replay folder (answered 404): %s", request.url)
            return response
        assert self._http is not None
        parts = urlsplit(request.url)
        target = self.host_map.get(parts.hostname or "") if self.host_map else None
        if not target:
            if self.host_map_only:
                raise IgnoreRequest(f"host {parts.hostname} is not in NEWSBOT_HOST_MAP (NEWSBOT_HOST_MAP_ONLY is on)")
            return await self._http.download_request(request)
        local = urlunsplit(("http", target, parts.path, parts.query, ""))
        headers = request.headers.copy()
        headers["Host"] = parts.netloc
        response = await self._http.download_request(request.replace(url=local, headers=headers))
        return response.replace(url=request.url, request=request)

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
