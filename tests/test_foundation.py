"""Foundation: country codes, the CLI's error convention, atomic writes, reference-data discovery."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_helpers import run_cli
from tarifflab._io import atomic_write
from tarifflab.data.reference import ENV_VAR, reference_root
from tarifflab.errors import ReferenceDataMissingError, UnknownCountryError
from tarifflab.nomenclature.countries import to_iso3


@pytest.mark.parametrize(
    ("given", "expected"),
    [("JPN", "JPN"), ("jpn", "JPN"), ("Japan", "JPN"), ("JP", "JPN"), ("EU", "EUN"), ("Korea, South", "KOR")],
)
def test_country_resolution(given: str, expected: str) -> None:
    assert to_iso3(given) == expected


def test_unknown_country_names_the_value() -> None:
    with pytest.raises(UnknownCountryError, match="Atlantis"):
        to_iso3("Atlantis")


def test_cli_usage_error_is_one_line_exit_2() -> None:
    done = run_cli("--no-such-option")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "Traceback" not in done.stderr


def test_atomic_write_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError), atomic_write(target) as handle:
        handle.write("half")
        raise RuntimeError("interrupted")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []
    with atomic_write(target) as handle:
        handle.write("whole")
    assert target.read_text() == "whole"


def test_reference_override_must_point_at_reference_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    reference_root.cache_clear()
    try:
        with pytest.raises(ReferenceDataMissingError, match=str(tmp_path)):
            reference_root()
    finally:
        reference_root.cache_clear()
