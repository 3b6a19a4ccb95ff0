"""The media-monitoring commands: ``newsbot watch``, ``newsbot stories`` and ``newsbot digest``.

They read what crawls wrote (output files, the story index) and never need the state directory's lock. Every
problem the user can fix is one line on stderr and exit 2, as for the other commands.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

EX_USAGE = 2


class MediaUsage(Exception):
    """A bad argument or path of these commands: one line, exit 2."""


def register(sub: Any) -> None:
    """Add ``watch``, ``stories`` and ``digest`` to newsbot's subcommands (``handler`` is what main() runs)."""
    p = sub.add_parser("watch", help="match existing records against a watchlist (TOML); print the matching ones",
                       description="Prints each record that satisfies a list, with its `matches`, as one JSON line; "
                       "with --data-dir, appends them to DATA_DIR/watch/<list>/<UTC date of the crawl>.jsonl "
                       "instead. No match is not an error (exit 0).")
    p.add_argument("watchlist", metavar="FILE", help="the watchlist (see README, For media monitors)")
    p.add_argument("records", nargs="+", metavar="RECORDS", help="JSON Lines output files, or folders of them")
    p.add_argument("--data-dir", help="write DATA_DIR/watch/<list>/<date>.jsonl instead of printing")
    p.set_defaults(handler=_guarded(cmd_watch))

    p = sub.add_parser("stories", help="republished stories: every outlet that carried each story, and when",
                       description="With --day: the stories of that day from the story index of the state "
                       "directory (stories with a record published that day, Tehran time, each with all its "
                       "records). With files: the same over those output files, clustered in memory (no state "
                       "read or written); --day then narrows them.")
    p.add_argument("files", nargs="*", metavar="FILE.jsonl", help="output files (or folders of them)")
    p.add_argument("--day", help="Jalali 1404-09-10 or Gregorian 2025-12-01 (Tehran day)")
    p.add_argument("--state-dir", default="state", help="state directory (default ./state)")
    p.add_argument("--json", action="store_true", help="one story per line: story, records earliest first")
    p.add_argument("--window", type=float, default=None, help="days a copy may follow its original (default 14)")
    p.set_defaults(handler=_guarded(cmd_stories))

    p = sub.add_parser("digest", help="a Markdown and an HTML digest per watchlist list for one day",
                       description="Reads the day's records from DATA_DIR, matches them against the watchlist, "
                       "groups them into stories (the story index when the state directory has one) and writes "
                       "OUT/<list>-<day>.md and .html: stories, outlets, first-seen time (Jalali), links.")
    p.add_argument("--watch", required=True, metavar="FILE", help="the watchlist")
    p.add_argument("--day", required=True, help="Jalali 1404-09-10 or Gregorian 2025-12-01 (Tehran day)")
    p.add_argument("--state-dir", default="state", help="state directory (default ./state)")
    p.add_argument("--data-dir", default="data", help="output directory (default ./data)")
    p.add_argument("--out", default="digest", help="folder to write the digests into (default ./digest)")
    p.set_defaults(handler=_guarded(cmd_digest))


