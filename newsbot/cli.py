"""The ``newsbot`` command: crawl, extract, list, genspider, record.

``newsbot crawl`` is the cron job. Exit codes: 0 all spiders fine; 1 a spider failed to start, raised errors or
met only bot walls; 2 bad usage; 75 another crawl holds the state directory's lock (EX_TEMPFAIL: try later).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

EX_TEMPFAIL = 75


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="newsbot", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("crawl", help="crawl sites incrementally (the cron job)")
    p.add_argument("spiders", nargs="*", help="spider names (see `newsbot list`)")
    p.add_argument("--all", action="store_true", help="every spider")
    p.add_argument("--since", help="backfill from this day (Jalali 1403-01-01 or Gregorian 2024-03-20)")
    p.add_argument("--until", help="backfill up to and including this day")
    p.add_argument("--replay", metavar="DIR", help="answer requests from a replay folder (e.g. fixtures)")
    p.add_argument("--state-dir", help="state directory (default ./state)")
    p.add_argument("--data-dir", help="output directory (default ./data): DIR/<spider>/<UTC date>.jsonl")
    p.add_argument("--set", "-s", action="append", default=[], metavar="NAME=VALUE", help="Scrapy setting")
    p.add_argument("--log-file", help="write the Scrapy log here instead of stderr")
    p.add_argument("--quiet", "-q", action="store_true", help="log warnings and errors only")

    p = sub.add_parser("extract", help="turn one saved page into a record")
    p.add_argument("file", help="the saved HTML page, or - for standard input")
    p.add_argument("--url", required=True, help="the page's URL (chooses the spider and resolves links)")
    p.add_argument("--spider", help="use this spider instead of the one owning the URL's domain")

    sub.add_parser("list", help="the spiders, their agencies and domains")

    p = sub.add_parser("genspider", help="write a new site spider and its fixtures folder")
    p.add_argument("name")
    p.add_argument("domain")
    p.add_argument("--family", choices=["newsstudio", "didgah", "asam", "generic"], default="generic")
    p.add_argument("--agency", default=None, help="the agency's Persian name")

    p = sub.add_parser("record", help="save live responses as a replay folder")
    p.add_argument("urls", nargs="+")
    p.add_argument("--out", required=True, help="folder to write (responses.json and the bodies)")

    args = parser.parse_args(argv)
    handler = {"crawl": cmd_crawl, "extract": cmd_extract, "list": cmd_list, "genspider": cmd_genspider,
               "record": cmd_record}[args.command]
    return handler(args)


# ---- extract / list ----------------------------------------------------------------------------------------------
def cmd_extract(args: argparse.Namespace) -> int:
    from newsbot.extract import NotAnArticle, extract_article

    data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    try:
        record = extract_article(data, args.url, spider=args.spider)
    except NotAnArticle as exc:
        print(f"newsbot: not an article: {exc}", file=sys.stderr)
        return 1
    except KeyError as exc:
        print(f"newsbot: {exc.args[0]}", file=sys.stderr)
        return 2
    print(json.dumps(record, ensure_ascii=False))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from newsbot.registry import spiders

    rows = [(name, cls.agency or "", cls.family, ", ".join(cls.domains)) for name, cls in spiders().items()]
    widths = [max(len(r[i]) for r in [("spider", "agency", "family", "domains"), *rows]) for i in range(4)]
    for row in [("spider", "agency", "family", "domains"), *rows]:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    return 0


# ---- crawl -------------------------------------------------------------------------------------------------------
def cmd_crawl(args: argparse.Namespace) -> int:
    from newsbot.registry import project_settings, spiders
    from newsbot.runlock import LockHeld, RunLock

    known = spiders()
    names = list(known) if args.all else args.spiders
    if not names:
        print("newsbot: name spiders to crawl, or --all (see `newsbot list`)", file=sys.stderr)
        return 2
    unknown = [n for n in names if n not in known]
    if unknown:
        print(f"newsbot: unknown spider(s): {', '.join(unknown)}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    if args.until and not args.since:
        print("newsbot: --until needs --since", file=sys.stderr)
        return 2

    settings = project_settings()
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep:
            print(f"newsbot: --set takes NAME=VALUE, got {item!r}", file=sys.stderr)
            return 2
        settings.set(key.strip(), _setting_value(value), priority="cmdline")
    if args.state_dir:
        settings.set("NEWSBOT_STATE_DIR", args.state_dir, priority="cmdline")
    if args.replay:
        if not Path(args.replay).is_dir():
            print(f"newsbot: replay folder not found: {args.replay}", file=sys.stderr)
            return 2
        settings.set("NEWSBOT_REPLAY_DIR", args.replay, priority="cmdline")
        # Recorded pages are answered instantly; waiting between them would only slow the replay.
        settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
        settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
    if args.data_dir:
        feeds = {}
        for uri, options in settings.getdict("FEEDS").items():
            feeds[str(Path(args.data_dir) / Path(uri).relative_to(Path(uri).parts[0]))] = options
        settings.set("FEEDS", feeds, priority="cmdline")
    if args.log_file:
        settings.set("LOG_FILE", args.log_file, priority="cmdline")
    if args.quiet:
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    if args.since:
        from newsbot.dates import DateParseError, parse_day

        try:
            parse_day(args.since)
            if args.until:
                parse_day(args.until)
        except DateParseError as exc:
            print(f"newsbot: {exc}", file=sys.stderr)
            return 2

    state_dir = Path(settings.get("NEWSBOT_STATE_DIR"))
    try:
        lock = RunLock(state_dir / "crawl.lock")
        lock.acquire()
    except LockHeld as exc:
        print(f"newsbot: {exc}; exiting (code {EX_TEMPFAIL})", file=sys.stderr)
        return EX_TEMPFAIL
    try:
        return _run_crawl(settings, names, args, state_dir)
    finally:
        lock.release()


def _run_crawl(settings: Any, names: list[str], args: argparse.Namespace, state_dir: Path) -> int:
    from scrapy.crawler import CrawlerProcess

    from newsbot.extensions import spider_summary

    started = datetime.now(timezone.utc)
    process = CrawlerProcess(settings, install_root_handler=True)
    crawlers = {}
    kwargs = {"since": args.since, "until": args.until} if args.since else {}
    for name in names:
        crawler = process.create_crawler(name)
        crawlers[name] = crawler
        process.crawl(crawler, **kwargs)
    process.start()

    summaries = []
    for name, crawler in crawlers.items():
        summary = getattr(crawler, "newsbot_summary", None)
        if summary is None:
            stats = crawler.stats.get_stats() if crawler.stats else {}
            summary = spider_summary(stats, name, "did not start")
            summary["failed"] = True
        summaries.append(summary)

    report = {
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "replay": args.replay,
        "since": args.since,
        "until": args.until,
        "spiders": summaries,
    }
    runs = state_dir / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    path = runs / f"{started.strftime('%Y-%m-%dT%H-%M-%SZ')}.json"
    suffix = 1
    while path.exists():  # two runs in the same second (the lock allows back-to-back ones)
        suffix += 1
        path = runs / f"{started.strftime('%Y-%m-%dT%H-%M-%SZ')}-{suffix}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(format_summary(summaries))
    for s in summaries:
        if s["failed"]:
            print(f"{s['spider']}: FAILED: {s['failure']}")
    print(f"summary written to {path}")
    return 1 if any(s["failed"] for s in summaries) else 0


def format_summary(summaries: list[dict[str, Any]]) -> str:
    head = ("spider", "discovered", "seen", "fetched", "written", "dropped", "http_err", "challenge", "errors",
            "status")
    rows = [head]
    for s in summaries:
        rows.append((
            s["spider"], str(s["discovered"]), str(s["skipped_seen"]), str(s["fetched"]), str(s["written"]),
            ",".join(f"{k}={v}" for k, v in s["dropped"].items()) or "0",
            ",".join(f"{k}={v}" for k, v in s["http_errors"].items()) or "0",
            str(s["challenges"]), str(s["errors"]), "FAILED" if s["failed"] else "ok",
        ))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip() for r in rows)


def _setting_value(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


# ---- genspider / record ------------------------------------------------------------------------------------------
_SPIDER_TEMPLATE = '''"""{agency_doc} ({domain}): {family_doc}."""

from newsbot.families import {base}


class {cls}({base}):
    name = "{name}"
    agency = "{agency}"
    domains = ("{domain}",)
    base_url = "https://www.{domain}"
    # Selectors tried before the family's, one tuple per field; delete what the family already gets right.
    selectors = {{
        # "title": ("h1.title",),
        # "date": (".item-date",),
    }}
'''

_GENERIC_TEMPLATE = '''"""{agency_doc} ({domain}): its own CMS; the generic fallbacks carry what the selectors miss."""

from newsbot.parser import GENERIC_SELECTORS, ArticleParser
from newsbot.spider import NewsSpider


class {cls}Parser(ArticleParser):
    selectors = {{
        **GENERIC_SELECTORS,
        "title": ("h1.title", *GENERIC_SELECTORS["title"]),
        "body": (".article-body", *GENERIC_SELECTORS["body"]),
    }}


class {cls}({base}):
    name = "{name}"
    agency = "{agency}"
    domains = ("{domain}",)
    base_url = "https://www.{domain}"
    parser = {cls}Parser
    article_patterns = (r"^/news/(\\d+)",)
    feeds = ("/rss",)
'''


def cmd_genspider(args: argparse.Namespace) -> int:
    name = args.name
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        print("newsbot: a spider name is lowercase ASCII letters, digits and _", file=sys.stderr)
        return 2
    domain = args.domain.lower().removeprefix("https://").removeprefix("http://").removeprefix("www.").strip("/")
    root = Path.cwd()
    target = root / "spiders" / f"{name}.py"
    if target.exists():
        print(f"newsbot: {target} exists; not overwritten", file=sys.stderr)
        return 2
    base = {"newsstudio": "NewsStudioSpider", "didgah": "DidgahSpider", "asam": "AsamSpider",
            "generic": "NewsSpider"}[args.family]
    template = _GENERIC_TEMPLATE if args.family == "generic" else _SPIDER_TEMPLATE
    cls = "".join(part.capitalize() for part in name.split("_")) + "Spider"
    agency = args.agency or "TODO: the agency's Persian name"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(template.format(
        name=name, domain=domain, base=base, cls=cls, agency=agency, agency_doc=agency,
        family_doc=f"{args.family} family",
    ), encoding="utf-8")
    fixtures = root / "fixtures" / name
    fixtures.mkdir(parents=True, exist_ok=True)
    index = fixtures / "responses.json"
    if not index.exists():
        index.write_text("[]\n", encoding="utf-8")
    print(f"wrote {target.relative_to(root)} and {fixtures.relative_to(root)}/")
    print("next: record two article pages, a feed and a sitemap or archive page into the fixtures folder "
          f"(`newsbot record URL ... --out fixtures/{name}`), write article-N.expected.json by hand, run the tests; "
          "see docs/adding-a-site.md")
    return 0


def cmd_record(args: argparse.Namespace) -> int:
    """Fetch URLs live (no redirects followed, so each hop is recorded) and save them as a replay folder."""
    import urllib.error
    import urllib.request

    from newsbot.registry import project_settings

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    index_path = out / "responses.json"
    entries = json.loads(index_path.read_text(encoding="utf-8")) if index_path.exists() else []
    by_url = {e["url"]: e for e in entries}
    agent = project_settings().get("USER_AGENT")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a: Any, **k: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    status_code = 0
    for url in args.urls:
        request = urllib.request.Request(url, headers={"User-Agent": agent, "Accept-Language": "fa-IR,fa;q=0.9"})
        try:
            with opener.open(request, timeout=30) as resp:
                status, headers, body = resp.status, dict(resp.headers.items()), resp.read()
        except urllib.error.HTTPError as exc:
            status, headers, body = exc.code, dict(exc.headers.items()), exc.read()
        except (urllib.error.URLError, OSError) as exc:
            print(f"newsbot: {url}: {exc}", file=sys.stderr)
            status_code = 1
            continue
        filename = _record_filename(url, headers.get("Content-Type", ""), out)
        (out / filename).write_bytes(body)
        keep = {k: v for k, v in headers.items() if k.lower() in ("content-type", "location", "last-modified")}
        by_url[url] = {"url": url, "status": status, "headers": keep, "file": filename}
        print(f"{status} {url} -> {out / filename}")
    index_path.write_text(json.dumps(list(by_url.values()), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return status_code


def _record_filename(url: str, content_type: str, out: Path) -> str:
    ext = ".xml" if "xml" in content_type else ".html" if "html" in content_type else ".txt"
    stem = re.sub(r"[^A-Za-z0-9]+", "-", url.split("://", 1)[-1])[:60].strip("-") or "page"
    name = stem + ext
    i = 1
    while (out / name).exists():
        i += 1
        name = f"{stem}-{i}{ext}"
    return name


if __name__ == "__main__":  # pragma: no cover
    # No logging.basicConfig() here: `python -m newsbot.cli crawl` must log like the `newsbot` script. A root
    # handler installed here sat beside Scrapy's own (CrawlerProcess installs one), so every line was printed twice
    # and DEBUG lines came through whatever LOG_LEVEL or --quiet said.
    sys.exit(main())
