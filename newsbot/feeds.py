"""Output through Scrapy's feed exports: JSON Lines, UTF-8, one line per article, acknowledged once it is on disk.

Scrapy's feed exporter logs an exception from a storage or an exporter and carries on; an article would then count
as written (and be marked seen, so never fetched again) when its line never reached the file. So the exporter here
writes each line with one ``os.write`` on the file's descriptor (nothing waits in a buffer), undoes a partial write
(a full disk), and records in the crawl's :class:`OutputLedger` which items reached which file and which write
failed. The dedup pipeline marks an article only when the ledger has its acknowledgement, after an ``fsync`` of the
file, so neither a crash nor a power cut can leave an article marked but not written.
"""

from __future__ import annotations

import glob
import logging
import os
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scrapy.exporters import JsonLinesItemExporter

logger = logging.getLogger(__name__)


def uri_params(params: dict[str, Any], spider: Any) -> dict[str, Any]:
    """Adds ``%(utc_date)s`` (``2026-11-22``) for the daily output file of each spider, and ``%(worker)s`` (the
    worker id) for the per-worker files of a crawl shared through Redis."""
    extra = {"utc_date": datetime.now(timezone.utc).date().isoformat()}
    settings = getattr(spider, "settings", None)
    if settings is not None and settings.get("NEWSBOT_REDIS_URL"):
        from newsbot.distributed import worker_id

        extra["worker"] = worker_id(settings)
    return {**params, **extra}


class OutputLedger:
    """Per crawl: the files each item was written to, and the first write failure (which fails the run)."""

    def __init__(self) -> None:
        self._acks: dict[int, list[Any]] = {}
        self.failure: str | None = None

    @classmethod
    def of(cls, crawler: Any) -> OutputLedger:
        ledger = getattr(crawler, "newsbot_output", None)
        if ledger is None:
            ledger = crawler.newsbot_output = cls()
        return ledger

    def acked(self, item: Any, file: Any) -> None:
        self._acks.setdefault(id(item), []).append(file)

    def failed(self, message: str) -> None:
        if self.failure is None:
            self.failure = message
            logger.error("output not writable: %s", message)

    def take(self, item: Any) -> list[Any]:
        """The files the item reached (and forget it); empty when no feed wrote it."""
        return self._acks.pop(id(item), [])


class FlushingJsonLinesExporter(JsonLinesItemExporter):
    """JSON Lines with real Persian characters (never ``\\u`` escapes), each line on disk before it is acknowledged."""

    def __init__(self, file: Any, *, ledger: OutputLedger | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("ensure_ascii", False)
        super().__init__(file, **kwargs)
        self.ledger = ledger

    @classmethod
    def from_crawler(cls, crawler: Any, file: Any, **kwargs: Any) -> FlushingJsonLinesExporter:
        return cls(file, ledger=OutputLedger.of(crawler), **kwargs)

    def export_item(self, item: Any) -> None:
        try:
            itemdict = dict(self.get_serialized_fields(item))
            data = (self.encoder.encode(itemdict) + "\n").encode(self.encoding or "utf-8")
            self._write(data)
        except Exception as exc:
            if self.ledger is not None:
                self.ledger.failed(f"{_name(self.file)}: {_reason(exc)}")
            raise
        if self.ledger is not None:
            self.ledger.acked(item, self.file)

    def _write(self, data: bytes) -> None:
        try:
            fd = self.file.fileno()
        except (AttributeError, OSError, ValueError):  # a post-processing wrapper: no descriptor of its own
            self.file.write(data)
            self.file.flush()
            return
        self.file.flush()  # nothing should be buffered, but never write around buffered bytes
        start = os.lseek(fd, 0, os.SEEK_END)
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(fd, view):]
        except OSError:
            try:  # take back the part of the line that did get written, so the file ends on a whole line
                os.ftruncate(fd, start)
            except OSError:
                pass  # the next run's reconcile cuts a torn last line
            raise


def fsync(file: Any) -> None:
    """Force an acknowledged file's lines to the disk (raises OSError: a failing disk fails the run)."""
    try:
        fd = file.fileno()
    except (AttributeError, OSError, ValueError):
        return
    os.fsync(fd)


def _name(file: Any) -> str:
    return str(getattr(file, "name", None) or "output file")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    if isinstance(exc, UnicodeError):
        return f"text not encodable ({exc.reason})"
    return f"{type(exc).__name__}: {exc}"


def local_feed_paths(feeds: dict[str, Any], name: str, params: dict[str, Any] | None = None) -> list[Path]:
    """Today's local output files of a spider's feeds (``data/isna/2026-12-01.jsonl``), for checking them early."""
    values = {"name": name, "utc_date": datetime.now(timezone.utc).date().isoformat(),
              "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H-%M-%S"), "batch_id": 1,
              "batch_time": "", **(params or {})}
    return [Path(_URI_PARAM.sub(lambda m: str(values.get(m.group(1), m.group(1))), uri)) for uri in _local(feeds)]


def output_problem(path: Path) -> str | None:
    """Why a feed file cannot be appended to (checked at spider start, so a bad path fails before any fetch)."""
    parent = path.parent
    for ancestor in [parent, *parent.parents]:
        if ancestor.exists():
            if not ancestor.is_dir():
                return f"{ancestor} is not a directory"
            if not os.access(ancestor, os.W_OK | os.X_OK) and ancestor == parent:
                return f"{ancestor} is not writable"
            break
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot create {parent}: {exc.strerror or exc}"
    if path.exists() and not path.is_file():
        return f"{path} is not a file"
    if path.exists() and not os.access(path, os.W_OK):
        return f"{path} is not writable"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"{parent} is not writable"
    return None


def newsbot_feeds(settings: Any) -> list[str]:
    """The FEEDS whose format is written by :class:`FlushingJsonLinesExporter` (the ones that acknowledge)."""
    from scrapy.utils.misc import load_object

    exporters = {**settings.getdict("FEED_EXPORTERS_BASE"), **settings.getdict("FEED_EXPORTERS")}
    out = []
    for uri, options in settings.getdict("FEEDS").items():
        fmt = (options or {}).get("format") or uri.rsplit(".", 1)[-1]
        cls = exporters.get(fmt)
        try:
            cls = load_object(cls) if isinstance(cls, str) else cls
        except (ImportError, NameError, ValueError):
            continue
        if isinstance(cls, type) and issubclass(cls, FlushingJsonLinesExporter):
            out.append(uri)
    return out


def output_files(feeds: dict[str, Any], name: str, worker: str | None = None) -> list[str]:
    """The local files a spider's feeds have written (``data/isna/*.jsonl``), for reconciling the state store;
    with ``worker``, only that worker's own files (``%(worker)s``)."""
    files: list[str] = []
    fixed = {"name": name, **({"worker": worker} if worker else {})}
    for uri in _local(feeds):
        pattern = _URI_PARAM.sub(lambda m: fixed.get(m.group(1), "*"), uri)
        files += sorted(p for p in glob.glob(glob.escape(pattern).replace(r"[*]", "*")) if os.path.isfile(p))
    return files


#: A feed URI parameter: ``%(name)s``, ``%(utc_date)s``, ``%(batch_id)d``.
_URI_PARAM = re.compile(r"%\((\w+)\)[sd]")


def _local(feeds: dict[str, Any]) -> list[str]:
    """The feed URIs that are local files, as paths (S3, FTP and stdout feeds are not read back)."""
    return [uri.removeprefix("file://") for uri in feeds if "://" not in uri or uri.startswith("file://")]
