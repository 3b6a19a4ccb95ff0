"""The HTML report, rendered by a real headless browser (Debian's chromium, installed here when missing)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from newsbot.cli import main
from newsbot.history import History

from .test_history import summary


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        command = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"]
        if subprocess.run(command, env=env, capture_output=True, timeout=900).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, timeout=900)
            subprocess.run(command, env=env, capture_output=True, timeout=900)
        found = shutil.which("chromium")
    if not found:
        pytest.fail("the report test renders the page in Debian's chromium: install it (apt-get install chromium); "
                    "run as root, the test installs it itself")
    return found


@pytest.fixture(scope="module")
def chromium() -> str:
    return _chromium()


def render(browser: str, page: Path, tmp: Path) -> tuple[str, str]:
    """(the DOM after rendering, the browser's console lines)."""
    proc = subprocess.run([browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
                           "--v=0", f"--user-data-dir={tmp / 'profile'}", "--dump-dom", page.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout, "\n".join(line for line in proc.stderr.splitlines() if ":CONSOLE" in line)


def test_the_console_check_sees_an_error(chromium: str, tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text("<html><body><script>notDefinedAnywhere();</script></body></html>", encoding="utf-8")
    _, console = render(chromium, page, tmp_path)
    assert "Uncaught ReferenceError" in console


def test_the_report_renders_charts_in_persian_with_no_console_errors(chromium: str, tmp_path: Path) -> None:
    state = tmp_path / "state"
    h = History(state)
    now = datetime.now(timezone.utc)
    for d in range(20, 0, -1):
        t = now - timedelta(days=d)
        status = "unreachable" if d in (9, 8) else "ok"
        h.record(summary(site="isna", status=status, written=0 if status != "ok" else 5 + d % 4), t, t)
        h.record(summary(site="tabnak", written=3, missing={"title": 0.0, "kicker": 0.6}), t, t)
    h.close()
    out = tmp_path / "report"
    assert main(["report", "--out", str(out), "--state-dir", str(state), "--days", "30"]) == 0
    dom, console = render(chromium, out / "index.html", tmp_path)
    assert console == "", console
    assert '<html lang="fa" dir="rtl">' in dom
    for site in ("isna", "tabnak"):
        section = re.search(rf'<section class="site" id="site-{site}">(.*?)</section>', dom, re.S).group(1)
        assert section.count('class="bar"') == 30  # one bar per day of the window
        assert 'class="chart status"' in section and 'class="chart coverage"' in section
        assert re.search(r"۱۴۰۵/\d|۱۴۰۵/[۰-۹]{2}/[۰-۹]{2}", section), "Jalali dates on the axis"
    isna = re.search(r'id="site-isna">(.*?)</section>', dom, re.S).group(1)
    assert 'class="gap"' in isna and "در دسترس نیست" in isna  # the outage, shaded and named
    assert 'class="gap"' not in re.search(r'id="site-tabnak">(.*?)</section>', dom, re.S).group(1)
    shot = tmp_path / "report.png"
    subprocess.run([chromium, "--headless=new", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'p2'}",
                    "--window-size=900,1200", f"--screenshot={shot}", (out / "index.html").as_uri()],
                   capture_output=True, timeout=120)
    assert shot.stat().st_size > 10_000
