"""Decoding HTML the way old Persian sites need.

Scrapy and w3lib honour a declared charset (HTTP header, BOM, ``<meta charset>``), but a legacy page in
windows-1256 with no declaration would be decoded as cp1252 and become mojibake. When nothing is declared and
the bytes are not UTF-8, windows-1256 is tried and kept if it yields Persian letters.
"""

from __future__ import annotations

import re

from w3lib.encoding import html_body_declared_encoding, html_to_unicode, http_content_type_encoding, read_bom

_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff]")


def sniff_encoding(body: bytes, content_type: str | None = None) -> str | None:
    """The encoding to decode an undeclared legacy page with, or None to leave the decision to w3lib."""
    if http_content_type_encoding(content_type) or read_bom(body)[0] or html_body_declared_encoding(body):
        return None
    try:
        body.decode("utf-8")
        return None
    except UnicodeDecodeError:
        pass
    sample = body[:200_000].decode("cp1256", errors="replace")
    letters = len(_ARABIC_SCRIPT.findall(sample))
    return "cp1256" if letters >= 20 else None


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Unicode text of an HTML body: declared charset first, then UTF-8, then windows-1256 for Persian pages."""
    legacy = sniff_encoding(body, content_type)
    if legacy:
        return body.decode(legacy, errors="replace")
    return html_to_unicode(content_type, body)[1]
