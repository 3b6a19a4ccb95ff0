"""Extraction quality against the gold pages: newsbot and the tools people would use instead.

For every gold page (fixtures/<spider>/article-N, fixtures/_generic/page-NN and fixtures/_wild/<folder>/*) and
every tool: body token precision/recall/F1, exact title, kicker and lead, publish time (to the minute, with and
without the Tehran offset, and to the second), news code, whole pages (newsbot), half-spaces kept and Arabic
letters left; tables for all pages and for each group. Writes bench/out/quality.{json,md}.
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
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from statistics import mean
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import GENERIC_URLS, GROUPS, NOW, Page, html_to_text, load_pages, md_table, write_out

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
    kicker: str | None = None  # only tools with such a field (newsbot); None elsewhere, and scored n/a there
    lead: str | None = None
    error: str | None = None
    record: dict[str, Any] | None = field(default=None, repr=False)  # newsbot's whole record


# ---- the tools ---------------------------------------------------------------------------------------------------
def tool_newsbot(html: str, url: str) -> Output:
    from newsbot import NotAnArticle, extract_article

    try:
        rec = extract_article(html, url, now=NOW, generic=url in GENERIC_URLS)
    except NotAnArticle as exc:
        return Output(error=f"NotAnArticle: {exc}")
    return Output(rec["title"], rec["body"], rec["published_at"], rec["news_code"], rec["kicker"], rec["lead"],
                  record=rec)


def tool_newsbot_generic(html: str, url: str) -> Output:
    from parsel import Selector

    from newsbot.extract import parse_page
    from newsbot.finalize import finalize_record

    rec = parse_page(Selector(text=html), url, None, now=NOW)
    rec, problems = finalize_record(rec, now=NOW)
    return Output(rec["title"], rec["body"], rec["published_at"], rec["news_code"], rec["kicker"], rec["lead"],
                  error=f"would drop: {problems.drop}" if problems.drop else None, record=rec)


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
    # Its documented output is {title, lead, published, text}: "lead" is its own field (the description meta).
    return Output(got.get("title"), got.get("text"), got.get("published"), lead=got.get("lead"))


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


@dataclass(frozen=True)
class Tool:
    name: str
    fn: Callable[[str, str], Output]
    gives_date: bool
    gives_title: bool
    gives_kicker: bool = False  # a field of the tool's own output that is the kicker (سوتیتر / روتیتر)
    gives_lead: bool = False  # likewise the lead (لید); a description meta or a summary is not one


# Kicker and lead: newsbot's record has both. Of the others only iran-news-mcp has a field named lead (it is the
# page's description meta); trafilatura's `description`, newspaper4k's `meta_description`/`summary` and goose3's
# `meta_description` are not leads, so those tools are n/a there rather than scored on a field they do not have.
TOOLS: list[Tool] = [
    Tool("newsbot", tool_newsbot, True, True, True, True),
    Tool("newsbot generic", tool_newsbot_generic, True, True, True, True),
    Tool("trafilatura", tool_trafilatura, True, True),
    Tool("trafilatura precision", tool_trafilatura_precision, True, True),
    Tool("newspaper4k", tool_newspaper, True, True),
    Tool("readability-lxml", tool_readability, False, True),
    Tool("goose3", tool_goose, True, True),
    Tool("jusText", tool_justext, False, False),
    Tool("iran-news-mcp", tool_iran_news_mcp, True, True, False, True),
]
NEWSBOT_ROWS = ("newsbot", "newsbot generic")  # the rows scored on *pages whole*
# Only in the robustness table: trafilatura's default keeps comment threads (include_comments=True).
EXTRA_PADDED = [Tool("trafilatura include_comments=False", tool_trafilatura_no_comments, True, True)]
GROUP_LABEL = {"spider": "spider pages", "generic": "old generic set", "wild": "wild set"}
WHOLE_F1 = 0.98  # body F1 a whole page needs


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


_ABSENT = object()  # the gold record has no such key (the old generic set has no kicker): not scored


def _text(value: Any) -> str | None:
    """A tool's text field, normalised; empty means none."""
    return (normalize_text(value) or None) if value else None


