"""A synthetic ISNA-like site: article pages, RSS, news sitemap and archive pages, plus fault pages.

Everything is generated from templates and Persian text written here (with half-spaces, U+200C), with publication
times in the last day relative to now in Tehran, so the crawl's incremental window accepts every listing. The
expected record of each article is known exactly (``Article.expected``), so the end-to-end tests can compare what
newsbot wrote field by field.

A :class:`Site` is a mutable description: tests add articles or fault articles between runs, and the server in
``server.py`` asks :meth:`Site.respond` for each request it receives.
"""

from __future__ import annotations

import html
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from urllib.parse import quote, unquote, urlsplit
from zoneinfo import ZoneInfo

from persiantools.jdatetime import JalaliDate

TEHRAN = ZoneInfo("Asia/Tehran")
ZWNJ = "\u200c"
HOST = "www.isna.ir"
BASE = f"https://{HOST}"
#: Where an off-site redirect points. The tests map this host to the local server too, so a followed redirect
#: would show up in the server's request log.
EVIL_HOST = "evil.example.org"
EVIL_URL = f"https://{EVIL_HOST}/x"

MONTHS = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند")
_FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def fa(value: object) -> str:
    """ASCII digits → Persian digits (as the site prints numbers)."""
    return str(value).translate(_FA_DIGITS)


def jalali_text(dt: datetime) -> str:
    """«۱۲ شهریور ۱۴۰۴ / ۱۸:۱۷», the way the article page's meta box shows a time."""
    local = dt.astimezone(TEHRAN)
    jd = JalaliDate.to_jalali(local.date())
    return f"{fa(jd.day)} {MONTHS[jd.month - 1]} {fa(jd.year)} / {fa(local.strftime('%H:%M'))}"


def jalali_iso(dt: datetime) -> str:
    local = dt.astimezone(TEHRAN)
    jd = JalaliDate.to_jalali(local.date())
    return f"{jd.year:04d}-{jd.month:02d}-{jd.day:02d}T{local:%H:%M:%S}"


# ---- Persian text ---------------------------------------------------------------------------------------------------
# Ten stories × ten cities: article i gets story i % 10 and a city that makes every (story, city) pair unique.
CITIES = ("تهران", "اصفهان", "شیراز", "تبریز", "مشهد", "کرمان", "رشت", "یزد", "اهواز", "همدان")
OFFICIALS = ("مدیرکل فرهنگ و ارشاد اسلامی", "رئیس دانشگاه علوم پزشکی", "معاون عمرانی استانداری",
             "مدیرعامل شرکت آب و فاضلاب", "رئیس سازمان جهاد کشاورزی", "مدیرکل راه و شهرسازی",
             "رئیس اداره کل میراث فرهنگی", "مدیرکل آموزش و پرورش", "رئیس پلیس راهور", "مدیرعامل شرکت توزیع برق")
