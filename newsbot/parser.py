"""Article parsing: a page object that turns one HTML page into a raw record.

A parser is a class whose fields are small methods (as in Fundus). Each field tries, in order: the site's own
selectors, the CMS family's selectors, the page's metadata (JSON-LD, OpenGraph/``article:*``, microdata),
trafilatura (body only), then visible-text patterns such as «کد خبر». The page is parsed once; every method reads
the same parsel Selector. Nothing here touches the network, so a saved page is all a test needs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import unquote, urljoin

from parsel import Selector

from newsbot import dates
from newsbot.body import READ_MORE_PREFIX, block_lines, chrome_text, trafilatura_lines
from newsbot.metadata import PageMeta, ld_keywords, ld_names, ld_url, read_meta
from newsbot.record import BODY_FROM, RAW_MODIFIED, RAW_PUBLISHED, empty_record
from newsbot.selectors import PageIndex, compiled, xpath
from newsbot.text import ascii_digits, normalize_text

SelectorMap = Mapping[str, Sequence[str]]

_DIGITS = r"[0-9۰-۹٠-٩]"
# «کد خبر: ۴۵۶۷۸۹» and, on some CMSs, an alphanumeric code («کد خبر: k7Pq2»: letters and at least one digit).
_NEWS_CODE_TEXT = re.compile(
    rf"کد\s*(?:خبر|مطلب)\s*[:：]?\s*({_DIGITS}{{3,20}}(?![A-Za-z])|(?=[A-Za-z0-9]*[0-9])[A-Za-z0-9]{{3,20}}\b)")
_MONTHS = "فروردین|اردیبهشت|ارديبهشت|خرداد|تیر|تير|مرداد|امرداد|شهریور|شهريور|مهر|آبان|آذر|دی|دى|دي|بهمن|اسفند"
# A Jalali date in running text: «۲۷ اردیبهشت ۱۴۰۰ ...» or «۱۴۰۴/۰۷/۱۳ ...», with an optional clock time after it
# or before it («۰۹:۱۵ - ۳ آبان ۱۴۰۱», «ساعت ۱۰:۲۰ | ۱۴۰۳/۰۵/۰۱»): the match is a date candidate, and a candidate
# without its time would be published at 00:00. One clock at most, because dates.parse_datetime refuses two.
# A day-part word must end there, so that «۱۰:۰۰ شبکه ...» is not read as «۱۰:۰۰ شب». A time before the date must not
# touch other digits on either side («...۱۸:۳۰۱۲ مهر»): it would take the date's digits and make the match unreadable.
_JALALI_IN_TEXT = re.compile(
    r"(?:(?<![0-9۰-۹٠-٩]){clock}(?![0-9۰-۹٠-٩])\s*(?:[-–—/،,|]\s*)?{date}|{date}(?:\s*(?:[-/،,|]\s*)?{clock})?)".format(
        date=(
            rf"(?:{_DIGITS}{{1,2}}\s*/?\s*(?:{_MONTHS})(?:\s*‌?ماه)?\s*/?\s*{_DIGITS}{{2,4}}"
            rf"|1[34]{_DIGITS}{{2}}\s*[/-]\s*{_DIGITS}{{1,2}}\s*[/-]\s*{_DIGITS}{{1,2}}"
            rf"|[۱1][۳۴34][۰-۹0-9]{{2}}\s*[/-]\s*{_DIGITS}{{1,2}}\s*[/-]\s*{_DIGITS}{{1,2}}"
            rf"|(?<![0-9۰-۹/])(?:[3۳][2-9۲-۹]|[4-9۴-۹][0-9۰-۹])/[01۰۱]?[0-9۰-۹]/[0-3۰-۳]?[0-9۰-۹](?![0-9۰-۹/])"
            rf"|(?<![0-9۰-۹/]){_DIGITS}{{1,2}}\s*/\s*{_DIGITS}{{1,2}}\s*/\s*[۱1][۳۴34][0-9۰-۹]{{2}}(?![0-9۰-۹]))"
        ),
        clock=(
            rf"(?:ساعت\s*[:：]?\s*)?{_DIGITS}{{1,2}}\s*:\s*{_DIGITS}{{2}}(?:\s*:\s*{_DIGITS}{{2}})?"
            r"(?:\s*(?:قبل\s*از\s*ظهر|بعد\s*از\s*ظهر|ق\.?\s*ظ|ب\.?\s*ظ|صبح|بامداد|ظهر|عصر|شب)(?!\w))?"
        ),
    )
)
# «"ایسنا" عنوان خبری دیگر»: a related-news line of an aggregator, quoting its source first.
_RELATED_LINE = re.compile(r"^\s*[«\"“][^»\"”]{2,30}[»\"”]\s*[:：-]?\s*\S(?:\S*\s+){2,30}\S*\s*$")
_DAY_ONLY = re.compile(r"\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*")
_DATE_LABEL = re.compile(r"(?:تاریخ\s*(?:انتشار|انتشار\s*خبر|خبر)?|زمان\s*انتشار|انتشار)\s*[:：]")
_TODAY = re.compile(r"امروز\s*[:：]?")
_UPDATED = re.compile(r"به[‌\s]?روز\s*رسانی|بروزرسانی|ویرایش|آخرین\s*تغییر")
_HAS_DIGIT = re.compile(r"[0-9۰-۹٠-٩]")
# Boxes whose dates belong to other things: comments, related and latest-news lists, menus, tickers, headers.
_CHROME_BOX = re.compile(
    r"comment|related|most|latest|last[-_]?news|ticker|marquee|breaking|menu|(?<![-\w])nav|(?<![-\w])header(?![-\w])|"
    r"site[-_]?header|today|top[-_]?bar|"
    r"side[-_]?box|sidebar|widget|footer[-_]?links|c-date|when",
    re.I,
)
_ATTRIBUTION = re.compile(r"به\s+گزارش\s+([^،,:.\n]{2,80}?)\s*[،,]")
# «… به نقل از خبرگزاری مهر،»: a republisher credits the source it copied; that source is the attribution.
_QUOTED_FROM = re.compile(r"به\s+نقل\s+از\s+([^،,:.\n]{2,60}?)\s*[،,]")
_AUTHOR_LABEL = re.compile(r"^(?:نویسنده|نویسندگان|خبرنگار|گزارش|گزارشگر|ترجمه|مترجم|به\s*قلم|گفت‌وگو|تنظیم)\s*[:：]\s*")
_ROLE_WORDS = ("خبرنگار", "گروه", "سرویس", "دبیر", "دبیرخانه")

# Selectors of the generic parser: the usual Iranian CMS class names. Families replace them with their own.
GENERIC_SELECTORS: dict[str, tuple[str, ...]] = {
    "title": ("h1[itemprop=headline]", "[itemprop=headline] a", "div[itemprop=headline]"),
    "kicker": (".rutitr", ".kicker", ".uptitle", ".up-title", ".rotitr", ".news-rutitr", ".news-rotitr", ".rootitr",
               ".overtitle", ".supertitle", ".surtitle", ".lid-title"),
    "lead": (".lead", ".introtext", ".summary", ".news-lead", ".subtitle", ".item-summary", ".teaser", ".news-summary",
             ".lead-text", ".abstract", ".excerpt", ".news-lid", ".lid"),
    "body": ("[itemprop=articleBody]",),
    "date": (),
    "category": (".breadcrumb li:last-child a", ".breadcrumb a:last-child", "span.cat", ".cat a", ".category a",
                 ".news-cat", ".service-name", ".section-name"),
    "tags": (".tags a", "a[rel=tag]"),
    "authors": ("[itemprop=author] [itemprop=name]", "[rel=author]"),
    "image": (),
}


def memo(method):
    """Cache a field method per parser instance: fields consult each other (lead checks title, body drops both)."""

    @functools.wraps(method)
    def wrapper(self):
        try:
            return self._memo[method.__name__]
        except KeyError:
            value = self._memo[method.__name__] = method(self)
            return value

    return wrapper


class Rules:
    """A site's clean-ups that are data, not code (its family's first, then its own; see ``newsbot.sites``).

    ``body_exclude``: CSS of elements inside the body container that are not the story (captions, boxes);
    ``trailers``: regexes of whole body lines the site prints around every story; ``category_strip``: regexes
    removed from the start of the category («عصر ایران دو/»); ``author_exclude``: names that are never an author
    (a desk, the agency itself).
    """

    __slots__ = ("author_exclude", "body_exclude", "category_strip", "trailers")

    def __init__(self, body_exclude: Sequence[str] = (), trailers: Sequence[str] = (),
                 category_strip: Sequence[str] = (), author_exclude: Sequence[str] = ()) -> None:
        self.body_exclude = tuple(body_exclude)
        self.trailers = tuple(_regex(p) for p in trailers)
        self.category_strip = tuple(_regex("(?:" + p + ")") for p in category_strip)
        self.author_exclude = frozenset(normalize_text(a) for a in author_exclude)

    @classmethod
    def of(cls, rules: Mapping[str, Sequence[str]]) -> Rules:
        return _rules(tuple((k, tuple(v)) for k, v in sorted(rules.items()) if v))


@functools.lru_cache(maxsize=1024)
def _rules(items: tuple[tuple[str, tuple[str, ...]], ...]) -> Rules:
    return Rules(**dict(items))


@functools.lru_cache(maxsize=1024)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern if not pattern.startswith("(?:") else "^" + pattern)


# A desk, reporter or page code on the story's last line: digits with an optional / or - between groups.
_DESK_CODE = re.compile(r"[0-9۰-۹٠-٩]{2,8}(?:\s*[/\-]\s*[0-9۰-۹٠-٩]{1,8})?")


class ArticleParser:
    """The generic parser. CMS families subclass it with their selectors; sites add a few of their own.

    ``selectors`` maps a field to CSS selectors tried in order; a selector ending in ``::attr(x)`` reads an
    attribute. ``url_patterns`` find the news code in a URL (first group).
    """

    selectors: ClassVar[dict[str, tuple[str, ...]]] = GENERIC_SELECTORS
    url_patterns: ClassVar[tuple[str, ...]] = (
        r"/news/(?!(?:19|20)\d\d/\d)(\d+)", r"/(\d{5,})-", r"[?&](?i:id|nn|p|newsid|news_id|articleid|cnt_id)=(\d+)",
        r"/(?:node|content|detail|article|post)/(\d+)", r"/(\d{5,})(?:/|$|\.html?)", r"[.-]p(\d{4,})$")
    #: Strings that end a title in og:title and <title> («عنوان - خبرگزاری ...»).
    title_separators: ClassVar[tuple[str, ...]] = (" - ", " | ", " :: ")

    def __init__(
        self,
        sel: Selector,
        url: str,
        *,
        site_selectors: SelectorMap | None = None,
        url_patterns: Iterable[str] = (),
        rules: Mapping[str, Sequence[str]] | None = None,
        now: datetime | None = None,
    ) -> None:
        self.sel = sel
        self.url = url
        self.now = now
        self.meta: PageMeta = read_meta(sel)
        self._site = site_selectors or {}
        self._patterns = tuple(url_patterns) + self.url_patterns
        self.rules = Rules.of(rules or {})
        self._memo: dict[str, Any] = {}
        self._index: PageIndex | None = None
        self._body_from = "generic"

    # ---- helpers ---------------------------------------------------------------------------------------------
    def chain(self, name: str) -> tuple[str, ...]:
        """Selectors for a field: the site's, then the family's."""
        return tuple(self._site.get(name, ())) + tuple(self.selectors.get(name, ()))

    @property
    def index(self) -> PageIndex:
        """The page's class/id/itemprop tokens, read once: selectors naming absent tokens are never run."""
        if self._index is None:
            self._index = PageIndex(self.sel.root)
        return self._index

    def select(self, css: str, root: Any = None) -> list[Any]:
        """Elements (or strings for ``::attr()``/``::text``) matching a CSS selector, without scanning the page
        when it cannot match (see newsbot.selectors)."""
        return self.index.select(css, root)

    def first_text(self, name: str) -> str | None:
        for css in self.chain(name):
            for node in self.select(css):
                text = normalize_text(self._text_of(node))
                if text:
                    return text
        return None

    def all_texts(self, name: str) -> list[str]:
        for css in self.chain(name):
            values = [normalize_text(self._text_of(n)) for n in self.select(css)]
            values = [v for v in values if v]
            if values:
                return _unique(values)
        return []

    @staticmethod
    def _text_of(node: Any) -> str:
        """An element's text as a reader sees it: inline tags joined without spaces (``کتاب<b>‌ها</b>``),
        blocks and ``<br>`` as spaces."""
        if isinstance(node, Selector):
            node = node.root
        if isinstance(node, str):  # ::attr() / ::text result
            return node
        return " ".join(block_lines(node)) if node is not None else ""

    def absolute(self, link: str | None) -> str | None:
        if not link:
            return None
        return urljoin(self.url, link.strip())

    # ---- fields -------------------------------------------------------------------------------------------------
    @memo
    def title(self) -> str | None:
        found = self.first_text("title")
        if found:
            return found
        node = self.headline_node()
        if node is not None:
            return normalize_text(self._text_of(node))
        meta = normalize_text(self.meta.ld("headline") or self.meta.meta("og:title", "twitter:title"))
        page_title = self._page_title()
        if meta:
            return self._strip_site_suffix(meta)
        h1s = [t for t in (normalize_text(self._text_of(n)) for n in self.sel.root.iter("h1")) if t]
        if h1s:
            return h1s[0]
        return self._strip_site_suffix(page_title) if page_title else None

    @memo
    def headline_node(self) -> Any:
        """The page's headline ``h1`` element, or None when no h1 is a plausible headline.

        A page may have several h1 (the logo is often one). The headline is the h1 the metadata agrees with —
        metadata titles are often shortened for social cards, so the page's own h1 wins when they overlap — or,
        when the metadata cannot be trusted (two ``og:title`` tags, an ``og:title`` left from a live-coverage phase
        that neither the ``<title>`` nor any h1 agrees with), a plausible headline h1 inside the article.
        """
        site = normalize_text(self.meta.meta("og:site_name")) or ""
        h1s = self._headings("h1", site)
        metas = _unique(normalize_text(v) or "" for v in self.meta.meta_all("og:title"))
        ld = normalize_text(self.meta.ld("headline") if isinstance(self.meta.ld("headline"), str) else None)
        page_title = self._page_title()
        references = [r for r in (ld, *metas, normalize_text(self.meta.meta("twitter:title")), page_title) if r]
        agreeing = self._agreeing(h1s, references)
        if agreeing is not None:
            return agreeing
        # No h1 the metadata agrees with: the headline may be an h2-h4 or a div.title (print versions, portals
        # whose h1 is the site's name), or the metadata may be stale.
        others = self._headings("h2|h3|h4|*[@itemprop='headline']|*[contains(concat(' ', normalize-space(@class), "
                                "' '), ' title ') or contains(@class, 'news-title') or contains(@class, 'title-news')"
                                " or contains(@class, 'post-title') or contains(@class, 'entry-title')]", site)
        agreeing = self._agreeing(others, references)
        if agreeing is not None:
            return agreeing
        in_article = [el for el, _ in h1s if _in_article(el)]
        if in_article:
            return in_article[0]
        if h1s and not references:
            return h1s[0][0]
        # Last, a div.title-like element, when the metadata names only the site or the page kind.
        titled = [el for el, _ in others if el.tag not in ("h2", "h3", "h4") and _in_article_flow(el)]
        only_site = not site or all(_overlap(self._strip_site_suffix(r), site) >= 1 for r in references)
        return titled[0] if titled and (only_site or _unreliable_title(page_title, site)) else None

    def _page_title(self) -> str | None:
        found = xpath("//title/text()")(self.sel.root)
        return normalize_text(found[0]) if found else None

    def _headings(self, what: str, site: str) -> list[tuple[Any, str]]:
        found = []
        for node in xpath("|".join(f"//body//{w}" for w in what.split("|")))(self.sel.root):
            text = normalize_text(self._text_of(node))
            if text and _plausible_headline(text, site) and not _in_page_chrome(node):
                found.append((node, text))
        return found

    @staticmethod
    def _agreeing(candidates: list[tuple[Any, str]], references: list[str]) -> Any:
        for reference in references:
            if not candidates:
                return None
            best = max(candidates, key=lambda h: _overlap(h[1], reference))
            if _overlap(best[1], reference) >= 0.6:
                return best[0]
        return None

    def _strip_site_suffix(self, title: str) -> str:
        """«عنوان - خبرگزاری ...» or «خبرگزاری ... - عنوان»: the headline is the longest part."""
        for sep in self.title_separators:
            if sep in title:
                return max(title.split(sep), key=len).strip()
        return title

    @memo
    def kicker(self) -> str | None:
        found = self.first_text("kicker")
        if found and found != self.title():
            return found
        return self._kicker_by_position()

    @memo
    def lead(self) -> str | None:
        lead = self.first_text("lead")
        if lead and lead not in (self.title(), self.kicker()):
            return lead
        return self._lead_by_position()

    def _kicker_by_position(self) -> str | None:
        """The short line printed right above the headline (روتیتر), on pages that give it no known class."""
        if self.selectors is not GENERIC_SELECTORS and "kicker" in self._site:
            return None  # a site that names its kicker element and has none on this page has none
        node = self.headline_node()
        if node is None:
            return None
        for el in _neighbours(node, before=True):
            text = normalize_text(self._text_of(el))
            if not text:
                continue
            if _is_kicker_like(el, text, self.title() or ""):
                return text
            return None
        return None

    def _lead_by_position(self) -> str | None:
        """The summary printed right under the headline (لید): by position, confirmed by its class or its
        agreement with the page's description meta, so that the first paragraph of the story is not taken."""
        node = self.headline_node()
        if node is None:
            return None
        description = normalize_text(self.meta.meta("description", "og:description", "twitter:description")
                                     or (self.meta.ld("description") if isinstance(self.meta.ld("description"), str)
                                         else None)) or ""
        if description and len(description.split()) >= 8:
            found = self._lead_agreeing_with(node, description)
            if found:
                return found
        for el in _neighbours(node, before=False):
            text = normalize_text(self._text_of(el))
            if not text or _is_date_line(text) or _NEWS_CODE_TEXT.search(text) or _is_meta_line(el, text):
                continue
            words = len(text.split())
            if words < 6 or words > 120 or text == self.title():
                return None
            agrees = bool(description) and (_overlap(text, description) >= 0.7 or
                                            text.startswith(description.rstrip(".…").strip()[:60]))
            marked = bool(_LEAD_MARK.search(f"{el.get('class', '')} {el.get('id', '')}")) or el.tag in ("h2", "h3",
                                                                                                     "h4", "strong")
            if agrees or (marked and not _inside_body(el)):
                return text
            return None
        return None

    def _lead_agreeing_with(self, node: Any, description: str) -> str | None:
        """The first block after the headline whose text is the description meta: the lead, wherever the page put
        it (after the image and the share bar, or bold at the top of the text). A plain paragraph among the
        story's paragraphs is not taken even then: many sites copy their first paragraph into the description."""
        blocks = 0
        for el in node.xpath("following::*[position() <= 80]"):
            tag = el.tag if isinstance(el.tag, str) else ""
            if tag not in _LEAD_TAGS or _is_junk_box(el):
                continue
            text = normalize_text(el.text_content())
            if not text:
                continue
            words = len(text.split())
            if words > 150:
                continue  # a container of the whole story
            blocks += 1
            if blocks > 12:
                return None
            if _overlap(text, description) < 0.8 or not 0.6 <= words / max(1, len(description.split())) <= 1.7:
                continue
            text = normalize_text(self._text_of(el)) or text
            if tag != "p" or _all_bold(el) or _LEAD_MARK.search(f"{el.get('class', '')} {el.get('id', '')}") \
                    or _story_paragraphs(el) < 3:
                return text
            return None
        return None

    @memo
    def body_lines(self) -> list[str]:
        for css in self.chain("body"):
            for node in self.select(css):
                if isinstance(node, str):
                    continue
                skip = frozenset(el for ex in self.rules.body_exclude for el in self.select(ex, node)
                                 if not isinstance(el, str))
                lines = block_lines(node, skip=skip)
                if lines:
                    self._body_from = "container"
                    return self._drop_trailers(self._drop_captions(node, self._drop_heading_lines(lines)))
        self._body_from = "generic"
        return self._drop_trailers(self._clean_generic_lines(trafilatura_lines(self.sel.root, self.url)))

    def _drop_trailers(self, lines: list[str]) -> list[str]:
        """Lines the site prints around every story (its ``trailers`` patterns), and a desk or reporter code alone
        on the last line («۲۱۶۲۱۶», «۱۱۰/۴۵»), which no story ends with."""
        if self.rules.trailers:
            lines = [line for line in lines if not any(p.fullmatch(line) for p in self.rules.trailers)]
        while len(lines) > 1 and _DESK_CODE.fullmatch(lines[-1]):
            lines = lines[:-1]
        return lines

    def _drop_heading_lines(self, lines: list[str]) -> list[str]:
        """Containers sometimes include the headline, kicker or lead, and the meta line of date and visits above
        them; those have their own fields. Only the top of the container is read this way: the story's own
        sentences never start there with a bare date or repeat the headline."""
        heads = {h for h in (self.title(), self.kicker(), self.lead()) if h}
        top = 0
        while top < len(lines) and top < 4 and (lines[top] in heads or self._is_meta_line_text(lines[top])):
            top += 1
        return lines[top:] if top < len(lines) else lines

    @staticmethod
    def _is_meta_line_text(line: str) -> bool:
        """«اقتصادی سه‌شنبه ۲۰ آبان ۱۴۰۴ ساعت ۱۰:۴۲ ۱۸۳۴۲ بازدید»: a date with a section, a label or a count."""
        return len(line.split()) <= 16 and (_is_date_line(line) or bool(_VISITS.search(line)) or
                                            bool(_JALALI_IN_TEXT.search(line) and re.search(r"بازدید", line)))

    def _drop_captions(self, container: Any, lines: list[str]) -> list[str]:
        """A line that repeats the description of an image in the container (its ``alt``/``title``, three words
        or more) is the photo's caption set in a paragraph of its own, not the story."""
        captions = self._captions(container) - {self.title(), self.lead()}
        if not captions:
            return lines
        kept = [line for line in lines if line not in captions]
        return kept or lines

    def _clean_generic_lines(self, lines: list[str]) -> list[str]:
        """What trafilatura kept, minus the page's furniture and the article's own meta lines.

        trafilatura drops links but keeps their text, so a read-more box or a related list written as paragraphs
        comes back as lines of headlines: a line that is the whole text of one of the page's links (after an
        optional «بیشتر بخوانید:») is a pointer to another story, as is a closing run of «"agency" headline» lines.
        """
        chrome = chrome_text(self.sel.root) if lines else ""
        heads = {h for h in (self.title(), self.kicker(), self.lead()) if h}
        link_texts = self._link_texts() if lines else []
        captions = self._captions() if lines else set()
        kept = []
        for line in lines:
            if line in chrome or line in heads or _NEWS_CODE_TEXT.match(line):
                continue
            if (_NEWS_CODE_TEXT.search(line) or _VISITS.search(line) or _NUMBER_LABEL.match(line)) and \
                    len(line.split()) <= 16:
                continue  # «۱۴۰۳/۰۵/۱۴ - ۱۰:۳۰ | کد خبر: ۶۲۳۸۴۱۷ | تعداد بازدید: ۸۴۲»: the meta bar
            if len(line.split()) <= 8 and self._parse(line) is not None:
                continue  # a date alone on its line («Wednesday, February 04, 2015»)
            if line in captions:
                continue
            if _is_date_line(line):  # a date with a label or weekday
                continue
            if _mostly_links(line, link_texts):
                continue
            kept.append(line)
        while kept and _RELATED_LINE.match(kept[-1]) and len(kept) > 1:
            kept.pop()
        return kept

    def _captions(self, root: Any = None) -> set[str]:
        """Image descriptions (``alt``, ``title``, figcaption) of three words or more under ``root`` (the page): a
        line that repeats one is a caption that a table layout put in a cell of its own."""
        root = self.sel.root if root is None else root
        found = set()
        for img in root.iter("img"):
            for attr in ("alt", "title"):
                text = normalize_text(img.get(attr))
                if text and len(text.split()) >= 3:
                    found.add(text)
        for cap in root.iter("figcaption"):
            text = normalize_text(cap.text_content())
            if text and len(text.split()) >= 3:
                found.add(text)
        return found

    def _link_texts(self) -> list[str]:
        """The page's link texts, longest first (for :func:`_mostly_links`)."""
        texts = set()
        for a in self.sel.root.iter("a"):
            href = (a.get("href") or "").strip()
            if not href or href.startswith(("#", "javascript:", "mailto:")):
                continue
            text = normalize_text(a.text_content())
            if text:
                texts.add(text)
        return sorted(texts, key=len, reverse=True)

    def body(self) -> str | None:
        return "\n".join(self.body_lines()) or None

    def published_candidates(self) -> list[str]:
        """Raw date strings in trust order; the dates pipeline picks the first valid, non-future one."""
        found: list[str] = []
        for css in self.chain("date"):
            for text in (self._text_of(n) for n in self.select(css)):
                # A date box often carries more than the date («... - ۱۸:۳۳ 30 December 2025», a label, a
                # weekday): the Jalali date in it is the candidate, the whole text the fallback.
                match = _JALALI_IN_TEXT.search(text or "")
                if match:
                    found.append(match.group(0))
                found.append(text)
        found.append(self.meta.ld("datePublished"))
        found.append(self.meta.meta("article:published_time", "og:article:published_time", "datepublished",
                                    "og:published_time", "pubdate", "publishdate", "date"))
        found += self.select("[itemprop=datePublished]::attr(datetime)")
        found += self.select("[itemprop=datePublished]::attr(content)")
        found += xpath("//time/@datetime")(self.sel.root)[:1]
        found = _unique([f.strip() for f in found if isinstance(f, str) and f.strip()])
        # A date without a time («2024-04-02») is worse than a visible date with one: it goes last.
        found = [f for f in found if not _DAY_ONLY.fullmatch(f)] + [f for f in found if _DAY_ONLY.fullmatch(f)]
        # Reading every text node of the page for dates is the costliest step of a site page; it is needed only
        # when the selectors and metadata gave no trustworthy date with a time.
        if not any(self._trustworthy(text) and not _DAY_ONLY.fullmatch(text) for text in found):
            visible = [t for t in self.visible_dates() if t not in found]
            day_only = [f for f in found if _DAY_ONLY.fullmatch(f)]
            found = [f for f in found if f not in day_only] + visible + day_only
        return self._without_update_time(found)

    def _without_update_time(self, found: list[str]) -> list[str]:
        """A visible time beside «آخرین به‌روزرسانی» or «زمان» is often the update time: a candidate naming the
        same minute as the modified meta is not the publish time, as long as another candidate remains."""
        modified = [m for m in (self._parse(c) for c in self.modified_candidates()) if m]
        if not modified:
            return found
        published_meta = [p for p in (self._parse(c) for c in (
            self.meta.ld("datePublished"), self.meta.meta("article:published_time", "og:article:published_time")))
            if p]
        kept = []
        for text in found:
            value = self._parse(text)
            same_as_update = value is not None and any(abs(value - m).total_seconds() < 60 for m in modified)
            differs_from_meta = published_meta and all(abs(value - p).total_seconds() >= 60 for p in published_meta) \
                if value is not None else False
            if same_as_update and differs_from_meta:
                continue
            kept.append(text)
        return kept or found

    def _parse(self, text: Any) -> datetime | None:
        return dates.parse_or_none(text, now=self.now or dates.now_tehran())

    def _trustworthy(self, text: str) -> bool:
        now = self.now or dates.now_tehran()
        value = self._parse(text)
        return value is not None and value <= now + dates.FUTURE_TOLERANCE

    @memo
    def modified_candidates(self) -> list[str]:
        found = [
            self.meta.ld("dateModified"),
            self.meta.meta("article:modified_time", "og:article:modified_time", "datemodified", "og:updated_time"),
        ]
        found += self.select("[itemprop=dateModified]::attr(datetime)")
        found += self.select("[itemprop=dateModified]::attr(content)")
        return _unique([f.strip() for f in found if isinstance(f, str) and f.strip()])

    @memo
    def visible_dates(self) -> list[str]:
        """Jalali dates written in the page, most trustworthy first.

        Ranked: labelled («تاریخ انتشار: ...») before unlabelled; after the headline before above it; with a clock
        time before date-only (a header's "today" rarely has one). Never returned: text with «امروز» (the site's
        clock), update stamps («به‌روزرسانی»), and dates inside comments, related lists, menus and tickers.
        """
        root = self.sel.root
        headline = self.headline_node() if self.selectors is GENERIC_SELECTORS else None
        if headline is None:
            headline = next(iter(root.iter("h1")), None)
        after_headline = headline is None
        # The headline's box (its parent's parent): a date printed there is the story's, not a sidebar item's.
        box = headline.getparent() if headline is not None else None
        box = box.getparent() if box is not None and box.getparent() is not None else box
        near = set(box.iter()) if box is not None and len(box.text_content() or "") < 3000 else set()
        ranked: list[tuple[int, int, str]] = []
        order = 0
        for el in root.iter():
            if el is headline:
                after_headline = True
            if not isinstance(el.tag, str) or el.tag in ("script", "style", "head", "title"):
                continue
            for text in (el.text, el.tail):
                if not text or not _HAS_DIGIT.search(text):
                    continue
                match = _JALALI_IN_TEXT.search(text)
                if match is None:
                    continue
                owner = el if text is el.text else el.getparent()
                label = _DATE_LABEL.search(text) or _DATE_LABEL.search(_own_text(owner))
                if _TODAY.search(text) or _UPDATED.search(text) or _in_chrome(owner):
                    continue
                if label:
                    match = _JALALI_IN_TEXT.search(text, label.end() if label.string is text else 0) or match
                found = match.group(0)
                if ":" not in found:
                    found = _with_line_time(owner, found)
                has_time = ":" in found
                position = 0 if owner in near else 2 if after_headline else 4
                rank = (0 if label else 6) + position + (0 if has_time else 1)
                ranked.append((rank, order, found))
                order += 1
        ranked.sort()
        return _unique([text for _, _, text in ranked])[:4]

    def category(self) -> str | None:
        found = self._category()
        for pattern in self.rules.category_strip:
            found = pattern.sub("", found, count=1).strip() if found else found
        return found or None

    def _category(self) -> str | None:
        for css in self.chain("category"):
            for node in self.select(css):
                text = normalize_text(self._text_of(node))
                if text and not _HOME_WORD.fullmatch(text) and text != self.title():
                    return text
        if self.selectors is GENERIC_SELECTORS:
            found = self._breadcrumb_section()
            if found:
                return found
        section = self.meta.ld("articleSection")
        if isinstance(section, list):
            section = section[0] if section else None
        return normalize_text(section or self.meta.meta("article:section"))

    def _breadcrumb_section(self) -> str | None:
        """The deepest section a breadcrumb names (not «صفحه نخست», not the story's own title)."""
        for crumbs in self.select(_BREADCRUMBS):
            items = [normalize_text(self._text_of(a)) for a in
                     compiled("a, li:not(:has(a)) span, li:not(:has(a))")(crumbs)]
            items = [t for t in items if t and not _HOME_WORD.fullmatch(t) and t != self.title()
                     and len(t.split()) <= 6]
            if items:
                return items[-1]
        for node in self.select(_SECTION_LABELS):
            text = normalize_text(self._text_of(node))
            if text and not _HOME_WORD.fullmatch(text) and len(text.split()) <= 5:
                return _SECTION_PREFIX.sub("", text)
        return None

    def tags(self) -> list[str]:
        found = self.all_texts("tags")
        if found:
            return found
        found = self.meta.meta_all("article:tag") or ld_keywords(self.meta.ld("keywords"))
        return _unique([t for t in (normalize_text(v) for v in found) if t])

    def authors(self) -> list[str]:
        excluded = self.rules.author_exclude
        found = [_AUTHOR_LABEL.sub("", a) for a in self.all_texts("authors")]
        found = [a for a in found if a and a not in excluded]
        if found:
            return _unique(found)
        names = ld_names(self.meta.ld("author"), exclude=self._publisher_names())
        if not names:
            meta = self.meta.meta("author", "article:author")
            names = [meta] if meta and not meta.startswith("http") else []
        return _unique([n for n in (normalize_text(v) for v in names) if n and n not in excluded])

    def _publisher_names(self) -> set[str]:
        """Names the page gives itself: a JSON-LD author with one of these names is the publisher, not a person."""
        names = set(ld_names(self.meta.ld("publisher")))
        site = self.meta.meta("og:site_name")
        if site:
            names.add(site)
        return {normalize_text(n) or "" for n in names} - {""}

    def image(self) -> str | None:
        for css in self.chain("image"):
            for root in self.select(css):
                if isinstance(root, str):
                    link = root
                else:
                    link = root.get("data-src") or root.get("src") or root.get("content") or root.get("href")
                if link and not link.startswith("data:"):
                    return self.absolute(link)
        return self.absolute(self.meta.meta("og:image", "twitter:image") or ld_url(self.meta.ld("image")))

    def canonical_url(self) -> str | None:
        return self.absolute(self.meta.canonical or self.meta.meta("og:url")) or self.url

    def news_code(self) -> str | None:
        url = unquote(self.url)
        for pattern in self._patterns:
            match = re.search(pattern, url)
            if match:
                return ascii_digits(match.group(1))
        for css in self.chain("news_code"):
            for node in self.select(css):
                text = self._text_of(node)
                match = _NEWS_CODE_TEXT.search(text) or re.search(rf"({_DIGITS}{{3,20}})", text)
                if match:
                    return ascii_digits(match.group(1))
        for node in xpath("//body//*[contains(text(), 'کد')]")(self.sel.root):
            # «کد خبر: <span>r9Xb3</span>»: the label and the code are often in two elements of one line.
            match = _NEWS_CODE_TEXT.search(" ".join(node.itertext())[:200])
            if match:
                return ascii_digits(match.group(1))
        canonical = self.meta.canonical
        if canonical and canonical != self.url:
            canonical = unquote(canonical)
            for pattern in self._patterns:
                match = re.search(pattern, canonical)
                if match:
                    return ascii_digits(match.group(1))
        return None

    def attribution(self) -> str | None:
        for line in self.body_lines()[:3]:
            match = _ATTRIBUTION.search(line)
            quoted = _QUOTED_FROM.search(line)
            if quoted and (not match or quoted.start() <= match.end() + 1):
                return source_of(quoted.group(1))
            if match:
                return source_of(match.group(1))
        return None

    def agency(self) -> str | None:
        return normalize_text(self.meta.meta("og:site_name"))

    # ---- the record ---------------------------------------------------------------------------------------------
    def parse(self) -> dict[str, Any]:
        """The raw record: text fields normalised, dates still raw (see the dates pipeline)."""
        rec = empty_record()
        rec.update(
            url=self.url,
            canonical_url=self.canonical_url(),
            news_code=self.news_code(),
            title=self.title(),
            kicker=self.kicker(),
            lead=self.lead(),
            body=self.body(),
            category=self.category(),
            tags=self.tags(),
            authors=self.authors(),
            image=self.image(),
            attribution=self.attribution(),
            agency=self.agency(),
        )
        rec[BODY_FROM] = self._body_from if self.selectors is not GENERIC_SELECTORS or self._site else "generic"
        rec[RAW_PUBLISHED] = self.published_candidates()
        rec[RAW_MODIFIED] = self.modified_candidates()
        return rec


