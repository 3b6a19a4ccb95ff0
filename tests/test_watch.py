"""Watchlists: every spelling equivalence of the fold, word boundaries, AND/OR/NOT and exact phrases, bad files as
one-line errors, and the record's own text never touched."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from newsbot.watch import Watchlist, WatchlistError, WatchWriter, data_dir_of, fold, load_watchlist

Z = "\u200c"


def hits(term: str, text: str) -> bool:
    wl = Watchlist({"t": {"any": [term]}})
    return bool(wl.match({"body": text}))


@pytest.mark.parametrize(("term", "text"), [
    # half-space, space and nothing
    ("روابط عمومی", f"به گزارش روابط{Z}عمومی سازمان"),
    ("روابط عمومی", "به گزارش روابطعمومی سازمان"),
    (f"روابط{Z}عمومی", "به گزارش روابط عمومی سازمان"),
    ("روابطعمومی", "به گزارش روابط  عمومی سازمان"),
    ("می شود", f"این طرح اجرا می{Z}شود."),
    # Arabic letters
    ("بهزیستی", "سازمان بهزيستي"),
    ("کرمان", "استان كرمان"),
    ("بهزيستي", "سازمان بهزیستی"),
    ("مدرسه", "مدرسة شهید"),
    ("خانه", "خانۀ کارگر"),
    # alef variants, hamza forms
    ("اسلامی", "جمهوری إسلامی"),
    ("احمدی", "آقای أحمدی"),
    ("آیین نامه", "اجرای ایین نامه"),
    ("ایین", "اجرای آیین نامه"),
    ("مسوول", "مسؤول این طرح"),
    ("آئین", "آیین نامه"),
    # digits of three scripts
    ("۱۴۰۴", "بودجه 1404 تصویب شد"),
    ("1404", "بودجه ١٤٠٤ تصویب شد"),
    ("خط ۱۰ مترو", "خط 10 مترو"),
    # diacritics, tatweel
    ("روابط عمومی", "رَوابِطِ عُمومی"),
    ("مؤسسه", "مُؤَسَّسه خیریه"),
    ("بهزیستی", "بهـزیستـی"),
    ("علی", "عليٌّ"),
    # Latin case
    ("IRNA", "به گزارش irna"),
])
def test_equivalent_spellings_match(term: str, text: str) -> None:
    assert hits(term, text), (term, text)


def test_fold_itself() -> None:
    assert fold(f"روابط{Z}عمومی") == fold("روابط عمومی") == fold("روابطعمومی") == "روابطعمومی"
    assert fold("۱۲۳ ١٢٣ 123") == "123123123"
    assert fold("كيك") == fold("کیک")


@pytest.mark.parametrize(("term", "text", "expected"), [
    ("ایران", "اپراتور ایرانسل", False),  # inside a longer word
    ("ایران", "رستم ایرانی", False),
    ("ایران", f"شرکت ایران{Z}خودرو", True),  # a half-space is a word break
    ("ایران", "ایران، امروز", True),
    ("ایران", "(ایران)", True),
    ("ران", "ایران", False),  # not at a word start
    ("سازمان بهزیستی", "سازمان بهزیستیان", False),
    ("بهزیستی", "سازمان بهزیستی", True),
])
def test_word_boundaries(term: str, text: str, expected: bool) -> None:
    assert hits(term, text) is expected


def test_or_and_not() -> None:
    wl = Watchlist({
        "or": {"any": ["بهزیستی", "کمیته امداد"]},
        "and": {"all": ["بهزیستی", "روابط عمومی"]},
        "mixed": {"any": ["بهزیستی"], "all": ["کرمان"], "none": ["آگهی استخدام"]},
    })
    assert set(wl.match({"title": "کمیته امداد"})) == {"or"}
    assert set(wl.match({"body": "بهزیستی"})) == {"or"}
    assert set(wl.match({"lead": "روابط عمومی بهزیستی"})) == {"or", "and"}
    assert set(wl.match({"kicker": "بهزیستی کرمان"})) == {"or", "mixed"}
    assert set(wl.match({"body": "بهزیستی کرمان\nآگهی استخدام"})) == {"or"}
    assert wl.match({"body": "هیچ"}) == {}


def test_terms_reported_as_written_from_title_kicker_lead_and_body() -> None:
    wl = Watchlist({"b": {"any": ["سازمان بهزیستی", "بهزیستی کشور", "کرمان"], "all": ["روابط عمومی"]}})
    rec = {"title": "سازمان بهزيستي", "kicker": "روابط\u200cعمومی", "lead": None, "body": "هیچ", "category": "کرمان"}
    assert wl.match(rec) == {"b": ["سازمان بهزیستی", "روابط عمومی"]}  # category is not searched


def test_exact_phrase_keeps_spacing() -> None:
    wl = Watchlist({"p": {"any": ['"روابط عمومی"']}})
    assert wl.match({"body": "روابط عمومی"}) == {"p": ['"روابط عمومی"']}
    assert wl.match({"body": "رَوابط عمومي"}), "letters and diacritics are still folded"
    assert not wl.match({"body": f"روابط{Z}عمومی"})
    assert not wl.match({"body": "روابطعمومی"})
    assert not wl.match({"body": "روابط، عمومی"})
    half = Watchlist({"p": {"any": [f'"می{Z}شود"']}})
    assert half.match({"body": f"اجرا می{Z}شود"}) and not half.match({"body": "اجرا می شود"})


def test_record_text_stays_as_published() -> None:
    wl = Watchlist({"b": {"any": ["بهزیستی"]}})
    rec = {"title": f"سازمان بهزيستي{Z}کشور", "body": "رَوابِط ١٤٠٤", "lead": None, "kicker": None}
    before = copy.deepcopy(rec)
    assert wl.match(rec)
    assert rec == before


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "wl.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "needle"), [
    ("[lists.b\nany = [", "not valid TOML"),
    ('[lists.b]\nanyy = ["x"]', "list 'b': unknown key 'anyy'"),
    ("[lists.b]\nany = []", "list 'b': any must be a non-empty list"),
    ('[lists.b]\nnone = ["x"]', "list 'b': needs any"),
    ("[lists.b]\nany = [1]", "list 'b': any holds 1"),
    ('[lists.b]\nany = ["،؟"]', "list 'b': term '،؟' has no letters"),
    ('[lists."a/b"]\nany = ["x"]', "list 'a/b': a list name"),
    ('[list.b]\nany = ["x"]', "unknown top-level key 'list'"),
    ("", "no list"),
    ('[lists.b]\nany = "x"', "list 'b': any must be a non-empty list"),
])
def test_bad_watchlists_are_one_line_naming_file_and_list(tmp_path: Path, text: str, needle: str) -> None:
    path = _file(tmp_path, text)
    with pytest.raises(WatchlistError) as info:
        load_watchlist(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message and needle in message, message


def test_missing_or_binary_file(tmp_path: Path) -> None:
    with pytest.raises(WatchlistError, match="cannot read"):
        load_watchlist(tmp_path / "none.toml")
    (tmp_path / "bin.toml").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(WatchlistError, match="not UTF-8"):
        load_watchlist(tmp_path / "bin.toml")


def test_the_documented_example_loads() -> None:
    wl = load_watchlist(Path(__file__).resolve().parent.parent / "docs" / "examples" / "watchlist.toml")
    assert {"behzisti", "trade", "metro"} <= set(wl.lists)


def test_many_terms_share_one_automaton() -> None:
    terms = [f"واژه{i} نمونه" for i in range(2000)] + ["بهزیستی"]
    wl = Watchlist({"a": {"any": terms[:1000]}, "b": {"any": terms[1000:]}})
    assert len(wl) == 2001
    assert wl.match({"body": "خبر بهزیستی و واژه1500 نمونه"}) == {"b": ["واژه1500 نمونه", "بهزیستی"]}


def test_writer_and_data_dir(tmp_path: Path) -> None:
    class Settings:
        def __init__(self, feeds: dict) -> None:
            self.feeds = feeds

        def getdict(self, name: str) -> dict:
            return self.feeds

    assert data_dir_of(Settings({"out/d/%(name)s/%(utc_date)s.jsonl": {}})) == Path("out/d")
    assert data_dir_of(Settings({})) == Path("data")
    writer = WatchWriter(tmp_path, "2026-12-02")
    writer.write("b", {"title": "الف"})
    writer.write("b", {"title": "ب"})
    writer.close()
    lines = (tmp_path / "watch" / "b" / "2026-12-02.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["title"] for x in lines] == ["الف", "ب"]
