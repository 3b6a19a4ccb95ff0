"""The daily digest of a watchlist: for each list, the day's stories, every outlet that carried each, when, links.

Written as Markdown (for mail and chat) and as one HTML page that works offline: Persian, right to left
(``lang="fa" dir="rtl"``), no script, no external resource, every value escaped. Times are Tehran wall-clock time in
the Jalali calendar, as the people reading it date things.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from newsbot.dates import TEHRAN, to_jalali_iso
from newsbot.text import persian_digits


@dataclass
class DigestStory:
    """One story of a list: its id, its records (earliest first) and the list's terms its records matched."""

    story: str
    records: list[dict[str, Any]]
    terms: list[str] = field(default_factory=list)

    @property
    def first(self) -> dict[str, Any]:
        return self.records[0]

    @property
    def outlets(self) -> list[str]:
        return list(dict.fromkeys(outlet(r) for r in self.records))


def outlet(record: dict[str, Any]) -> str:
    return str(record.get("agency") or record.get("site") or "?")


def jalali_time(value: Any) -> str:
    """``1404-06-12 18:17`` (Tehran) for an ISO time, ``-`` when there is none."""
    if not isinstance(value, str) or not value:
        return "-"
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return "-"
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=TEHRAN)
    return to_jalali_iso(dt.astimezone(TEHRAN))[:16].replace("T", " ")


def _md(text: Any) -> str:
    """Text safe inside a Markdown table cell or link label."""
    return str(text or "").replace("\\", "\\\\").replace("|", "\\|").replace("[", "\\[").replace("]", "\\]") \
        .replace("\n", " ")


def _safe_url(url: Any) -> str | None:
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        return url
    return None


def render_markdown(title: str, day: str, stories: list[DigestStory]) -> str:
    outlets = {o for s in stories for o in s.outlets}
    lines = [f"# پایش رسانه: {_md(title)} — {persian_digits(day)}", ""]
    lines.append(f"{persian_digits(str(len(stories)))} خبر، {persian_digits(str(len(outlets)))} رسانه، "
                 f"{persian_digits(str(sum(len(s.records) for s in stories)))} بار انتشار.")
    lines.append("")
    if not stories:
        lines.append("در این روز خبری با این فهرست پیدا نشد.")
    for n, story in enumerate(stories, start=1):
        first = story.first
        lines.append(f"## {persian_digits(str(n))}. {_md(first.get('title'))}")
        lines.append("")
        lines.append(f"- نخستین انتشار: {persian_digits(jalali_time(first.get('published_at')))}، "
                     f"{_md(outlet(first))}")
        lines.append(f"- رسانه‌ها ({persian_digits(str(len(story.outlets)))}): "
                     + "، ".join(_md(o) for o in story.outlets))
        if story.terms:
            lines.append("- واژه‌ها: " + "، ".join(_md(t) for t in story.terms))
        lines.append(f"- شناسه: `{story.story}`")
        lines.append("")
        lines.append("| رسانه | زمان انتشار | تیتر | پیوند |")
        lines.append("|---|---|---|---|")
        for rec in story.records:
            url = _safe_url(rec.get("url"))
            link = f"[{_md(rec.get('news_code') or 'پیوند')}]({url.replace(')', '%29')})" if url else "-"
            lines.append(f"| {_md(outlet(rec))} | {persian_digits(jalali_time(rec.get('published_at')))} | "
                         f"{_md(rec.get('title'))} | {link} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


_CSS = """body{font-family:Vazirmatn,Tahoma,"DejaVu Sans",sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
line-height:1.7;color:#1d1d1d;background:#fff}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:right;
vertical-align:top}th{background:#f3f3f3}.meta{color:#555}code{direction:ltr;unicode-bidi:embed}
a{color:#0645ad}"""


def render_html(title: str, day: str, stories: list[DigestStory]) -> str:
    e = html.escape
    outlets = {o for s in stories for o in s.outlets}
    out = ['<!DOCTYPE html>', '<html lang="fa" dir="rtl">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(f'پایش رسانه: {title} — {persian_digits(day)}')}</title>", f"<style>{_CSS}</style>",
           "</head>", "<body>", f"<h1>پایش رسانه: {e(title)} — {e(persian_digits(day))}</h1>",
           f'<p class="meta">{e(persian_digits(str(len(stories))))} خبر، '
           f"{e(persian_digits(str(len(outlets))))} رسانه، "
           f"{e(persian_digits(str(sum(len(s.records) for s in stories))))} بار انتشار.</p>"]
    if not stories:
        out.append("<p>در این روز خبری با این فهرست پیدا نشد.</p>")
    for n, story in enumerate(stories, start=1):
        first = story.first
        out.append(f"<section><h2>{e(persian_digits(str(n)))}. {e(str(first.get('title') or ''))}</h2>")
        out.append('<ul class="meta">')
        out.append(f"<li>نخستین انتشار: {e(persian_digits(jalali_time(first.get('published_at'))))}، "
                   f"{e(outlet(first))}</li>")
        out.append(f"<li>رسانه‌ها ({e(persian_digits(str(len(story.outlets))))}): "
                   f"{e('، '.join(story.outlets))}</li>")
        if story.terms:
            out.append(f"<li>واژه‌ها: {e('، '.join(story.terms))}</li>")
        out.append(f"<li>شناسه: <code>{e(story.story)}</code></li></ul>")
        out.append("<table><thead><tr><th>رسانه</th><th>زمان انتشار</th><th>تیتر</th><th>پیوند</th></tr></thead>"
                   "<tbody>")
        for rec in story.records:
            url = _safe_url(rec.get("url"))
            link = f'<a href="{e(url)}" rel="noreferrer">{e(str(rec.get("news_code") or "پیوند"))}</a>' if url else "-"
            out.append(f"<tr><td>{e(outlet(rec))}</td><td>{e(persian_digits(jalali_time(rec.get('published_at'))))}"
                       f"</td><td>{e(str(rec.get('title') or ''))}</td><td>{link}</td></tr>")
        out.append("</tbody></table></section>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"
