"""Page kinds: whether a parsed page is an article at all.

A news site answers many URLs with pages that parse into a title and a body but are not stories: a removed story
shows «صفحه مورد نظر یافت نشد» with status 200, a database outage shows «خطای داخلی سرور», a moved URL lands on
a section, tag or home page, and some links end on a login form. Each would become a record with a plausible
title and a body of teasers or menus, so the record checks (a title, eight words of body) cannot see them. This
module looks at what parsing already produced (the page's Selector, its URL and the raw record from
:func:`newsbot.spider.parse_page`) and decides by the page's structure rather than by any one word, so that a real
article that talks about errors, logins or archives, or that carries a large related-news box, stays an article.

Reasons, one per kind (``extract_article`` raises ``NotAnArticle("<reason>: <evidence>")``):

- ``soft_404``: the title, a headline or a short body says the page or story was not found («صفحه مورد نظر یافت
  نشد», «خبر مورد نظر یافت نشد», «مطلب مورد نظر وجود ندارد», «خطای ۴۰۴», «۴۰۴», "Page not found"), and the page
  has no substantial text of its own;
- ``error_page``: the same for a server or application error ("500 Internal Server Error", «خطای داخلی سرور»,
  «سرویس در دسترس نیست», «خطا در برقراری ارتباط», a headline that is only «خطا در ...» and a few words);
- ``login``: a password field, with a login or sign-up title («ورود», «ورود به حساب کاربری», «ثبت نام») or next to
  no other text;
- ``home``: the site's home page (the URL, or the canonical URL of a listing, is the site root);
- ``tag``: a listing of the stories under one tag or keyword;
- ``listing``: any other list of stories (archive, section, search results, latest news): a body made of headline
  links and teasers, or of the page's menus run together, with little prose of its own.

Cost: a few XPath queries and one walk over the page's links, and only the first of them for most articles (a
page with article metadata and a substantial body is decided after the title and headline checks).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml.etree import _Element
from parsel import Selector

from newsbot.record import BODY_FROM
from newsbot.selectors import xpath

REASONS = ("soft_404", "error_page", "login", "home", "tag", "listing")

#: Prose words (body words outside headline links, teasers and menus) that make a page an article whatever its
#: title says: an error or listing page has a sentence or two of its own, a story has paragraphs.
SUBSTANTIAL_WORDS = 150

# Persian wording is matched as the sentences error pages use, never as loose words: «خبری از کمبود وجود ندارد»
# is a headline, «خبر مورد نظر وجود ندارد» is not.
_NOT_FOUND = re.compile(
    r"(?:صفحه|مطلب|خبر|محتوا|برگه|نوشته|مقاله)(?: ?ای)? (?:مورد نظر|درخواستی|درخواست شده)(?: شما)? "
    r"(?:یافت نشد|پیدا نشد|وجود ندارد|موجود نیست|حذف شده)"
    r"|^(?:این )?(?:صفحه|مطلب|خبر|برگه)(?: ?ای)? (?:یافت نشد|پیدا نشد|وجود ندارد|حذف شده است)"
    r"|(?:صفحه|مطلب|خبر)(?: ?ای| ?ی)? که (?:به )?دنبال (?:آن )?(?:هستید|می ?گردید)[^.!?؟\n]{0,30}?"
    r"(?:یافت نشد|پیدا نشد|وجود ندارد|موجود نیست)"
    r"|(?:page|article|story|post|content)s? (?:was |could not be |cannot be )?not found|^not found$"
    r"|^(?:error |خطای |خطا )?404(?: error| not found| خطا)?$|^404 ?[-|:]"
)
# Error messages are whole titles or headlines («سرویس در دسترس نیست»); with a name inside («سرویس پیامک بانک‌ها
# در دسترس نیست») they are news.
_SERVER_ERROR = re.compile(
    r"internal server error|service (?:temporarily )?unavailable|bad gateway|gateway time-?out|database error"
    r"|^(?:error |http )?50[0-4]\b|\b50[0-4] - "
    r"|^(?:خطای (?:داخلی )?(?:سرور|سامانه)"
    r"|(?:سرویس|سایت|وب ?سایت|سامانه)(?: موقتا)? (?:در دسترس نیست|غیر ?فعال است)"
    r"|(?:سایت|وب ?سایت|سامانه|سرویس) در حال (?:به ?روز|بروز) ?رسانی(?: است)?"
    r"|(?:متاسفانه )?خطایی رخ داده(?: است)?"
    r"|خطا در (?:برقراری ارتباط(?: با سرور)?|ارتباط با سرور|اتصال به (?:سرور|پایگاه داده)|پردازش(?: درخواست)?"
    r"|بارگذاری(?: صفحه)?|دریافت اطلاعات))[\s.!:()0-9]*$"
)
# «خطا در ...» as a whole headline of a few words is an error message; as the start of a longer one, a story.
_SHORT_ERROR = re.compile(r"^(?:خطا|error)(?: در| in)?(?: \S+){0,3}$")
_LOGIN_TITLE = re.compile(
    r"^(?:ورود|ورود کاربر(?:ان)?|ورود اعضا|ورود به (?:حساب(?: کاربری)?|سایت|سامانه|پنل(?: کاربری)?)|"
    r"ثبت ?نام(?: کاربر(?:ان)?| در سایت)?|عضویت(?: در سایت)?|ورود ?/ ?ثبت ?نام|ثبت ?نام ?/ ?ورود|ورود یا ثبت ?نام|"
    r"بازیابی رمز(?: عبور)?|فراموشی رمز(?: عبور)?|"
    r"log ?in|sign ?in|sign ?up|register|registration|create (?:an )?account|user login)$"
)
_LISTING_PATH = re.compile(
    r"/(?:archive|archives|service|services|category|categories|section|sections|list|latest|search|tag|tags|"
    r"keyword|keywords|topic|topics|label|page)(?:/|$)|^/بخش-[^/]+/?$",
    re.I,
)
_LISTING_QUERY = re.compile(r"(?:^|&)(?:page|p|pi|q|query|s)=", re.I)
_TAG_PATH = re.compile(r"/(?:tag|tags|keyword|keywords|label|labels|hashtag)(?:/|$)", re.I)
_LISTING_TITLE = re.compile(r"^(?:آرشیو|برچسب|تگ|جست ?و ?جو|نتایج جست ?و ?جو|آخرین اخبار|archive|search results|"
                            r"tag:|tagged)")
_TAG_TITLE = re.compile(r"^(?:برچسب|تگ|هشتگ|کلیدواژه|tag\b|tagged)")
_ROOT_PATH = re.compile(r"^/?(?:fa|en|ar|fa-ir)?/?(?:index(?:\.(?:php|html?|aspx?|jsp))?|home|default\.aspx)?/?$", re.I)
_LD_TYPE = re.compile(r"\"@type\"\s*:\s*\[?\s*\"([A-Za-z]+)\"")
_ARTICLE_TYPES = frozenset({"newsarticle", "article", "reportagenewsarticle", "blogposting", "analysisnewsarticle",
                            "opinionnewsarticle", "backgroundnewsarticle", "report", "liveblogposting"})
_LISTING_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage"})
_ARTICLE_MARKUP = (
    "//*[@itemprop='articleBody'] | //*[contains(@itemtype, 'Article') or contains(@itemtype, 'BlogPosting')]"
    " | //meta[@property='article:published_time']"
)
_PASSWORD = "//input[translate(@type, 'PASWORD', 'pasword')='password']"
_TITLE_SEPARATORS = re.compile(r" (?:-|\||::|–|—) ")
# One translation folds what pages write inconsistently: ZWNJ (dropped by some of trafilatura's fallbacks), bidi
# marks, tatweel, tanwin, Arabic yeh/kaf/alef forms and Persian or Arabic-Indic digits.
_FOLD = str.maketrans({
    **dict.fromkeys(map(ord, "\u200c\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069ـً")),
    "ي": "ی", "ى": "ی", "ك": "ک", "أ": "ا", "إ": "ا",
    **{chr(0x06F0 + d): str(d) for d in range(10)}, **{chr(0x0660 + d): str(d) for d in range(10)},
})
# Elements that end a line of text (inline ones such as <a>, <b>, <strong> do not).
_BLOCKS = frozenset("p div h1 h2 h3 h4 h5 h6 li ul ol section article header footer aside nav main td tr table "
                    "figure figcaption dd dt dl blockquote span time small".split())
_CARD_STOP = frozenset(("body", "html", "main"))
#: A headline is a phrase; menu entries and buttons are a word or two.
_HEADLINE_WORDS = 3
#: A teaser is a sentence or two: fewer words than this beside a headline are a date, a kicker or a count.
_TEASER_WORDS = 8
#: Cards are small; a box larger than this is a list or a page region, not one story's card.
_CARD_CHARS = 1500
#: Link texts that a paragraph of prose never holds together: this many in one long line make it the page's
#: menus and lists run together (what trafilatura returns for some listing pages), not a paragraph.
_FURNITURE_PHRASES = 4
_FURNITURE_LINE = 60


@dataclass(frozen=True)
class Verdict:
    """A page that is not an article: the reason (one of ``REASONS``) and the evidence, for the log line."""

    reason: str
    evidence: str

    def __str__(self) -> str:
        return f"{self.reason}: {self.evidence}"


def not_article_reason(sel: Selector, url: str, record: Mapping[str, Any]) -> str | None:
    """The reason a parsed page is not an article (see the module docstring), or None for an article."""
    verdict = classify(sel, url, record)
    return verdict.reason if verdict else None


def classify(sel: Selector, url: str, record: Mapping[str, Any]) -> Verdict | None:
    """Like :func:`not_article_reason`, with the evidence the decision rests on."""
    page = _Page(sel, url, record)
    verdict = _home_by_url(page) or _error(page)
    if verdict:
        return verdict
    if page.article_meta and page.body_words >= SUBSTANTIAL_WORDS:
        return None  # most articles end here, before the walk over the page's links
    if record.get(BODY_FROM) == "container":
        return None  # a site's own article container held the text: the URL and the markup say article
    return _login(page) or _listing(page)


# ---- the checks ------------------------------------------------------------------------------------------------
def _home_by_url(page: _Page) -> Verdict | None:
    split = urlsplit(page.url)
    if _ROOT_PATH.match(split.path or "/") and not split.query:
        return Verdict("home", f"the URL is the site root ({split.netloc})")
    return None


def _error(page: _Page) -> Verdict | None:
    """A page that names itself not found or an error; the text check comes first, the costly prose count last."""
    found = None
    limit = SUBSTANTIAL_WORDS
    for where, text in page.error_texts:
        if _NOT_FOUND.search(text):
            found = ("soft_404", where, text)
            break
    if found is None:
        for where, text in page.error_texts:
            if _SERVER_ERROR.search(text):
                found = ("error_page", where, text)
                break
    if found is None and not page.article_meta:
        for where, text in page.headlines:
            if _SHORT_ERROR.match(text):
                found, limit = ("error_page", where, text), 80
                break
    if found is None or page.prose_words >= limit:
        return None  # no error wording, or an article that reports an outage or quotes an error message
    reason, where, text = found
    return Verdict(reason, f"{where} says «{text[:80]}», {page.prose_words} words of prose")


def _login(page: _Page) -> Verdict | None:
    if not xpath(_PASSWORD)(page.root) or page.prose_words >= SUBSTANTIAL_WORDS:
        return None
    for where, text in page.headlines:
        if _LOGIN_TITLE.match(text):
            return Verdict("login", f"a password field and {where} «{text[:60]}»")
    if page.prose_words < 40 and not page.article_meta:
        return Verdict("login", f"a password field and {page.prose_words} words of prose")
    return None


def _listing(page: _Page) -> Verdict | None:
    if not page.body_lines:
        # The extractor dropped every line as a link to another story: what is left of a list of stories.
        cards, teasers = len(page.cards), page.teaser_count
        if cards >= 5 and not page.article_meta:
            kind = "home" if page.canonical_is_root else "tag" if page.is_tag else "listing"
            return Verdict(kind, f"no text of its own; {cards} story links, {teasers} with teasers")
        return None
    share, furniture = page.shares
    cards, teasers, prose = len(page.cards), page.teaser_count, page.prose_words
    hints = page.listing_hints
    listing = False
    if prose < SUBSTANTIAL_WORDS and not page.article_meta:
        listing = (share >= 0.6 and cards >= 3) or (share + furniture >= 0.5 and cards >= 1 and bool(hints))
    if not listing and prose < 80:
        listing = share >= 0.8 and teasers >= 6  # a list, whatever its metadata claims
    if not listing and prose < SUBSTANTIAL_WORDS and cards >= 2:
        # Its URL and its title both say archive/search/tag: a short list (two stories on a quiet day) is still a
        # list, whatever article markup its template gives each item.
        listing = "a listing URL" in hints and "a listing title" in hints
    if not listing:
        return None
    evidence = f"{round(share * 100)}% of the body is headlines and teasers"
    if furniture:
        evidence += f", {round(furniture * 100)}% menus run together"
    evidence += f"; {cards} story links, {teasers} with teasers, {prose} words of prose"
    if hints:
        evidence += "; " + ", ".join(hints)
    if page.canonical_is_root:
        return Verdict("home", evidence + ", canonical URL is the site root")
    if page.is_tag:
        return Verdict("tag", evidence)
    return Verdict("listing", evidence)


# ---- what the checks read ----------------------------------------------------------------------------------------
class _Page:
    """The page's features, each computed on first use: most pages are decided after a few of them."""

    def __init__(self, sel: Selector, url: str, record: Mapping[str, Any]) -> None:
        self.sel = sel
        self.root = sel.root
        self.url = url
        self.record = record

    @cached_property
    def body_lines(self) -> list[str]:
        return [line for line in (_fold(x) for x in (self.record.get("body") or "").split("\n")) if line]

    @cached_property
    def body_words(self) -> int:
        # Folding moves no word boundary (it drops marks inside words), so the raw body counts the same words (but
        # for a mark standing alone) without folding every line of a long article.
        return len((self.record.get("body") or "").split())

    @cached_property
    def headlines(self) -> list[tuple[str, str]]:
        """(where, folded text) of the page's names for itself: title segments, og:title, h1s, the record's."""
        found: list[tuple[str, str]] = []
        title = _fold(_one(self.root, "//title/text()"))
        found += [("the title", part) for part in _segments(title)]
        og = _fold(_one(self.root, "//meta[@property='og:title']/@content"))
        found += [("og:title", part) for part in _segments(og)]
        found += [("the h1", _fold(h.text_content())) for h in _first(self.sel.root.iter("h1"), 3)]
        found.append(("the headline", _fold(self.record.get("title"))))
        return _unique(found)

    @cached_property
    def error_texts(self) -> list[tuple[str, str]]:
        """Where a soft 404 or an error page states itself: headlines, the first h2s, a short body's first lines."""
        found = list(self.headlines)
        found += [("an h2", _fold(h.text_content())) for h in _first(self.sel.root.iter("h2"), 3)]
        if self.body_words < 80:
            found += [("the body", line) for line in self.body_lines[:3]]
        return _unique(found)

    @cached_property
    def meta(self) -> tuple[bool, bool, str | None]:
        """(article metadata present, collection metadata present, og:type)."""
        og_type = (_one(self.root, "//meta[@property='og:type']/@content") or "").strip().lower() or None
        types = {t.lower() for raw in xpath("//script[@type='application/ld+json']/text()")(self.root)
                 for t in _LD_TYPE.findall(raw)}
        article = og_type == "article" or bool(types & _ARTICLE_TYPES) or bool(xpath(_ARTICLE_MARKUP)(self.root))
        return article, bool(types & _LISTING_TYPES), og_type

    @property
    def article_meta(self) -> bool:
        return self.meta[0]

    @cached_property
    def _links(self) -> tuple[dict[str, str], tuple[str, ...]]:
        return _links(self.sel.root, self.url)

    @property
    def cards(self) -> dict[str, str]:
        """Headline links to other pages → the text of each one's card (headline, teaser, date)."""
        return self._links[0]

    @cached_property
    def teaser_count(self) -> int:
        return sum(1 for head, card in self.cards.items() if len(card.split()) - len(head.split()) >= _TEASER_WORDS)

    def _is_furniture(self, line: str) -> bool:
        """A long line holding several menu entries is the page's whole text run together, not a paragraph."""
        found = 0
        for phrase in self._links[1]:
            if phrase in line:
                found += 1
                if found >= _FURNITURE_PHRASES:
                    return True
        return False

    @cached_property
    def _classified(self) -> tuple[int, int, int]:
        """Body words in (headlines and teasers, the page's menus run together, prose)."""
        heads = self.cards.keys()
        teasers = [card for head, card in self.cards.items() if card != head]
        listed = furniture = prose = 0
        for line in self.body_lines:
            n = len(line.split())
            if line in heads or any(line in card for card in teasers):
                listed += n
            elif n >= _FURNITURE_LINE and self._is_furniture(line):
                furniture += n
            else:
                prose += n
        return listed, furniture, prose

    @property
    def prose_words(self) -> int:
        return self._classified[2]

    @property
    def shares(self) -> tuple[float, float]:
        """(share of body words in headlines and teasers, share in menus run together)."""
        listed, furniture, prose = self._classified
        total = listed + furniture + prose
        return (listed / total, furniture / total) if total else (0.0, 0.0)

    @cached_property
    def listing_hints(self) -> list[str]:
        """Signs besides the body that the page is a list: its URL, title, metadata."""
        hints = []
        split = urlsplit(self.url)
        if _LISTING_PATH.search(split.path) or _LISTING_QUERY.search(split.query):
            hints.append("a listing URL")
        if any(_LISTING_TITLE.match(text) for _, text in self.headlines):
            hints.append("a listing title")
        article, collection, og_type = self.meta
        if collection:
            hints.append("JSON-LD of a collection")
        if og_type == "website" and not article:
            hints.append("og:type website")
        return hints

    @cached_property
    def is_tag(self) -> bool:
        return bool(_TAG_PATH.search(urlsplit(self.url).path)) or any(
            _TAG_TITLE.match(text) for _, text in self.headlines)

    @cached_property
    def canonical_is_root(self) -> bool:
        link = _one(self.root, "//link[@rel='canonical']/@href") or \
            _one(self.root, "//meta[@property='og:url']/@content")
        if not link:
            return False
        split = urlsplit(urljoin(self.url, link.strip()))
        return bool(_ROOT_PATH.match(split.path or "/")) and not split.query


