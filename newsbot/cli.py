"""The ``newsbot`` command: crawl, extract, list, state, genspider, record.

``newsbot crawl`` is the cron job; its exit code is the worst spider status (see :data:`EXIT_CODES`). Every
problem the user can fix (a bad argument, an unusable path, a corrupt state) is one line on stderr, never a
traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

EX_TEMPFAIL = 75
EX_USAGE = 2
#: The exit code of ``newsbot crawl`` for each spider status; with several spiders the worst (lowest non-zero) wins.
EXIT_CODES = {"ok": 0, "failed": 1, "broken": 3, "blocked": 4, "unreachable": 5}

CRAWL_EPILOG = """exit codes:
  0   every spider ok (0 written is fine when nothing was new)
  1   a spider failed: an exception in newsbot or a site parser, output not writable, or the run was interrupted
  2   bad usage or configuration: unknown spider or setting, bad date, unusable state/data/log path, corrupt state
  3   a spider is broken: its feeds/sitemaps/listings did not parse or listed no article, or most pages misfit
  4   a spider is blocked: only bot walls (ArvanCloud, Cloudflare) answered
  5   a spider is unreachable: every discovery request failed (DNS, connection, timeout, 5xx)
  75  another crawl holds the state directory's lock, or (--redis) Redis is unreachable; nothing was done
      (try again later)