def _gold_text(exp: dict[str, Any], key: str) -> Any:
    """The gold value of a text field, "" read as null; _ABSENT when the gold record does not have the key."""
    return (exp[key] or None) if key in exp else _ABSENT


def judge_second(value: Any, expected_iso: str | None) -> bool | None:
    """Same second and same offset as the gold; None (not scored) when the gold's seconds are :00 or it has none."""
    if not expected_iso:
        return None
    want = datetime.fromisoformat(expected_iso)
    if want.second == 0:
        return None
    kind, dt = _parse_date(value)
    if kind != "aware" or dt is None:
        return False
    return dt.replace(microsecond=0) == want.replace(microsecond=0) and dt.utcoffset() == want.utcoffset()


def score(page: Page, out: Output, tool: Tool, *, is_newsbot: bool) -> dict[str, Any]:
    exp = page.expected
    want_body = exp.get("body") or ""
    p, r, f = prf(tokens(out.body), tokens(want_body))
    _, _, f_blind = prf(tokens(out.body, drop_zwnj=True), tokens(want_body, drop_zwnj=True))
    raw = (out.title or "") + "\n" + (out.body or "")
    row: dict[str, Any] = {
        "precision": p, "recall": r, "f1": f, "f1_zwnj_blind": f_blind,
        "title": (normalize_text(out.title) == exp.get("title")) if tool.gives_title else None,
        "zwnj_kept": (out.body or "").count(ZWNJ) / want_body.count(ZWNJ) if want_body.count(ZWNJ) else None,
        "zwnj_error": abs((out.body or "").count(ZWNJ) / want_body.count(ZWNJ) - 1) if want_body.count(ZWNJ) else None,
        "arabic_letters": sum(raw.count(ch) for ch in ARABIC),
        "news_code": (out.news_code == exp.get("news_code")) if is_newsbot else None,
        "error": out.error,
        "empty": not (out.body or "").strip(),
    }
    # Kicker and lead: *exact* over pages whose gold has one, *no false* (the tool gives none) over pages whose
    # gold is null; n/a for a tool without the field, and for a gold record without the key.
    for key, gives in (("kicker", tool.gives_kicker), ("lead", tool.gives_lead)):
        want, got = _gold_text(exp, key), _text(getattr(out, key))
        row[key] = (got == want) if gives and want is not _ABSENT and want is not None else None
        row[f"{key}_no_false"] = (got is None) if gives and want is None else None
        row[f"{key}_ok"] = (got == want) if gives and want is not _ABSENT else None  # right, null or not
        row[f"got_{key}"] = got
    if tool.gives_date:
        row.update(judge_date(out.date, exp.get("published_at")))
        row["date_second"] = judge_second(out.date, exp.get("published_at"))
        row["date_raw"] = out.date.isoformat() if isinstance(out.date, datetime) else out.date
    else:
        row.update(date_kind=None, date_exact=None, date_instant=None, date_day=None, date_second=None,
                   date_raw=None)
    # Pages whole (newsbot rows): title, kicker, lead, publish time to the minute with the offset, news code and
    # body F1 >= WHOLE_F1, all right (a null in the gold must be a null in the record). A field the gold record
    # does not have (the old generic set's kicker) is not held against the page.
    if tool.name in NEWSBOT_ROWS:
        want_date = exp.get("published_at")
        wrong = []
        if not row["title"]:
            wrong.append("title")
        wrong += [key for key in ("kicker", "lead") if row[f"{key}_ok"] is False]
        if not (row["date_exact"] if want_date else out.date in (None, "")):
            wrong.append("published_at")
        if out.news_code != exp.get("news_code"):
            wrong.append("news_code")
        if f < WHOLE_F1:
            wrong.append("body")
        row["whole"] = not wrong
        row["wrong"] = wrong
        # Not in *whole*, listed for the wild pages that are not: the other fields of the gold record.
        row["also_wrong"] = [key for key in ("modified_at", "attribution", "category", "authors")
                             if key in exp and out.record is not None and out.record.get(key) != exp[key]]
        row["got_news_code"] = out.news_code
    else:
        row.update(whole=None, wrong=None, also_wrong=None)
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


