"""Extraction quality against the gold pages: newsbot and the tools people would use instead.

For every gold page (fixtures/<spider>/article-N and fixtures/_generic/page-NN) and every tool: body token
precision/recall/F1, exact title, publish time (to the minute, with and without the Tehran offset), news code,
half-spaces kept and Arabic letters left. Writes bench/out/quality.{json,md}.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import traceback
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from statistics import mean
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import NOW, Page, html_to_text, load_pages, md_table, write_out

from newsbot.text import ZWNJ, normalize_text

warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)

TEHRAN = ZoneInfo("Asia/Tehran")
ARABIC = "\u064a\u0649\u0643"  # ي ى ك


@dataclass
class Output:
    title: str | None = None
    body: str | None = None
    date: Any = None  # datetime, str or None
    news_code: str | None = None
    error: str | None = None


# ---- the tools ---------------------------------------------------------------------------------------------------
def tool_newsbot(html: str, url: str) -> Output:
    from newsbot import NotAnArticle, extract_article

    try:
        rec = extract_article(html, url, now=NOW)
    except NotAnArticle as exc:
        return Output(error=f"NotAnArticle: {exc}")
    return Output(rec["title"], rec["body"], rec["published_at"], rec["news_code"])


def tool_newsbot_generic(html: str, url: str) -> Output:
    from parsel import Selector

    from newsbot.pipelines import finalize_record
    from newsbot.spider import parse_page

    rec = parse_page(Selector(text=html), url, None, now=NOW)
    rec, problems = finalize_record(rec, now=NOW)
    return Output(rec["title"], rec["body"], rec["published_at"], rec["news_code"],
                  error=f"would drop: {problems.drop}" if problems.drop else None)


_TRAF_META: dict[str, Any] = {}


def _traf_meta(html: str, url: str) -> Any:
    import trafilatura

    key = f"{url}:{len(html)}"
    if key not in _TRAF_META:
        _TRAF_META[key] = trafilatura.extract_metadata(html, default_url=url)
    return _TRAF_META[key]


def tool_trafilatura(html: str, url: str) -> Output:
    import trafilatura

    meta = _traf_meta(html, url)
    return Output(meta.title if meta else None, trafilatura.extract(html, url=url), meta.date if meta else None)


def tool_trafilatura_precision(html: str, url: str) -> Output:
    import trafilatura

    meta = _traf_meta(html, url)
    return Output(meta.title if meta else None, trafilatura.extract(html, url=url, favor_precision=True),
                  meta.date if meta else None)


def tool_newspaper(html: str, url: str) -> Output:
    import newspaper

    a = newspaper.Article(url)
    a.download(input_html=html)
    a.parse()
    return Output(a.title, a.text, a.publish_date)


def tool_readability(html: str, url: str) -> Output:
    from readability import Document

    doc = Document(html)
    return Output(doc.short_title(), html_to_text(doc.summary()), None)


_GOOSE: list[Any] = []


def tool_goose(html: str, url: str) -> Output:
    import goose3

    if not _GOOSE:
        _GOOSE.append(goose3.Goose())
    art = _GOOSE[0].extract(raw_html=html)
    return Output(art.title, art.cleaned_text, art.publish_date)


def tool_justext(html: str, url: str) -> Output:
    import justext

    paragraphs = justext.justext(html, justext.get_stoplist("Persian"))
    return Output(None, "\n".join(p.text for p in paragraphs if not p.is_boilerplate), None)


def tool_iran_news_mcp(html: str, url: str) -> Output:
    from iran_news_mcp.article import extract

    got = extract(html.encode("utf-8"))
    return Output(got.get("title"), got.get("text"), got.get("published"))


def tool_trafilatura_no_comments(html: str, url: str) -> Output:
    import trafilatura

    meta = _traf_meta(html, url)
    return Output(meta.title if meta else None, trafilatura.extract(html, url=url, include_comments=False),
                  meta.date if meta else None)


def iran_news_mcp_status() -> str | None:
    """None when the package imports and its extractor runs offline, else why not."""
    try:
        from iran_news_mcp.article import extract

        extract(b"<html><body><div itemprop='articleBody'><p>\u0622\u0632\u0645\u0648\u0646</p></div></body></html>")
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


# (name, function, gives dates, gives title)
TOOLS: list[tuple[str, Callable[[str, str], Output], bool, bool]] = [
    ("newsbot", tool_newsbot, True, True),
    ("newsbot generic", tool_newsbot_generic, True, True),
    ("trafilatura", tool_trafilatura, True, True),
    ("trafilatura precision", tool_trafilatura_precision, True, True),
    ("newspaper4k", tool_newspaper, True, True),
    ("readability-lxml", tool_readability, False, True),
    ("goose3", tool_goose, True, True),
    ("jusText", tool_justext, False, False),
    ("iran-news-mcp", tool_iran_news_mcp, True, True),
]
# Only in the robustness table: trafilatura's default keeps comment threads (include_comments=True).
EXTRA_PADDED = [("trafilatura include_comments=False", tool_trafilatura_no_comments, True, True)]


# ---- metrics -----------------------------------------------------------------------------------------------------
def tokens(text: str | None, *, drop_zwnj: bool = False) -> list[str]:
    """Whitespace tokens after newsbot's normalisation of each line (Arabic letters mapped, ZWNJ kept)."""
    out: list[str] = []
    for line in (text or "").split("\n"):
        norm = normalize_text(line)
        if norm:
            out += (norm.replace(ZWNJ, "") if drop_zwnj else norm).split()
    return out


