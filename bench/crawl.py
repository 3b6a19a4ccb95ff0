"""A whole crawl against a synthetic ISNA on 127.0.0.1: newsbot against a minimal Scrapy spider, and memory over a
long run.

A ThreadingHTTPServer in this process serves an ISNA-like site generated on the fly (nothing is written to disk):
``/rss`` (a few items), an empty news sitemap, ``/archive`` and ``/archive?page=N`` (50 articles a page, the next
page linked with ``a[rel=next]``) and ``/news/{13-digit id}/{slug}`` article pages (~20 KB of ISNA markup, Persian
text varied by id, dated now in Tehran so the spider's 2-day window holds).

Two crawlers run against it, each as a subprocess with a fresh site of the same size, alternately (newsbot, minimal,
newsbot, minimal, …): ``newsbot crawl isna`` with politeness off and a fresh state directory, and ``MinimalSpider``
below, a plain ``scrapy.Spider`` with Scrapy's default settings except the same concurrency and politeness-off
settings and log level, which follows the same RSS and listing pages and writes the h1 and the body's ``<p>`` texts
through Scrapy's own JSON Lines feed export: what the engine costs with nothing of newsbot in it. Then one long
newsbot run for memory. Each crawl's RSS and CPU time (psutil) and the number of lines written are sampled while it
runs; after each newsbot run the state store's size (``state/seen.sqlite3`` and its ``-wal``) is read.
Writes bench/out/crawl.{json,md}.

``python bench/crawl.py --minimal-spider URL --feed FILE`` runs the minimal spider alone (what the benchmark starts).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from statistics import median
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit
from zoneinfo import ZoneInfo

import scrapy

sys.path.insert(0, str(Path(__file__).resolve().parent))

# ``common`` (which imports newsbot.encoding) and psutil are imported where the benchmark uses them, not here, so
# the minimal spider's process (``--minimal-spider``) loads no newsbot module at all.

TEHRAN = ZoneInfo("Asia/Tehran")
PER_PAGE = 50
#: newsbot's throughput over the minimal spider's (steady articles/s, median of the pairs) should be at least this.
TARGET_RATIO = 0.75
#: The settings both crawlers get: concurrency, politeness off, robots.txt off (both also log warnings only).
#: newsbot's CONCURRENT_ITEMS (newsbot/settings.py): the minimal8 runs use it too, so that one comparison differs
#: in nothing but what each crawler does per page.
NEWSBOT_CONCURRENT_ITEMS = 8
SHARED_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "ROBOTSTXT_OBEY": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "CONCURRENT_REQUESTS": 16,
}
_FA = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_MONTHS = "فروردین اردیبهشت خرداد تیر مرداد شهریور مهر آبان آذر دی بهمن اسفند".split()


def fa(n: int | str) -> str:
    return str(n).translate(_FA)


# ---- the synthetic site --------------------------------------------------------------------------------------------
_SUBJECTS = ["وزیر نیرو", "رئیس سازمان برنامه", "معاون وزیر بهداشت", "استاندار اصفهان", "مدیرعامل شرکت آب و فاضلاب",
             "رئیس کمیسیون اقتصادی مجلس", "سخنگوی گمرک", "رئیس دانشگاه تهران", "مدیر کل هواشناسی استان",
             "رئیس پلیس راه", "دبیر شورای عالی مسکن", "معاون حمل‌ونقل شهرداری"]
_TOPICS = ["طرح آبرسانی به روستاهای شرق کشور", "بودجه عمرانی استان‌ها", "واکسیناسیون کودکان زیر پنج سال",
           "ساخت مسکن استیجاری", "ترخیص کالاهای اساسی از بنادر", "برگزاری آزمون سراسری", "بارش‌های پاییزه",
           "ایمنی جاده‌های شمالی", "نوسازی ناوگان اتوبوسرانی", "خرید تضمینی گندم", "صادرات محصولات لبنی",
           "توسعه شبکه برق روستایی"]
_VERBS = ["اعلام کرد", "خبر داد", "تأکید کرد", "گفت", "توضیح داد", "اظهار داشت"]
_FRAGMENTS = [
    "در نشست خبری امروز با اشاره به پیشرفت فیزیکی این طرح", "بر اساس آخرین آمارهای رسمی منتشرشده",
    "با وجود محدودیت‌های اعتباری سال جاری", "در مقایسه با مدت مشابه سال گذشته",
    "پس از بررسی پیشنهادهای رسیده از دستگاه‌های اجرایی", "در جلسه‌ای که با حضور نمایندگان استان‌ها برگزار شد",
    "با هدف کاهش هزینه‌های خانوارها و افزایش بهره‌وری", "به‌رغم مشکلات ناشی از کم‌بارشی",
    "در راستای اجرای قانون برنامه هفتم توسعه", "با همکاری بخش خصوصی و تعاونی‌ها",
]
_TAILS = [
    "بیش از {n} درصد از اهداف تعیین‌شده محقق شده است", "تا پایان سال {n} پروژه دیگر به بهره‌برداری می‌رسد",
    "اعتبار این بخش نسبت به سال قبل {n} درصد افزایش یافته است", "حدود {n} هزار نفر از این طرح بهره‌مند می‌شوند",
    "مرحله بعدی از {n} روز آینده آغاز خواهد شد", "سهم استان‌های کم‌برخوردار به {n} درصد رسیده است",
]


def _paragraph(k: int) -> str:
    s = [f"{_SUBJECTS[(k * 7) % len(_SUBJECTS)]} {_FRAGMENTS[(k * 3) % len(_FRAGMENTS)]}، "
         f"{_TOPICS[(k * 5) % len(_TOPICS)]} را یکی از اولویت‌های اصلی دانست و "
         f"{_VERBS[k % len(_VERBS)]}: {_TAILS[k % len(_TAILS)].format(n=fa(10 + k % 80))}."]
    for j in range(3):
        kk = k * 11 + j * 17
        s.append(f"وی {_FRAGMENTS[kk % len(_FRAGMENTS)]} افزود: {_TAILS[kk % len(_TAILS)].format(n=fa(5 + kk % 90))} "
                 f"و پیگیری {_TOPICS[kk % len(_TOPICS)]} همچنان در دستور کار قرار دارد.")
    return " ".join(s)


_PARAGRAPHS = [_paragraph(k) for k in range(97)]


def _nav() -> str:
    items = []
    for i, name in enumerate(["سیاسی", "اقتصادی", "اجتماعی", "علمی و دانشگاهی", "فرهنگی و هنری", "ورزشی",
                              "بین‌الملل", "استان‌ها", "سلامت", "عکس", "فیلم"]):
        subs = "".join(f'<li><a href="/service/s{i}/{j}">{_TOPICS[(i + j) % len(_TOPICS)]}</a></li>' for j in range(5))
        items.append(f'<li class="nav-item dropdown"><a class="nav-link" href="/service/s{i}">{name}</a>'
                     f'<ul class="dropdown-menu">{subs}</ul></li>')
    return '<nav id="menu" class="navbar main-menu"><ul class="navbar-nav">' + "".join(items) + "</ul></nav>"


class Site:
    """Pre-rendered templates; an article page is a few substitutions into one string."""

    def __init__(self, total: int, when: datetime) -> None:
        self.total = total
        self.when = when
        from persiantools.jdatetime import JalaliDateTime

        j = JalaliDateTime(when)
        self.day_code = f"{j.year:04d}{j.month:02d}{j.day:02d}"  # ids: Jalali day + 5-digit sequence
        self.jalali_text = f"{fa(j.day)} {_MONTHS[j.month - 1]} {fa(j.year)} / {fa(f'{j.hour:02d}')}:" \
                           f"{fa(f'{j.minute:02d}')}"
        self.listing_date = f"{fa(j.day)} {_MONTHS[j.month - 1]} {fa(j.year)}، {fa(f'{j.hour:02d}')}:" \
                            f"{fa(f'{j.minute:02d}')}"
        self.iso_utc = when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:00Z")
        self.rfc822 = when.strftime("%a, %d %b %Y %H:%M:00 +0330")
        self.nav = _nav()
        self.article_tpl = self._article_template()
        self.sidebar = self._sidebar()

    # ids and titles
    def news_id(self, n: int) -> str:
        return f"{self.day_code}{n:05d}"

    def title(self, n: int) -> str:
        return f"{_TOPICS[n % len(_TOPICS)]} در دستور کار {_SUBJECTS[(n // 7) % len(_SUBJECTS)]} قرار گرفت؛ " \
               f"گزارش شماره {fa(n)}"

    def slug(self, n: int) -> str:
        return quote(self.title(n).split("؛")[0].replace(" ", "-"), safe="")

    def path(self, n: int) -> str:
        return f"/news/{self.news_id(n)}/{self.slug(n)}"

    def _sidebar(self) -> str:
        most = "".join(f'<li><span class="num">{fa(i + 1)}</span><a href="/news/14030101{i:05d}/">'
                       f"{_TOPICS[i % len(_TOPICS)]}؛ {_VERBS[i % len(_VERBS)]}</a></li>" for i in range(10))
        return (f'<aside class="col-lg-4 col-side"><section class="box most-viewed"><header><h2 class="box-title">'
                f"پربازدیدترین‌ها</h2></header><ul>{most}</ul></section></aside>")

    def _article_template(self) -> str:
        head = (
            '<!DOCTYPE html>\n<html lang="fa" dir="rtl">\n<head>\n<meta charset="utf-8">\n'
            "<title>{title} - ایسنا</title>\n"
            '<meta name="description" content="{lead}">\n'
            '<meta property="og:type" content="article">\n<meta property="og:title" content="{title}">\n'
            '<meta property="og:description" content="{lead}">\n'
            '<meta property="og:image" content="https://cdn.isna.ir/d/2025/01/01/3/{id}.jpg">\n'
            '<meta property="og:url" content="https://www.isna.ir{path}">\n'
            '<meta property="og:site_name" content="ایسنا">\n'
            f'<meta property="article:published_time" content="{self.iso_utc}">\n'
            '<meta property="article:section" content="اقتصادی">\n'
            '<link rel="canonical" href="https://www.isna.ir{path}">\n'
            '<link rel="stylesheet" href="/resources/theme/isna/css/style.css?v=20250821">\n'
            '<script>var _nsPage = {{type: "news", service: 34, lang: "fa"}};</script>\n</head>\n'
            '<body class="news-page service-34">\n<header id="header" class="header"><div class="container">'
            '<div class="logo"><a href="/" title="ایسنا - خبرگزاری دانشجویان ایران">'
            '<img src="/resources/theme/isna/img/logo.png" alt="ایسنا"></a></div></div>'
            + self.nav.replace("{", "{{").replace("}", "}}") + "</header>\n"
        )
        article = (
            '<main id="main" class="main"><div class="container"><ol class="breadcrumb">'
            '<li class="breadcrumb-item"><a href="/">ایسنا</a></li>'
            '<li class="breadcrumb-item active"><a href="/service/Economy">اقتصادی</a></li></ol>'
            '<div class="row"><div class="col-lg-8 col-main">\n'
            '<article id="item" itemscope itemtype="http://schema.org/NewsArticle"><div class="item-header">\n'
            '<span class="kicker">{kicker}</span>\n'
            '<h1 class="first-title" itemprop="headline">{title}</h1>\n'
            '<p class="summary" itemprop="description">{lead}</p>\n'
            '<div class="meta-news"><ul>'
            '<li><span class="title-meta">تاریخ انتشار:</span>'
            f'<span class="text-meta">{self.jalali_text}</span></li>'
            '<li><span class="title-meta">سرویس:</span><span class="text-meta" itemprop="articleSection">اقتصادی'
            "</span></li>"
            '<li><span class="title-meta">کد خبر:</span><span class="text-meta">{fa_id}</span></li></ul>'
            f'<meta itemprop="datePublished" content="{self.iso_utc}"></div></div>\n'
            '<figure class="item-img"><img src="https://cdn.isna.ir/d/2025/01/01/3/{id}.jpg" alt="{title}">'
            "<figcaption>عکس از آرشیو ایسنا</figcaption></figure>\n"
            '<div class="share-box"><ul class="share-list"><li><a class="telegram" href="https://t.me/share/url?url='
            'https://www.isna.ir/xd/{id}">تلگرام</a></li><li><a class="print" href="/print/{id}">چاپ</a></li>'
            "</ul></div>\n"
            '<div class="item-body content-full-news"><div class="item-text" itemprop="articleBody">\n'
            "{body}\n<p>انتهای پیام</p>\n</div></div>\n"
            '<footer class="tags"><ul>{tags}</ul></footer>\n'
            '<div class="short-link-container"><input id="short-link" type="text" '
            'value="https://www.isna.ir/xd/{id}" readonly></div>\n</article>\n'
            '<section class="box related"><header><h2 class="box-title">اخبار مرتبط</h2></header><ul>{related}</ul>'
            "</section>\n"
            '<div id="comments" class="comments"><header><h2 class="box-title">نظرات</h2></header>'
            '<form action="/comment/new/{id}" method="post" class="comment-form"><textarea name="body">'
            "</textarea><button type=\"submit\">ارسال نظر</button></form></div>\n</div>\n"
        )
        foot = (
            "</div></div></main>\n"
            '<footer id="footer" class="footer"><div class="container"><p class="copyright">© ۱۴۰۴ تمامی حقوق این '
            "سایت متعلق به خبرگزاری دانشجویان ایران (ایسنا) است.</p></div></footer>\n"
            '<script type="application/json" id="ns-page-config">{{"newsId":"{id}","serviceId":34,'
            '"commentsEnabled":true}}</script>\n'
            '<script>var newsId = "{id}"; window.dataLayer = window.dataLayer || [];</script>\n</body>\n</html>\n'
        )
        return head + article + "{sidebar}" + foot

    def article(self, n: int) -> bytes:
        paras = "\n".join(f"<p>{_PARAGRAPHS[(n * 13 + i * 29) % len(_PARAGRAPHS)]}</p>" for i in range(5))
        body = f"<p>به گزارش خبرنگار اقتصادی ایسنا، {_PARAGRAPHS[n % len(_PARAGRAPHS)]}</p>\n{paras}"
        tags = "".join(f'<li><a href="/tag/t{(n + i) % 50}">{_TOPICS[(n + i) % len(_TOPICS)]}</a></li>'
                       for i in range(4))
        related = "".join(f'<li><a href="{self.path((n + i + 1) % self.total)}">{self.title((n + i + 1) % self.total)}'
                          "</a></li>" for i in range(6))
        return self.article_tpl.format(
            title=self.title(n), lead=_PARAGRAPHS[(n * 3) % len(_PARAGRAPHS)][:220], kicker=_VERBS[n % len(_VERBS)],
            id=self.news_id(n), fa_id=fa(self.news_id(n)), path=self.path(n), body=body, tags=tags,
            related=related, sidebar=self.sidebar,
        ).encode("utf-8")

    def listing(self, page: int) -> bytes:
        start = (page - 1) * PER_PAGE
        ids = range(start, min(start + PER_PAGE, self.total))
        items = "".join(
            f'<li class="news"><div class="desc"><h3><a href="{self.path(n)}" target="_blank">{self.title(n)}</a>'
            f'</h3><p class="introtext">{_PARAGRAPHS[(n * 3) % len(_PARAGRAPHS)][:160]}</p>'
            f'<time><a title="{self.listing_date}">{self.listing_date}</a></time></div></li>'
            for n in ids
        )
        more = start + PER_PAGE < self.total
        nxt = f'<a rel="next" class="page-link" href="/archive?page={page + 1}">بعدی</a>' if more else ""
        return (
            '<!DOCTYPE html>\n<html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>آرشیو اخبار - ایسنا'
            f"</title></head><body>{self.nav}<main><section class=\"box list\"><div class=\"items\"><ul>{items}"
            f'</ul></div><nav class="pagination-container"><ul class="pagination"><li class="page-item">{nxt}</li>'
            f"</ul></nav></section>{self.sidebar}</main></body></html>\n"
        ).encode()

    def rss(self) -> bytes:
        items = "".join(
            f"<item><title>{self.title(n)}</title><link>https://www.isna.ir{self.path(n)}</link>"
            f"<pubDate>{self.rfc822}</pubDate><guid isPermaLink=\"false\">{self.news_id(n)}</guid></item>"
            for n in range(min(5, self.total))
        )
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>ایسنا - آخرین اخبار'
                f"</title><link>https://www.isna.ir/</link>{items}</channel></rss>\n").encode()


def make_handler(site: Site, hits: dict[str, int]) -> type[BaseHTTPRequestHandler]:
    empty_sitemap = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
                     b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>\n')
    prefix = f"/news/{site.day_code}"

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, ctype: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            path = parts.path
            if path.startswith(prefix):
                seq = path[len(prefix):].split("/", 1)[0]
                if seq.isdigit() and int(seq) < site.total:
                    hits["article"] += 1
                    return self._send(200, site.article(int(seq)), "text/html; charset=utf-8")
            elif path == "/archive":
                page = int(parse_qs(parts.query).get("page", ["1"])[0])
                hits["listing"] += 1
                return self._send(200, site.listing(page), "text/html; charset=utf-8")
            elif path == "/rss":
                hits["other"] += 1
                return self._send(200, site.rss(), "application/rss+xml; charset=utf-8")
            elif path == "/sitemap/news/sitemap.xml":
                hits["other"] += 1
                return self._send(200, empty_sitemap, "application/xml; charset=utf-8")
            hits["404"] += 1
            return self._send(404, b"not found", "text/plain")

    return Handler


# ---- the baseline: a minimal Scrapy spider -------------------------------------------------------------------------
class MinimalSpider(scrapy.Spider):
    """What a Scrapy user writes first: follow the RSS and the listing pages, yield h1 and body paragraphs.

    No newsbot component: no state store, no dedup by news code, no bot-wall or page-kind check, no normalisation
    or dates; Scrapy's own request dupefilter and JSON Lines feed export.
    """

    name = "minimal"

    def __init__(self, base: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = base.rstrip("/")

    async def start(self):  # type: ignore[override]
        yield scrapy.Request(f"{self.base}/rss", callback=self.parse_rss)
        yield scrapy.Request(f"{self.base}/archive", callback=self.parse_listing)

    def parse_rss(self, response: Any):
        # The feed links to the public host (https://www.isna.ir/...): the same path on the local server.
        for link in response.xpath("//item/link/text()").getall():
            yield response.follow(urlsplit(link.strip()).path, callback=self.parse_article)

    def parse_listing(self, response: Any):
        for href in response.css("li.news h3 a::attr(href)").getall():
            yield response.follow(href, callback=self.parse_article)
        nxt = response.css("a[rel=next]::attr(href)").get()
        if nxt:
            yield response.follow(nxt, callback=self.parse_listing)

    def parse_article(self, response: Any):
        paragraphs = (" ".join(" ".join(p.css("::text").getall()).split())
                      for p in response.css("[itemprop=articleBody] p"))
        yield {
            "url": response.url,
            "title": " ".join(" ".join(response.css("h1 ::text").getall()).split()),
            "body": "\n".join(p for p in paragraphs if p),
        }


def run_minimal_spider(base: str, feed: Path, concurrent_items: int | None = None) -> int:
    """The minimal spider in this process: Scrapy's defaults plus ``SHARED_SETTINGS``, a JSON Lines feed (and
    ``CONCURRENT_ITEMS`` when given: newsbot's own value, for the same-settings comparison)."""
    from scrapy.crawler import CrawlerProcess

    settings = {**SHARED_SETTINGS, "LOG_LEVEL": "WARNING",
                "FEEDS": {str(feed): {"format": "jsonlines", "encoding": "utf8"}}}
    if concurrent_items:
        settings["CONCURRENT_ITEMS"] = concurrent_items
    process = CrawlerProcess(settings=settings)
    process.crawl(MinimalSpider, base=base)
    process.start()
    return 0


