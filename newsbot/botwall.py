"""Bot-wall recognition: ArvanCloud and Cloudflare challenge pages are not articles.

Both answer with 403/429/503, or with 200 and a small JS page that sets a cookie and reloads. Recognised pages
are counted and logged by the middleware and never reach the parser; a challenge is not an article.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_MARKERS = re.compile(
    r"__arcsjs|arvancloud|ar-challenge|arvan[-_ ]?(?:cloud|cdn)|transferring to the website|"
    r"cdn-cgi/challenge-platform|cf-browser-verification|cf_chl_opt|cf-chl|challenge-form|"
    r"just a moment\.\.\.|checking your browser|attention required! \| cloudflare|ddos protection by|"
    r"enable javascript and cookies to continue|please enable cookies",
)  # matched against lower-cased text: case-insensitive alternations are ten times slower in ``re``
_SERVER = re.compile(r"arvancloud|cloudflare|ddos-guard", re.I)
_CHALLENGE_STATUSES = {403, 429, 503}
# Real article pages run to tens of KB of text; a challenge page is a few KB of script.
_SMALL = 30_000


def challenge_reason(status: int, headers: Mapping[str, str], body: str) -> str | None:
    """Why this response is a bot wall ("arvancloud 403", "js challenge"), or None for an ordinary page."""
    if status not in _CHALLENGE_STATUSES and (status != 200 or len(body) >= _SMALL):
        return None  # the common case, decided without reading the page: this runs on every response
    head = body[:_SMALL * 2].lower()
    marker = _MARKERS.search(head)
    server = _SERVER.search(" ".join(f"{k}:{v}" for k, v in headers.items() if k.lower() in ("server", "set-cookie")))
    if status in _CHALLENGE_STATUSES and (marker or server):
        vendor = (marker or server).group(0).lower()  # type: ignore[union-attr]
        return f"challenge ({_vendor(vendor)}, HTTP {status})"
    if status == 200 and marker and len(body) < _SMALL and _looks_scripted(head):
        return f"challenge ({_vendor(marker.group(0).lower())}, JS page)"
    return None


def _looks_scripted(body: str) -> bool:
    lower = body.lower()
    return "<script" in lower and lower.count("<p") < 5


def _vendor(marker: str) -> str:
    if "arvan" in marker or "arcsjs" in marker or "ar-challenge" in marker or "transferring" in marker:
        return "arvancloud"
    if "cf" in marker or "cloudflare" in marker or "just a moment" in marker or "checking your browser" in marker:
        return "cloudflare"
    return "bot wall"