# (title, kicker, lead, first-paragraph claim, category, tags); {city} is filled in.
STORIES = (
    ("برگزاری نمایشگاه کتاب استانی در {city} با حضور ۱۲۰ ناشر",
     "مدیرکل فرهنگ و ارشاد خبر داد",
     "نمایشگاه کتاب استانی {city} از هفته آینده با حضور ناشران سراسر کشور برپا می‌شود و کتاب‌ها با تخفیف "
     "ویژه عرضه خواهند شد.",
     "نمایشگاه امسال در فضایی بزرگ‌تر از سال گذشته برگزار می‌شود و بخش ویژه‌ای به کتاب‌های کودک و نوجوان اختصاص یافته است",
     "فرهنگی", ("نمایشگاه کتاب", "ناشران")),
    ("افزایش ظرفیت پذیرش دانشجو در دانشگاه‌های {city}",
     "با تصویب شورای گسترش",
     "ظرفیت پذیرش دانشجو در رشته‌های پرطرفدار دانشگاه‌های {city} برای سال تحصیلی جدید افزایش می‌یابد.",
     "بر اساس مصوبه جدید، دانشکده‌های فنی و پزشکی بیشترین سهم را از ظرفیت‌های تازه خواهند داشت",
     "علمی و دانشگاهی", ("دانشگاه", "کنکور")),
    ("آغاز طرح نوسازی ناوگان اتوبوس‌رانی {city}",
     "در قالب قرارداد جدید شهرداری",
     "نخستین دسته از اتوبوس‌های جدید ناوگان حمل‌ونقل عمومی {city} هفته آینده وارد خطوط می‌شوند.",
     "اتوبوس‌های تازه به سامانه پرداخت الکترونیک و دوربین‌های نظارتی مجهز شده‌اند",
     "اجتماعی", ("حمل‌ونقل عمومی", "اتوبوس")),
    ("کاهش ۱۵ درصدی مصرف آب شرب در {city}",
     "مدیرعامل آبفا اعلام کرد",
     "مصرف آب شرب مشترکان خانگی {city} در ماه گذشته نسبت به مدت مشابه سال قبل ۱۵ درصد کاهش یافته است.",
     "نصب کاهنده‌های مصرف و اطلاع‌رسانی گسترده، مهم‌ترین دلیل این صرفه‌جویی بوده است",
     "اجتماعی", ("آب شرب", "صرفه‌جویی")),
    ("پیش‌بینی برداشت ۸۰ هزار تن گندم در {city}",
     "با آغاز فصل برداشت",
     "جهاد کشاورزی {city} پیش‌بینی می‌کند برداشت گندم امسال به ۸۰ هزار تن برسد.",
     "بارش‌های به‌موقع بهاری و استفاده از بذرهای اصلاح‌شده، عملکرد مزارع را بالا برده است",
     "اقتصادی", ("گندم", "کشاورزی")),
    ("بهره‌برداری از بزرگراه جدید در {city} تا پایان سال",
     "معاون عمرانی استانداری خبر داد",
     "بزرگراه جدید {city} که ترافیک ورودی شهر را کاهش می‌دهد، تا پایان سال به بهره‌برداری می‌رسد.",
     "بیش از ۷۰ درصد عملیات اجرایی این پروژه به پایان رسیده و بخش باقی‌مانده در دست اجراست",
     "اقتصادی", ("بزرگراه", "عمران")),
    ("بازگشایی موزه تاریخی {city} پس از مرمت",
     "پس از دو سال تعطیلی",
     "موزه تاریخی {city} پس از پایان عملیات مرمت، از ابتدای ماه آینده به روی بازدیدکنندگان باز می‌شود.",
     "در جریان مرمت، سقف‌های چوبی و کاشی‌کاری‌های نمای اصلی بنا بازسازی شده است",
     "فرهنگی", ("موزه", "میراث فرهنگی")),
    ("ثبت‌نام دانش‌آموزان پایه اول در {city} آغاز شد",
     "مدیرکل آموزش و پرورش اعلام کرد",
     "ثبت‌نام دانش‌آموزان پایه اول ابتدایی در مدارس {city} از امروز به‌صورت الکترونیکی آغاز شد.",
     "خانواده‌ها می‌توانند بدون مراجعه حضوری و از طریق سامانه ثبت‌نام، مدرسه محل سکونت خود را انتخاب کنند",
     "اجتماعی", ("آموزش و پرورش", "ثبت‌نام")),
    ("محدودیت‌های ترافیکی تعطیلات در جاده‌های {city}",
     "پلیس راهور هشدار داد",
     "پلیس راهور {city} از اعمال محدودیت‌های ترافیکی در محورهای پرتردد در روزهای تعطیل خبر داد.",
     "تردد خودروهای سنگین در ساعات اوج سفر ممنوع است و محورهای فرعی با حضور پلیس کنترل می‌شوند",
     "اجتماعی", ("ترافیک", "پلیس راهور")),
    ("برنامه خاموشی‌های احتمالی برق در {city} اعلام شد",
     "با افزایش دمای هوا",
     "شرکت توزیع برق {city} جدول خاموشی‌های احتمالی مناطق مختلف شهر را منتشر کرد.",
     "مشترکان می‌توانند زمان خاموشی محله خود را از طریق اپلیکیشن برق من دریافت کنند",
     "اقتصادی", ("برق", "خاموشی")),
)
SECOND_PARAGRAPH = ("وی با اشاره به اینکه بخش عمده‌ای از هزینه‌ها از محل اعتبارات استانی تأمین می‌شود، افزود: "
                    "هماهنگی‌های لازم با دستگاه‌های اجرایی انجام شده و گزارش پیشرفت کار هر ماه منتشر خواهد شد.")
