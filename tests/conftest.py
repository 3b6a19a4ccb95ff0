"""Shared test helpers: the fixtures folder, a fixed clock, and spiders built on a test crawler."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
# The fixtures' pages were written in 1404–1405; this clock is after all of them, so none is "in the future".
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=ZoneInfo("Asia/Tehran"))


def load_index(folder: Path) -> list[dict[str, Any]]:
    return json.loads((folder / "responses.json").read_text(encoding="utf-8"))


def article_cases(folder: Path) -> list[tuple[Path, str, Path]]:
    """(page, url, expected) for every page in a fixture folder that has an ``.expected.json`` beside it."""
    cases = []
    for entry in load_index(folder):
        page = folder / entry.get("file", "")
        expected = page.with_name(page.stem + ".expected.json")
        if entry.get("file") and expected.exists():
            cases.append((page, entry["url"], expected))
    return cases


@pytest.fixture
def now() -> datetime:
    return NOW
