"""Bot-wall recognition: a CDN's challenge, block or captcha page is not an article.

ArvanCloud, Cloudflare and DDoS-Guard answer a client they distrust with a 403/429/503 refusal, with a 200 page of
script that sets a cookie and reloads (ArvanCloud's ``__arcsjs``, Cloudflare's managed challenge), with a block
page or with a captcha. Any of these can come at any status and any size (ArvanCloud pads some with tens of KB of
inline script), so neither the status nor the length decides. Structure does: the challenge machinery (script
variables, form ids, endpoints) that only such pages carry, a title that is the vendor's interstitial, a captcha
widget that is the page's main content, and next to no visible text. A vendor's *name* decides nothing at 200:
articles write about ArvanCloud and Cloudflare, and ordinary pages behind Cloudflare load its CDN
(``cdnjs.cloudflare.com``), its e-mail protection (``email-decode.min.js``) and its passive bot detection
(``/cdn-cgi/challenge-platform/.../scripts/jsd/main.js``); comment forms carry captchas.

The downloader middleware calls :func:`challenge_reason` on every response, so an ordinary page costs a title
search and a few substring scans for case-stable markers (about 0.1 ms for 25 KB); the page's text is only read
when a marker was found.

Reasons (the middleware logs them; ``extract_article`` raises them after ``"bot wall: "``):

- ``challenge (<vendor>, HTTP <status>)``: a refusal status (403/429/503) from a CDN, or a challenge or block
  page at any status other than 200;
- ``challenge (<vendor>, JS page)``: a 200 page whose content is a challenge;
- ``blocked (<vendor>, HTTP 200)``: a 200 block page («Access denied», «Attention Required!»);
- ``captcha (<widget>, HTTP <status>)``: a page whose main content is a captcha; ``<widget>`` is ``recaptcha``,
  ``hcaptcha``, ``turnstile`` or ``image``.

``<vendor>`` is ``arvancloud``, ``cloudflare``, ``ddos-guard``, or ``bot wall`` when nothing names one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: Statuses a CDN refuses a client with; with a CDN's Server header or its name in the page, a refusal is a wall.
_REFUSALS = frozenset({403, 429, 503})
#: A challenge page is a few KB, padded ones a few hundred; reading further only costs time on huge pages.
_SCAN = 1_000_000
_SERVERS = ("arvancloud", "cloudflare", "ddos-guard")

# Challenge machinery, matched case-sensitively (it is code, not prose): the variables, tokens, form ids and
# endpoints that only a challenge page carries. Each is a plain substring test, which str does in C at memory
# speed; one regex alternation over them costs ten times more on a 150 KB page. Cloudflare's passive bot detection
# on ordinary pages also lives under /cdn-cgi/challenge-platform/, but under scripts/jsd/, never under orchestrate/.
_DDOS_GUARD_MACHINERY = (".well-known/ddos-guard/",)
_CF_TOKENS = ("cf_chl_", "cf-chl-", "jschl_vc", "jschl-answer")  # window._cf_chl_opt, __cf_chl_tk, cf-chl-widget
_CF_ORCHESTRATE = re.compile(r"challenge-platform/h/\w+/orchestrate/")
_CF_FORM = re.compile(r"id=[\"']?challenge-form")
# Captcha widgets as markup (a page that merely writes the word "captcha" has none of these).
_CAPTCHA = re.compile(
    r"(?P<recaptcha>g-recaptcha|google\.com/recaptcha/|recaptcha/api\.js)"
    r"|(?P<hcaptcha>h-captcha|hcaptcha\.com/1/api)"
    r"|(?P<turnstile>cf-turnstile|challenges\.cloudflare\.com/turnstile)"
    r"|(?P<image><img[^>]{0,300}(?:captcha|کد امنیتی)|name=[\"']?(?:captcha|security_?code))"
)
_TITLE = re.compile(r"<title\b[^>]*>([^<]*)", re.I)
_PERSIAN = str.maketrans({"\u064a": "\u06cc", "\u0643": "\u06a9"})  # Arabic yeh and kaf, as some sites write them
# Interstitial titles (lower-cased, ZWNJ as space). They are the whole title, not words in one.
_CHALLENGE_TITLE = re.compile(
    r"^(?:just a moment|one moment,? please|please wait|checking your browser|verifying you are human|"
    r"ddos-guard|transferring to the website|در حال انتقال به (?:وب ?)?سایت|لطفا[ًا]? (?:چند لحظه )?صبر کنید|"
    r"در حال بررسی(?: امنیتی)? مرورگر|بررسی امنیتی مرورگر)"
)
_BLOCKED_TITLE = re.compile(r"^(?:attention required|access denied|403 forbidden|دسترسی (?:شما )?(?:مسدود|محدود))")
_VENDOR_NAMED = re.compile(r"arvan|آروان|cloudflare|ddos-guard")
_INVISIBLE = re.compile(
    r"<(script|style|template|noscript|svg)\b.*?</\1\s*>|<!--.*?-->|<head\b.*?</head\s*>", re.S | re.I
)
# A captcha beside a text area or a password field guards a comment, login or sign-up form, not the page.
_PASSWORD_FIELD = re.compile(r"type=[\"']?password", re.I)
_TAG = re.compile(r"<[^>]*>")
_ARTICLE_MARKUP = re.compile(
    r"<article[\s>]|itemprop=[\"']?articlebody|\"@type\"\s*:\s*\"(?:news|blogposting|reportage)|"
    r"property=[\"']og:type[\"'][^>]*content=[\"']article|content=[\"']article[\"'][^>]*property=[\"']og:type"
)
#: Visible characters a challenge or block page stays under (Cloudflare's block page explains itself in ~900).
_CHALLENGE_TEXT = 2500
#: A captcha gate says one or two sentences; a page with a comment-form captcha says much more.
_CAPTCHA_TEXT = 1000
#: One run of text this long is a paragraph of prose, which no captcha gate has.
_PROSE_RUN = 200


def challenge_reason(status: int, headers: Mapping[str, str], body: str) -> str | None:
    """Why this response is a bot wall (see the module docstring for the reasons), or None for an ordinary page."""
    page = body if len(body) <= _SCAN else body[:_SCAN]
    server, mitigated = _cdn_headers(headers)
    if status in _REFUSALS and (server or mitigated):
        return f"challenge ({server or 'cloudflare'}, HTTP {status})"
    title = _title(page)
    kind, vendor = _evidence(page, title)
    if kind is None and status in _REFUSALS:
        named = _named_vendor(page)
        if named:
            kind, vendor = "challenge", named
    if kind is None:
        return None
    if status not in _REFUSALS and not _bare(page, _CAPTCHA_TEXT if kind == "captcha" else _CHALLENGE_TEXT,
                                              prose_allowed=kind != "captcha"):
        return None  # a marker in a page that reads like a page: an article about walls, or a comment captcha
    if kind == "captcha":
        return f"captcha ({vendor}, HTTP {status})"
    if vendor == "bot wall":
        vendor = server or _named_vendor(page) or vendor
    if kind == "blocked" and vendor == "bot wall":
        return None  # an unnamed «access denied» is the site's own error page, not a CDN's wall
    if status != 200:
        return f"challenge ({vendor}, HTTP {status})"
    return f"{kind} ({vendor}, {'JS page' if kind == 'challenge' else 'HTTP 200'})"


def _cdn_headers(headers: Mapping[str, str]) -> tuple[str | None, bool]:
    """The CDN named by the Server header, and whether Cloudflare flagged the response as a challenge."""
    server = None
    mitigated = False
    for key, value in headers.items():
        name = key.lower()
        if name == "server":
            low = value.lower()
            server = next((s for s in _SERVERS if s in low), None)
        elif name == "cf-mitigated":
            mitigated = "challenge" in value.lower()
    return server, mitigated


def _title(page: str) -> str:
    match = _TITLE.search(page)
    if not match:
        return ""
    title = match.group(1).lower().replace("\u200c", " ").translate(_PERSIAN)
    return " ".join(title.split())


def _evidence(page: str, title: str) -> tuple[str | None, str]:
    """(kind, vendor or widget) of the strongest wall marker, or (None, "") for an ordinary page."""
    vendor = _machinery(page)
    if vendor:
        return "challenge", vendor
    if title:
        if _CHALLENGE_TITLE.match(title):
            return "challenge", _vendor(title)
        if _BLOCKED_TITLE.match(title):
            return "blocked", _vendor(title)
    if ("captcha" in page or "turnstile" in page or "کد امنیتی" in page) and not _guarded_form(page):
        widget = _CAPTCHA.search(page)
        if widget:
            return "captcha", widget.lastgroup or "image"
    return None, ""


def _guarded_form(page: str) -> bool:
    if "<textarea" in page or "<TEXTAREA" in page:
        return True
    return ("password" in page or "PASSWORD" in page) and bool(_PASSWORD_FIELD.search(page))


def _machinery(page: str) -> str | None:
    """The vendor whose challenge machinery the page carries. Two scans decide an ordinary page: every marker
    holds "chl" or "challenge" except ArvanCloud's cookie and DDoS-Guard's endpoint."""
    if "arcsjs" in page and "__arcsjs" in page:
        return "arvancloud"
    if "ddos-guard" in page and any(marker in page for marker in _DDOS_GUARD_MACHINERY):
        return "ddos-guard"
    if "chl" in page and (any(marker in page for marker in _CF_TOKENS) or "cf-browser-verification" in page):
        return "cloudflare"
    if "challenge" in page:
        if "ar-challenge" in page:
            return "arvancloud"
        if ("/orchestrate/" in page and _CF_ORCHESTRATE.search(page)) or \
                ("challenge-form" in page and _CF_FORM.search(page)):
            return "cloudflare"
    return None


def _bare(page: str, limit: int, *, prose_allowed: bool) -> bool:
    """Whether the page has no article markup and less visible text than ``limit`` characters.

    Only pages with a wall marker get here, so reading the whole page is affordable.
    """
    if _ARTICLE_MARKUP.search(page.lower()):
        return False
    shown = _INVISIBLE.sub(" ", page)
    runs = [" ".join(run.split()) for run in _TAG.split(shown)]
    if not prose_allowed and any(len(run) >= _PROSE_RUN for run in runs):
        return False
    return sum(len(run) for run in runs) < limit


def _named_vendor(page: str) -> str | None:
    named = _VENDOR_NAMED.search(page.lower())
    return _vendor(named.group(0)) if named else None


def _vendor(marker: str) -> str:
    if "arvan" in marker or "آروان" in marker or "transferring" in marker or "انتقال" in marker:
        return "arvancloud"
    if "cloudflare" in marker or "just a moment" in marker:
        return "cloudflare"
    if "ddos-guard" in marker:
        return "ddos-guard"
    return "bot wall"
