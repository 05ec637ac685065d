"""Frames crossing layer boundaries are validated; a bad frame is a named DataError, not a wrong answer."""

from __future__ import annotations

import pandas as pd
import pytest

from tarifflab.data.schemas import IMPORT_LINES, validate
from tarifflab.errors import DataError


def lines(**changes: object) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"hs10": ["8703230140"], "partner": ["JPN"], "imports_usd": [1.0e9], "duty_usd": [2.5e7]}
    )
    for column, value in changes.items():
        frame[column] = [value]
    return frame


def test_valid_lines_pass() -> None:
    assert len(validate(lines(), IMPORT_LINES, "lines")) == 1


@pytest.mark.parametrize(
    ("changes", "column"),
    [
        ({"hs10": "8703"}, "hs10"),
        ({"partner": "Japan"}, "partner"),
        ({"imports_usd": -1.0}, "imports_usd"),
        ({"imports_usd": float("nan")}, "imports_usd"),
    ],
)
def test_bad_lines_raise_named_error(changes: dict[str, object], column: str) -> None:
    with pytest.raises(DataError, match=column):
        validate(lines(**changes), IMPORT_LINES, "lines")


def test_duplicate_lines_are_rejected() -> None:
    with pytest.raises(DataError):
        validate(pd.concat([lines(), lines()], ignore_index=True), IMPORT_LINES, "lines")