def _links(root: _Element, url: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """One walk over the page's links: story cards, and the menu entries of two words or more.

    A card's headline is a link that is its block's whole running text (a headline, not a word in a sentence);
    the card is the largest box around it that holds no other headline: the list item or teaser block with its
    image, kicker, teaser and date. The short ones (up to six words) are also kept as menu entries.
    """
    own = urlsplit(url).path.rstrip("/")
    links = []
    for a in root.iter("a"):
        href = a.get("href")
        if href and not href.startswith(("#", "javascript:", "mailto:", "tel:")):
            words = (a.text_content() or "").split()
            if len(words) >= 2:
                links.append((a, href, words))
    headlines = {a for a, _, words in links if len(words) >= _HEADLINE_WORDS}
    cards: dict[str, str] = {}
    menus: dict[str, None] = {}
    for a, href, words in links:
        block = _block_parent(a)
        if block is None:
            continue
        text = " ".join(words)
        if " ".join(_inline_text(block).split()) != text:
            continue  # a link inside a sentence
        head = _fold(text)
        if len(words) <= 6:
            menus[head] = None
        if a not in headlines or head in cards:
            continue
        if urlsplit(urljoin(url, href)).path.rstrip("/") == own:
            continue  # the article's own headline, linked to itself
        card = block
        for _ in range(4):
            up = card.getparent()
            if up is None or not isinstance(up.tag, str) or up.tag in _CARD_STOP:
                break
            if len(up.text_content() or "") > _CARD_CHARS or _holds_two(up, headlines) or _holds_prose(up, a):
                break
            card = up
        cards[head] = _fold(card.text_content())
    return cards, tuple(menus)


def _holds_prose(el: _Element, link: _Element) -> bool:
    """Two paragraphs of running text besides the link's own: the story around an in-body «بیشتر بخوانید» link,
    not a teaser card (which has one teaser at most)."""
    found = 0
    for p in el.iter("p"):
        if link in p.iter("a"):
            continue
        if len((p.text_content() or "").split()) >= 15:
            found += 1
            if found >= 2:
                return True
    return False


def _block_parent(el: _Element) -> _Element | None:
    parent = el.getparent()
    while parent is not None and isinstance(parent.tag, str) and parent.tag not in _BLOCKS:
        parent = parent.getparent()
    return parent if parent is not None and isinstance(parent.tag, str) else None


def _inline_text(block: _Element) -> str:
    """A block's own running text: its text and inline children, without the blocks nested in it."""
    parts = [block.text or ""]
    for child in block:
        if isinstance(child.tag, str) and child.tag not in _BLOCKS:
            parts.append(child.text_content() or "")
        parts.append(child.tail or "")
    return " ".join(parts)


def _holds_two(el: _Element, headlines: set[_Element]) -> bool:
    found = 0
    for a in el.iter("a"):
        if a in headlines:
            found += 1
            if found > 1:
                return True
    return False


def _fold(text: str | None) -> str:
    """Text as compared here: one spacing, lower case, ASCII digits, without ZWNJ or letter variants."""
    return " ".join(text.translate(_FOLD).split()).lower() if text else ""


def _segments(title: str) -> list[str]:
    """A page title's parts: «صفحه یافت نشد - ایسنا» is the message and the site's name."""
    parts = [p.strip() for p in _TITLE_SEPARATORS.split(title) if p.strip()]
    return parts if len(parts) > 1 else [title]


def _one(root: Any, query: str) -> str | None:
    found = xpath(query)(root)
    return found[0] if found else None


def _first(items: Any, n: int) -> list[Any]:
    out = []
    for item in items:
        out.append(item)
        if len(out) == n:
            break
    return out


def _unique(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: set[str] = set()
    out = []
    for where, text in pairs:
        if text and text not in seen:
            seen.add(text)
            out.append((where, text))
    return out
