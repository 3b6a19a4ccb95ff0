"""Sites as data: every site is an entry in ``spiders/*.toml``, a few lines on top of its CMS family.

::

    [mashregh]
    agency = "مشرق"
    family = "newsstudio"
    domains = ["mashreghnews.ir"]

is a whole site: the family (``newsbot.families``) knows its URL shapes, feeds, sitemaps and markup. An entry
overrides only what differs (see :data:`KEYS`); ``class = "spiders.behzisti:Behzisti"`` names Python code for the
rare site that needs logic rather than data, ``parser = "spiders.tasnim:TasnimParser"`` a parser of its own.

This module reads the entries without importing Scrapy, so ``newsbot list`` and ``newsbot extract`` start fast;
``newsbot.registry`` turns each entry into the Scrapy spider class that ``scrapy list`` and ``scrapy crawl`` see.
A site is *verified* when its fixtures folder holds two reviewed article pages with expected records and a
recorded feed, sitemap or listing (the fixture tests then hold it to those records); otherwise it runs on its
family's defaults, which are right for most of a family's sites but were not checked on that one.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from newsbot.text import ascii_digits

#: The CMS families (``newsbot.families.FAMILIES``; named here so that reading the sites imports no parser).
FAMILY_NAMES = ("newsstudio", "didgah", "asam", "own")
#: Fields a site may give selectors for (tried before its family's).
SELECTOR_FIELDS = ("title", "kicker", "lead", "body", "date", "category", "tags", "authors", "image", "news_code")
_LISTS = ("domains", "article_patterns", "skip_patterns", "feeds", "service_feeds", "news_sitemaps", "listings",
          "sitemap_indexes", "listing_selectors", "next_page_selectors", "body_exclude", "trailers",
          "category_strip", "author_exclude")
_STRINGS = ("agency", "family", "base_url", "class", "parser", "yearly_sitemap", "daily_sitemap", "archive_by_date",
            "note")
#: Every key an entry may have. Unknown keys are an error (a typo must not silently do nothing).
KEYS = frozenset((*_LISTS, *_STRINGS, "selectors", "window_days", "max_archive_pages"))
#: Keys holding regular expressions, checked when the file is read.
_REGEX_KEYS = ("article_patterns", "skip_patterns", "trailers", "category_strip")
#: Clean-up rules (see newsbot.parser.Rules): a site's are added to its family's.
RULE_KEYS = ("body_exclude", "trailers", "category_strip", "author_exclude")
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}")


class SiteDataError(ValueError):
    """A site entry that cannot be used: the message names the file, the site and the key."""


@dataclass(frozen=True)
class Site:
    """One site: its identity, its family and the keys its entry sets (the family supplies the rest)."""

    name: str
    family: str
    domains: tuple[str, ...]
    agency: str | None
    base_url: str
    #: The entry's own keys, as written (lists as tuples).
    data: Mapping[str, Any] = field(default_factory=dict, repr=False)
    #: Where the entry is written, and how many lines of data it takes there (its header included).
    source: str = ""
    lines: int = 0

    def owns(self, url: str) -> bool:
        return owns(self.domains, url)

    def value(self, key: str, default: Any = None) -> Any:
        """The entry's value for a spider attribute, else its family's, else ``default``."""
        if key in self.data:
            return self.data[key]
        return self.family_data().spider.get(key, default)

    def family_data(self) -> Any:
        from newsbot.families import FAMILIES

        return FAMILIES[self.family]

    @functools.cached_property
    def article_patterns(self) -> tuple[str, ...]:
        return tuple(self.value("article_patterns", ()))

    @functools.cached_property
    def selectors(self) -> dict[str, tuple[str, ...]]:
        return {k: tuple(v) for k, v in (self.data.get("selectors") or {}).items()}

    @functools.cached_property
    def rules(self) -> dict[str, tuple[str, ...]]:
        """The family's clean-up rules followed by the site's own."""
        family = self.family_data().rules
        return {k: tuple(family.get(k, ())) + tuple(self.data.get(k, ())) for k in RULE_KEYS}

    @functools.cached_property
    def parser_class(self) -> type:
        """The site's own parser class when it names one, else its family's."""
        if "parser" in self.data:
            return load_object(self.data["parser"], f"{self.source}: [{self.name}] parser")
        return self.family_data().parser

    def news_code_of(self, url: str) -> str | None:
        return news_code_in(self.article_patterns, url)

    @property
    def status(self) -> str:
        """``verified`` or ``family default`` (see the module docstring); ``fixtures incomplete`` is a bug."""
        return fixture_status(self.name)[0]


def owns(domains: tuple[str, ...], url: str) -> bool:
    """Whether the URL's host is one of the domains or a subdomain of one (``kerman.behzisti.ir``)."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in domains)


