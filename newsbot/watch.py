"""Watchlists: named lists of terms matched against every record however Persian spells them.

People who track where their organisation appears in the news search for «روابط عمومی», and agencies write
«روابط‌عمومی», «روابط عمومی» and «روابطعمومی», with Arabic ي/ك from some CMSs, «آ» without its madda, digits in three
scripts and the odd diacritic. Matching therefore runs on a *folded* form of the text (:func:`fold`) in which all of
that is equivalent, while the record itself is never changed.

The fold, in full:

- ي ى ئ → ی, ك → ک, ة ۀ → ه, ؤ → و, أ إ ٱ **and آ** → ا (the madda is dropped: «آیین» matches «ایین»; Persian has no
  pair of news words told apart only by it), the lone hamza ء is dropped;
- Persian (۰–۹) and Arabic-Indic (٠–٩) digits → ASCII;
- harakat, tanwin, shadda, sukun, superscript alef, Quranic marks, tatweel, bidi marks and ZWJ are removed;
- Latin letters are lower-cased;
- spaces, half-spaces (ZWNJ) and punctuation separate words, and the matched form has none of them: half-space, space
  and nothing are the same.

Word boundaries still count: a match must start and end where a word of the *original* text starts and ends
(a space, half-space, punctuation or the edge of the text), so «ایران» does not fire inside «ایرانسل», but does in
«ایران‌خودرو» (a half-space is a word break, as a space would be). Inside a match the text's word breaks are free,
which is what makes «روابطعمومی» equal «روابط عمومی»; the price is that a term can, rarely, match two words that
happen to spell it («آی ران» for «ایران»).

An exact phrase (a term written in double quotes, ``"\\"روابط عمومی\\""``) folds letters and digits the same way
but not spacing: the text must break words exactly where the phrase does, with the same kind of break (a space, a
half-space, punctuation), and nowhere else.

The watchlist file (TOML)::

    [lists.behzisti]
    title = "سازمان بهزیستی"                         # optional: the digest's heading
    any = ["سازمان بهزیستی", "بهزیستی کشور"]          # OR: at least one must match
    all = ["روابط عمومی"]                             # AND: every one must match (optional)
    none = ["آگهی استخدام"]                            # NOT: none may match (optional)

A list needs ``any`` or ``all``. Every term of every list goes into one Aho-Corasick automaton (pyahocorasick), so
a record is scanned once whatever the number of terms.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import accumulate
from pathlib import Path
from typing import Any

import ahocorasick

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

logger = logging.getLogger(__name__)

ZWNJ = "\u200c"

_MAP: dict[int, int | str | None] = {}
for _src, _dst in (("يىئ", "ی"), ("ك", "ک"), ("ةۀ", "ه"), ("ؤ", "و"), ("أإٱآ", "ا"),
                   ("۰۱۲۳۴۵۶۷۸۹", "0123456789"), ("٠١٢٣٤٥٦٧٨٩", "0123456789")):
    if len(_dst) == 1:
        _MAP.update(dict.fromkeys(map(ord, _src), _dst))
    else:
        _MAP.update({ord(a): b for a, b in zip(_src, _dst, strict=True)})
# Diacritics (U+064B–U+065F, U+0670), Quranic annotation marks, tatweel, hamza, bidi marks, ZWJ, soft hyphen, BOM.
_DELETE = [*range(0x064B, 0x0660), 0x0670, *range(0x0610, 0x061B), *range(0x06D6, 0x06EE), 0x0640, 0x0621,
           0x200D, 0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x00AD, 0xFEFF]
_MAP.update(dict.fromkeys(_DELETE))
FOLD_TABLE = str.maketrans(_MAP)
# str.translate looks every character up in the table, a fifth of a millisecond for an article; most characters
# need nothing, so only runs of those that do are translated.
_FOLDABLE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(FOLD_TABLE)) + "]+")

#: A word of the folded text: letters and digits; everything else (space, ZWNJ, punctuation, ``_``) separates words.
_SPLIT = re.compile(r"([\W_]+)")
_WORD = re.compile(r"[^\W_]+")

#: The kind of a word break, for exact phrases: a half-space, white space, or anything else (punctuation).
_HALF, _SPACE, _PUNCT = "z", "s", "p"

FIELDS = ("title", "kicker", "lead", "body")
_LIST_KEYS = {"any", "all", "none", "title"}
_LIST_NAME = re.compile(r"[^\W][\w.-]*")


class WatchlistError(ValueError):
    """A watchlist that cannot be used: one line naming the file and the list."""


def fold_chars(text: str) -> str:
    """The letter-level fold (Arabic letters, digits, diacritics, case); word breaks are still in place."""
    return _FOLDABLE.sub(_fold_run, text).lower()


def _fold_run(match: re.Match[str]) -> str:
    return match.group().translate(FOLD_TABLE)


def fold(text: str) -> str:
    """The matching form: :func:`fold_chars` with every space, half-space and punctuation mark removed."""
    return "".join(_WORD.findall(fold_chars(text)))


def _break_kind(sep: str) -> str:
    if not sep.strip(ZWNJ):
        return _HALF
    if not sep.strip():
        return _SPACE
    return _PUNCT


@dataclass(frozen=True)
class Folded:
    """A text in matching form, with the positions where its original words started and ended."""

    text: str
    bounds: set[int]
    #: position -> kind of the word break there; only made when an exact phrase needs it.
    kinds: dict[int, str]

    @classmethod
    def of(cls, text: str, *, kinds: bool = True) -> Folded:
        if not kinds:
            words = _WORD.findall(fold_chars(text))
            return cls("".join(words), set(accumulate(map(len, words), initial=0)), {})
        pieces = _SPLIT.split(fold_chars(text))
        words = pieces[0::2]
        offsets = list(accumulate(map(len, words), initial=0))
        # offsets[i + 1] is where word i ends; the separator pieces[2 * i + 1] follows it.
        breaks = {offsets[i + 1]: _break_kind(sep) for i, sep in enumerate(pieces[1::2])}
        return cls("".join(words), set(offsets), breaks)


@dataclass(frozen=True)
class Term:
    """One term of a watchlist: as written, its matching key and, for an exact phrase, its own word breaks."""

    written: str
    key: str
    #: For an exact phrase: (position, kind) of each break inside it; None for an ordinary term.
    phrase: tuple[tuple[int, str], ...] | None = None


@dataclass(frozen=True)
class WatchList:
    name: str
    title: str
    any: tuple[int, ...]
    all: tuple[int, ...]
    none: tuple[int, ...]

    def satisfied(self, hits: set[int]) -> bool:
        if self.any and hits.isdisjoint(self.any):
            return False
        if not hits.issuperset(self.all):
            return False
        return hits.isdisjoint(self.none)


class Watchlist:
    """Every list of a watchlist file, compiled into one automaton."""

    def __init__(self, lists: dict[str, dict[str, Any]], source: str = "<watchlist>") -> None:
        self.source = source
        self.terms: list[Term] = []
        index: dict[str, int] = {}
        self.lists: dict[str, WatchList] = {}
        for name, spec in lists.items():
            where = f"{source}: list {name!r}"
            if not isinstance(name, str) or not _LIST_NAME.fullmatch(name):
                raise WatchlistError(f"{where}: a list name is letters, digits, '_', '-' and '.' (it names a folder)")
            if not isinstance(spec, dict):
                raise WatchlistError(f"{where}: not a table ([lists.{name}] with any/all/none)")
            unknown = sorted(set(spec) - _LIST_KEYS)
            if unknown:
                raise WatchlistError(f"{where}: unknown key {unknown[0]!r} (use any, all, none, title)")
            title = spec.get("title", name)
            if not isinstance(title, str) or not title.strip():
                raise WatchlistError(f"{where}: title must be a non-empty string")
            groups: dict[str, tuple[int, ...]] = {}
            for key in ("any", "all", "none"):
                values = spec.get(key, [])
                if key in spec and (not isinstance(values, list) or not values):
                    raise WatchlistError(f"{where}: {key} must be a non-empty list of terms")
                ids = []
                for value in values:
                    if not isinstance(value, str):
                        raise WatchlistError(f"{where}: {key} holds {value!r}, not a string")
                    if value not in index:
                        index[value] = len(self.terms)
                        self.terms.append(_term(value, where))
                    ids.append(index[value])
                groups[key] = tuple(ids)
            if not groups["any"] and not groups["all"]:
                raise WatchlistError(f"{where}: needs any = [...] or all = [...]")
            self.lists[name] = WatchList(name, title.strip(), groups["any"], groups["all"], groups["none"])
        if not self.lists:
            raise WatchlistError(f"{source}: no list ([lists.NAME] with any = [...])")
        # Which lists each term can satisfy (any/all), and where it stands in each: a record is checked only against
        # the lists its hits touch, so 10,000 terms in 50 lists cost what the hits cost.
        self._lists_of: dict[int, list[tuple[str, int]]] = {}
        for wl in self.lists.values():
            for pos, i in enumerate(dict.fromkeys((*wl.any, *wl.all))):
                self._lists_of.setdefault(i, []).append((wl.name, pos))
        self._phrases = any(t.phrase is not None for t in self.terms)
        self._automaton = ahocorasick.Automaton()
        by_key: dict[str, list[int]] = {}
        for i, term in enumerate(self.terms):
            by_key.setdefault(term.key, []).append(i)
        for key, ids in by_key.items():
            self._automaton.add_word(key, (len(key), tuple(ids)))
        self._automaton.make_automaton()

    def hits(self, text: str) -> set[int]:
        """Indexes (into :attr:`terms`) of the terms found in ``text``."""
        folded = Folded.of(text, kinds=self._phrases)
        bounds = folded.bounds
        found: set[int] = set()
        for end, (length, ids) in self._automaton.iter(folded.text):
            start = end - length + 1
            if start not in bounds or end + 1 not in bounds:
                continue
            for i in ids:
                phrase = self.terms[i].phrase
                if phrase is None or _phrase_fits(phrase, folded, start, end + 1):
                    found.add(i)
        return found

    def match(self, record: dict[str, Any]) -> dict[str, list[str]]:
        """``{list: [terms as written]}`` for every list whose query the record satisfies."""
        text = "\n".join(v for v in (record.get(f) for f in FIELDS) if isinstance(v, str))
        hits = self.hits(text) if text else set()
        found: dict[str, list[tuple[int, int]]] = {}
        for i in hits:
            for name, pos in self._lists_of.get(i, ()):
                found.setdefault(name, []).append((pos, i))
        out: dict[str, list[str]] = {}
        for name, wl in self.lists.items():  # in the file's order
            if name in found and wl.satisfied(hits):
                out[name] = [self.terms[i].written for _, i in sorted(found[name])]
        return out

    def __len__(self) -> int:
        return len(self.terms)


def _phrase_fits(phrase: tuple[tuple[int, str], ...], folded: Folded, start: int, end: int) -> bool:
    inner = {p - start: folded.kinds.get(p, _SPACE) for p in range(start + 1, end) if p in folded.bounds}
    return inner == dict(phrase)


def _term(value: str, where: str) -> Term:
    raw = value.strip()
    exact = len(raw) >= 2 and raw[0] == raw[-1] == '"'
    body = raw[1:-1] if exact else raw
    folded = Folded.of(body)
    if not folded.text:
        raise WatchlistError(f"{where}: term {value!r} has no letters or digits")
    if not exact:
        return Term(value, folded.text)
    inner = tuple(sorted((p, k) for p, k in folded.kinds.items() if 0 < p < len(folded.text)))
    return Term(value, folded.text, inner)


def load_watchlist(path: str | os.PathLike[str]) -> Watchlist:
    """Read and compile a watchlist file; every problem is a :class:`WatchlistError` of one line."""
    name = str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise WatchlistError(f"{name}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise WatchlistError(f"{name}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise WatchlistError(f"{name}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"lists"})
    if unknown:
        raise WatchlistError(f"{name}: unknown top-level key {unknown[0]!r} (lists go under [lists.NAME])")
    lists = data.get("lists")
    if not isinstance(lists, dict) or not lists:
        raise WatchlistError(f"{name}: no list ([lists.NAME] with any = [...])")
    return Watchlist(lists, source=name)


# ---- per-list output ---------------------------------------------------------------------------------------------
def data_dir_of(settings: Any) -> Path:
    """The crawl's data directory: what ``NEWSBOT_FEED`` puts before ``%(name)s`` (``--data-dir`` rewrites it)."""
    try:
        feeds = settings.getdict("NEWSBOT_FEED")
    except (TypeError, ValueError):
        feeds = {}
    for uri in feeds:
        head, sep, _ = str(uri).partition("%(name)s")
        if sep and "://" not in head:
            return Path(head.rstrip("/") or ".")
    return Path("data")