# ---- one crawl -----------------------------------------------------------------------------------------------------
def _count_lines(files: dict[Path, Any], folder: Path) -> int:
    """Lines written so far under ``folder``; ``files`` carries each file's (offset, count) between calls."""
    total = 0
    for path in sorted(folder.glob("*.jsonl")) if folder.exists() else []:
        offset, count = files.get(path, (0, 0))
        with path.open("rb") as fh:
            fh.seek(offset)
            chunk = fh.read()
        count += chunk.count(b"\n")
        files[path] = (offset + len(chunk), count)
        total += count
    return total


def _state_bytes(state: Path) -> dict[str, int]:
    """Sizes of the state store's database and its write-ahead log (0 when absent)."""
    out = {}
    for name in ("seen.sqlite3", "seen.sqlite3-wal"):
        try:
            out[name] = (state / name).stat().st_size
        except OSError:
            out[name] = 0
    return out


def steady_rate(samples: list[dict[str, float]]) -> float | None:
    """Lines/s from the first sample that saw a line to the first sample that saw the final count."""
    grow = [s for s in samples if s["lines"] > 0]
    if len(grow) < 2:
        return None
    top = max(s["lines"] for s in grow)
    last = next(s for s in grow if s["lines"] == top)
    if last["t"] <= grow[0]["t"]:
        return None
    return (last["lines"] - grow[0]["lines"]) / (last["t"] - grow[0]["t"])