def _overlap(a: str, b: str) -> float:
    """Share of the shorter title's words found in the other: 1.0 when one contains the other's words."""
    wa, wb = set(a.split()), set(b.split())
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


_LEAD_MARK = re.compile(r"lead|lid|summary|intro|teaser|abstract|excerpt|desc|sub-?title|subhead|chapo|brief|"
                        r"rutitr-bottom", re.I)
_KICKER_MARK = re.compile(r"rutitr|rotitr|rootitr|uptitle|up-title|kicker|pre-?title|over-?title|super-?title|"
                          r"sur-?title|top-?title|lid-title", re.I)
_META_LINE = re.compile(r"news[-_]?(?:info|meta|date|time|tools|share)|meta|date|time|share|social|tools|author|"
                        r"breadcrumb|byline|print|rate|font|views?|visit|code", re.I)
_SKIP_NEIGHBOUR = frozenset("script style noscript template time figure img picture svg iframe form button input "
                            "ul ol nav aside br hr meta link".split())


_HOME_WORD = re.compile(r"صفحه\s*(?:نخست|اصلی)|خانه|خانه\s*اصلی|home|اخبار|»|›|/", re.I)
_BREADCRUMBS = (".breadcrumb, .breadcrumbs, .news_path, .news-path, .news_path2, [itemtype*=BreadcrumbList], "
                "nav[aria-label*=readcrumb], .path, #breadcrumb, .crumbs")