def _cell(text: Any, width: int = 60) -> str:
    """A value for a markdown table cell: one line, no pipe, cut to ``width`` characters."""
    s = "null" if text is None else str(text)
    s = s.replace("\n", " ").replace("|", "\\|")
    return s if len(s) <= width else s[: width - 1] + "…"


AGG_COLUMNS = [
    ("P", "precision", _num), ("R", "recall", _num), ("F1", "f1", _num), ("F1 ZWNJ-blind", "f1_zwnj_blind", _num),
    ("title exact %", "title", _pct),
    ("kicker exact %", "kicker", _pct), ("no false kicker %", "kicker_no_false", _pct),
    ("lead exact %", "lead", _pct), ("no false lead %", "lead_no_false", _pct),
    ("date exact %", "date_exact", _pct), ("date instant %", "date_instant", _pct),
    ("date day %", "date_day", _pct), ("date exact to the second %", "date_second", _pct),
    ("news code %", "news_code", _pct), ("pages whole %", "whole", _pct), ("ZWNJ kept", "zwnj_kept", _num),
    ("ZWNJ error", "zwnj_error", _num),
    ("Arabic letters/page", "arabic_letters", lambda v: _num(v, 1)), ("empty %", "empty", _pct),
]
HIGHER_IS_BETTER = {k: True for _, k, _ in AGG_COLUMNS}
HIGHER_IS_BETTER.update(arabic_letters=False, empty=False, zwnj_error=False)
# How many pages each "over pages whose gold ..." column is taken over (shown under each table).
DENOMINATORS = [("kicker", "kicker exact"), ("kicker_no_false", "no false kicker"), ("lead", "lead exact"),
                ("lead_no_false", "no false lead"), ("date_second", "to the second")]


def aggregate(results: list[dict[str, Any]], tool_names: list[str]) -> dict[str, dict[str, float | None]]:
    agg: dict[str, dict[str, float | None]] = {}
    for name in tool_names:
        rows = [r for r in results if r["tool"] == name]
        agg[name] = {key: _avg(rows, key) for _, key, _ in AGG_COLUMNS}
        agg[name]["pages"] = len(rows)
        agg[name]["errors"] = sum(1 for r in rows if r["error"] and not r["error"].startswith("would drop"))
        agg[name]["scored_on"] = {key: sum(1 for r in rows if r.get(key) is not None) for key, _ in DENOMINATORS}
    return agg


def losses(agg: dict[str, dict[str, float | None]], per_site: dict[str, dict[str, float]], ref: str = "newsbot",
           where: str = "") -> list[str]:
    """Every column and site where some tool scores better than ``ref`` (``where``: the group, for the label)."""
    out = []
    mine = agg.get(ref)
    if not mine or not mine.get("pages"):
        return out
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
            out.append(f"{where}{label}: newsbot {fmt(mine[key])}; better: " + ", ".join(better))
    for site, vals in per_site.items():
        nb = vals.get(ref)
        better = [f"{n} {v:.3f}" for n, v in vals.items()
                  if n != ref and nb is not None and v is not None and v > nb + 1e-9]
        if better:
            out.append(f"{where}F1 on {site}: newsbot {nb:.3f}; better: " + ", ".join(better))
    return out