class WatchWriter:
    """Appends a list's matching records to ``<data>/watch/<list>/<UTC date>.jsonl``, one whole line per write."""

    def __init__(self, data_dir: Path, day: str | None = None) -> None:
        self.root = Path(data_dir) / "watch"
        self.day = day or datetime.now(timezone.utc).date().isoformat()
        self._fds: dict[str, int] = {}

    def path(self, name: str) -> Path:
        return self.root / name / f"{self.day}.jsonl"

    def write(self, name: str, record: dict[str, Any]) -> None:
        fd = self._fds.get(name)
        if fd is None:
            path = self.path(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = self._fds[name] = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        data = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        written = os.write(fd, data)
        if written != len(data):
            raise OSError(f"short write to {self.path(name)}")

    def close(self) -> None:
        for fd in self._fds.values():
            try:
                os.close(fd)
            except OSError:
                pass
        self._fds.clear()


# ---- the Scrapy pipeline -----------------------------------------------------------------------------------------
class WatchPipeline:
    """Adds ``matches`` to each record and, once its line is written, copies it to each matching list's file.

    Without ``NEWSBOT_WATCHLIST`` it only sets ``matches`` to ``{}``. It never fails the crawl: a watchlist that
    will not load (``scrapy crawl -s``; ``newsbot crawl`` refuses it before starting) or a list file that cannot be
    written is logged and counted (``newsbot/watch_error/<spider>``), and the record is written all the same.
    """

    def __init__(self, crawler: Any) -> None:
        from scrapy import signals

        self.crawler = crawler
        self.stats = crawler.stats
        self.watchlist: Watchlist | None = None
        self.writer: WatchWriter | None = None
        path = crawler.settings.get("NEWSBOT_WATCHLIST")
        if path:
            try:
                self.watchlist = load_watchlist(path)
            except WatchlistError as exc:
                logger.warning("watchlist not used: %s", exc)
                self._count_error()
            else:
                self.writer = WatchWriter(data_dir_of(crawler.settings))
                crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)

    @classmethod
    def from_crawler(cls, crawler: Any) -> WatchPipeline:
        return cls(crawler)

    def _name(self) -> str:
        return getattr(getattr(self.crawler, "spider", None), "name", "unknown")

    def _count_error(self) -> None:
        self.stats.inc_value(f"newsbot/watch_error/{self._name()}")

    def process_item(self, item: dict[str, Any], spider: Any = None) -> dict[str, Any]:
        if self.watchlist is None:
            if item.get("matches") is None:
                item["matches"] = {}
            return item
        try:
            item["matches"] = self.watchlist.match(item)
        except Exception as exc:  # a matcher bug must not cost the article
            logger.warning("watchlist matching failed for %s: %s", item.get("url"), exc)
            self._count_error()
            item["matches"] = {}
        if item["matches"]:
            self.stats.inc_value(f"newsbot/watch_matched/{self._name()}")
        return item

    def item_scraped(self, item: dict[str, Any], response: Any, spider: Any) -> None:
        matches = item.get("matches") if isinstance(item, dict) else None
        if not matches or self.writer is None or not _was_written(self.crawler, item):
            return
        from newsbot.record import public

        line = public(item)
        for name in matches:
            try:
                self.writer.write(name, line)
            except OSError as exc:
                logger.warning("watch list %s: cannot write %s: %s", name, self.writer.path(name),
                               getattr(exc, "strerror", None) or exc)
                self._count_error()

    def close_spider(self, spider: Any = None) -> None:
        if self.writer is not None:
            self.writer.close()


def _was_written(crawler: Any, item: Any) -> bool:
    """Whether a feed took the item. This handler is connected before the dedup pipeline's, which consumes the
    output ledger's acknowledgement afterwards; without newsbot's exporter there is no ledger to ask."""
    from newsbot.feeds import newsbot_feeds

    ledger = getattr(crawler, "newsbot_output", None)
    acks = getattr(ledger, "_acks", None)
    if acks is None or not newsbot_feeds(crawler.settings):
        return True
    return bool(acks.get(id(item)))