def prf(got: list[str], want: list[str]) -> tuple[float, float, float]:
    if not got or not want:
        return 0.0, 0.0, 0.0
    overlap = sum((Counter(got) & Counter(want)).values())
    p, r = overlap / len(got), overlap / len(want)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _parse_date(value: Any) -> tuple[str, datetime | None]:
    """('none'|'day'|'naive'|'aware', value): what kind of date the tool gave."""
    if value is None or value == "":
        return "none", None
    if isinstance(value, datetime):
        dt = value
    else:
        text = str(value).strip()
        if len(text) <= 10:
            try:
                return "day", datetime.fromisoformat(text[:10])
            except ValueError:
                return "none", None
        try:
            dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            from dateutil import parser as du

            try:
                dt = du.parse(text)
            except (ValueError, OverflowError):
                return "none", None
    return ("aware" if dt.tzinfo is not None and dt.utcoffset() is not None else "naive"), dt


def judge_date(value: Any, expected_iso: str | None) -> dict[str, Any]:
    """exact: same minute and same offset as the gold; instant: same minute in any offset; day: Tehran day."""
    kind, dt = _parse_date(value)
    res = {"date_kind": kind, "date_exact": False, "date_instant": False, "date_day": False}
    if not expected_iso or dt is None:
        return res
    want = datetime.fromisoformat(expected_iso)
    res["date_day"] = dt.date() == want.astimezone(TEHRAN).date() if kind != "aware" else \
        dt.astimezone(TEHRAN).date() == want.astimezone(TEHRAN).date()
    if kind == "aware":
        same_minute = dt.replace(second=0, microsecond=0) == want.replace(second=0, microsecond=0)
        res["date_instant"] = same_minute
        res["date_exact"] = same_minute and dt.utcoffset() == want.utcoffset()
    return res


