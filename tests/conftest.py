"""Shared fixtures. Reference-data tests skip on a machine without ../shared/data, unless
TARIFFLAB_REQUIRE_REFERENCE=1 (set by .ci/run), which turns the skip into a failure."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from tarifflab.data.reference import reference_root
from tarifflab.errors import ReferenceDataMissingError

REQUIRE_REFERENCE = os.environ.get("TARIFFLAB_REQUIRE_REFERENCE") == "1"

# The suite keeps its caches (compiled library, date segments, payoff store) in a folder of its own, set
# before any test or subprocess reads the variable: a run starts cold and never writes the user's cache.
if "TARIFFLAB_CACHE_DIR" not in os.environ:
    _SUITE_CACHE = tempfile.mkdtemp(prefix="tarifflab-test-cache-")
    os.environ["TARIFFLAB_CACHE_DIR"] = _SUITE_CACHE
    atexit.register(shutil.rmtree, _SUITE_CACHE, ignore_errors=True)

# CI runs property tests from a fixed seed, so a run is reproducible; locally they explore freely.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def reference_data() -> Path:
    """Root of the reference data; skips (or fails under CI) when it is absent."""
    try:
        return reference_root()
    except ReferenceDataMissingError as missing:
        if REQUIRE_REFERENCE:
            pytest.fail(f"TARIFFLAB_REQUIRE_REFERENCE=1 but {missing}")
        pytest.skip(f"reference data not available: {missing}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("embedded"):
            continue  # runs on the embedded default data when the reference data is absent
        if item.get_closest_marker("replication") or item.get_closest_marker("reference"):
            item.fixturenames.insert(
                0, "reference_data"
            ) if "reference_data" not in item.fixturenames else None


def _reference_skips_line(terminalreporter: Any) -> str | None:
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if isinstance(report.longrepr, tuple) and "reference data" in str(report.longrepr[2])
    ]
    if not skipped:
        return None
    files = Counter(report.nodeid.split("::")[0] for report in skipped)
    where = ", ".join(f"{name} ({count})" for name, count in sorted(files.items()))
    return (
        f"{len(skipped)} tests need the full reference data (../shared/data, TARIFFLAB_REFERENCE_DATA or "
        f"`tarifflab data fetch`) and were skipped: {where}"
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    """One line at the very end of the run: the tests skipped for want of the full reference data."""
    reporter = config.pluginmanager.getplugin("terminalreporter")
    if reporter is None:
        return
    line = _reference_skips_line(reporter)
    if line is not None:
        reporter.write_line(line, yellow=True)