_SECTION_LABELS = ("span.cat, .cat a, [class*=metabar-cat], .itemCategory a, .news-cat, .post-category a, "
                   ".entry-category a, .category-name, .service-name, .section-name")
_SECTION_PREFIX = re.compile(r"^(?:سرویس|گروه|دسته\s*‌?\s*بندی|بخش)\s*[:：]\s*")
_NUMBER_LABEL = re.compile(r"^\s*(?:شماره|کد)\s*(?:خبر|مطلب)?\s*[:：]\s*[0-9۰-۹A-Za-z]+\s*$")
_VISITS = re.compile(r"(?:تعداد\s*)?(?:بازدید|بازدیدها)\s*[:：]\s*[0-9۰-۹]")
_NOT_WORDS = re.compile(r"[\s0-9۰-۹٠-٩:：/\-–—|،,.()«»\"“”']+")


def _mostly_links(line: str, link_texts: list[str]) -> bool:
    """A line made of link texts plus at most a time, a date or a label («۱۱:۵۹ …», «بیشتر بخوانید: …»): a
    headline list or a read-more pointer that lost its links in extraction, not a paragraph of the story."""
    rest = READ_MORE_PREFIX.sub("", line)
    found = False
    for text in link_texts:
        if len(text) > len(rest):
            continue
        if text in rest:
            rest = rest.replace(text, " ")
            found = True
    if not found:
        return False
    left = _NOT_WORDS.sub("", rest)
    return len(left) <= max(3, len(_NOT_WORDS.sub("", line)) // 10)


_LEAD_TAGS = frozenset("p div h2 h3 h4 h5 strong b span section blockquote".split())


def _all_bold(el: Any) -> bool:
    """The whole text of a paragraph is in <strong>/<b> (a lead printed bold at the top of the text)."""
    text = "".join((el.text_content() or "").split())
    bold = "".join("".join((b.text_content() or "").split()) for b in el.iter("strong", "b"))
    return bool(text) and len(bold) >= 0.9 * len(text)


def _story_paragraphs(el: Any) -> int:
    """How many substantial paragraphs stand beside this one: three or more make it one of the story's."""
    parent = el.getparent()
    if parent is None:
        return 0
    return sum(1 for p in parent.iterchildren("p") if len((p.text_content() or "").split()) >= 12)


def _with_line_time(owner: Any, found: str) -> str:
    """A date whose time stands in the next element of its line («تاریخ: <span>25/05/1391</span> | ساعت:
    <span>10:25</span>»): the date with that time, read from the line's own short text."""
    line = owner.getparent() if owner is not None and owner.getparent() is not None else owner
    if line is None:
        return found
    text = " ".join((line.text_content() or "").split())
    if len(text) > 200 or found not in text or len(_JALALI_IN_TEXT.findall(text)) > 1:
        return found  # a line of several dates: a time beside one of them may belong to the next
    after = text[text.index(found) + len(found):][:40]
    clock = re.match(rf"\s*[-/،,|]?\s*(?:ساعت\s*[:：]?\s*)?({_DIGITS}{{1,2}}\s*:\s*{_DIGITS}{{2}})(?![0-9۰-۹])", after)
    return f"{found} {clock.group(1)}" if clock else found


def _is_date_line(text: str) -> bool:
    """A line that is a date with a label or a weekday around it, not a sentence."""
    match = _JALALI_IN_TEXT.search(text)
    return match is not None and len(text) - len(match.group(0)) < 25


def _plausible_headline(text: str, site_name: str) -> bool:
    words = len(text.split())
    return 2 <= words <= 45 and text != site_name and not (site_name and text in site_name)


def _in_page_chrome(el: Any) -> bool:
    """Inside the page's header, navigation, footer or a side box: a logo or a widget title, not the headline."""
    el = el.getparent()
    depth = 0
    while el is not None and depth < 15:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in ("body", "html"):
            return False
        if tag in ("header", "nav", "footer", "aside") and not _in_article(el):
            return True
        marker = f"{el.get('class', '')} {el.get('id', '')}"
        if re.search(r"(?<![-\w])(?:site-?)?header(?![-\w])|logo|navbar|sidebar|footer|menu", marker, re.I) and \
                not re.search(r"news|article|post|item|title", marker, re.I):
            return True
        el = el.getparent()
        depth += 1
    return False


def _unreliable_title(page_title: str | None, site: str) -> bool:
    """A ``<title>`` that names the site or the page kind only («دی اسپورت - نسخه چاپی»), not the story."""
    if not page_title:
        return True
    parts = [p.strip() for p in re.split(r"\s[-|–:]\s", page_title) if p.strip()]
    return all(len(p.split()) <= 3 or (site and p in site) or "نسخه چاپی" in p for p in parts)


def _in_article_flow(el: Any) -> bool:
    """In the page's main flow: not in a header, footer, navigation or side box."""
    return not _in_page_chrome(el) and not _in_chrome(el)


def _in_article(el: Any) -> bool:
    depth = 0
    while el is not None and depth < 15:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in ("article", "main") or "Article" in (el.get("itemtype") or ""):
            return True
        if el.get("itemprop") in ("articleBody", "mainEntityOfPage"):
            return True
        el = el.getparent()
        depth += 1
    return False


def _neighbours(node: Any, *, before: bool) -> Iterable[Any]:
    """Elements beside the headline, nearest first: its siblings, then (when the h1 sits alone in a wrapper such as
    ``div.title``) the wrapper's siblings, two levels up at most."""
    current = node
    for _ in range(3):
        sibling = current.getprevious() if before else current.getnext()
        while sibling is not None:
            tag = sibling.tag if isinstance(sibling.tag, str) else ""
            if tag and tag not in _SKIP_NEIGHBOUR and not _is_junk_box(sibling):
                yield sibling
            sibling = sibling.getprevious() if before else sibling.getnext()
        parent = current.getparent()
        if parent is None or parent.tag in ("body", "article", "main"):
            return
        current = parent


def _is_junk_box(el: Any) -> bool:
    marker = f"{el.get('class', '')} {el.get('id', '')}"
    return bool(marker.strip()) and bool(re.search(r"share|social|breadcrumb|\bads?\b|advert|banner|tags?\b|"
                                                   r"related|rating|print|font-?size|tools", marker, re.I))


def _is_meta_line(el: Any, text: str) -> bool:
    marker = f"{el.get('class', '')} {el.get('id', '')}"
    if marker.strip() and _META_LINE.search(marker) and not _LEAD_MARK.search(marker):
        return True
    return bool(re.match(r"^(?:تاریخ|زمان|کد\s*خبر|نویسنده|خبرنگار|منبع|سرویس|دسته|بازدید|تعداد|اشتراک)\b", text))


def _is_kicker_like(el: Any, text: str, title: str) -> bool:
    marker = f"{el.get('class', '')} {el.get('id', '')}"
    if _KICKER_MARK.search(marker):
        return True
    if _is_date_line(text) or _NEWS_CODE_TEXT.search(text) or _is_meta_line(el, text):
        return False
    words = len(text.split())
    links = "".join(a.text_content() or "" for a in el.iter("a")).strip()
    if links and len(links) >= len(text) * 0.5:
        return False  # a category link or a breadcrumb, not a kicker
    return 2 <= words <= 18 and text != title and el.tag in ("h2", "h3", "h4", "h5", "h6", "span", "div", "p",
                                                            "strong", "small", "em")


def _inside_body(el: Any) -> bool:
    while el is not None:
        if el.get("itemprop") == "articleBody":
            return True
        el = el.getparent()
    return False


def _own_text(el: Any) -> str:
    return (el.text or "") if el is not None else ""


def _in_chrome(el: Any) -> bool:
    """Whether an element sits in a box whose dates are not the article's (comments, lists, menus).

    ``<body>`` and ``<html>`` are not boxes: CMSs put layout words on them («one-sidebar sidebar-second»).
    """
    depth = 0
    while el is not None and depth < 12:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in ("body", "html"):
            return False
        if tag in ("nav", "aside"):
            return True
        marker = f"{el.get('class', '')} {el.get('id', '')}"
        if marker.strip() and _CHROME_BOX.search(marker):
            return True
        el = el.getparent()
        depth += 1
    return False


def source_of(phrase: str) -> str | None:
    """The source named in «به گزارش X»: X itself, or the agency after a role («خبرنگار اقتصادی ایسنا» → ایسنا).

    «گروه استان‌های خبرگزاری فارس از اراک» credits the agency, not the city it filed from; a quoted name
    («به گزارش "آفتاب"») comes out without its quotes.
    """
    phrase = (normalize_text(phrase) or "").strip(" «»\"“”'‘’")
    if not phrase:
        return None
    if phrase.split()[0] in _ROLE_WORDS:
        idx = phrase.find("خبرگزاری")
        phrase = phrase[idx:] if idx >= 0 else phrase.split()[-1]
    phrase = re.sub(r"\s+از\s+\S+(?:\s+\S+)?$", "", phrase) if phrase.startswith("خبرگزاری") else phrase
    return phrase.strip(" «»\"“”'‘’") or None


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
