"""Output through Scrapy's feed exports: JSON Lines, UTF-8, one flushed line per article.

The exporter flushes every line so that what the state store marks as written is on disk (in the OS cache, which
survives a ``kill -9`` of the crawl), and so a crash leaves at most one torn line, which the next run cuts off.
"""

from __future__ import annotations

import glob
import re
from datetime import datetime, timezone
from typing import Any

from scrapy.exporters import JsonLinesItemExporter


def uri_params(params: dict[str, Any], spider: Any) -> dict[str, Any]:
    """Adds ``%(utc_date)s`` (``2026-11-22``) for the daily output file of each spider."""
    return {**params, "utc_date": datetime.now(timezone.utc).date().isoformat()}


class FlushingJsonLinesExporter(JsonLinesItemExporter):
    """JSON Lines with real Persian characters (never ``\\u`` escapes), flushed after every record."""

    def __init__(self, file: Any, **kwargs: Any) -> None:
        kwargs.setdefault("ensure_ascii", False)
        super().__init__(file, **kwargs)

    def export_item(self, item: Any) -> None:
        super().export_item(item)
        self.file.flush()


def output_files(feeds: dict[str, Any], name: str) -> list[str]:
    """The local files a spider's feeds have written (``data/isna/*.jsonl``), for reconciling the state store."""
    files: list[str] = []
    for uri in feeds:
        if "://" in uri and not uri.startswith("file://"):
            continue
        pattern = re.sub(r"%\((\w+)\)s", lambda m: name if m.group(1) == "name" else "*", uri.removeprefix("file://"))
        files += sorted(glob.glob(pattern))
    return files