def _guarded(handler: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except MediaUsage as exc:
            print(f"newsbot: {exc}", file=sys.stderr)
            return EX_USAGE
    return run


def checked_watchlist(path: str, error: type[Exception]) -> str:
    """``crawl --watch FILE``: the file's absolute path once it loads; else ``error`` with the one-line reason."""
    from newsbot.watch import WatchlistError, load_watchlist

    try:
        load_watchlist(path)
    except WatchlistError as exc:
        raise error(f"--watch {exc}") from None
    return str(Path(path).resolve())


def _watchlist(path: str) -> Any:
    from newsbot.watch import WatchlistError, load_watchlist

    try:
        return load_watchlist(path)
    except WatchlistError as exc:
        raise MediaUsage(str(exc)) from None


# ---- reading output ----------------------------------------------------------------------------------------------
def _files(targets: list[str]) -> list[Path]:
    files: list[Path] = []
    for target in targets:
        path = Path(target)
        if path.is_dir():
            # A data folder holds the watch lists' copies of records too (DATA/watch/<list>/); they are not read twice.
            files += sorted(p for p in path.rglob("*.jsonl")
                            if p.is_file() and "watch" not in p.relative_to(path).parts[:-2])
        elif path.is_file():
            files.append(path)
        else:
            raise MediaUsage(f"{target}: no such file or folder")
    return files


def read_records(files: list[Path]) -> Iterator[dict[str, Any]]:
    """Records of JSON Lines files; a line that is not a JSON object (a torn last line) is skipped, and said so."""
    for path in files:
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise MediaUsage(f"cannot read {path}: {exc.strerror or exc}") from None
        with handle:
            for number, line in enumerate(handle, start=1):
                try:
                    rec = json.loads(line)
                except ValueError:
                    rec = None
                # A record has a URL and a text; any other JSON object (a run summary, a stray line) is not one.
                if not isinstance(rec, dict) or not isinstance(rec.get("url"), str) or not (
                        rec.get("title") or rec.get("body")):
                    if line.strip():
                        print(f"newsbot: {path}:{number}: not a record, skipped", file=sys.stderr)
                    continue
                yield rec


def day_range(text: str) -> tuple[float, float, str]:
    """A day given on the command line → its Tehran start and end (timestamps) and its Jalali name."""
    from newsbot.dates import TEHRAN, DateParseError, jalali_ymd, parse_day

    try:
        start = parse_day(text)
    except DateParseError as exc:
        raise MediaUsage(f"--day {text!r}: not a day (use 1404-09-10 or 2025-12-01): {exc.reason}") from None
    end = datetime.combine(start.date() + timedelta(days=1), datetime.min.time(), tzinfo=TEHRAN)
    y, m, d = jalali_ymd(start.date())
    return start.timestamp(), end.timestamp(), f"{y:04d}-{m:02d}-{d:02d}"


def _ts(value: Any) -> float | None:
    from newsbot.dates import iso_timestamp  # not at import: every newsbot command imports this module

    return iso_timestamp(value)


# ---- watch -------------------------------------------------------------------------------------------------------
def cmd_watch(args: argparse.Namespace) -> int:
    from newsbot.record import public
    from newsbot.watch import WatchWriter

    watchlist = _watchlist(args.watchlist)
    files = _files(args.records)
    writers: dict[str, WatchWriter] = {}
    counts: dict[str, int] = {}
    seen = 0
    try:
        for rec in read_records(files):
            seen += 1
            matches = watchlist.match(rec)
            if not matches:
                continue
            rec["matches"] = matches
            for name in matches:
                counts[name] = counts.get(name, 0) + 1
            if args.data_dir:
                day = str(rec.get("crawled_at") or "")[:10]
                day = day if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) else datetime.now(timezone.utc).date().isoformat()
                writer = writers.setdefault(day, WatchWriter(Path(args.data_dir), day))
                for name in matches:
                    writer.write(name, public(rec) if "site" in rec else rec)
            else:
                sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")
    except BrokenPipeError:
        # The reader went away (`newsbot watch … | head`): stop quietly, as other command-line tools do.
        sys.stderr.close()
        return 0
    except OSError as exc:
        where = f"under {args.data_dir}" if args.data_dir else "to stdout"
        print(f"newsbot: cannot write {where}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    finally:
        for writer in writers.values():
            writer.close()
    summary = ", ".join(f"{name} {n}" for name, n in counts.items()) or "none"
    where = f"; written under {Path(args.data_dir) / 'watch'}" if args.data_dir and counts else ""
    print(f"{seen} records read; matches per list: {summary}{where}", file=sys.stderr)
    return 0


# ---- stories -----------------------------------------------------------------------------------------------------
def _index_path(state_dir: str) -> Path:
    return Path(state_dir) / "stories.sqlite3"


def _open_index(state_dir: str, window: float | None) -> Any:
    from newsbot.stories import StoryIndex, StoryIndexError

    path = _index_path(state_dir)
    if not path.is_file():
        raise MediaUsage(f"no story index in {state_dir} (crawls write {path.name}; see --state-dir)")
    try:
        return StoryIndex(path, window or 14.0, readonly=True)
    except StoryIndexError as exc:
        raise MediaUsage(str(exc)) from None


def _story_rows(story: list[Any]) -> list[dict[str, Any]]:
    return [{"site": r.site, "agency": r.agency, "news_code": r.news_code, "url": r.url, "title": r.title,
             "published_at": r.published_at} for r in story]


def clustered_files(files: list[Path], window: float | None) -> dict[str, list[dict[str, Any]]]:
    """story -> its records (earliest first), clustered in memory over output files."""
    from newsbot.stories import cluster

    records = list(read_records(files))
    stories: dict[str, list[dict[str, Any]]] = {}
    for rec, placed in cluster(records, window or 14.0):
        stories.setdefault(placed.story, []).append(rec)
    for recs in stories.values():
        recs.sort(key=lambda r: _ts(r.get("published_at")) or float("inf"))
    return stories


def cmd_stories(args: argparse.Namespace) -> int:
    from newsbot.digest import jalali_time
    from newsbot.ops import text_table

    if not args.day and not args.files:
        raise MediaUsage("stories needs --day DAY (from the story index) or output files")
    if args.window is not None and args.window < 1:
        raise MediaUsage("--window must be at least 1 day")
    span = day_range(args.day) if args.day else None
    if args.files:
        stories = list(clustered_files(_files(args.files), args.window).values())
        if span:
            stories = [s for s in stories if any(span[0] <= (_ts(r.get("published_at")) or -1) < span[1] for r in s)]
        stories.sort(key=lambda s: _ts(s[0].get("published_at")) or float("inf"))
        rows = [[{k: r.get(k) for k in ("site", "agency", "news_code", "url", "title", "published_at")} for r in s]
                for s in stories]
    else:
        index = _open_index(args.state_dir, args.window)
        try:
            rows = [_story_rows(s) for s in index.stories_between(span[0], span[1])]  # type: ignore[index]
        finally:
            index.close()
    from newsbot.stories import record_id

    if args.json:
        for recs in rows:
            print(json.dumps({"story": record_id(recs[0]), "records": [
                {k: r[k] for k in ("site", "news_code", "url", "published_at")} for r in recs]}, ensure_ascii=False))
        return 0
    table: list[tuple[str, ...]] = [("story", "outlets", "site", "news_code", "published (Tehran)", "title", "url")]
    for recs in rows:
        outlets = str(len({r["site"] for r in recs}))
        for i, r in enumerate(recs):
            title = str(r.get("title") or "")
            table.append((record_id(recs[0]) if i == 0 else "", outlets if i == 0 else "", str(r["site"] or "-"),
                          str(r["news_code"] or "-"), jalali_time(r.get("published_at")),
                          title[:48] + ("…" if len(title) > 48 else ""), str(r["url"] or "-")))
    if len(table) > 1:
        print(text_table(table))
    label = f" on {span[2]}" if span else ""
    print(f"{len(rows)} stories{label}, {sum(len(r) for r in rows)} records, "
          f"{sum(1 for r in rows if len(r) > 1)} carried by more than one record")
    return 0


# ---- digest ------------------------------------------------------------------------------------------------------
_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


def _day_files(data_dir: Path, start: float) -> list[Path]:
    """Output files that can hold records published that day: those written since the day before (by name)."""
    if not data_dir.is_dir():
        raise MediaUsage(f"data directory not found: {data_dir}")
    first = (datetime.fromtimestamp(start, timezone.utc) - timedelta(days=1)).date().isoformat()
    watch = data_dir / "watch"
    out = []
    for path in sorted(data_dir.rglob("*.jsonl")):
        if watch in path.parents or not path.is_file():
            continue
        match = _DATE_IN_NAME.search(path.name)
        if match and match.group(1) < first:
            continue
        out.append(path)
    return out


def cmd_digest(args: argparse.Namespace) -> int:
    from newsbot.digest import DigestStory, render_html, render_markdown
    from newsbot.stories import StoryIndexError, cluster, record_id

    watchlist = _watchlist(args.watch)
    start, end, label = day_range(args.day)
    records = list(read_records(_day_files(Path(args.data_dir), start)))
    # Each record's story: the index's (current) one, else the one written with it, else clustered here.
    index = None
    if _index_path(args.state_dir).is_file():
        index = _open_index(args.state_dir, None)
    stories: dict[int, str] = {}
    try:
        for i, rec in enumerate(records):
            story = None
            if index is not None:
                try:
                    story = index.story_of(rec)
                except StoryIndexError:
                    story = None
            stories[i] = story or rec.get("story") or ""
    finally:
        if index is not None:
            index.close()
    loose = [i for i, s in stories.items() if not s]
    if loose:
        for i, (_, placed) in zip(loose, cluster([records[i] for i in loose]), strict=True):
            stories[i] = placed.story
    members: dict[str, list[dict[str, Any]]] = {}
    for i, rec in enumerate(records):
        members.setdefault(stories[i], []).append(rec)
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MediaUsage(f"--out {out}: {exc.strerror or exc}") from None
    written = []
    for name, wl in watchlist.lists.items():
        found: dict[str, DigestStory] = {}
        for i, rec in enumerate(records):
            ts = _ts(rec.get("published_at"))
            if ts is None or not start <= ts < end:
                continue
            terms = watchlist.match(rec).get(name)
            if not terms:
                continue
            story = found.get(stories[i])
            if story is None:
                recs = _unique(members[stories[i]])
                recs.sort(key=lambda r: (_ts(r.get("published_at")) or float("inf")))
                story = found[stories[i]] = DigestStory(stories[i] or record_id(rec), recs)
            story.terms = list(dict.fromkeys([*story.terms, *terms]))
        ordered = sorted(found.values(), key=lambda s: _ts(s.first.get("published_at")) or float("inf"))
        for ext, render in (("md", render_markdown), ("html", render_html)):
            path = out / f"{name}-{label}.{ext}"
            try:
                path.write_text(render(wl.title, label, ordered), encoding="utf-8")
            except OSError as exc:
                print(f"newsbot: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
                return 1
            written.append(path)
        print(f"{name}: {len(ordered)} stories, {sum(len(s.records) for s in ordered)} records -> "
              f"{out / f'{name}-{label}'}.md, .html")
    return 0


def _unique(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per article (the same article can be in two output files after a rerun without state)."""
    from newsbot.stories import record_id

    return list({record_id(r): r for r in records}.values())
