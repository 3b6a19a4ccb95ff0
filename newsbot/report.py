"""``newsbot report --out DIR``: one static HTML page to look at, from the run history alone.

Per site: a chart of articles written per day with the gaps shaded, the status of each day's runs, field coverage
and the list of gaps; Persian, right to left, with Jalali dates on the axes. Everything is inline (CSS and SVG, no
script, no font or CDN), so the page opens offline, from a mail attachment or a static web folder alike.
"""

from __future__ import annotations

import html
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from newsbot.dates import TEHRAN, jalali_ymd
from newsbot.history import History, SiteStatus
from newsbot.text import persian_digits as fa

_STATUS_COLOUR = {"ok": "#2e7d32", "unreachable": "#c62828", "blocked": "#6a1b9a", "broken": "#ef6c00",
                  "failed": "#37474f"}
_STATUS_FA = {"ok": "سالم", "unreachable": "در دسترس نیست", "blocked": "مسدود", "broken": "خراب",
              "failed": "ناموفق"}
_WORST = ("failed", "broken", "blocked", "unreachable", "ok")
_CSS = """
body{font-family:Tahoma,"DejaVu Sans",sans-serif;margin:24px;background:#fafafa;color:#212121}
h1{font-size:22px}h2{font-size:18px;margin:0 0 8px}
section.site{background:#fff;border:1px solid #ddd;border-radius:6px;padding:16px;margin:0 0 20px}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
.meta{font-size:13px;color:#555;margin:0 0 10px}.flag{color:#b71c1c}
svg text{font-family:Tahoma,"DejaVu Sans",sans-serif}
"""




def jalali(day: date) -> str:
    jy, jm, jd = jalali_ymd(day)
    return fa(f"{jy}/{jm:02d}/{jd:02d}")


def _tehran_day(iso: str) -> date:
    return datetime.fromisoformat(iso).astimezone(TEHRAN).date()


def write_report(history: History, out: Path, days: int = 30, now: datetime | None = None,
                 sites: list[str] | None = None) -> Path:
    """Write ``out/index.html`` for the given sites (default: all in the history); returns its path."""
    now = now or datetime.now(timezone.utc)
    names = sites or history.sites()
    today = now.astimezone(TEHRAN).date()
    span = [today - timedelta(days=days - 1 - i) for i in range(days)]
    parts = [f"<!DOCTYPE html><html lang=\"fa\" dir=\"rtl\"><head><meta charset=\"utf-8\"><title>گزارش خزنده "
             f"newsbot</title><style>{_CSS}</style></head><body>",
             f"<h1>گزارش خزنده newsbot: {fa(len(names))} سایت، {fa(days)} روز تا {jalali(today)}</h1>"]
    for name in names:
        status = history.status(name, now=now)
        runs = history.runs(name, now - timedelta(days=days))
        gaps = [g for g in history.gaps(name) if not g.end or _tehran_day(g.end) >= span[0]]
        parts.append(_site_section(status, runs, gaps, span))
    parts.append("</body></html>")
    out.mkdir(parents=True, exist_ok=True)
    path = out / "index.html"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def _site_section(status: SiteStatus, runs: list[dict[str, Any]], gaps: list[Any], span: list[date]) -> str:
    e = html.escape
    per_day = {d: 0 for d in span}
    worst: dict[date, str] = {}
    for r in runs:
        d = _tehran_day(r["finished"])
        if d in per_day:
            per_day[d] += r["written"]
            current = worst.get(d, "ok")
            worst[d] = min(current, r["status"], key=lambda s: _WORST.index(s) if s in _WORST else 0)
    gap_days = set()
    for g in gaps:
        start = _tehran_day(g.start)
        end = _tehran_day(g.end) if g.end else span[-1]
        gap_days |= {d for d in span if start <= d <= end}
    meta = (f"آخرین اجرا: {_when(status.last_run) if status.last_run else '-'} · وضعیت: "
            f"{e(_STATUS_FA.get(status.last_status or '', status.last_status or '-'))} · "
            f"میانگین روزانه ۷ روز: {fa(f'{status.per_day_7:.1f}')} · ۳۰ روز: {fa(f'{status.per_day_30:.1f}')}")
    flags = "".join(f"<li class=\"flag\">{e(f)}</li>" for f in status.flags)
    return "\n".join([
        f"<section class=\"site\" id=\"site-{e(status.site)}\"><h2>{e(status.site)}</h2>",
        f"<p class=\"meta\">{meta}</p>",
        f"<ul>{flags}</ul>" if flags else "",
        _bars(status.site, per_day, gap_days, span),
        _status_strip(worst, span),
        _coverage(status.coverage),
        _gap_table(gaps),
        "</section>",
    ])


