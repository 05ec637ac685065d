"""``tarifflab serve --workers N``: the front proxy, its session pinning and its shutdown.

A real ``serve --workers 2`` on a free loopback port: both workers answer their health check, concurrent
sessions run a duty lookup and a scenario through the proxy on both workers, and SIGTERM stops every
worker process. Asserts no time.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from cli_helpers import run_cli
from dashboard_server import start_server, stop_server, wait_healthy
from tarifflab.app.loadcheck import run_load
from tarifflab.cli.workers import COOKIE, Worker, WorkerPool, free_loopback_port, worker_count
from tarifflab.errors import InvalidInputError


def _worker(index: int, open_sessions: int = 0, alive: bool = True) -> Worker:
    process: Any = SimpleNamespace(poll=lambda: None if alive else 1, pid=0, returncode=None if alive else 1)
    return Worker(index=index, port=10_000 + index, process=process, open_sessions=open_sessions)


def test_a_session_cookie_pins_its_worker() -> None:
    pool = WorkerPool([_worker(0, open_sessions=0), _worker(1, open_sessions=5)])
    assert pool.pick("1").index == 1  # pinned, even though worker 1 is the busier one


def test_new_sessions_go_to_the_least_busy_live_worker() -> None:
    pool = WorkerPool([_worker(0, open_sessions=3), _worker(1, open_sessions=1), _worker(2, alive=False)])
    assert pool.pick(None).index == 1
    assert pool.pick("2").index == 1  # a dead worker's cookie is re-routed
    assert pool.pick("7").index == 1  # and so is a cookie naming no worker
    assert pool.pick("x").index == 1


def test_ties_alternate_between_workers() -> None:
    pool = WorkerPool([_worker(0), _worker(1)])
    assert {pool.pick(None).index for _ in range(4)} == {0, 1}


def test_worker_count_bounds() -> None:
    assert worker_count(3) == 3
    assert worker_count(0) == (os.cpu_count() or 1)
    with pytest.raises(InvalidInputError, match="--workers"):
        worker_count(-1)


def test_serve_rejects_a_bad_worker_count_in_one_line() -> None:
    done = run_cli("serve", "--workers", "65")
    assert done.returncode == 2
    assert done.stderr.strip() == "error: --workers must be between 0 (one per CPU core) and 64, got 65"


def _status(url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{url}/_tarifflab/workers", timeout=10) as response:
        rows: list[dict[str, Any]] = json.load(response)["workers"]
    return rows


@pytest.fixture(scope="module")
def two_workers() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_loopback_port()
    process = start_server(port, "--workers", "2", stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process, timeout=120.0)
        yield url, process
    finally:
        stop_server(process, timeout=30.0)


def test_two_workers_answer_and_sessions_run_on_both(
    two_workers: tuple[str, subprocess.Popen[bytes]],
) -> None:
    url, _ = two_workers
    workers = _status(url)
    assert [w["index"] for w in workers] == [0, 1]
    assert all(w["healthy"] and w["alive"] for w in workers)
    assert workers[0]["port"] != workers[1]["port"]
    report = run_load("127.0.0.1", int(url.rsplit(":", 1)[1]), 4)
    assert report.failures == []
    assert report.counts == {"duty lookup": 4, "scenario": 4}
    served = [w["served_sessions"] for w in _status(url)]
    assert all(count >= 1 for count in served), served


def test_the_first_page_sets_the_pinning_cookie(two_workers: tuple[str, subprocess.Popen[bytes]]) -> None:
    url, _ = two_workers
    with urllib.request.urlopen(f"{url}/", timeout=10) as response:
        assert response.status == 200
        cookies = response.headers.get_all("Set-Cookie") or []
        assert b"<!doctype html>" in response.read().lower()
    assert any(c.startswith(f"{COOKIE}=") for c in cookies), cookies


@pytest.mark.browser
def test_browser_session_through_the_proxy_uploads_and_looks_up(
    browser: Any, two_workers: tuple[str, subprocess.Popen[bytes]]
) -> None:
    """A real browser through ``--workers 2``: page assets, the WebSocket and a file upload (an HTTP
    request that only the session's own worker can accept) all reach the same worker."""
    url, _ = two_workers
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{url}/duty")
        page.get_by_role("heading", name="Duty lookup").first.wait_for()
        example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "scenario-japan-autos-25.yaml"
        page.locator("[data-testid='stSidebar'] input[type='file']").set_input_files(str(example))
        page.get_by_text("Scenario ", exact=False).filter(has_text=example.name).first.wait_for()
        page.get_by_label("HTS code", exact=True).fill("8703.23.01.40")
        page.get_by_label("Origin (ISO3 or name)", exact=True).fill("JPN")
        page.get_by_label("Date of entry", exact=True).fill("2027-01-04")
        page.get_by_role("button", name="Look up").click()
        page.get_by_text("Total rate").first.wait_for()
        # Proclamation 10908: 2.5% MFN + 25% S232 once the scenario ends Japan's 15% all-in rate (EO 14345)
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('[data-testid=\"stMetricValue\"]'))"
            ".some(e => e.innerText.trim() === '27.50%')"
        )
        assert page.locator("[data-testid='stException']").count() == 0
        cookies = {c["name"]: c["value"] for c in context.cookies()}
        assert cookies.get(COOKIE) in {"0", "1"}
    finally:
        context.close()


# runs last: it stops the module's server
def test_sigterm_stops_every_worker(two_workers: tuple[str, subprocess.Popen[bytes]]) -> None:
    url, process = two_workers
    pids = [w["pid"] for w in _status(url)]
    process.terminate()
    assert process.wait(timeout=30) == 0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_running(pid) for pid in pids):
        time.sleep(0.2)
    assert not any(_running(pid) for pid in pids)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie would still answer kill(0); the workers are the serve process's children, reaped on exit
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return stat.read().split(") ", 1)[1][0] != "Z"