def run_crawl(total: int, label: str, *, tool: str = "newsbot", timeout: float, interval: float = 1.0,
              keep_data: bool = False) -> dict[str, Any]:
    import psutil
    from common import OUT

    when = datetime.now(TEHRAN).replace(second=0, microsecond=0) - timedelta(minutes=1)
    site = Site(total, when)
    hits = {"article": 0, "listing": 0, "other": 0, "404": 0}
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(site, hits))
    server.daemon_threads = True
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()

    work = OUT / "crawl" / label
    shutil.rmtree(work, ignore_errors=True)
    state, data = work / "state", work / "data"
    work.mkdir(parents=True)
    if tool == "newsbot":
        out_dir = data / "isna"
        cmd = [str(Path(sys.executable).with_name("newsbot")), "crawl", "isna",
               "-s", "NEWSBOT_HOST_MAP=" + json.dumps({"www.isna.ir": f"127.0.0.1:{port}"}),
               "-s", "NEWSBOT_HOST_MAP_ONLY=true",
               *[a for k, v in SHARED_SETTINGS.items() for a in ("-s", f"{k}={str(v).lower()}")],
               "--state-dir", str(state), "--data-dir", str(data), "-q"]
    else:
        out_dir = data / "minimal"
        out_dir.mkdir(parents=True)
        cmd = [sys.executable, str(Path(__file__).resolve()), "--minimal-spider", f"http://127.0.0.1:{port}",
               "--feed", str(out_dir / "items.jsonl")]
        if tool == "minimal8":
            cmd += ["--concurrent-items", str(NEWSBOT_CONCURRENT_ITEMS)]
    log = (work / "crawl.log").open("wb")
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    ps = psutil.Process(proc.pid)
    samples: list[dict[str, float]] = []
    files: dict[Path, Any] = {}
    first_line_t = None
    timed_out = False
    state_peak = 0
    while True:
        now = time.perf_counter() - t0
        try:
            rss = ps.memory_info().rss
            cpu = ps.cpu_times()
            cpu_s = cpu.user + cpu.system
        except psutil.NoSuchProcess:
            rss, cpu_s = 0, samples[-1]["cpu_s"] if samples else 0.0
        lines = _count_lines(files, out_dir)
        if tool == "newsbot":
            state_peak = max(state_peak, sum(_state_bytes(state).values()))
        if lines and first_line_t is None:
            first_line_t = now
        if proc.poll() is not None:
            break
        samples.append({"t": round(now, 2), "rss_mb": round(rss / 2**20, 1), "lines": lines,
                        "cpu_s": round(cpu_s, 2)})
        if now > timeout:
            timed_out = True
            proc.send_signal(signal.SIGINT)  # Scrapy closes cleanly on the first SIGINT
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
            break
        try:
            proc.wait(interval)  # returns as soon as the crawl exits, so the wall time is not rounded up
        except subprocess.TimeoutExpired:
            pass
    proc.wait()
    wall = time.perf_counter() - t0
    children1 = resource.getrusage(resource.RUSAGE_CHILDREN)  # the crawl's whole CPU time, shutdown included
    cpu_total = (children1.ru_utime + children1.ru_stime) - (children0.ru_utime + children0.ru_stime)
    log.close()
    server.shutdown()
    server.server_close()
    lines = _count_lines(files, out_dir)
    summary = None
    state_info = None
    if tool == "newsbot":
        runs = sorted((state / "runs").glob("*.json"))
        summary = json.loads(runs[-1].read_text(encoding="utf-8"))["spiders"][0] if runs else None
        sizes = _state_bytes(state)
        files_in_state = {str(p.relative_to(state)): p.stat().st_size for p in sorted(state.rglob("*")) if p.is_file()}
        state_info = {**sizes, "bytes_per_article": sum(sizes.values()) / lines if lines else None,
                      "peak_during_run": max(state_peak, sum(sizes.values())), "files": files_in_state}
    tail = (work / "crawl.log").read_text(encoding="utf-8", errors="replace")[-3000:]
    if not keep_data:
        shutil.rmtree(data, ignore_errors=True)
    return {
        "label": label, "tool": tool, "target": total, "written": lines, "wall_s": wall,
        "exit_code": proc.returncode, "timed_out": timed_out, "overall_rate": lines / wall if wall else None,
        "steady_rate": steady_rate(samples), "first_line_s": first_line_t,
        "peak_rss_mb": max((s["rss_mb"] for s in samples), default=None),
        "cpu_s": cpu_total, "cpu_ms_per_article": cpu_total * 1000 / lines if lines else None,
        "server_hits": hits, "summary": summary,
        "state": state_info, "samples": samples, "log_tail": tail,
    }