THIRD_PARAGRAPH = "بر اساس این گزارش، این برنامه تا پایان سال در {n} شهرستان دیگر استان نیز اجرا می‌شود."
TRAILER = "انتهای پیام"


@dataclass
class Article:
    """One article of the synthetic site, and the record newsbot should write for it."""

    code: str
    title: str
    kicker: str
    lead: str
    paragraphs: list[str]
    category: str
    tags: list[str]
    published: datetime
    #: Put article:published_time (UTC) in the page, as ISNA does.
    meta_date: bool = True
    #: Overrides the visible date text (the bad-date fault).
    visible_date: str | None = None
    #: Include <meta charset="utf-8">.
    meta_charset: bool = True
    #: List in the RSS feed with a pubDate.
    rss_date: bool = True
    #: JSON-LD whose description holds a lone surrogate escape (``\\ud83d``), as a broken CMS emits.
    jsonld_surrogate: bool = False

    @property
    def slug(self) -> str:
        return "-".join(self.title.split())

    @property
    def path(self) -> str:
        return f"/news/{self.code}/{self.slug}"

    @property
    def url(self) -> str:
        return BASE + quote(self.path, safe="/-_.~%")

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)

    def expected(self) -> dict[str, object]:
        """The record fields the tests compare (everything but crawled_at, image, canonical_url and authors)."""
        return {
            "site": "isna",
            "agency": "ایسنا",
            "news_code": self.code,
            "url": self.url,
            "title": self.title,
            "kicker": self.kicker,
            "lead": self.lead,
            "body": self.body,
            "published_at": self.published.astimezone(TEHRAN).isoformat(timespec="seconds"),
            "published_jalali": jalali_iso(self.published),
            "category": self.category,
            "tags": list(self.tags),
            "attribution": "ایسنا",
            "language": "fa",
        }