def score(page: Page, out: Output, *, gives_date: bool, gives_title: bool, is_newsbot: bool) -> dict[str, Any]:
    exp = page.expected
    want_body = exp.get("body") or ""
    p, r, f = prf(tokens(out.body), tokens(want_body))
    _, _, f_blind = prf(tokens(out.body, drop_zwnj=True), tokens(want_body, drop_zwnj=True))
    raw = (out.title or "") + "\n" + (out.body or "")
    row: dict[str, Any] = {
        "precision": p, "recall": r, "f1": f, "f1_zwnj_blind": f_blind,
        "title": (normalize_text(out.title) == exp.get("title")) if gives_title else None,
        "zwnj_kept": (out.body or "").count(ZWNJ) / want_body.count(ZWNJ) if want_body.count(ZWNJ) else None,
        "zwnj_error": abs((out.body or "").count(ZWNJ) / want_body.count(ZWNJ) - 1) if want_body.count(ZWNJ) else None,
        "arabic_letters": sum(raw.count(ch) for ch in ARABIC),
        "news_code": (out.news_code == exp.get("news_code")) if is_newsbot else None,
        "error": out.error,
        "empty": not (out.body or "").strip(),
    }
    if gives_date:
        row.update(judge_date(out.date, exp.get("published_at")))
        row["date_raw"] = out.date.isoformat() if isinstance(out.date, datetime) else out.date
    else:
        row.update(date_kind=None, date_exact=None, date_instant=None, date_day=None, date_raw=None)
    return row


def run_tool(fn: Callable[[str, str], Output], html: str, url: str) -> tuple[Output, float]:
    start = time.perf_counter()
    try:
        out = fn(html, url)
    except Exception as exc:
        out = Output(error=f"{type(exc).__name__}: {exc}"[:300])
        traceback.print_exc(limit=2, file=sys.stderr)
    return out, time.perf_counter() - start


# ---- aggregation -------------------------------------------------------------------------------------------------
def _avg(rows: list[dict[str, Any]], key: str) -> float | None:
    vals = [float(r[key]) for r in rows if r.get(key) is not None]
    return mean(vals) if vals else None


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{100 * v:.1f}"


def _num(v: float | None, digits: int = 3) -> str:
    return "n/a" if v is None else f"{v:.{digits}f}"


AGG_COLUMNS = [
    ("P", "precision", _num), ("R", "recall", _num), ("F1", "f1", _num), ("F1 ZWNJ-blind", "f1_zwnj_blind", _num),
    ("title exact %", "title", _pct), ("date exact %", "date_exact", _pct), ("date instant %", "date_instant", _pct),
    ("date day %", "date_day", _pct), ("news code %", "news_code", _pct), ("ZWNJ kept", "zwnj_kept", _num),
    ("ZWNJ error", "zwnj_error", _num),
    ("Arabic letters/page", "arabic_letters", lambda v: _num(v, 1)), ("empty %", "empty", _pct),
]
HIGHER_IS_BETTER = {k: True for _, k, _ in AGG_COLUMNS}
HIGHER_IS_BETTER.update(arabic_letters=False, empty=False, zwnj_error=False)


def aggregate(results: list[dict[str, Any]], tool_names: list[str]) -> dict[str, dict[str, float | None]]:
    agg: dict[str, dict[str, float | None]] = {}
    for name in tool_names:
        rows = [r for r in results if r["tool"] == name]
        agg[name] = {key: _avg(rows, key) for _, key, _ in AGG_COLUMNS}
        agg[name]["pages"] = len(rows)
        agg[name]["errors"] = sum(1 for r in rows if r["error"] and not r["error"].startswith("would drop"))
    return agg


