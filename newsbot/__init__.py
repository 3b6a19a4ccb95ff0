"""newsbot: a Scrapy crawler for Iranian news agencies.

``newsbot.extract_article(html, url)`` turns one saved page into the article record a crawl would write.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["NotAnArticle", "__version__", "extract_article"]


def __getattr__(name: str) -> Any:
    # Imported on first use: `import newsbot` (and Scrapy loading newsbot.settings) stays cheap.
    if name in ("extract_article", "NotAnArticle"):
        from newsbot import extract

        return getattr(extract, name)
    raise AttributeError(f"module 'newsbot' has no attribute {name!r}")
