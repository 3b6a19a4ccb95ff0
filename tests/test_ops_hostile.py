"""The operator's commands against broken input: a corrupt history, a bad site list, a hanging alert command, an
unwritable report folder, a broken site file. Each is one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from newsbot import sites
from newsbot.cli import main
from newsbot.history import History, HistoryError
from newsbot.ops import send_alerts

from .test_history import summary


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_a_corrupt_history_is_one_line_for_every_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "history.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(HistoryError, match=r"run history .*history\.sqlite3"):
        History(tmp_path)
    for argv in (["status"], ["gaps"], ["report", "--out", str(tmp_path / "r")]):
        assert main([*argv, "--state-dir", str(tmp_path)]) == 2
        assert _one_line(capsys.readouterr().err).startswith("newsbot: run history")


def test_fill_gaps_chooses_its_own_days(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["crawl", "isna", "--fill-gaps", "--since", "1404-01-01", "--state-dir", str(tmp_path / "s"),
                 "--data-dir", str(tmp_path / "d")])
    assert code == 2 and "not with --since" in _one_line(capsys.readouterr().err)


def test_a_site_list_that_is_missing_empty_or_wrong(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["crawl", "--sites", str(tmp_path / "nope.txt")]) == 2
    assert "cannot read" in _one_line(capsys.readouterr().err)
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n\n", encoding="utf-8")
    assert main(["crawl", "--sites", str(empty)]) == 2
    assert "names no site" in _one_line(capsys.readouterr().err)
    typo = tmp_path / "typo.txt"
    typo.write_text("isna\nmehrnews  # the agency's domain, not the site's name\ntabnk\n", encoding="utf-8")
    assert main(["crawl", "--sites", str(typo)]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "unknown site(s): mehrnews (did you mean mehr" in line and "tabnk (did you mean tabnak" in line


def test_a_hanging_alert_command_times_out(tmp_path: Path) -> None:
    started = datetime.now(timezone.utc)
    problems = send_alerts(f"{sys.executable} -c 'import time; time.sleep(30)'",
                           [{"event": "gap_opened", "site": "isna"}], timeout=0.5)
    assert problems == ["alert command timed out after 0 s (gap_opened isna)"] or \
        problems[0].startswith("alert command timed out")
    assert (datetime.now(timezone.utc) - started).total_seconds() < 10


def test_an_unwritable_report_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    h = History(tmp_path)
    now = datetime.now(timezone.utc)
    h.record(summary(), now, now)
    h.close()
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert main(["report", "--out", str(blocker / "sub"), "--state-dir", str(tmp_path)]) == 1
    assert _one_line(capsys.readouterr().err).startswith("newsbot: cannot write the report")
    assert main(["report", "--out", str(tmp_path / "r"), "--days", "0", "--state-dir", str(tmp_path)]) == 2
    assert main(["status", "nosuch", "--state-dir", str(tmp_path)]) == 2
    assert "no run of nosuch" in capsys.readouterr().err


def test_a_broken_site_file_stops_list_and_crawl_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "spiders"
    folder.mkdir()
    (folder / "didgah.toml").write_text('[demo]\nfamily = "didgah"\ndomains = ["demo.ir"]\nfeed = ["/rss"]\n',
                                        encoding="utf-8")
    monkeypatch.setattr(sites, "site_folder", lambda: folder)
    sites.load.cache_clear()
    try:
        assert main(["list"]) == 2
        assert "unknown key(s) feed" in _one_line(capsys.readouterr().err)
        assert main(["crawl", "demo"]) == 2
        assert "unknown key(s) feed" in _one_line(capsys.readouterr().err)
    finally:
        sites.load.cache_clear()


def test_crawl_and_detect_refuse_bad_urls_and_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["crawl", "https://", "--state-dir", str(tmp_path / "s")]) == 2
    assert "not an http(s) URL with a host" in _one_line(capsys.readouterr().err)
    assert main(["detect", str(tmp_path)]) == 2
    assert "is a directory" in _one_line(capsys.readouterr().err)
    garbage = tmp_path / "garbage.html"
    garbage.write_bytes(bytes(range(256)) * 40)
    assert main(["detect", str(garbage)]) == 0
    assert capsys.readouterr().out.startswith("family: none")
    assert main(["fixture", "add", "isna", str(tmp_path), "--url", "https://www.isna.ir/rss",
                 "--fixtures", str(tmp_path / "fx")]) == 2
    assert "is a directory" in _one_line(capsys.readouterr().err)
