"""The record's JSON Schema (checked on every record by Spidermon during a crawl) fits every expected record of
the fixtures and refuses malformed ones."""

from __future__ import annotations

import json

import jsonschema
import pytest

from newsbot.monitors import RECORD_SCHEMA

from .conftest import FIXTURES

EXPECTED = sorted(p for p in FIXTURES.glob("*/*.expected.json") if not p.parent.name.startswith("_"))
VALIDATOR = jsonschema.Draft7Validator(RECORD_SCHEMA)


def _record(path) -> dict:
    # matches/story/republished_from are set by the crawl; an expected record need not hold them.
    record = {"matches": None, "story": None, "republished_from": None, **json.loads(path.read_text(encoding="utf-8"))}
    return {**record, "crawled_at": "2026-11-22T08:30:00+00:00"}


@pytest.mark.parametrize("path", EXPECTED, ids=[f"{p.parent.name}/{p.name}" for p in EXPECTED])
def test_every_expected_record_fits_the_schema(path) -> None:
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in VALIDATOR.iter_errors(_record(path))]
    assert not errors, errors


@pytest.mark.parametrize(("change", "field"), [
    ({"published_at": "2025-09-03 18:17"}, "published_at"),  # no offset: not an instant
    ({"published_at": "2025-09-03T18:17:00"}, "published_at"),
    ({"title": ""}, "title"),
    ({"body": None}, "body"),
    ({"news_code": "۴۵۶۷"}, "news_code"),  # codes are ASCII
    ({"tags": ["", "x"]}, "tags"),
    ({"language": "ar"}, "language"),
    ({"_published_raw": []}, ""),  # an internal key leaking into the output
])
def test_a_malformed_record_is_refused(change: dict, field: str) -> None:
    record = {**_record(EXPECTED[0]), **change}
    errors = list(VALIDATOR.iter_errors(record))
    assert errors and any(field in ("/".join(map(str, e.path)) or e.message) for e in errors), errors


def test_a_failed_monitor_is_one_log_line_without_traceback() -> None:
    import logging

    from newsbot.monitors import OneLineReport

    report = ("[Spidermon] \n" + "=" * 70 + "\nFAIL: Item Validation Monitor/test_stat_monitor\n" + "-" * 70 +
              "\nTraceback (most recent call last):\n  File \"x.py\", line 1, in test\n    assert False\n"
              "AssertionError: 1 is greater than 0 : Expecting 'spidermon/validation/fields/errors' to be <= 0\n")
    record = logging.LogRecord("isna", logging.ERROR, "x", 1, report, (), None)
    assert OneLineReport().filter(record)
    line = record.getMessage()
    assert "\n" not in line and "Traceback" not in line
    assert line.startswith("[Spidermon] FAIL: Item Validation Monitor") and "1 is greater than 0" in line