def quality_table(agg: dict[str, dict[str, Any]], names: list[str], extra: list[tuple[str, Callable[[str], str]]]
                  = ()) -> str:
    headers = ["tool", *[c[0] for c in AGG_COLUMNS], *[h for h, _ in extra], "errors"]
    rows = []
    for n in names:
        a = agg[n]
        rows.append([f"**{n}**" if n == "newsbot" else n, *[fmt(a[key]) for _, key, fmt in AGG_COLUMNS],
                     *[cell(n) for _, cell in extra], a["errors"]])
    return md_table(headers, rows)


def denominators_line(agg: dict[str, dict[str, Any]]) -> str:
    """On how many pages the kicker, lead and to-the-second columns are taken (newsbot's row; the gold decides)."""
    n = (agg.get("newsbot") or {}).get("scored_on") or {}
    parts = [f"{label} over {n.get(key, 0)}" for key, label in DENOMINATORS]
    return "Pages scored: " + ", ".join(parts) + f" of {(agg.get('newsbot') or {}).get('pages', 0)}."


def peer_beats(results: list[dict[str, Any]], margin: float = 0.02) -> list[dict[str, Any]]:
    """Every page where some other tool's body F1 is more than ``margin`` above newsbot's."""
    by_page: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for r in results:
        by_page[r["page"]][r["tool"]] = r
    out = []
    for page, tools in by_page.items():
        nb = tools.get("newsbot")
        if nb is None:
            continue
        better = {n: r["f1"] for n, r in tools.items() if n not in NEWSBOT_ROWS and r["f1"] > nb["f1"] + margin}
        if better:
            out.append({"page": page, "group": nb["group"], "newsbot_f1": nb["f1"],
                        "better": dict(sorted(better.items(), key=lambda kv: -kv[1]))})
    return out