def make_article(seq: int, published: datetime, code_prefix: str) -> Article:
    story = STORIES[seq % len(STORIES)]
    city = CITIES[(seq // len(STORIES) + seq) % len(CITIES)]
    official = OFFICIALS[seq % len(OFFICIALS)]
    title, kicker, lead, claim, category, tags = story
    paragraphs = [
        f"به گزارش ایسنا، {official} {city} امروز در نشست خبری با اصحاب رسانه گفت: {claim}.",
        SECOND_PARAGRAPH,
        THIRD_PARAGRAPH.format(n=fa(seq % 7 + 2)),
    ]
    return Article(
        code=f"{code_prefix}{seq:05d}",
        title=title.format(city=city),
        kicker=kicker,
        lead=lead.format(city=city),
        paragraphs=paragraphs,
        category=category,
        tags=[*tags, city],
        published=published,
    )


# ---- page templates -----------------------------------------------------------------------------------------------
_HEAD = """<!DOCTYPE html>
<html lang="fa" dir="rtl">
<head>
{charset}<meta name="viewport" content="width=device-width, initial-scale=1, shrink-to-fit=no">
<title>{title} - ایسنا</title>
<meta name="generator" content="NewsStudio">
<meta property="og:type" content="{og_type}">
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="ایسنا">
<meta property="og:url" content="{url}">
{extra_meta}<link rel="canonical" href="{url}">
<link rel="stylesheet" href="/resources/theme/isna/css/style.css?v=20250821">
</head>
<body class="{body_class}">
<div id="top-bar" class="top-bar">
  <div class="col-md-6 date-today">امروز: {today}</div>
  <div class="top-links"><a href="/page/about">درباره ما</a> | <a href="/page/contact">تماس با ما</a></div>
</div>
<header id="header" class="header">
  <a href="/" title="ایسنا - خبرگزاری دانشجویان ایران"><img src="/resources/theme/isna/img/logo.png" alt="ایسنا"></a>
  <nav id="menu"><ul class="navbar-nav">
    <li><a href="/">صفحه نخست</a></li><li><a href="/service/Economy">اقتصادی</a></li>
    <li><a href="/service/Social">اجتماعی</a></li><li><a href="/archive">آرشیو</a></li>
  </ul></nav>
</header>
"""

_FOOT = """<footer id="footer" class="footer">
  <p class="copyright">© تمامی حقوق این سایت متعلق به خبرگزاری دانشجویان ایران (ایسنا) است.</p>
</footer>
<script src="/resources/theme/isna/js/main.js?v=20250821"></script>
</body>
</html>
"""


def article_html(art: Article, others: list[Article], *, today: str) -> str:
    """The article page, marked up like ISNA's NewsStudio theme (see fixtures/isna/article-1.html)."""
    esc = html.escape
    extra = ""
    if art.meta_date:
        utc = art.published.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        extra += f'<meta property="article:published_time" content="{utc}">\n'
    extra += f'<meta property="article:section" content="{esc(art.category)}">\n'
    if art.jsonld_surrogate:
        extra += ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
                  '"headline": "' + esc(art.title) + '", "description": "\\ud83d ' + esc(art.lead) + '", '
                  '"image": {"@type": "ImageObject", "url": "https://cdn.isna.ir/d/x\\udc00.jpg"}}</script>\n')
    visible = art.visible_date or jalali_text(art.published)
    paragraphs = "\n".join(f"              <p>{esc(p)}</p>" for p in art.paragraphs)
    tags = "\n".join(f'<li><a href="/tag/{quote(t)}">{esc(t)}</a></li>' for t in art.tags)
    related = "\n".join(f'<li><a href="{esc(o.path)}">{esc(o.title)}</a></li>' for o in others[:4])
    head = _HEAD.format(charset='<meta charset="utf-8">\n' if art.meta_charset else "", title=esc(art.title),
                        og_type="article", url=esc(art.url), extra_meta=extra, body_class="news-page", today=today)
    return head + f"""<main id="main" class="main">
  <ol class="breadcrumb"><li><a href="/">ایسنا</a></li>
    <li class="active"><a href="/service/x">{esc(art.category)}</a></li></ol>
  <article id="item" itemscope itemtype="http://schema.org/NewsArticle">
    <div class="item-header">
      <span class="kicker">{esc(art.kicker)}</span>
      <h1 class="first-title" itemprop="headline">{esc(art.title)}</h1>
      <p class="summary" itemprop="description">{esc(art.lead)}</p>
      <div class="meta-news">
        <ul>
          <li><span class="title-meta">تاریخ انتشار:</span><span class="text-meta">{visible}</span></li>
          <li><span class="title-meta">سرویس:</span>
            <span class="text-meta" itemprop="articleSection">{esc(art.category)}</span></li>
          <li><span class="title-meta">کد خبر:</span><span class="text-meta">{fa(art.code)}</span></li>
        </ul>
      </div>
    </div>
    <figure class="item-img"><img src="https://cdn.isna.ir/d/{art.code}.jpg" alt="{esc(art.title)}"></figure>
    <div class="share-box"><ul class="share-list">
      <li><a class="telegram" href="https://t.me/share/url?url={esc(art.url)}" title="اشتراک در تلگرام">تلگرام</a></li>
    </ul></div>
    <div class="item-body content-full-news">
      <div class="item-text" itemprop="articleBody">
{paragraphs}
              <p>{TRAILER}</p>
      </div>
    </div>
    <footer class="tags"><ul>
{tags}
    </ul></footer>
  </article>
  <section class="box related"><header><h2 class="box-title">اخبار مرتبط</h2></header><ul>
{related}
  </ul></section>
</main>
""" + _FOOT


def archive_html(items: list[Article], *, next_href: str | None, today: str) -> str:
    esc = html.escape
    lis = "\n".join(
        f"""<li class="news"><div class="desc">
  <h3><a href="{esc(a.path)}" target="_blank">{esc(a.title)}</a></h3>
  <p class="introtext">{esc(a.lead)}</p>
  <time><a title="{esc(jalali_text(a.published))}">{jalali_text(a.published).replace(" /", "،")}</a></time>
</div></li>"""
        for a in items
    )
    pager = f'<li class="page-item"><a class="page-link next" rel="next" href="{esc(next_href)}">بعدی</a></li>' \
        if next_href else '<li class="page-item disabled"><span class="page-link">بعدی</span></li>'
    head = _HEAD.format(charset='<meta charset="utf-8">\n', title="آرشیو اخبار", og_type="website",
                        url=BASE + "/archive", extra_meta="", body_class="archive-page", today=today)
    return head + f"""<main id="main" class="main">
  <section class="box list">
    <div class="items"><ul>
{lis}
    </ul></div>
    <nav class="pagination-container" aria-label="صفحه‌بندی"><ul class="pagination">{pager}</ul></nav>
  </section>
  <aside class="box most-viewed"><ul><li><a href="/news/1399010100001/">خبر پربازدید قدیمی</a></li></ul></aside>
</main>
""" + _FOOT


def rss_xml(items: list[Article]) -> str:
    esc = html.escape
    out = []
    for a in items:
        pub = f"\n      <pubDate>{format_datetime(a.published.astimezone(TEHRAN))}</pubDate>" if a.rss_date else ""
        out.append(f"""    <item>
      <title>{esc(a.title)}</title>
      <link>{esc(a.url)}</link>
      <description>{esc(a.lead)}</description>{pub}
      <category>{esc(a.category)}</category>
      <guid isPermaLink="false">{a.code}</guid>
    </item>""")
    body = "\n".join(out)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>ایسنا - آخرین اخبار</title>
    <link>{BASE}/</link>
    <description>خبرگزاری دانشجویان ایران (ایسنا) - آخرین اخبار</description>
    <language>fa</language>
{body}
  </channel>
</rss>
"""


def sitemap_xml(items: list[Article]) -> str:
    esc = html.escape
    urls = "\n".join(f"""  <url>
    <loc>{esc(a.url)}</loc>
    <news:news>
      <news:publication><news:name>ایسنا</news:name><news:language>fa</news:language></news:publication>
      <news:publication_date>{a.published.astimezone(TEHRAN).isoformat(timespec="seconds")}</news:publication_date>
      <news:title>{esc(a.title)}</news:title>
    </news:news>
  </url>""" for a in items)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
{urls}
</urlset>
"""


ROBOTS = """User-agent: *
Allow: /news/
Allow: /rss
Allow: /sitemap/
Allow: /archive
Disallow: /search
Disallow: /redirect/
"""

ARVAN_403 = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>403 Forbidden</title></head>
<body><div class="ar-challenge"><h1>دسترسی شما مسدود شده است</h1>
<p>Your request has been blocked by ArvanCloud.</p></div>
<script src="/cdn-cgi/arvancloud/challenge.js"></script></body></html>
"""

ARVAN_JS = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Transferring to the website...</title>
<script>var __arcsjs = "a8f2c1"; document.cookie = "__arcsjs=" + __arcsjs + "; path=/";
setTimeout(function () { window.location.reload(); }, 100);</script></head>
<body><p>Transferring to the website...</p></body></html>
"""


# Walls and non-articles answered with HTTP 200, as the real ones are (their structure, not their text).
CF_MANAGED = """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="robots" content="noindex,nofollow">
<style>body{font-family:system-ui}.main-wrapper{display:flex}</style></head>
<body><div class="main-wrapper" role="main"><div class="main-content"><h1 class="zone-name-title h1">www.isna.ir</h1>
<h2 class="h2" id="challenge-running">Verifying you are human. This may take a few seconds.</h2>
<div id="challenge-stage"></div><noscript><div class="h2">Enable JavaScript and cookies to continue</div></noscript>
</div></div><script>(function(){window._cf_chl_opt={cvId: '3',cZone: "www.isna.ir",cType: 'managed',
cRay: '8f1a2b3c4d5e6f70'};var a=document.createElement('script');
a.src='/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1?ray=8f1a2b3c4d5e6f70';
document.getElementsByTagName('head')[0].appendChild(a);}());</script></body></html>
"""


def arvan_big() -> str:
    """An ArvanCloud challenge padded past 30 KB with its inline script, as its real pages are."""
    pad = "var _ar=" + repr("a1" * 20_000) + ";"
    return ARVAN_JS.replace("</script>", pad + "</script>")


_CHARSET = '<meta charset="utf-8">\n'
SOFT_404 = f"""{_HEAD.format(charset=_CHARSET, title="صفحه مورد نظر یافت نشد", og_type="website",
                        url=BASE + "/news/x", extra_meta="", body_class="error-page", today="")}
<main id="main" class="main"><div class="error-404">
<h1>صفحه مورد نظر یافت نشد</h1><p>ممکن است نشانی را اشتباه وارد کرده باشید یا این صفحه حذف شده باشد.</p>
<p><a href="/">بازگشت به صفحه نخست</a></p></div></main>
{_FOOT}"""

LOGIN = f"""{_HEAD.format(charset=_CHARSET, title="ورود به حساب کاربری", og_type="website",
                        url=BASE + "/user/login", extra_meta="", body_class="login-page", today="")}
<main id="main" class="main"><section class="login-box"><h1>ورود به حساب کاربری</h1>
<form method="post" action="/user/login"><label>نام کاربری یا ایمیل</label><input type="text" name="username">
<label>رمز عبور</label><input type="password" name="password"><button type="submit">ورود</button></form>
<p><a href="/user/register">ثبت‌نام کنید</a> | <a href="/user/forgot">رمز عبور خود را فراموش کرده‌اید؟</a></p>
</section></main>
{_FOOT}"""


def sitemap_index(locs: list[str]) -> str:
    items = "\n".join(f"  <sitemap><loc>{html.escape(loc)}</loc></sitemap>" for loc in locs)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{items}
</sitemapindex>
"""


# ---- the site -------------------------------------------------------------------------------------------------------
@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    #: Seconds to wait before answering (a slow server, or longer than the crawl's DOWNLOAD_TIMEOUT).
    delay: float = 0.0
    #: Send Content-Length (False: the body runs until the connection closes, as an HTTP/1.0 server may do).
    content_length: bool = True
    #: Hold the reply until this event is set (or the server stops).
    gate: threading.Event | None = None


FAULTS = ("flaky500", "timeout", "404", "offsite_redirect", "arvan403", "arvan_js", "truncated", "cp1256",
          "huge", "huge_stream", "bad_date", "cf_managed", "arvan_big", "soft404", "listing_page", "login_page",
          "surrogate")
HUGE_SIZE = 11 * 1024 * 1024


class Site:
    """The synthetic site: normal articles (in the feed, sitemap and archive) and fault articles (feed only)."""

    #: How many newest articles the feed lists, and how many the news sitemap lists; the archive lists all,
    #: ``archive_page_size`` per page, so the oldest articles are only reachable through archive page 2.
    rss_size = 20
    sitemap_size = 25
    archive_page_size = 15

    def __init__(self, n_articles: int = 30, *, now: datetime | None = None, spacing_minutes: int = 29,
                 archive_page_size: int | None = None) -> None:
        #: Minutes between two consecutive old articles (1 for a dense archive that only the walk reaches).
        self.spacing = spacing_minutes
        if archive_page_size:
            self.archive_page_size = archive_page_size
        #: raw path (as requested) -> the reply to give instead of the site's own (outages, odd documents).
        self.overrides: dict[str, Reply] = {}
        #: While set, the wall faults (cf_managed, arvan_big) answer with the wall; cleared, with the article.
        self.walls_up = threading.Event()
        self.walls_up.set()
        self.now = (now or datetime.now(TEHRAN)).astimezone(TEHRAN).replace(second=0, microsecond=0)
        jd = JalaliDate.to_jalali(self.now.date())
        # ISNA ids pack the Jalali date: 1404061207654 = 1404/06/12 + a sequence number (13 digits in all).
        self.code_prefix = f"{jd.year:04d}{jd.month:02d}{jd.day:02d}"
        self.today = f"{fa(jd.day)} {MONTHS[jd.month - 1]} {fa(jd.year)}"
        self._lock = threading.Lock()
        self._seq = 0
        self.articles: list[Article] = []  # newest first
        self.faults: dict[str, tuple[str, Article]] = {}  # code -> (kind, article)
        self.hits: dict[str, int] = {}
        #: Seconds every article page waits before answering (the kill and lock tests).
        self.article_delay = 0.0
        #: With a number: article requests after that many are held until ``release`` is set, so a test can
        #: catch a crawl midway however fast or slow the machine is.
        self.hold_after: int | None = None
        self.release = threading.Event()
        self.article_requests = 0
        for _ in range(n_articles):
            self._append_old()

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _append_old(self) -> Article:
        # Article k (0 = newest) was published 10 + 29·k minutes ago: 30 articles span about 15 hours.
        published = self.now - timedelta(minutes=10 + self.spacing * len(self.articles))
        art = make_article(self._next_seq(), published, self.code_prefix)
        self.articles.append(art)
        return art

    def add_article(self) -> Article:
        """A new article at the top of the feed, the sitemap and the archive (published a minute ago)."""
        with self._lock:
            published = datetime.now(TEHRAN).replace(second=0, microsecond=0) - timedelta(minutes=1)
            if self.articles:
                published = max(published, self.articles[0].published + timedelta(minutes=1))
            art = make_article(self._next_seq(), published, self.code_prefix)
            self.articles.insert(0, art)
            return art

    def add_fault(self, kind: str) -> Article:
        """A fault article, listed only in the RSS feed (see FAULTS)."""
        assert kind in FAULTS, kind
        with self._lock:
            published = self.now - timedelta(minutes=3 + len(self.faults))
            art = make_article(self._next_seq(), published, self.code_prefix)
            if kind == "bad_date":
                art.visible_date = "۳۰ اسفند ۱۴۰۲ / ۱۰:۱۵"  # 1402 is not a leap year: no 30 Esfand
                art.meta_date = False
                art.rss_date = False
            if kind == "cp1256":
                art.meta_charset = False
            if kind == "surrogate":
                art.jsonld_surrogate = True
            self.faults[art.code] = (kind, art)
            return art

    def fault_article(self, kind: str) -> Article:
        return next(a for k, a in self.faults.values() if k == kind)

    # ---- listings -------------------------------------------------------------------------------------------------
    def rss_items(self) -> list[Article]:
        return [a for _, a in self.faults.values()] + self.articles[: self.rss_size]

    def archive_pages(self) -> list[list[Article]]:
        size = self.archive_page_size
        return [self.articles[i:i + size] for i in range(0, len(self.articles), size)] or [[]]

    # ---- serving --------------------------------------------------------------------------------------------------
    def respond(self, host: str, raw_path: str) -> Reply:
        """The reply to GET ``raw_path`` (path and query, percent-encoded as sent) on ``host``."""
        with self._lock:
            self.hits[raw_path] = self.hits.get(raw_path, 0) + 1
            hits = self.hits[raw_path]
            parts = urlsplit(raw_path)
            path = unquote(parts.path)
            if raw_path in self.overrides:
                return self.overrides[raw_path]
            if host.split(":")[0] != HOST:
                return _text(404, "unknown host")
            if path == "/robots.txt":
                return Reply(200, {"Content-Type": "text/plain; charset=utf-8"}, ROBOTS.encode())
            if path == "/rss":
                return _xml(rss_xml(self.rss_items()), "application/rss+xml")
            if path == "/sitemap/news/sitemap.xml":
                return _xml(sitemap_xml(self.articles[: self.sitemap_size]), "application/xml")
            if path == "/archive":
                page = 1
                for pair in parts.query.split("&"):
                    if pair.startswith("pi="):
                        page = int(pair[3:])
                pages = self.archive_pages()
                if not 1 <= page <= len(pages):
                    return _text(404, "no such page")
                next_href = f"/archive?pi={page + 1}" if page < len(pages) else None
                return _html(archive_html(pages[page - 1], next_href=next_href, today=self.today))
            if path.startswith("/news/"):
                code = path.split("/")[2]
                if code in self.faults:
                    kind, art = self.faults[code]
                    return self._fault_reply(kind, art, hits)
                art = next((a for a in self.articles if a.code == code), None)
                if art is None:
                    return _text(404, "not found")
                reply = _html(article_html(art, self.articles, today=self.today))
                reply.delay = self.article_delay
                self.article_requests += 1
                if self.hold_after is not None and self.article_requests > self.hold_after:
                    reply.gate = self.release
                return reply
            return _text(404, "not found")

    def _fault_reply(self, kind: str, art: Article, hits: int) -> Reply:
        page = article_html(art, self.articles, today=self.today)
        if kind == "flaky500":
            return _text(500, "Internal Server Error") if hits == 1 else _html(page)
        if kind == "timeout":
            return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, page.encode(), delay=3.5)
        if kind == "404":
            return _text(404, "not found")
        if kind == "offsite_redirect":
            return Reply(302, {"Location": EVIL_URL, "Content-Type": "text/html"}, b"<a href='x'>moved</a>")
        if kind == "arvan403":
            return Reply(403, {"Content-Type": "text/html; charset=utf-8", "Server": "ArvanCloud"},
                         ARVAN_403.encode())
        if kind == "arvan_js":
            return Reply(200, {"Content-Type": "text/html; charset=utf-8", "Server": "ArvanCloud"},
                         ARVAN_JS.encode())
        if kind == "truncated":
            return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, truncate_page(page, art).encode())
        if kind == "cp1256":
            return Reply(200, {"Content-Type": "text/html"}, encode_cp1256(page))
        if kind in ("huge", "huge_stream"):
            return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, huge_page(page),
                         content_length=kind == "huge")
        if kind in ("bad_date", "surrogate"):
            return _html(page)
        if kind == "cf_managed":
            return _html(CF_MANAGED) if self.walls_up.is_set() else _html(page)
        if kind == "arvan_big":
            return _html(arvan_big()) if self.walls_up.is_set() else _html(page)
        if kind == "soft404":
            return _html(SOFT_404)
        if kind == "listing_page":
            return _html(archive_html(self.articles[:20], next_href=None, today=self.today))
        if kind == "login_page":
            return _html(LOGIN)
        raise AssertionError(kind)


def truncated_text(art: Article) -> str:
    """Where the truncated page stops: in the middle of the second paragraph."""
    second = art.paragraphs[1]
    return second[: len(second) // 2].rstrip()


def truncate_page(page: str, art: Article) -> str:
    """The page cut mid-paragraph: no closing </p>, </div>, </article>, </body> or </html>."""
    cut = html.escape(truncated_text(art))
    return page[: page.index(cut) + len(cut)]


def encode_cp1256(page: str) -> bytes:
    """The page as a legacy site serves it: windows-1256, Arabic yeh (cp1256 has no Persian ی), no declaration."""
    legacy = page.replace("ی", "\u064a").translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
    return legacy.encode("cp1256")


def huge_page(page: str) -> bytes:
    """An article page padded with an HTML comment to 11 MB."""
    head, tail = page.split("</body>", 1)
    pad = HUGE_SIZE - len(page.encode())
    return (head + "<!--" + "x" * pad + "-->" + "</body>" + tail).encode()


def _html(text: str) -> Reply:
    return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, text.encode())


def _xml(text: str, ctype: str) -> Reply:
    return Reply(200, {"Content-Type": f"{ctype}; charset=utf-8"}, text.encode())


def _text(status: int, text: str) -> Reply:
    return Reply(status, {"Content-Type": "text/plain; charset=utf-8"}, text.encode())