def news_code_in(patterns: tuple[str, ...], url: str) -> str | None:
    """The news code in an article URL (group 1 of the first pattern matching its decoded path), or None when the
    URL is no article."""
    path = unquote(urlsplit(url).path)
    for pattern in patterns:
        match = re.search(pattern, path)
        if match:
            return ascii_digits(match.group(1))
    return None


# ---- reading the files --------------------------------------------------------------------------------------------
def site_folder() -> Path:
    """``spiders/``: the package holding the site files (found without importing it)."""
    spec = importlib.util.find_spec("spiders")
    if spec is None or not spec.submodule_search_locations:
        raise SiteDataError("the spiders package (the site files) is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def fixtures_folder() -> Path:
    return site_folder().parent / "fixtures"


@functools.lru_cache(maxsize=4)
def load(folder: str | None = None) -> dict[str, Site]:
    """Every site of ``folder``'s ``*.toml`` files (default: the spiders package), by name, sorted."""
    base = Path(folder) if folder else site_folder()
    found: dict[str, Site] = {}
    owners: dict[str, str] = {}
    for path in sorted(base.glob("*.toml")):
        for site in read_file(path):
            if site.name in found:
                raise SiteDataError(f"{site.source}: [{site.name}] is also defined in {found[site.name].source}")
            for domain in site.domains:
                if domain in owners:
                    raise SiteDataError(f"{site.source}: [{site.name}] domain {domain} belongs to [{owners[domain]}]")
                owners[domain] = site.name
            found[site.name] = site
    return dict(sorted(found.items()))


def read_file(path: Path) -> list[Site]:
    """The sites of one TOML file, each checked (types, known keys, regexes)."""
    label = _label(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise SiteDataError(f"{label}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SiteDataError(f"{label}: not valid TOML: {exc}") from None
    sizes = _entry_sizes(text)
    return [_site(name, entry, label, sizes.get(name, 0)) for name, entry in data.items()]


def _label(path: Path) -> str:
    try:
        return str(path.relative_to(site_folder().parent))
    except (ValueError, SiteDataError):
        return str(path)


def _entry_sizes(text: str) -> dict[str, int]:
    """Lines of data per entry: its header and its non-blank, non-comment lines."""
    sizes: dict[str, int] = {}
    current = None
    for line in text.splitlines():
        stripped = line.strip()
        header = re.match(r"^\[([A-Za-z0-9_]+)(?:\.[^\]]*)?\]$", stripped)
        if header:
            current = header.group(1)
            sizes[current] = sizes.get(current, 0) + 1
        elif current and stripped and not stripped.startswith("#"):
            sizes[current] += 1
    return sizes


def _site(name: str, entry: Any, label: str, lines: int) -> Site:
    where = f"{label}: [{name}]"
    if not _NAME.fullmatch(name):
        raise SiteDataError(f"{where}: a site name is lowercase ASCII letters, digits and _")
    if not isinstance(entry, dict):
        raise SiteDataError(f"{where}: must be a table of keys")
    unknown = sorted(set(entry) - KEYS)
    if unknown:
        raise SiteDataError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(KEYS))}")
    data: dict[str, Any] = {}
    for key, value in entry.items():
        data[key] = _checked(where, key, value)
    family = data.get("family")
    if family not in FAMILY_NAMES:
        raise SiteDataError(f"{where}: family must be one of {', '.join(FAMILY_NAMES)} (got {family!r})")
    domains = tuple(d.lower().removeprefix("www.") for d in data.get("domains", ()))
    if not domains:
        raise SiteDataError(f"{where}: needs domains = [\"example.ir\"]")
    for domain in domains:
        if not _DOMAIN.fullmatch(domain):
            raise SiteDataError(f"{where}: {domain!r} is not a domain name")
    base = data.get("base_url") or f"https://www.{domains[0]}"
    if not re.match(r"^https?://[^/]+$", base):
        raise SiteDataError(f"{where}: base_url must be scheme and host only, like https://www.example.ir")
    data["domains"] = domains
    return Site(name=name, family=family, domains=domains, agency=data.get("agency"), base_url=base, data=data,
                source=label, lines=lines)


def _checked(where: str, key: str, value: Any) -> Any:
    if key in _LISTS:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise SiteDataError(f"{where}: {key} must be a list of non-empty strings")
        if key in _REGEX_KEYS:
            for pattern in value:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise SiteDataError(f"{where}: {key}: {pattern!r} is not a regular expression ({exc})") from None
        if key == "article_patterns":
            for pattern in value:
                if re.compile(pattern).groups < 1:
                    raise SiteDataError(f"{where}: article_patterns: {pattern!r} needs a group for the news code")
        return tuple(value)
    if key in _STRINGS:
        if not isinstance(value, str) or not value.strip():
            raise SiteDataError(f"{where}: {key} must be a non-empty string")
        if key in ("class", "parser") and not re.fullmatch(r"[\w.]+:\w+", value):
            raise SiteDataError(f"{where}: {key} must be module:Name, like spiders.tasnim:TasnimParser")
        return value
    if key == "selectors":
        if not isinstance(value, dict):
            raise SiteDataError(f"{where}: selectors must be a table of field = [css, ...]")
        unknown = sorted(set(value) - set(SELECTOR_FIELDS))
        if unknown:
            raise SiteDataError(f"{where}: selectors for unknown field(s) {', '.join(unknown)}; "
                                f"fields: {', '.join(SELECTOR_FIELDS)}")
        for fname, css in value.items():
            if not isinstance(css, list) or not all(isinstance(c, str) and c.strip() for c in css):
                raise SiteDataError(f"{where}: selectors.{fname} must be a list of CSS selectors")
        return {k: tuple(v) for k, v in value.items()}
    if key == "window_days":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise SiteDataError(f"{where}: window_days must be a positive number")
        return float(value)
    if key == "max_archive_pages":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise SiteDataError(f"{where}: max_archive_pages must be a positive integer")
        return value
    raise SiteDataError(f"{where}: unknown key {key}")  # pragma: no cover - KEYS is checked first


def load_object(path: str, what: str) -> Any:
    """``module:Name`` imported; one clear error when it is not there."""
    module, _, attr = path.partition(":")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise SiteDataError(f"{what}: cannot load {path} ({exc})") from None


def adhoc(url: str, family: str) -> Site:
    """A site nobody registered, known by its host and the family its pages showed (``newsbot.detect``): its
    records are keyed by that host and their news codes."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    domain = host.removeprefix("www.")
    if family not in FAMILY_NAMES:
        raise SiteDataError(f"unknown family {family!r}")
    return Site(name=domain, family=family, domains=(domain,), agency=None, base_url=f"https://{host}",
                data={"domains": (domain,), "family": family}, source="detected", lines=0)


# ---- lookups ---------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=4)
def _by_domain(folder: str | None = None) -> dict[str, Site]:
    return {domain: site for site in load(folder).values() for domain in site.domains}


def site_for_url(url: str, folder: str | None = None) -> Site | None:
    """The site that owns the URL's host (or a parent domain of it), or None."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    index = _by_domain(folder)
    labels = host.split(".")
    for i in range(len(labels) - 1):
        site = index.get(".".join(labels[i:]))
        if site is not None:
            return site
    return None


def get(name: str, folder: str | None = None) -> Site:
    sites = load(folder)
    try:
        return sites[name]
    except KeyError:
        raise KeyError(f"no site named {name!r} (see `newsbot list`)") from None


# ---- verification ------------------------------------------------------------------------------------------------
def fixture_status(name: str, fixtures: Path | None = None) -> tuple[str, str]:
    """(status, why): ``verified``, ``family default`` (no fixtures folder) or ``fixtures incomplete``."""
    folder = (fixtures or fixtures_folder()) / name
    index_path = folder / "responses.json"
    if not folder.is_dir():
        return "family default", "no fixtures folder"
    if not index_path.exists():
        return "fixtures incomplete", f"{folder.name}/ has no responses.json"
    try:
        index = json.loads(index_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return "fixtures incomplete", f"{folder.name}/responses.json unreadable: {exc}"
    files = {e.get("file", "") for e in index if isinstance(e, dict)}
    reviewed, unreviewed = [], []
    for expected in sorted(folder.glob("*.expected.json")):
        page = expected.name.removesuffix(".expected.json") + ".html"
        if page not in files:
            continue
        try:
            record = json.loads(expected.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            unreviewed.append(expected.name)
            continue
        (unreviewed if isinstance(record, dict) and record.get(UNREVIEWED) else reviewed).append(expected.name)
    if unreviewed:
        return "fixtures incomplete", f"unreviewed expected record(s): {', '.join(unreviewed)}"
    if len(reviewed) < 2:
        return "fixtures incomplete", f"{len(reviewed)} reviewed article(s), 2 needed"
    if not any(_is_discovery(f) for f in files):
        return "fixtures incomplete", "no recorded feed, sitemap or listing"
    return "verified", f"{len(reviewed)} articles with expected records"


#: The key ``newsbot fixture draft`` puts in a draft expected record until its author has checked every field.
UNREVIEWED = "_unreviewed"


def _is_discovery(file: str) -> bool:
    return file.endswith((".xml", ".xml.gz")) or (file.endswith(".html") and not file.startswith("article"))