def rss_at(samples: list[dict[str, float]], count: int) -> dict[str, float] | None:
    for s in samples:
        if s["lines"] >= count:
            return s
    return None


def _fmt(v: float | None, digits: int = 1) -> str:
    return "n/a" if v is None else f"{v:.{digits}f}"


def _rate(run: dict[str, Any]) -> float | None:
    return run["steady_rate"] or run["overall_rate"]


def compare(runs: list[dict[str, Any]], baseline: str = "minimal") -> dict[str, Any] | None:
    """newsbot / the baseline spider, per pair (steady and overall articles/s), and the medians."""
    pairs = []
    nb = [r for r in runs if r["tool"] == "newsbot"]
    mini = [r for r in runs if r["tool"] == baseline]
    for a, b in zip(nb, mini, strict=False):
        pairs.append({"newsbot": a["label"], "minimal": b["label"],
                      "steady": a["steady_rate"] / b["steady_rate"] if a["steady_rate"] and b["steady_rate"]
                      else None,
                      "overall": a["overall_rate"] / b["overall_rate"] if a["overall_rate"] and b["overall_rate"]
                      else None})
    if not pairs:
        return None
    steady = [p["steady"] for p in pairs if p["steady"] is not None]
    overall = [p["overall"] for p in pairs if p["overall"] is not None]
    ratio = median(steady) if steady else (median(overall) if overall else None)
    return {"pairs": pairs, "ratio_steady": median(steady) if steady else None,
            "ratio_overall": median(overall) if overall else None, "ratio": ratio, "target": TARGET_RATIO,
            "met": ratio is not None and ratio >= TARGET_RATIO,
            "newsbot_steady": median(r for r in (_rate(x) for x in nb) if r) if nb else None,
            "minimal_steady": median(r for r in (_rate(x) for x in mini) if r) if mini else None}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--throughput", type=int, default=2000, help="articles in each run of the newsbot/minimal pairs")
    ap.add_argument("--pairs", type=int, default=2, help="newsbot, minimal pairs run back to back (default 2)")
    ap.add_argument("--memory", type=int, default=100_000, help="articles in the memory run (0: skip)")
    ap.add_argument("--budget", type=float, default=1260,
                    help="seconds the memory run may take at the throughput runs' rate; fewer articles if not")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds before the memory run is stopped")
    ap.add_argument("--minimal-spider", metavar="URL", help=argparse.SUPPRESS)
    ap.add_argument("--feed", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--concurrent-items", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.minimal_spider:
        return run_minimal_spider(args.minimal_spider, args.feed, args.concurrent_items)

    from common import md_table, write_out

    runs: list[dict[str, Any]] = []
    for i in range(1, max(args.pairs, 1) + 1):
        for tool in ("newsbot", "minimal", "minimal8"):
            runs.append(run_crawl(args.throughput, f"{tool}-{i}", tool=tool, timeout=600, interval=0.5))
            r = runs[-1]
            print(f"{r['label']}: {r['written']} written in {r['wall_s']:.1f} s, {_fmt(r['steady_rate'], 0)} "
                  "articles/s steady", file=sys.stderr)
    comparison = compare(runs)
    same_settings = compare(runs, "minimal8")
    nb_runs = [r for r in runs if r["tool"] == "newsbot"]
    sizing = None
    memory_run = None
    if args.memory:
        rate = (comparison or {}).get("newsbot_steady") or 100
        target = args.memory
        if target / rate > args.budget:
            target = max(10_000, int(rate * args.budget) // 10_000 * 10_000)
            sizing = (f"{args.memory:,} articles at the throughput runs' {rate:.0f} articles/s would take "
                      f"~{args.memory / rate / 60:.0f} min, over the {args.budget / 60:.0f} min budget: the memory run "
                      f"was sized down to {target:,}.")
        print(f"memory run of {target} articles expected to take ~{target / rate / 60:.1f} min", file=sys.stderr)
        memory_run = run_crawl(target, "memory", timeout=max(args.timeout, 2 * target / rate))
        runs.append(memory_run)
        nb_runs.append(memory_run)

    md = ["## Crawl: newsbot and a minimal Scrapy spider against a local synthetic ISNA", ""]
    md.append("A ThreadingHTTPServer on 127.0.0.1 (in the benchmark's process) generates the site on the fly: `/rss` "
              f"with 5 items, an empty news sitemap, `/archive?page=N` listings of {PER_PAGE} articles with "
              "`a[rel=next]`, ~20 KB ISNA-markup article pages with Persian text varied by id and dated now "
              "(Tehran). Every crawl is a subprocess against a fresh site of the same size, with autothrottle off, "
              "no delay, robots.txt off, 16 concurrent requests (16 per domain) and warnings-only logging. "
              "*newsbot* = `newsbot crawl isna` (`NEWSBOT_HOST_MAP`, `NEWSBOT_HOST_MAP_ONLY=true`, a fresh state "
              "directory per run, `-q`): engine, middlewares, bot-wall and page-kind checks, site parser, "
              "normalisation, dates, SQLite state, fsynced JSON Lines. *minimal* = `bench/crawl.py:MinimalSpider`, "
              "a plain `scrapy.Spider` with Scrapy's default settings except those: it follows the same RSS and "
              "listing pages and writes h1 + body `<p>` texts through Scrapy's JSON Lines feed export. Runs "
              "alternate newsbot, minimal, newsbot, minimal, …; both crawlers and the server share the machine's "
              "cores. *overall*: lines written / wall time including start-up; *steady*: rate from the first "
              "sampled line to the sample that saw the final count (sampled every 0.5 s; 1 s in the memory run); "
              "*CPU s*: the crawl process's user + system time, start-up included; *peak RSS*: the crawl process's "
              "sampled peak (neither counts the server's share).")
    md.append("")
    if comparison:
        verdict = "met" if comparison["met"] else "**not met**"
        md.append(f"Target: newsbot ≥ {TARGET_RATIO:.2f}× the minimal spider's articles/s (steady, median of "
                  f"{len(comparison['pairs'])} pairs): measured **{_fmt(comparison['ratio'], 2)}×**, {verdict}. "
                  f"Overall (with start-up): {_fmt(comparison['ratio_overall'], 2)}×.")
        md.append("")
    if same_settings:
        md.append(f"newsbot sets `CONCURRENT_ITEMS = {NEWSBOT_CONCURRENT_ITEMS}` (Scrapy's default of 100 starts 100 "
                  "asyncio tasks per response, about a millisecond of CPU per page for synchronous pipelines). "
                  "*minimal8* is the minimal spider with that same setting, so that this comparison differs in "
                  "nothing but the per-page work: newsbot / minimal8, steady, median of "
                  f"{len(same_settings['pairs'])} pairs: **{_fmt(same_settings['ratio'], 2)}×** (overall "
                  f"{_fmt(same_settings['ratio_overall'], 2)}×).")
        md.append("")
    rows = []
    for r in runs:
        s = r["summary"] or {}
        rows.append([r["label"], r["tool"], r["target"], r["written"], _fmt(r["wall_s"]), _fmt(r["first_line_s"]),
                     _fmt(r["overall_rate"]), _fmt(r["steady_rate"]), _fmt(r["peak_rss_mb"], 0), _fmt(r["cpu_s"]),
                     _fmt(r["cpu_ms_per_article"], 2),
                     r["server_hits"]["article"], s.get("fetched", "n/a"),
                     json.dumps(s.get("dropped", {})) if s else "n/a", s.get("errors", "n/a"), r["exit_code"],
                     "yes" if r["timed_out"] else "no"])
    md.append(md_table(["run", "crawler", "articles served", "lines written", "wall s", "first line at s",
                        "overall art/s", "steady art/s", "peak RSS MB", "CPU s", "CPU ms/article", "article requests",
                        "fetched", "dropped", "errors", "exit", "timed out"], rows))
    if comparison:
        md.append("")
        md.append(md_table(["pair", "newsbot / minimal, steady", "newsbot / minimal, overall"],
                           [[f"{p['newsbot']} / {p['minimal']}", _fmt(p["steady"], 2), _fmt(p["overall"], 2)]
                            for p in comparison["pairs"] + ((same_settings or {}).get("pairs") or [])]))
    if sizing:
        md.append("")
        md.append(sizing)
    states = [r for r in nb_runs if r.get("state")]
    if states:
        md.append("")
        md.append("### State store per article")
        md.append("")
        md.append("newsbot's state directory after each run (`newsbot/state.py`: tables `seen`, `frontier`, `settled` "
                  "and `outputs` in `state/seen.sqlite3`, WAL mode). *bytes/article* = (`seen.sqlite3` + "
                  "`seen.sqlite3-wal`) after the crawl exited / lines written; SQLite checkpoints the WAL into the "
                  "database when the last connection closes, so the `-wal` is usually gone by then. *peak* = the "
                  "largest database + WAL seen while the crawl ran.")
        md.append("")
        md.append(md_table(["run", "lines written", "seen.sqlite3 bytes", "-wal bytes", "bytes/article",
                            "peak during run, bytes"],
                           [[r["label"], f"{r['written']:,}", f"{r['state']['seen.sqlite3']:,}",
                             f"{r['state']['seen.sqlite3-wal']:,}", _fmt(r["state"]["bytes_per_article"], 0),
                             f"{r['state']['peak_during_run']:,}"] for r in states]))
    mem = memory_run or (nb_runs[-1] if nb_runs else None)
    samples = mem["samples"] if mem else []
    if samples:
        md.append("")
        md.append(f"### Memory over the {mem['label']} run (newsbot, {mem['target']:,} articles)")
        md.append("")
        marks = sorted({m for m in (1_000, 10_000, 50_000, 100_000) if m <= mem["target"]} | {mem["target"]})
        curve = [m for m in range(0, mem["target"] + 1, max(mem["target"] // 10, 1)) if m] + marks
        cells = []
        for m in sorted(set(curve)):
            s = rss_at(samples, m)
            cells.append([f"{m:,}", _fmt(s["rss_mb"]) if s else "not reached", _fmt(s["t"], 0) if s else "",
                          _fmt(s["cpu_s"], 0) if s else ""])
        peak = max(samples, key=lambda s: s["rss_mb"])
        md.append(md_table(["lines written", "crawl RSS MB", "at s", "crawl CPU s"], cells))
        md.append("")
        base = rss_at(samples, marks[0])
        last = samples[-1]
        md.append(f"Peak RSS {peak['rss_mb']:.0f} MB at {peak['lines']:,} lines; RSS at the last sample "
                  f"({last['lines']:,} lines) {last['rss_mb']:.0f} MB"
                  + (f"; growth after the first {marks[0]:,} lines: {last['rss_mb'] - base['rss_mb']:+.0f} MB "
                     f"({(last['rss_mb'] - base['rss_mb']) * 1024 / max(last['lines'] - base['lines'], 1):.2f} KB "
                     "per article)." if base else "."))
    data = {"runs": runs, "comparison": comparison, "same_settings": same_settings,
            "memory_run": mem["label"] if mem else None, "sizing": sizing,
            "target_ratio": TARGET_RATIO, "shared_settings": SHARED_SETTINGS}
    write_out("crawl", data, "\n".join(md))
    print("\n".join(md))
    return 0 if all(r["written"] > 0 for r in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