def _bars(site: str, per_day: dict[date, int], gap_days: set[date], span: list[date]) -> str:
    width, height, left, right, bottom = 780, 180, 40, 40, 30
    top = max(per_day.values(), default=0) or 1
    step = (width - left - right) / len(span)
    out = [f"<svg class=\"chart articles\" data-site=\"{html.escape(site)}\" width=\"{width}\" height=\"{height}\" "
           f"viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"مقاله‌ها در روز\" direction=\"ltr\">"]
    for i, d in enumerate(span):
        x = left + i * step
        if d in gap_days:
            out.append(f"<rect class=\"gap\" x=\"{x:.1f}\" y=\"5\" width=\"{step:.1f}\" "
                       f"height=\"{height - bottom - 5}\" fill=\"#ffcdd2\"/>")
        h = (height - bottom - 10) * per_day[d] / top
        out.append(f"<rect class=\"bar\" x=\"{x + 1:.1f}\" y=\"{height - bottom - h:.1f}\" "
                   f"width=\"{max(step - 2, 1):.1f}\" height=\"{h:.1f}\" fill=\"#1565c0\">"
                   f"<title>{jalali(d)}: {fa(per_day[d])}</title></rect>")
        if i % max(1, len(span) // 6) == 0 or i == len(span) - 1:
            out.append(f"<text class=\"axis\" x=\"{x + step / 2:.1f}\" y=\"{height - 10}\" font-size=\"11\" "
                       f"text-anchor=\"middle\">{jalali(d)}</text>")
    out.append(f"<text x=\"4\" y=\"14\" font-size=\"11\">{fa(top)}</text>")
    out.append(f"<line x1=\"{left}\" y1=\"{height - bottom}\" x2=\"{width - right}\" y2=\"{height - bottom}\" "
               "stroke=\"#888\"/></svg>")
    return "".join(out)


def _status_strip(worst: dict[date, str], span: list[date]) -> str:
    width, left, right = 780, 40, 40
    step = (width - left - right) / len(span)
    cells = []
    for i, d in enumerate(span):
        s = worst.get(d)
        colour = _STATUS_COLOUR.get(s or "", "#e0e0e0")
        label = _STATUS_FA.get(s or "", "بدون اجرا")
        cells.append(f"<rect class=\"day-status\" x=\"{left + i * step:.1f}\" y=\"0\" "
                     f"width=\"{max(step - 1, 1):.1f}\" height=\"14\" fill=\"{colour}\">"
                     f"<title>{jalali(d)}: {label}</title></rect>")
    return (f"<svg class=\"chart status\" width=\"{width}\" height=\"16\" viewBox=\"0 0 {width} 16\" role=\"img\" "
            f"aria-label=\"وضعیت روزانه\" direction=\"ltr\">{''.join(cells)}</svg>")


def _coverage(coverage: dict[str, float]) -> str:
    if not coverage:
        return "<p class=\"meta\">پوشش فیلدها: هنوز مقاله‌ای نوشته نشده</p>"
    rows = []
    for i, (field, share) in enumerate(sorted(coverage.items(), key=lambda kv: kv[1])):
        y = i * 18
        rows.append(f"<text x=\"0\" y=\"{y + 12}\" font-size=\"12\">{html.escape(field)}</text>"
                    f"<rect class=\"coverage\" x=\"130\" y=\"{y + 2}\" width=\"{300 * share:.1f}\" height=\"12\" "
                    f"fill=\"{'#2e7d32' if share >= 0.8 else '#ef6c00'}\"/>"
                    f"<text x=\"{140 + 300 * share:.1f}\" y=\"{y + 12}\" font-size=\"11\">"
                    f"{fa(round(share * 100))}٪</text>")
    height = 18 * len(coverage) + 4
    return (f"<svg class=\"chart coverage\" width=\"500\" height=\"{height}\" viewBox=\"0 0 500 {height}\" "
            f"role=\"img\" aria-label=\"پوشش فیلدها\" direction=\"ltr\">{''.join(rows)}</svg>")


def _when(iso: str) -> str:
    moment = datetime.fromisoformat(iso).astimezone(TEHRAN)
    return f"{jalali(moment.date())} {fa(moment.strftime('%H:%M'))}"


def _gap_table(gaps: list[Any]) -> str:
    if not gaps:
        return "<p class=\"meta\">بدون وقفه در این دوره</p>"
    rows = "".join(
        f"<tr><td>{_when(g.start)}</td><td>{_when(g.end) if g.end else 'ادامه دارد'}</td>"
        f"<td>{html.escape(_STATUS_FA.get(g.reason, g.reason))}</td><td>{'پر شد' if g.filled_at else '-'}</td></tr>"
        for g in gaps)
    return "<table class=\"gaps\"><tr><th>از</th><th>تا</th><th>علت</th><th>بازیابی</th></tr>" + rows + "</table>"
