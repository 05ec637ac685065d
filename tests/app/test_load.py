"""Light load check: a few concurrent sessions against a real ``tarifflab serve`` (the 50-session
version is ``benchmarks/load_dashboard.py``). Asserts no errors, never a time."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tarifflab.app.loadcheck import run_load
from tarifflab.errors import InvalidInputError

SESSIONS = 5


def test_concurrent_sessions_run_lookup_and_scenario_without_errors(dashboard_url: str) -> None:
    url = urlparse(dashboard_url)
    report = run_load(str(url.hostname), int(url.port or 0), SESSIONS)
    assert report.failures == []
    assert set(report.median_seconds) == {"duty lookup", "scenario"}
    print(f"median seconds over {SESSIONS} sessions: {report.median_seconds}")


def test_load_check_refuses_non_loopback_targets() -> None:
    with pytest.raises(InvalidInputError, match="loopback"):
        run_load("192.0.2.1", 8501, 1)