def _wrong_detail(row: dict[str, Any], page: Page) -> str:
    """What newsbot got wrong on a page, field by field: got -> gold."""
    exp = page.expected
    got = {"title": row["got_title"], "kicker": row["got_kicker"], "lead": row["got_lead"],
           "published_at": row["date_raw"], "news_code": row["got_news_code"]}
    parts = [f"refused ({_cell(row['error'], 120)})"] if row.get("error") else []
    for key in row["wrong"]:
        if key == "body":
            parts.append(f"body F1 {row['f1']:.4f} < {WHOLE_F1} (P {row['precision']:.3f} R {row['recall']:.3f})")
        else:
            parts.append(f"{key} {_cell(got[key], 40)} ≠ {_cell(exp.get(key), 40)}")
    return "; ".join(parts)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--no-padded", action="store_true", help="skip the padded (~150 KB) robustness pass")
    args = ap.parse_args()

    pages = load_pages()
    page_of = {p.name: p for p in pages}
    mcp_problem = iran_news_mcp_status()
    tools = [t for t in TOOLS if t.name != "iran-news-mcp" or mcp_problem is None]
    names = [t.name for t in tools]
    results: list[dict[str, Any]] = []
    padded_results: list[dict[str, Any]] = []
    extra_results: list[dict[str, Any]] = []  # EXTRA_PADDED tools on the original pages
    seconds: dict[str, float] = defaultdict(float)
    t0 = time.perf_counter()
    for page in pages:
        where = dict(page=page.name, site=page.site, group=page.group, folder=page.folder)
        for tool in tools:
            out, took = run_tool(tool.fn, page.html, page.url)
            seconds[tool.name] += took
            row = score(page, out, tool, is_newsbot=tool.name in NEWSBOT_ROWS)
            row.update(tool=tool.name, **where, got_title=out.title, seconds=took)
            results.append(row)
            if not args.no_padded:
                out, _ = run_tool(tool.fn, page.padded, page.url)
                prow = score(page, out, tool, is_newsbot=tool.name in NEWSBOT_ROWS)
                prow.update(tool=tool.name, **where)
                padded_results.append(prow)
        if not args.no_padded:
            for tool in EXTRA_PADDED:
                for rows_, html in ((extra_results, page.html), (padded_results, page.padded)):
                    out, _ = run_tool(tool.fn, html, page.url)
                    row = score(page, out, tool, is_newsbot=False)
                    row.update(tool=tool.name, **where)
                    rows_.append(row)
    elapsed = time.perf_counter() - t0

    groups = [g for g in GROUPS if any(p.group == g for p in pages)]
    group_pages = {g: sum(1 for p in pages if p.group == g) for g in GROUPS}
    agg = aggregate(results, names)
    agg_by_group = {g: aggregate([r for r in results if r["group"] == g], names) for g in groups}
    per_site: dict[str, dict[str, float]] = {}
    for site in dict.fromkeys(p.site for p in pages):
        per_site[site] = {n: mean(r["f1"] for r in results if r["site"] == site and r["tool"] == n) for n in names}
    by_group = {g: {n: _avg([r for r in results if r["group"] == g and r["tool"] == n], "f1") for n in names}
                for g in GROUPS}
    padded_names = names + [t.name for t in EXTRA_PADDED] if padded_results else []
    original_f1 = {n: mean(r["f1"] for r in results + extra_results if r["tool"] == n) for n in padded_names}
    padded_f1 = {n: mean(r["f1"] for r in padded_results if r["tool"] == n) for n in padded_names}
    padded_by_group = {
        g: {n: _avg([r for r in padded_results if r["group"] == g and r["tool"] == n], "f1") for n in padded_names}
        for g in GROUPS
    }
    lost = losses(agg, per_site)
    lost_by_group = {g: losses(agg_by_group[g], {}, where=f"{GROUP_LABEL[g]}, ") for g in groups}
    nb_rows = [r for r in results if r["tool"] == "newsbot"]
    wild_not_whole = [
        {"page": r["page"], "kind": page_of[r["page"]].expected.get("kind"), "wrong": r["wrong"],
         "detail": _wrong_detail(r, page_of[r["page"]]), "also_wrong": r["also_wrong"], "f1": r["f1"],
         "precision": r["precision"], "recall": r["recall"], "error": r["error"],
         "traps": page_of[r["page"]].expected.get("traps")}
        for r in nb_rows if r["group"] == "wild" and not r["whole"]
    ]
    beaten = peer_beats(results)

    # ---- markdown ----
    md = [f"## Extraction quality ({len(pages)} gold pages: {group_pages['spider']} on spider sites, "
          f"{group_pages['generic']} in the old generic set and {group_pages['wild']} in the wild set, both on "
          "sites without a spider)", ""]
    md.append("Macro average over pages. P/R/F1: body token precision/recall/F1 after newsbot's normalisation of "
              "every tool's output (so Arabic letters do not cost F1; a deleted half-space does). "
              "*F1 ZWNJ-blind*: the same with every ZWNJ removed on both sides (content choice alone). "
              "*kicker exact*, *lead exact*: the normalised field equals the gold, over the pages whose gold has "
              "one; *no false kicker/lead*: the tool gives none where the gold has none. "
              "*date exact*: same minute and the Tehran offset of the gold record; *date instant*: same minute in any "
              "offset; *date day*: right Tehran calendar day (a tool giving only a day, or a time without an offset, "
              "scores 0 on exact and instant); *date exact to the second*: same second and offset, over the gold "
              "publish times whose seconds are not :00. *pages whole* (newsbot rows only): title, kicker, lead, "
              f"publish time (exact), news code all right, nulls included, and body F1 ≥ {WHOLE_F1}. "
              "*ZWNJ kept*: ZWNJ count in the output body / in the gold body (above "
              "1 means extra text); *ZWNJ error*: mean over pages of |kept - 1|. *Arabic letters/page*: ي ى ك "
              "in the raw title+body. n/a: the tool has no such output (or no page of the set is scored on it).")
    md.append("")
    md.append("### All pages")
    md.append("")
    md.append(quality_table(agg, names, [(f"F1 {GROUP_LABEL[g]}", lambda n, g=g: _num(by_group[g][n]))
                                         for g in GROUPS]))
    md.append("")
    md.append(denominators_line(agg))
    md.append("")
    md.append("Notes: *newsbot* on the generic and wild pages is its generic extractor (no spider owns those "
              "sites); *newsbot generic* runs the generic extractor on every page, spider sites included. "
              "trafilatura's title and date come from `extract_metadata` (the same for both trafilatura rows); its "
              "date is a day only (`%Y-%m-%d`), so it can only score on *date day*. newspaper4k's `publish_date`, "
              "goose3's `publish_date` and iran-news-mcp's `published` come from the page's metadata (usually UTC "
              "`article:published_time`), so they can be right on *instant* without the Tehran offset. jusText "
              "gives neither title nor date; readability-lxml gives no date. The news code is a newsbot field only "
              "(both newsbot rows). "
              "Kicker and lead: only newsbot's record has a kicker; iran-news-mcp's output has a `lead` (the page's "
              "description meta) and is scored on it; the others have no lead (trafilatura's `description`, "
              "newspaper4k's `meta_description` and goose3's `meta_description` are the description meta, not a "
              "lead) and are n/a. The old generic set's gold records have no kicker key, so no tool is scored on "
              "kicker there, and *pages whole* does not ask for it on those pages.")
    if mcp_problem:
        md.append("")
        md.append(f"iran-news-mcp could not be used offline here: {mcp_problem}")
    else:
        md.append("")
        md.append("iran-news-mcp is on PyPI; its `iran_news_mcp.article.extract(page_bytes)` (the body of its "
                  "`nw_article` tool, minus the download) was run offline on the same HTML.")
    for g in GROUPS:
        md.append("")
        md.append(f"### {GROUP_LABEL[g].capitalize()} ({group_pages[g]} pages)")
        md.append("")
        if g not in agg_by_group:
            md.append("No such pages in this run.")
            continue
        if g == "wild":
            folders = Counter(p.folder for p in pages if p.group == "wild")
            md.append("fixtures/_wild/: " + ", ".join(f"{f} {c}" for f, c in folders.items()) + ".")
            md.append("")
        md.append(quality_table(agg_by_group[g], names))
        md.append("")
        md.append(denominators_line(agg_by_group[g]))
    if "wild" in agg_by_group:
        folders = list(dict.fromkeys(p.folder for p in pages if p.group == "wild"))
        md.append("")
        md.append("Wild set by folder (newsbot):")
        md.append("")
        frows = []
        for f in folders:
            rows_f = [r for r in nb_rows if r["group"] == "wild" and r["folder"] == f]
            best = max(((n, _avg([r for r in results if r["tool"] == n and r["group"] == "wild" and r["folder"] == f],
                                 "f1")) for n in names if n not in NEWSBOT_ROWS), key=lambda kv: kv[1] or 0)
            frows.append([f, len(rows_f), _num(_avg(rows_f, "f1")), _pct(_avg(rows_f, "title")),
                          _pct(_avg(rows_f, "kicker_ok")), _pct(_avg(rows_f, "lead_ok")),
                          _pct(_avg(rows_f, "date_exact")), _pct(_avg(rows_f, "news_code")),
                          _pct(_avg(rows_f, "whole")),
                          f"{best[0]} {_num(best[1])}"])
        md.append(md_table(["folder", "pages", "F1", "title exact %", "kicker right % (nulls included)",
                            "lead right % (nulls included)", "date exact %", "news code %", "pages whole %",
                            "best other tool, F1"],
                           frows))
    md.append("")
    md.append("### F1 per site")
    md.append("")
    md.append(md_table(["site", *names], [[s, *[_num(v[n]) for n in names]] for s, v in per_site.items()]))
    if padded_results:
        md.append("")
        md.append("### Robustness: F1 on the padded (~150 KB) variants")
        md.append("")
        md.append("The same pages grown to ~150 KB with generated junk (mega menu, inline scripts and JSON, related "
                  "boxes, a footer, a three-comment box in Persian) before and after the untouched article block; see "
                  "`bench/common.py:pad_page`.")
        md.append("")
        md.append(md_table(
            ["tool", "F1 original", "F1 padded", *[f"F1 padded, {GROUP_LABEL[g]}" for g in GROUPS]],
            [[n, _num(original_f1[n]), _num(padded_f1[n]), *[_num(padded_by_group[g][n]) for g in GROUPS]]
             for n in padded_names]))
        md.append("")
        md.append("trafilatura's default is `include_comments=True`, so on a page with a comment thread its text "
                  "carries the comments; the last row turns that off. The padding holds only three short comments, so "
                  "that drop is small.")
    bad = [r for r in nb_rows if (r["f1"] < 0.999 or r["title"] is False or r["date_exact"] is False
                                  or r["news_code"] is False or r["kicker_ok"] is False or r["lead_ok"] is False)]
    md.append("")
    md.append("### Pages where newsbot is not perfect")
    md.append("")
    if bad:
        md.append(md_table(["page", "P", "R", "F1", "title", "kicker", "lead", "date exact", "news code", "error"], [
            [r["page"], _num(r["precision"]), _num(r["recall"]), _num(r["f1"]), r["title"],
             "n/a" if r["kicker_ok"] is None else r["kicker_ok"], "n/a" if r["lead_ok"] is None else r["lead_ok"],
             r["date_exact"], r["news_code"], _cell(r["error"] or "")] for r in bad]))
    else:
        md.append("None: newsbot's record matches every gold page on body, title, kicker, lead, date and news code.")
    if "wild" in agg_by_group:
        md.append("")
        md.append("### Wild pages where newsbot is not whole")
        md.append("")
        if wild_not_whole:
            md.append("*wrong*: the fields of *pages whole* newsbot got wrong; *as given ≠ gold*: newsbot's value "
                      "and the gold's (null: none; long values cut). *also off*: fields outside *pages whole* that "
                      "differ from the gold too. *traps*: what the page was written to test, from its gold record "
                      "(cut; whole in bench/out/quality.json).")
            md.append("")
            md.append(md_table(["page", "kind", "wrong", "as given ≠ gold", "also off", "traps"], align="llllll",
                               rows=[[w["page"], _cell(w["kind"], 30), ", ".join(w["wrong"]),
                                      _cell(w["detail"] or w["error"], 10_000), ", ".join(w["also_wrong"] or []),
                                      _cell("; ".join(map(str, w["traps"] or [])), 160)] for w in wild_not_whole]))
        else:
            md.append("None: every wild page comes out whole.")
    md.append("")
    md.append("### Pages where another tool beats newsbot on body F1 by more than 0.02")
    md.append("")
    if beaten:
        md.append(md_table(["page", "group", "newsbot F1", "better"], align="llrl", rows=[
            [b["page"], GROUP_LABEL[b["group"]], _num(b["newsbot_f1"]),
             ", ".join(f"{n} {v:.3f}" for n, v in b["better"].items())] for b in beaten]))
    else:
        md.append("None.")
    md.append("")
    md.append(f"Quality pass: {elapsed:.1f} s wall time for {len(pages)} pages x {len(names)} tools"
              + (" (x2 with the padded pass)." if padded_results else "."))

    data = {"pages": len(pages), "group_pages": group_pages, "tools": names, "iran_news_mcp_problem": mcp_problem,
            "aggregate": agg, "aggregate_by_group": agg_by_group, "per_site_f1": per_site, "f1_by_group": by_group,
            "padded_f1": padded_f1, "original_f1": original_f1, "padded_f1_by_group": padded_by_group,
            "losses": lost, "losses_by_group": lost_by_group, "wild_not_whole": wild_not_whole,
            "peer_beats": beaten, "results": results, "padded_results": padded_results,
            "seconds_per_tool": dict(seconds), "elapsed": elapsed}
    write_out("quality", data, "\n".join(md))
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