with several spiders the lowest non-zero code wins. See docs/operations.md."""


class UsageProblem(Exception):
    """A problem the user fixes by changing the command or the paths it names: one line, exit 2."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="newsbot", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("crawl", help="crawl sites incrementally (the cron job)", epilog=CRAWL_EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("spiders", nargs="*", metavar="SITE|URL",
                   help="site names (see `newsbot list`), or a site's URL (https://www.example.ir): a registered "
                        "site's entry, else discovery from its home page, robots.txt and feeds")
    p.add_argument("--sites", metavar="FILE", help="crawl the sites named in FILE (whitespace-separated, # comments)")
    p.add_argument("--all", action="store_true", help="every site")
    p.add_argument("--verified", action="store_true", help="every verified site (see `newsbot list`)")
    p.add_argument("--family", choices=["newsstudio", "didgah", "asam", "own"],
                   help="only sites of this CMS family (alone: all of them)")
    p.add_argument("--since", help="backfill from this day (Jalali 1403-01-01 or Gregorian 2024-03-20)")
    p.add_argument("--until", help="backfill up to and including this day")
    p.add_argument("--replay", metavar="DIR", help="answer requests from a replay folder (e.g. fixtures)")
    p.add_argument("--state-dir", help="state directory (default ./state)")
    p.add_argument("--data-dir", help="output directory (default ./data): DIR/<spider>/<UTC date>.jsonl")
    p.add_argument("--set", "-s", action="append", default=[], metavar="NAME=VALUE", help="Scrapy setting")
    p.add_argument("--fill-gaps", action="store_true",
                   help="backfill the closed gaps of the named sites (all sites with gaps when none is named) "
                        "through their archives and sitemaps; see `newsbot gaps`")
    p.add_argument("--alert-cmd", metavar="CMD",
                   help="run CMD (a shell command) with a JSON event on stdin when a site changes status, a gap "
                        "opens or closes, or a monitor trips (setting NEWSBOT_ALERT_CMD)")
    p.add_argument("--redis", metavar="URL",
                   help="share the crawl with other workers through Redis (redis://HOST:6379/0): queue, "
                        "dupefilter, frontier and seen-store live there; see README 'Running on several machines'")
    p.add_argument("--worker-id", metavar="ID",
                   help="this worker's name with --redis (default: the host name); output goes to "
                        "DATA_DIR/<spider>/<UTC date>.<ID>.jsonl")
    p.add_argument("--log-file", help="write the Scrapy log here instead of stderr")
    p.add_argument("--quiet", "-q", action="store_true", help="log warnings and errors only")
    p.add_argument("--watch", metavar="FILE", help="match records against a watchlist (TOML); each list's matches "
                   "also go to DATA_DIR/watch/<list>/<UTC date>.jsonl (see README, For media monitors)")

    p = sub.add_parser("extract", help="turn one saved page into a record")
    p.add_argument("file", help="the saved HTML page, or - for standard input")
    p.add_argument("--url", required=True, help="the page's URL (chooses the spider and resolves links)")
    p.add_argument("--spider", help="use this spider instead of the one owning the URL's domain")

    p = sub.add_parser("list", help="the sites: agency, CMS family, verified or family default, domains",
                       description="verified: the site has recorded pages and hand-checked expected records that the "
                       "tests hold it to. family default: it runs on its CMS family's selectors and endpoints, "
                       "right for most sites of the family but not checked on this one.")
    p.add_argument("--family", choices=["newsstudio", "didgah", "asam", "own"], help="only this family")
    p.add_argument("--verified", action="store_true", help="only verified sites")

    p = sub.add_parser("detect", help="which CMS family built a page (NewsStudio, Didgah, Asam), and the evidence")
    p.add_argument("target", metavar="FILE|URL", help="a saved page, - for standard input, or an http(s) URL to fetch")
    p.add_argument("--url", help="the saved page's URL (its path is evidence too)")

    p = sub.add_parser("status", help="per site: last run, last article, articles per day, coverage, monitors",
                       description="Reads the run history (state/history.sqlite3). Monitors compare each site's last "
                       "day with its own trailing window: nothing written where the daily median is above zero, a "
                       "field's coverage dropping by more than 20 points, the drop ratio rising, repeated "
                       "unreachable or blocked runs.")
    p.add_argument("sites", nargs="*", help="only these sites (default: every site in the history)")
    p.add_argument("--state-dir", default="state", help="state directory (default ./state)")
    p.add_argument("--window", type=float, default=None, help="monitor window in days (default 14)")
    p.add_argument("--json", action="store_true", help="one JSON object per site")
    p.add_argument("--check", action="store_true", help="exit 1 when any site has a flag or an open gap")

    p = sub.add_parser("gaps", help="the periods each site had no successful crawl (outages, walls, shutdowns)")
    p.add_argument("sites", nargs="*", help="only these sites")
    p.add_argument("--state-dir", default="state", help="state directory (default ./state)")
    p.add_argument("--json", action="store_true", help="one JSON object per gap")

    p = sub.add_parser("report", help="a static HTML page: articles per day, status, coverage and gaps per site")
    p.add_argument("sites", nargs="*", help="only these sites")
    p.add_argument("--out", required=True, help="folder to write index.html into")
    p.add_argument("--days", type=int, default=30, help="days shown (default 30)")
    p.add_argument("--state-dir", default="state", help="state directory (default ./state)")

    p = sub.add_parser("state", help="check, rebuild, export or import the state store",
                       epilog="move a store to Redis: newsbot state export | newsbot state import --redis URL -\n"
                              "and back: newsbot state export --redis URL | newsbot state import -",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    ssub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--state-dir", default="state", help="state directory (default ./state)")
    common.add_argument("--redis", metavar="URL", help="the Redis store at URL instead of the SQLite one")
    sp = ssub.add_parser("check", parents=[common], help="integrity and counts of written, pending, settled")
    sp = ssub.add_parser("rebuild", parents=[common], help="a new seen set from the JSON Lines output")
    sp.add_argument("--data-dir", default="data", help="output directory to rebuild from (default ./data)")
    sp = ssub.add_parser("export", parents=[common],
                         help="seen, pending and settled articles as JSON Lines on stdout (or --out)")
    sp.add_argument("--out", metavar="FILE", help="write the dump here instead of stdout")
    sp = ssub.add_parser("import", parents=[common], help="add a dump (FILE, or - for stdin) to the store")
    sp.add_argument("file", metavar="FILE", help="the dump to read (- for stdin)")

    p = sub.add_parser("genspider", help="add a site entry to spiders/<family>.toml and list what it requests")
    p.add_argument("name")
    p.add_argument("domain")
    p.add_argument("--family", choices=["newsstudio", "didgah", "asam", "own"], default="own")
    p.add_argument("--agency", default=None, help="the agency's Persian name")
    p.add_argument("--dir", help="the site files' folder (default: the spiders package)")

    p = sub.add_parser("fixture", help="put saved pages into a site's fixtures folder; draft expected records",
                       description="add: copy a saved page, feed or sitemap into fixtures/SITE/ under the name and "
                       "URL encoding the replay index needs. draft: write SITE's missing expected records from "
                       "newsbot's current output, marked unreviewed: the fixture tests refuse them until you have "
                       "checked every field against the page and deleted the _unreviewed key.")
    fsub = p.add_subparsers(dest="action", required=True)
    fp = fsub.add_parser("add", help="add a saved response to fixtures/SITE/")
    fp.add_argument("site")
    fp.add_argument("file", help="the saved body (HTML, XML, robots.txt)")
    fp.add_argument("--url", required=True, help="the URL it was served at (as the spider requests it)")
    fp.add_argument("--status", type=int, default=200)
    fp.add_argument("--content-type", help="default: from the file's content")
    fp.add_argument("--fixtures", default=None, help="the fixtures folder (default: the project's)")
    fp = fsub.add_parser("draft", help="write draft expected records for SITE's article pages that have none")
    fp.add_argument("site")
    fp.add_argument("--fixtures", default=None, help="the fixtures folder (default: the project's)")

    p = sub.add_parser("record", help="save live responses as a replay folder")
    p.add_argument("urls", nargs="+")
    p.add_argument("--out", required=True, help="folder to write (responses.json and the bodies)")

    from newsbot import mediacli

    mediacli.register(sub)  # watch, stories, digest
    args = parser.parse_args(argv)
    handler = {"crawl": cmd_crawl, "extract": cmd_extract, "list": cmd_list, "genspider": cmd_genspider,
               "detect": cmd_detect, "fixture": cmd_fixture, "status": cmd_status, "gaps": cmd_gaps,
               "report": cmd_report,
               "record": cmd_record, "state": cmd_state}.get(args.command) or args.handler
    try:
        return handler(args)
    except UsageProblem as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return EX_USAGE
    except BrokenPipeError:  # `newsbot list | head`: the reader left, nothing is wrong
        sys.stderr.close()
        return 0


# ---- extract / list ----------------------------------------------------------------------------------------------
def cmd_extract(args: argparse.Namespace) -> int:
    from newsbot.extract import NotAnArticle, extract_article

    url_problem = _url_problem(args.url)
    if url_problem:
        raise UsageProblem(f"--url {args.url!r}: {url_problem}")
    data = _read_input(args.file)
    try:
        record = extract_article(data, args.url, spider=args.spider)
    except NotAnArticle as exc:
        print(f"newsbot: not an article: {exc}", file=sys.stderr)
        return 1
    except KeyError as exc:
        raise UsageProblem(exc.args[0]) from None
    line = json.dumps(record, ensure_ascii=False) + "\n"
    try:
        sys.stdout.buffer.write(line.encode("utf-8"))
        sys.stdout.buffer.flush()
    except OSError as exc:
        print(f"newsbot: output not writable: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


def cmd_detect(args: argparse.Namespace) -> int:
    """The family a page shows, the marks that show it, and the registered site of its domain if any."""
    from parsel import Selector

    from newsbot import sites
    from newsbot.detect import detect
    from newsbot.encoding import decode_html

    url = args.url
    if _is_url(args.target):
        url = url or args.target
        problem = _url_problem(args.target)
        if problem:
            raise UsageProblem(f"{args.target!r}: {problem}")
        try:
            data, content_type = _fetch(args.target)
        except OSError as exc:
            print(f"newsbot: cannot fetch {args.target}: {getattr(exc, 'reason', None) or exc}", file=sys.stderr)
            return 1
    else:
        problem = _url_problem(url) if url else None
        if problem:
            raise UsageProblem(f"--url {url!r}: {problem}")
        data, content_type = _read_input(args.target), None
    found = detect(Selector(text=decode_html(data, content_type)), url)
    print(f"family: {found.family or 'none (the generic parser)'}")
    print(f"evidence: {found.describe()}")
    others = {f: n for f, n in sorted(found.scores.items()) if f != found.family}
    if others:
        print("other families: " + ", ".join(f"{f} {n} ({', '.join(found.evidence[f])})" for f, n in others.items()))
    site = sites.site_for_url(url) if url else None
    if site is not None:
        agrees = "" if found.family in (None, site.family) or site.family == "own" else \
            f"; its pages show {found.family}: the entry's family may be out of date"
        print(f"registered: [{site.name}] ({site.family}, {site.status}) in {site.source}{agrees}")
    return 0


def _read_input(target: str) -> bytes:
    if target == "-":
        return sys.stdin.buffer.read()
    path = Path(target)
    if path.is_dir():
        raise UsageProblem(f"{target} is a directory, not a saved page")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageProblem(f"cannot read {target}: {exc.strerror or exc}") from None


def _fetch(url: str) -> tuple[bytes, str | None]:
    import urllib.error
    import urllib.request

    from newsbot.settings import USER_AGENT

    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept-Language": "fa-IR,fa;q=0.9"})
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.read(10 * 1024 * 1024), resp.headers.get("Content-Type")
    except urllib.error.HTTPError as exc:
        raise OSError(f"HTTP {exc.code}") from None


def _url_problem(url: str) -> str | None:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not an http(s) URL with a host"
    return None


def cmd_list(args: argparse.Namespace) -> int:
    """The sites from their data files alone (no Scrapy import): name, agency, family, status, domains."""
    from newsbot import sites
    from newsbot.ops import text_table

    try:
        found = list(sites.load().values())
    except sites.SiteDataError as exc:
        raise UsageProblem(str(exc)) from None
    if args.family:
        found = [s for s in found if s.family == args.family]
    rows = []
    for site in found:
        status = site.status
        if args.verified and status != "verified":
            continue
        rows.append((site.name, site.agency or "-", site.family, status, ", ".join(site.domains)))
    print(text_table([("site", "agency", "family", "status", "domains"), *rows]))
    verified = sum(1 for r in rows if r[3] == "verified")
    print(f"{len(rows)} sites, {verified} verified (fixtures and expected records), "
          f"{len(rows) - verified} on their family's defaults", file=sys.stderr)
    return 0


# ---- crawl -------------------------------------------------------------------------------------------------------
def _selected_sites(args: argparse.Namespace) -> list[str]:
    """The sites a crawl names: one by one, ``--sites FILE``, ``--all``, ``--verified``, narrowed by ``--family``."""
    import difflib

    from newsbot import sites

    try:
        known = sites.load()
    except sites.SiteDataError as exc:
        raise UsageProblem(str(exc)) from None
    names = [n for n in args.spiders if not _is_url(n)]
    if args.sites:
        listed = _read_site_list(args.sites)
        names += [n for n in listed if not _is_url(n)]
        args.spiders = [*args.spiders, *(n for n in listed if _is_url(n))]
    if args.all:
        names += list(known)
    elif args.verified:
        names += [n for n, s in known.items() if s.status == "verified"]
    elif args.family and not names:
        names += list(known)
    if args.family:
        names = [n for n in names if n not in known or known[n].family == args.family]
    if not names and not _site_urls(args) and not getattr(args, "fill_gaps", False):
        raise UsageProblem("name sites to crawl, or --sites FILE, --all, --verified or --family (see `newsbot list`)")
    unknown = [n for n in dict.fromkeys(names) if n not in known]
    if unknown:
        # A domain or its first label («mehrnews», «isna.ir») names the site that owns it; else the closest names.
        by_domain = {label: s.name for s in known.values() for d in s.domains for label in (d, d.split(".")[0])}
        hints = []
        for n in unknown:
            guess = [by_domain[n.lower()]] if n.lower() in by_domain else difflib.get_close_matches(n, known, 2)
            hints.append(f"{n} (did you mean {', '.join(guess)}?)" if guess else n)
        raise UsageProblem(f"unknown site(s): {'; '.join(hints)}; see `newsbot list`")
    return list(dict.fromkeys(names))


def _is_url(name: str) -> bool:
    return name.startswith(("http://", "https://"))


def _site_urls(args: argparse.Namespace) -> list[str]:
    return [n for n in args.spiders if _is_url(n)]


def _url_spiders(args: argparse.Namespace, names: list[str]) -> list[Any]:
    """``newsbot crawl https://www.example.ir``: the registered site of that domain, else a spider made for it."""
    from newsbot import sites
    from newsbot.adhoc import adhoc_spider

    found: list[Any] = []
    for url in _site_urls(args):
        problem = _url_problem(url)
        if problem:
            raise UsageProblem(f"{url!r}: {problem}")
        site = sites.site_for_url(url)
        if site is not None:
            print(f"{url}: registered as [{site.name}] ({site.family}, {site.status}); crawling that",
                  file=sys.stderr)
            if site.name not in names:
                names.append(site.name)
            continue
        cls = adhoc_spider(url)
        if cls.name not in {getattr(c, "name", c) for c in found}:
            found.append(cls)
    return found


def _read_site_list(path: str) -> list[str]:
    """Site names from a file: whitespace-separated, ``#`` starts a comment (the sites a user follows)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageProblem(f"--sites {path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    names = [word for line in text.splitlines() for word in line.split("#", 1)[0].split()]
    if not names:
        raise UsageProblem(f"--sites {path}: names no site")
    return names


def cmd_crawl(args: argparse.Namespace) -> int:
    from newsbot.registry import project_settings

    names: list[Any] = _selected_sites(args)
    names += _url_spiders(args, names)
    _check_days(args)

    settings = project_settings()
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageProblem(f"--set takes NAME=VALUE, got {item!r}")
        settings.set(key.strip(), _setting_value(value), priority="cmdline")
    watch = args.watch or settings.get("NEWSBOT_WATCHLIST")
    if watch:  # a bad watchlist is one line, before anything is crawled
        from newsbot.mediacli import checked_watchlist

        settings.set("NEWSBOT_WATCHLIST", checked_watchlist(watch, UsageProblem), priority="cmdline")
    if args.state_dir:
        settings.set("NEWSBOT_STATE_DIR", args.state_dir, priority="cmdline")
    if args.replay:
        if not Path(args.replay).is_dir():
            raise UsageProblem(f"replay folder not found: {args.replay}")
        settings.set("NEWSBOT_REPLAY_DIR", args.replay, priority="cmdline")
        # Recorded pages are answered instantly; waiting between them would only slow the replay.
        settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
        settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
    if args.data_dir:
        feeds = {}
        for uri, options in settings.getdict("NEWSBOT_FEED").items():
            feeds[str(Path(args.data_dir) / Path(uri).relative_to(Path(uri).parts[0]))] = options
        settings.set("NEWSBOT_FEED", feeds, priority="cmdline")
    if args.log_file:
        _check_log_file(Path(args.log_file))
        settings.set("LOG_FILE", args.log_file, priority="cmdline")
    if args.quiet:
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    if args.redis:
        settings.set("NEWSBOT_REDIS_URL", args.redis, priority="cmdline")
    if args.worker_id:
        settings.set("NEWSBOT_WORKER_ID", args.worker_id, priority="cmdline")

    from newsbot.config import problems

    bad = problems(settings)
    if bad:
        raise UsageProblem("; ".join(bad))

    state_dir = Path(settings.get("NEWSBOT_STATE_DIR"))
    if settings.get("NEWSBOT_REDIS_URL"):
        from newsbot.redisstore import RedisUnavailable, check

        try:
            check(settings.get("NEWSBOT_REDIS_URL"))
        except RedisUnavailable as exc:
            print(f"newsbot: {exc}; nothing crawled, exiting (code {EX_TEMPFAIL})", file=sys.stderr)
            return EX_TEMPFAIL
    lock = _lock_state(state_dir, "exiting (code 75)", settings)
    if lock is None:
        return EX_TEMPFAIL
    try:
        _check_state(state_dir, settings)
        plan: dict[str, Any] = {}
        if args.fill_gaps:
            if args.since:
                raise UsageProblem("--fill-gaps chooses the days itself (each gap's); not with --since")
            plan = _gap_plan(state_dir, names)
            if not plan:
                print("no gap to fill" + (f" for {', '.join(map(str, names))}" if names else ""))
                return 0
            names = list(plan)
        code, crawlers = _run_crawl(settings, names, args, state_dir, plan)
        return _after_run(settings, args, state_dir, crawlers, plan, code)
    finally:
        lock.release()


def _gap_plan(state_dir: Path, names: list[Any]) -> dict[str, Any]:
    """Per site, the days to backfill: from the first unfilled closed gap's start to the last one's end (Tehran
    days). A gap still open (the site still failing) waits for a good run first."""
    from newsbot.dates import TEHRAN
    from newsbot.history import History, HistoryError

    try:
        history = History(state_dir)
    except HistoryError as exc:
        raise UsageProblem(str(exc)) from None
    try:
        from newsbot import sites

        registered = sites.load()
        wanted = {n for n in names if isinstance(n, str)}
        plan: dict[str, Any] = {}
        for gap in history.gaps():
            if gap.filled_at or (wanted and gap.site not in wanted):
                continue
            if gap.site not in registered:
                print(f"{gap.site}: not a registered site; crawl it by URL with --since/--until to fill its gaps",
                      file=sys.stderr)
                continue
            if gap.end is None:
                print(f"{gap.site}: gap open since {gap.start} ({gap.reason}); filled once a run succeeds",
                      file=sys.stderr)
                continue
            entry = plan.setdefault(gap.site, {"gaps": []})
            entry["gaps"].append(gap)
        for entry in plan.values():
            start = min(datetime.fromisoformat(g.start) for g in entry["gaps"]).astimezone(TEHRAN).date()
            end = max(datetime.fromisoformat(g.end) for g in entry["gaps"]).astimezone(TEHRAN).date()
            entry["since"], entry["until"] = start.isoformat(), end.isoformat()
        return plan
    finally:
        history.close()


def _after_run(settings: Any, args: argparse.Namespace, state_dir: Path, crawlers: dict[str, Any],
               plan: dict[str, Any], code: int) -> int:
    """History-based work after the crawl: filled gaps marked, monitors printed, alerts sent, old files pruned."""
    from newsbot.history import History, HistoryError
    from newsbot.ops import alert_events, prune_run_files, send_alerts

    if not settings.getbool("NEWSBOT_HISTORY", True):
        return code
    try:
        history = History(state_dir)
    except HistoryError as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return code or EXIT_CODES["failed"]
    try:
        summaries = {name: getattr(c, "newsbot_summary", None) for name, c in crawlers.items()}
        for name, entry in plan.items():
            summary = summaries.get(name)
            if summary and summary["status"] == "ok":
                history.mark_filled(name, entry["gaps"])
                print(f"{name}: {len(entry['gaps'])} gap(s) from {entry['since']} to {entry['until']} backfilled")
        window = settings.getfloat("NEWSBOT_MONITOR_WINDOW_DAYS", 14.0)
        statuses = [history.status(name, window_days=window) for name in crawlers]
        for status in statuses:
            for flag in status.flags:
                print(f"{status.site}: monitor: {flag}")
        changes = [c.newsbot_change for c in crawlers.values() if getattr(c, "newsbot_change", None)]
        events = alert_events(history, changes, statuses)
        command = args.alert_cmd or settings.get("NEWSBOT_ALERT_CMD")
        if command and events:
            for problem in send_alerts(command, events):
                print(f"newsbot: {problem}", file=sys.stderr)
        history.prune(settings.getfloat("NEWSBOT_HISTORY_KEEP_DAYS", 400.0))
    finally:
        history.close()
    prune_run_files(state_dir / "runs", settings.getfloat("NEWSBOT_RUNS_KEEP_DAYS", 30.0))
    if settings.getbool("NEWSBOT_INCREMENTAL", True):
        from newsbot.state import StateError, open_store

        try:
            open_store(settings).compact()
        except StateError as exc:
            print(f"newsbot: {exc}", file=sys.stderr)
    return code


def _lock_state(state_dir: Path, when_held: str, settings: Any = None) -> Any:
    """The state directory's lock (a worker's own with Redis), or None (after one line on stderr) when another
    crawl holds it."""
    from newsbot.runlock import LockError, LockHeld, RunLock
    from newsbot.state import lock_path

    lock = RunLock.shared(lock_path(settings) if settings is not None else state_dir / "crawl.lock")
    try:
        lock.acquire()
    except LockHeld as exc:
        print(f"newsbot: {exc}; {when_held}", file=sys.stderr)
        return None
    except LockError as exc:
        raise UsageProblem(str(exc)) from None
    return lock


def _check_days(args: argparse.Namespace) -> None:
    if args.until and not args.since:
        raise UsageProblem("--until needs --since")
    if not args.since:
        return
    from newsbot.dates import DateParseError, now_tehran, parse_day

    try:
        since = parse_day(args.since)
        until = parse_day(args.until) if args.until else None
    except DateParseError as exc:
        raise UsageProblem(f"not a day (use 1403-01-01 or 2024-03-20): {exc}") from None
    if until is not None and until < since:
        raise UsageProblem(f"--until {args.until} is before --since {args.since}")
    if since > now_tehran():
        raise UsageProblem(f"--since {args.since} is in the future")


def _check_log_file(path: Path) -> None:
    """The log file's folder is created (cron lines name logs/ that a fresh install does not have)."""
    if path.is_dir():
        raise UsageProblem(f"--log-file {path} is a directory")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise UsageProblem(f"--log-file {path}: {exc.strerror or exc}") from None


def _check_state(state_dir: Path, settings: Any) -> None:
    """Open the store once before Scrapy starts, so a corrupt or unwritable state is one line, not a failed run."""
    from newsbot.state import StateError, open_store

    if not settings.getbool("NEWSBOT_INCREMENTAL", True):
        return
    try:
        open_store(settings).count()
    except StateError as exc:
        raise UsageProblem(str(exc)) from None
    runs = state_dir / "runs"
    try:
        runs.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageProblem(f"cannot create {runs}: {exc.strerror or exc}") from None
    if not os.access(runs, os.W_OK):
        raise UsageProblem(f"{runs} is not writable")


def _run_crawl(settings: Any, names: list[Any], args: argparse.Namespace, state_dir: Path,
               plan: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    from scrapy.crawler import CrawlerProcess

    from newsbot.extensions import run_file, spider_summary, write_run_file

    started = datetime.now(timezone.utc)
    process = CrawlerProcess(settings)  # installs Scrapy's root log handler (LOG_* settings) by default
    crawlers = {}
    kwargs = {"since": args.since, "until": args.until} if args.since else {}
    for spider in names:  # a registered site's name, or the class of a site crawled by URL
        crawler = process.create_crawler(spider)
        crawler.newsbot_cli = True  # this command writes the run's summary file (see RunSummary)
        name = spider if isinstance(spider, str) else spider.name
        crawlers[name] = crawler
        days = (plan or {}).get(name)
        process.crawl(crawler, **({"since": days["since"], "until": days["until"]} if days else kwargs))
    progress = _progress(settings, args, crawlers)
    process.start()
    if progress is not None and progress.running:
        progress.stop()

    summaries = []
    for name, crawler in crawlers.items():
        summary = getattr(crawler, "newsbot_summary", None)
        if summary is None:
            stats = crawler.stats.get_stats() if crawler.stats else {}
            summary = spider_summary(stats, name, "did not start",
                                     refusal=getattr(crawler, "newsbot_refusal", None) or "the spider did not start")
        summaries.append(summary)

    report = {
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "replay": args.replay,
        "since": args.since,
        "until": args.until,
        "spiders": summaries,
    }
    print(format_summary(summaries))
    for s in summaries:
        if s["status"] != "ok":
            print(f"{s['spider']}: {s['status'].upper()}: {s['failure']}")
    path = run_file(state_dir / "runs", started)
    worst = min((c for c in (EXIT_CODES[s["status"]] for s in summaries) if c), default=0)
    try:
        write_run_file(path, report)
        print(f"summary written to {path}")
    except OSError as exc:
        print(f"newsbot: run summary not written to {path}: {exc.strerror or exc}", file=sys.stderr)
        worst = worst or EXIT_CODES["failed"]
    return worst, crawlers


def _progress(settings: Any, args: argparse.Namespace, crawlers: dict[str, Any]) -> Any:
    """On a terminal (not under cron, not with -q): every NEWSBOT_PROGRESS_INTERVAL seconds, one line with the
    sites done, the articles written and the rate, so a long backfill or a many-site crawl is not silent."""
    interval = settings.getfloat("NEWSBOT_PROGRESS_INTERVAL", 10.0)
    if args.quiet or interval <= 0 or not sys.stderr.isatty():
        return None
    import time

    from twisted.internet import task

    last = {"t": time.monotonic(), "written": 0}

    def tick() -> None:
        written = sum(int(c.stats.get_value(f"newsbot/written/{name}", 0) or 0)
                      for name, c in crawlers.items() if c.stats)
        done = sum(1 for c in crawlers.values() if getattr(c, "newsbot_summary", None) is not None)
        now = time.monotonic()
        rate = (written - last["written"]) / max(now - last["t"], 1e-6)
        last.update(t=now, written=written)
        print(f"progress: {done}/{len(crawlers)} sites done, {written:,} articles written, {rate:.1f}/s",
              file=sys.stderr, flush=True)

    loop = task.LoopingCall(tick)
    loop.start(interval, now=False)
    return loop


def format_summary(summaries: list[dict[str, Any]]) -> str:
    head = ("spider", "discovered", "seen", "fetched", "written", "dropped", "pending", "http_err", "dl_err",
            "walls", "errors", "status")
    rows = [head]
    for s in summaries:
        rows.append((
            s["spider"], str(s["discovered"]), str(s["skipped_seen"]), str(s["fetched"]), str(s["written"]),
            ",".join(f"{k}={v}" for k, v in s["dropped"].items()) or "0", str(s.get("pending", 0)),
            ",".join(f"{k}={v}" for k, v in s["http_errors"].items()) or "0", str(s["download_exceptions"]),
            str(s["challenges"]), str(s["errors"]), s["status"],
        ))
    from newsbot.ops import text_table

    return text_table(rows)


def _setting_value(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


# ---- status / gaps -------------------------------------------------------------------------------------------------
def _open_history(state_dir: str) -> Any:
    from newsbot.history import History, HistoryError

    if not (Path(state_dir) / "history.sqlite3").exists():
        raise UsageProblem(f"no run history in {state_dir} (it is written by each crawl; see --state-dir)")
    try:
        return History(state_dir)
    except HistoryError as exc:
        raise UsageProblem(str(exc)) from None


def cmd_status(args: argparse.Namespace) -> int:
    from newsbot.ops import status_table

    history = _open_history(args.state_dir)
    try:
        recorded = history.sites()
        names = args.sites or recorded
        unknown = [n for n in names if n not in recorded]
        if unknown:
            raise UsageProblem(f"no run of {', '.join(unknown)} in the history of {args.state_dir}")
        statuses = [history.status(n, window_days=args.window or 14.0) for n in names]
    finally:
        history.close()
    if args.json:
        for s in statuses:
            print(json.dumps(s.as_dict(), ensure_ascii=False))
    else:
        print(status_table(statuses))
    return 1 if args.check and any(s.flags or s.open_gap for s in statuses) else 0


def cmd_gaps(args: argparse.Namespace) -> int:
    from newsbot.ops import gaps_table

    history = _open_history(args.state_dir)
    try:
        gaps = [g for g in history.gaps() if not args.sites or g.site in args.sites]
    finally:
        history.close()
    if args.json:
        for g in gaps:
            print(json.dumps(g.as_dict(), ensure_ascii=False))
    elif gaps:
        print(gaps_table(gaps))
    else:
        print("no gaps: every run of " + (", ".join(args.sites) if args.sites else "every site") + " succeeded")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from newsbot.report import write_report

    if args.days < 1:
        raise UsageProblem("--days must be at least 1")
    history = _open_history(args.state_dir)
    try:
        recorded = history.sites()
        unknown = [n for n in args.sites if n not in recorded]
        if unknown:
            raise UsageProblem(f"no run of {', '.join(unknown)} in the history of {args.state_dir}")
        try:
            path = write_report(history, Path(args.out), days=args.days, sites=args.sites or None)
        except OSError as exc:
            print(f"newsbot: cannot write the report to {args.out}: {exc.strerror or exc}", file=sys.stderr)
            return 1
    finally:
        history.close()
    print(f"report written to {path}")
    return 0


# ---- state -------------------------------------------------------------------------------------------------------
def cmd_state(args: argparse.Namespace) -> int:
    """``check``: is the store sound, and what does it hold; ``rebuild``: a new seen set from the output."""
    from newsbot.feeds import output_files
    from newsbot.pipelines import record_key
    from newsbot.registry import project_settings, spiders
    from newsbot.state import StateError, StateStore, rebuild

    state_dir = Path(args.state_dir)
    if args.action in ("export", "import"):
        return _state_transfer(args)
    if args.redis:
        if args.action != "check":
            raise UsageProblem("rebuild works on the SQLite store; rebuild it, then `newsbot state export | "
                               "newsbot state import --redis URL -`")
        return _state_transfer(args)
    lock = _lock_state(state_dir, "try again when it has finished")
    if lock is None:
        return EX_TEMPFAIL
    try:
        if args.action == "check":
            try:
                store = StateStore(state_dir)
                problems = store.check()
            except StateError as exc:
                print(f"newsbot: {exc}", file=sys.stderr)
                return 1
            if problems:
                print(f"newsbot: {store.path} is damaged: {problems[0]}; rebuild it with `newsbot state rebuild "
                      f"--state-dir {state_dir} --data-dir DATA_DIR`", file=sys.stderr)
                return 1
            print(f"{store.path}: ok; {store.count()} written, {store.pending_count(kind='article')} pending, "
                  f"settled {store.settled_counts() or 0}")
            store.close()
            return 0
        feeds = project_settings().getdict("NEWSBOT_FEED")
        data_dir = Path(args.data_dir)
        if not data_dir.is_dir():
            raise UsageProblem(f"data directory not found: {data_dir}")
        feeds = {str(data_dir / Path(uri).relative_to(Path(uri).parts[0])): o for uri, o in feeds.items()}
        known = spiders()
        files: list[str] = []
        for name in sorted({p.name for p in data_dir.iterdir() if p.is_dir()} | set(known)):
            files += output_files(feeds, name)

        from newsbot.adhoc import AdhocSpider

        def key(rec: dict) -> tuple[str, str]:
            site = rec.get("site")
            if site and site not in known and not rec.get("news_code"):
                # A site crawled by URL remembers an article without a code by its URL, as its crawl did.
                return site, AdhocSpider.state_key(rec.get("url") or "", "")
            return record_key(rec, known.get(site))

        marked, moved = rebuild(state_dir, files, key)
        if moved:
            print(f"old database kept as {moved}")
        print(f"rebuilt {state_dir / 'seen.sqlite3'}: {marked} articles from {len(files)} output file(s)")
        return 0
    finally:
        lock.release()


def _state_transfer(args: argparse.Namespace) -> int:
    """export / import (and check with --redis): one JSON object per row, the same for SQLite and Redis."""
    import json

    from newsbot.state import StateError, StateStore

    lock = None
    try:
        if args.redis:
            from newsbot.redisstore import RedisStateStore

            store: Any = RedisStateStore(args.redis, retry_seconds=0)
        else:
            lock = _lock_state(Path(args.state_dir), "try again when it has finished")
            if lock is None:
                return EX_TEMPFAIL
            if args.action == "export" and not (Path(args.state_dir) / "seen.sqlite3").is_file():
                raise UsageProblem(f"no state store in {args.state_dir} (no seen.sqlite3)")
            store = StateStore(args.state_dir)
    except StateError as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return 1
    try:
        if args.action == "check":
            problems = store.check()
            if problems:
                print(f"newsbot: {store.path}: {problems[0]}", file=sys.stderr)
                return 1
            print(f"{store.path}: ok; {store.count()} written, {store.pending_count(kind='article')} pending, "
                  f"settled {store.settled_counts() or 0}")
            return 0
        if args.action == "export":
            out = Path(args.out).open("w", encoding="utf-8") if args.out else sys.stdout
            counts: dict[str, int] = {}
            try:
                for row in store.dump():
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
                    counts[row["table"]] = counts.get(row["table"], 0) + 1
            finally:
                if args.out:
                    out.close()
            print(f"exported {_counts(counts)} from {store.path}", file=sys.stderr)
            return 0
        if not args.file:
            raise UsageProblem("state import needs the dump to read: FILE, or - for stdin")
        rows = _dump_rows(sys.stdin if args.file == "-" else _open_dump(args.file), args.file)
        counts = store.load(rows)
        print(f"imported {_counts(counts)} into {store.path}")
        return 0
    except StateError as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
        if lock is not None:
            lock.release()


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts.get(t, 0)} {t}" for t in ("seen", "frontier", "settled"))


def _open_dump(path: str) -> Any:
    try:
        return open(path, encoding="utf-8")  # read lazily by _dump_rows; closed at exit
    except OSError as exc:
        raise UsageProblem(f"cannot read {path}: {exc.strerror or exc}") from None


def _dump_rows(lines: Any, name: str) -> Any:
    """Rows of a dump, checked one by one: a bad line stops the import with its line number (rows before it are
    in, and importing the same dump again is harmless)."""
    import json

    from newsbot.state import OUTCOMES

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            raise UsageProblem(f"{name}:{number}: not JSON; a dump is what `newsbot state export` writes") from None
        ok = (isinstance(row, dict) and row.get("table") in ("seen", "frontier", "settled")
              and isinstance(row.get("site"), str) and isinstance(row.get("key"), str) and row["site"] and row["key"]
              and (row["table"] != "frontier" or isinstance(row.get("url"), str))
              and (row["table"] != "settled" or row.get("outcome") in OUTCOMES))
        if not ok:
            raise UsageProblem(f"{name}:{number}: not a state row (table seen|frontier|settled, site, key, …)")
        yield row


# ---- genspider / record ------------------------------------------------------------------------------------------
def cmd_genspider(args: argparse.Namespace) -> int:
    """Add a site entry to ``spiders/<family>.toml`` and say what the family will request."""
    from newsbot import sites
    from newsbot.families import FAMILIES

    name = args.name
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise UsageProblem("a site name is lowercase ASCII letters, digits and _")
    domain = args.domain.lower().removeprefix("https://").removeprefix("http://").removeprefix("www.").strip("/")
    folder = Path(args.dir) if args.dir else sites.site_folder()
    try:
        known = sites.load(str(folder))
    except sites.SiteDataError as exc:
        raise UsageProblem(str(exc)) from None
    if name in known:
        raise UsageProblem(f"a site named {name!r} exists ({known[name].source}); not overwritten")
    owner = next((s for s in known.values() if domain in s.domains), None)
    if owner:
        raise UsageProblem(f"{domain} belongs to [{owner.name}] ({owner.source})")
    lines = [f"[{name}]"]
    if args.agency:
        lines.append(f"agency = {json.dumps(args.agency, ensure_ascii=False)}")
    lines += [f'family = "{args.family}"', f'domains = ["{domain}"]']
    target = folder / f"{args.family}.toml"
    folder.mkdir(parents=True, exist_ok=True)
    before = target.read_text(encoding="utf-8") if target.exists() else ""
    with target.open("a", encoding="utf-8") as out:
        out.write(("\n" if before and not before.endswith("\n\n") else "") + "\n".join(lines) + "\n")
    sites.load.cache_clear()
    site = sites.load(str(folder))[name]
    print(f"added [{name}] to {target}:")
    print("\n".join("  " + line for line in lines))
    print(f"its {site.family} family requests (relative to {site.base_url}):")
    for label, key in (("feeds", "feeds"), ("news sitemaps", "news_sitemaps"), ("listings", "listings"),
                       ("backfill sitemap indexes", "sitemap_indexes"), ("yearly sitemap", "yearly_sitemap"),
                       ("daily sitemap", "daily_sitemap"), ("archive by date", "archive_by_date")):
        value = site.value(key)
        if value:
            print(f"  {label}: {', '.join(value) if isinstance(value, tuple) else value}")
    patterns = ", ".join(site.article_patterns) or "none (set article_patterns)"
    print(f"  article URLs: paths matching {patterns}")
    print(f"family selectors: newsbot/families/{site.family}.py" if site.family in FAMILIES and site.family != "own"
          else "parser: the generic one (set selectors per field)")
    print(f"next: record two article pages and one of those discovery documents (`newsbot fixture add {name} ...`), "
          f"write their expected records, run `pytest tests/test_fixtures.py -k {name}`; see docs/adding-a-site.md")
    return 0


def cmd_fixture(args: argparse.Namespace) -> int:
    from urllib.parse import quote, urlsplit, urlunsplit

    from newsbot import sites

    try:
        site = sites.get(args.site)
    except KeyError as exc:
        raise UsageProblem(exc.args[0]) from None
    except sites.SiteDataError as exc:
        raise UsageProblem(str(exc)) from None
    folder = Path(args.fixtures or sites.fixtures_folder()) / site.name
    index_path = folder / "responses.json"
    try:
        index = json.loads(index_path.read_text(encoding="utf-8")) if index_path.exists() else []
    except ValueError as exc:
        raise UsageProblem(f"{index_path}: not valid JSON ({exc})") from None
    if args.action == "draft":
        return _draft_expected(site, folder, index)
    problem = _url_problem(args.url)
    if problem:
        raise UsageProblem(f"--url {args.url!r}: {problem}")
    if not site.owns(args.url):
        raise UsageProblem(f"{args.url} is not on {site.name}'s domains ({', '.join(site.domains)})")
    body = _read_input(args.file)
    parts = urlsplit(args.url)
    # The URL as the spider requests it: a browser's percent-encoding of the path and query, nothing else changed.
    url = urlunsplit((parts.scheme, parts.netloc, quote(parts.path, safe="/-_.~%!$&'()*+,;=:@"),
                      quote(parts.query, safe="=&%/:+,;-_.~"), ""))
    content_type = args.content_type or _guess_type(body, parts.path)
    is_article = site.news_code_of(url) is not None and "html" in content_type
    existing = {e.get("url"): e for e in index}
    name = existing.get(url, {}).get("file") or _fixture_name(folder, parts.path, content_type, is_article)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(body)
    entry = {"url": url, "status": args.status, "headers": {"Content-Type": content_type}, "file": name}
    existing[url] = entry
    index_path.write_text("[\n" + ",\n".join("  " + json.dumps(e, ensure_ascii=False) for e in existing.values())
                          + "\n]\n", encoding="utf-8")
    kind = "article" if is_article else "discovery document" if name != "robots.txt" else "robots.txt"
    print(f"{folder / name} ({kind}) <- {url}")
    if is_article and not (folder / (Path(name).stem + ".expected.json")).exists():
        print(f"next: `newsbot fixture draft {site.name}`, then check every field of the draft against the page")
    return 0


def _guess_type(body: bytes, path: str) -> str:
    head = body[:512].lstrip().lower()
    if path.endswith("robots.txt"):
        return "text/plain; charset=utf-8"
    if head.startswith(b"<?xml") or b"<rss" in head or b"<urlset" in head or b"<sitemapindex" in head:
        return "application/rss+xml; charset=utf-8" if b"<rss" in body[:2048].lower() else \
            "application/xml; charset=utf-8"
    return "text/html; charset=utf-8"


def _fixture_name(folder: Path, path: str, content_type: str, is_article: bool) -> str:
    if path.endswith("robots.txt"):
        return "robots.txt"
    if is_article:
        n = 1
        while (folder / f"article-{n}.html").exists():
            n += 1
        return f"article-{n}.html"
    stem = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-").lower() or "home"
    ext = ".xml" if "xml" in content_type else ".html"
    stem = stem if "sitemap" in stem or "rss" in stem or "feed" in stem or ext == ".html" else f"feed-{stem}"
    name, i = stem + ext, 1
    while (folder / name).exists():
        i += 1
        name = f"{stem}-{i}{ext}"
    return name


def _draft_expected(site: Any, folder: Path, index: list[dict[str, Any]]) -> int:
    from newsbot.extract import NotAnArticle, extract_article
    from newsbot.sites import UNREVIEWED

    written = 0
    for entry in index:
        file = entry.get("file") or ""
        if not file.startswith("article") or not file.endswith(".html"):
            continue
        target = folder / (Path(file).stem + ".expected.json")
        if target.exists():
            continue
        try:
            record = extract_article((folder / file).read_bytes(), entry["url"], spider=site.name,
                                     headers=entry.get("headers") or {})
        except NotAnArticle as exc:
            print(f"newsbot: {file}: not an article ({exc}); no draft written", file=sys.stderr)
            continue
        record.pop("crawled_at", None)
        draft = {UNREVIEWED: "check every field against the page, correct it, then delete this key", **record}
        target.write_text(json.dumps(draft, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {target} (unreviewed)")
        written += 1
    if not written:
        print("no article page without an expected record")
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