def losses(agg: dict[str, dict[str, float | None]], per_site: dict[str, dict[str, float]], ref: str = "newsbot"
           ) -> list[str]:
    """Every column and site where some tool scores better than ``ref``."""
    out = []
    mine = agg[ref]
    for label, key, fmt in AGG_COLUMNS:
        if mine.get(key) is None:
            continue
        better = []
        for name, vals in agg.items():
            if name == ref or vals.get(key) is None:
                continue
            if key == "zwnj_kept":  # judged per page by "ZWNJ error": page errors of both signs cancel here
                continue
            a, b = vals[key], mine[key]
            if (a > b + 1e-9) if HIGHER_IS_BETTER[key] else (a < b - 1e-9):
                better.append(f"{name} {fmt(a)}")
        if better:
            out.append(f"{label}: newsbot {fmt(mine[key])}; better: " + ", ".join(better))
    for site, vals in per_site.items():
        nb = vals.get(ref)
        better = [f"{n} {v:.3f}" for n, v in vals.items() if n != ref and nb is not None and v > nb + 1e-9]
        if better:
            out.append(f"F1 on {site}: newsbot {nb:.3f}; better: " + ", ".join(better))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--no-padded", action="store_true", help="skip the padded (~150 KB) robustness pass")
    args = ap.parse_args()

    pages = load_pages()
    mcp_problem = iran_news_mcp_status()
    tools = [t for t in TOOLS if t[0] != "iran-news-mcp" or mcp_problem is None]
    names = [t[0] for t in tools]
    results: list[dict[str, Any]] = []
    padded_results: list[dict[str, Any]] = []
    extra_results: list[dict[str, Any]] = []  # EXTRA_PADDED tools on the original pages
    seconds: dict[str, float] = defaultdict(float)
    t0 = time.perf_counter()
    for page in pages:
        for name, fn, gives_date, gives_title in tools:
            out, took = run_tool(fn, page.html, page.url)
            seconds[name] += took
            row = score(page, out, gives_date=gives_date, gives_title=gives_title, is_newsbot=name == "newsbot")
            row.update(tool=name, page=page.name, site=page.site, group="spider" if page.spider else "generic",
                       got_title=out.title, seconds=took)
            results.append(row)
            if not args.no_padded:
                out, _ = run_tool(fn, page.padded, page.url)
                prow = score(page, out, gives_date=gives_date, gives_title=gives_title, is_newsbot=name == "newsbot")
                prow.update(tool=name, page=page.name, site=page.site, group=row["group"])
                padded_results.append(prow)
        if not args.no_padded:
            for name, fn, gives_date, gives_title in EXTRA_PADDED:
                for rows_, html in ((extra_results, page.html), (padded_results, page.padded)):
                    out, _ = run_tool(fn, html, page.url)
                    row = score(page, out, gives_date=gives_date, gives_title=gives_title, is_newsbot=False)
                    row.update(tool=name, page=page.name, site=page.site, group="spider" if page.spider else "generic")
                    rows_.append(row)
    elapsed = time.perf_counter() - t0

    agg = aggregate(results, names)
    per_site: dict[str, dict[str, float]] = {}
    for site in dict.fromkeys(p.site for p in pages):
        per_site[site] = {n: mean(r["f1"] for r in results if r["site"] == site and r["tool"] == n) for n in names}
    by_group = {
        g: {n: mean(r["f1"] for r in results if r["group"] == g and r["tool"] == n) for n in names}
        for g in ("spider", "generic")
    }
    padded_names = names + [t[0] for t in EXTRA_PADDED] if padded_results else []
    original_f1 = {n: mean(r["f1"] for r in results + extra_results if r["tool"] == n) for n in padded_names}
    padded_f1 = {n: mean(r["f1"] for r in padded_results if r["tool"] == n) for n in padded_names}
    padded_by_group = {
        g: {n: mean(r["f1"] for r in padded_results if r["group"] == g and r["tool"] == n) for n in padded_names}
        for g in ("spider", "generic")
    }
    lost = losses(agg, per_site)

    # ---- markdown ----
    n_spider = sum(1 for p in pages if p.spider)
    md = [f"## Extraction quality ({len(pages)} gold pages: {n_spider} on spider sites, "
          f"{len(pages) - n_spider} on sites without a spider)", ""]
    md.append("Macro average over pages. P/R/F1: body token precision/recall/F1 after newsbot's normalisation of "
              "every tool's output (so Arabic letters do not cost F1; a deleted half-space does). "
              "*F1 ZWNJ-blind*: the same with every ZWNJ removed on both sides (content choice alone). "
              "*date exact*: same minute and the Tehran offset of the gold record; *date instant*: same minute in any "
              "offset; *date day*: right Tehran calendar day (a tool giving only a day, or a time without an offset, "
              "scores 0 on exact and instant). *ZWNJ kept*: ZWNJ count in the output body / in the gold body (above "
              "1 means extra text); *ZWNJ error*: mean over pages of |kept - 1|. *Arabic letters/page*: ي ى ك "
              "in the raw title+body. n/a: the tool has no such output.")
    md.append("")
    headers = ["tool", *[c[0] for c in AGG_COLUMNS], "F1 spider pages", "F1 generic pages", "errors"]
    rows = []
    for n in names:
        a = agg[n]
        rows.append([f"**{n}**" if n == "newsbot" else n, *[fmt(a[key]) for _, key, fmt in AGG_COLUMNS],
                     _num(by_group["spider"][n]), _num(by_group["generic"][n]), a["errors"]])
    md.append(md_table(headers, rows))
    md.append("")
    md.append("Notes: *newsbot* on the generic pages is its generic extractor (no spider owns those sites); "
              "*newsbot generic* runs the generic extractor on every page, spider sites included. trafilatura's "
              "title and date come from `extract_metadata` (the same for both trafilatura rows); its date is a day "
              "only (`%Y-%m-%d`), so it can only score on *date day*. newspaper4k's `publish_date`, goose3's "
              "`publish_date` and iran-news-mcp's `published` come from the page's metadata (usually UTC "
              "`article:published_time`), so they can be right on *instant* without the Tehran offset. jusText "
              "gives neither title nor date; readability-lxml gives no date. The news code is a newsbot field only.")
    if mcp_problem:
        md.append("")
        md.append(f"iran-news-mcp could not be used offline here: {mcp_problem}")
    else:
        md.append("")
        md.append("iran-news-mcp is on PyPI; its `iran_news_mcp.article.extract(page_bytes)` (the body of its "
                  "`nw_article` tool, minus the download) was run offline on the same HTML.")
    md.append("")
    md.append("### F1 per site")
    md.append("")
    md.append(md_table(["site", *names], [[s, *[_num(v[n]) for n in names]] for s, v in per_site.items()]))
    if padded_results:
        md.append("")
        md.append("### Robustness: F1 on the padded (~150 KB) variants")
        md.append("")
        md.append("The same pages grown to ~150 KB with generated junk (mega menu, inline scripts and JSON, related "
                  "boxes, a 40-comment thread in Persian) before and after the untouched article block; see "
                  "`bench/common.py:pad_page`.")
        md.append("")
        md.append(md_table(
            ["tool", "F1 original", "F1 padded", "F1 padded, spider pages", "F1 padded, generic pages"],
            [[n, _num(original_f1[n]), _num(padded_f1[n]), _num(padded_by_group["spider"][n]),
              _num(padded_by_group["generic"][n])] for n in padded_names]))
        md.append("")
        md.append("trafilatura's default is `include_comments=True`, so on a page with a comment thread its text "
                  "carries the comments; the last row turns that off. The 40-comment thread is generated, so the "
                  "size of that drop depends on the padding; the direction does not.")
    bad = [r for r in results if r["tool"] == "newsbot" and (r["f1"] < 0.999 or r["title"] is False
                                                              or r["date_exact"] is False or r["news_code"] is False)]
    md.append("")
    md.append("### Pages where newsbot is not perfect")
    md.append("")
    if bad:
        md.append(md_table(["page", "P", "R", "F1", "title", "date exact", "news code", "error"], [
            [r["page"], _num(r["precision"]), _num(r["recall"]), _num(r["f1"]), r["title"], r["date_exact"],
             r["news_code"], r["error"] or ""] for r in bad]))
    else:
        md.append("None: newsbot's record matches every gold page on body, title, date and news code.")
    md.append("")
    md.append(f"Quality pass: {elapsed:.1f} s wall time for {len(pages)} pages x {len(names)} tools"
              + (" (x2 with the padded pass)." if padded_results else "."))

    data = {"pages": len(pages), "tools": names, "iran_news_mcp_problem": mcp_problem, "aggregate": agg,
            "per_site_f1": per_site, "f1_by_group": by_group, "padded_f1": padded_f1, "original_f1": original_f1,
            "padded_f1_by_group": padded_by_group, "losses": lost, "results": results,
            "padded_results": padded_results, "seconds_per_tool": dict(seconds), "elapsed": elapsed}
    write_out("quality", data, "\n".join(md))
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
