"""A load check of a running dashboard: many concurrent sessions over Streamlit's own WebSocket protocol.

Each simulated session does what a person does in a browser. It speaks the protocol the browser speaks
(protobuf ``BackMsg``/``ForwardMsg`` on ``/_stcore/stream``), so the server does exactly the work it
does for a real user. Two modes:

* ``burst``: every session opens the Duty lookup page, submits the same lookup, opens the Scenario lab
  and runs the default scenario, all at the same instant (a thundering herd; the worst case).
* ``realistic``: every session opens at the same instant and then follows a user's flow (Duty lookup
  page, a lookup, the Scenario lab and its default scenario, then more lookups of other products,
  origins and dates), pausing a think time drawn from a seeded uniform distribution before each step.

Only loopback addresses are accepted. Used by ``benchmarks/load_dashboard.py`` and the light test in
``tests/app/test_load.py``.
"""

from __future__ import annotations

import asyncio
import math
import random
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from ipaddress import ip_address
from typing import Any

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from tarifflab.errors import InvalidInputError

WIDGET_KINDS = (
    "text_input",
    "text_area",
    "number_input",
    "button",
    "radio",
    "checkbox",
    "selectbox",
    "slider",
)


@dataclass
class PageRun:
    """One script run as the server reported it: widgets by key, errors shown, seconds taken."""

    seconds: float
    widgets: dict[str, tuple[str, Any]] = field(default_factory=dict)  # user key → (widget id, proto)
    errors: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    metrics: dict[str, str] = field(default_factory=dict)
    status: str = ""


@dataclass
class SessionResult:
    timings: dict[str, list[float]]  # step name → seconds of each time the session did it
    problems: list[str]


def _user_key(widget_id: str) -> str:
    # Streamlit ids of keyed widgets end with "-<user key>" (``$$ID-<hash>-<key>``).
    return widget_id.rsplit("-", 1)[-1] if widget_id.startswith("$$ID") else widget_id


def _check_loopback(host: str) -> None:
    if host == "localhost":
        return
    try:
        loopback = ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise InvalidInputError(f"the load check only targets loopback addresses, not {host!r}")


class DashboardSession:
    """One browser-like session on ``ws://host:port/_stcore/stream``."""

    def __init__(self, host: str, port: int, timeout: float = 120.0) -> None:
        _check_loopback(host)
        self.url = f"ws://{host}:{port}/_stcore/stream"
        self.timeout = timeout
        self._ws: Any = None
        self._states: dict[str, WidgetState] = {}

    async def __aenter__(self) -> DashboardSession:
        self._ws = await connect(
            self.url, subprotocols=[Subprotocol("streamlit")], max_size=None, open_timeout=self.timeout
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._ws.close()

    async def run(
        self, page: str, set_values: dict[str, Any] | None = None, click: str | None = None
    ) -> PageRun:
        """Rerun ``page`` with the given widget values (by user key) and optionally click a button."""
        known = getattr(self, "_known", {})
        states = dict(self._states)
        for key, value in (set_values or {}).items():
            widget_id, _ = known[key]
            state = WidgetState(id=widget_id)
            if isinstance(value, bool):
                state.bool_value = value
            elif isinstance(value, float):
                state.double_value = value
            elif isinstance(value, int):
                state.int_value = value
            else:
                state.string_value = str(value)
            states[widget_id] = state
        if click is not None:
            widget_id, _ = known[click]
            states[widget_id] = WidgetState(id=widget_id, trigger_value=True)
        message = BackMsg()
        message.rerun_script.page_name = page
        message.rerun_script.query_string = ""
        for state in states.values():
            message.rerun_script.widget_states.widgets.append(state)
        start = time.perf_counter()
        await self._ws.send(message.SerializeToString())
        result = await asyncio.wait_for(self._collect(start), timeout=self.timeout)
        self._known = result.widgets
        # keep value widgets (not triggers) for the next run, like the browser does
        self._states = {s.id: s for s in states.values() if not s.HasField("trigger_value")}
        return result

    async def _collect(self, start: float) -> PageRun:
        run = PageRun(seconds=0.0)
        while True:
            raw = await self._ws.recv()
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                name = element.WhichOneof("type")
                if name in WIDGET_KINDS:
                    proto = getattr(element, name)
                    run.widgets[_user_key(proto.id)] = (proto.id, proto)
                elif name == "exception":
                    run.exceptions.append(f"{element.exception.type}: {element.exception.message}")
                elif name == "alert" and element.alert.format == Alert.ERROR:
                    run.errors.append(element.alert.body)
                elif name == "metric":
                    run.metrics[element.metric.label] = element.metric.body
            elif kind == "script_finished":
                status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
                if status == "FINISHED_EARLY_FOR_RERUN":
                    continue
                run.status = status
                run.seconds = time.perf_counter() - start
                return run
            elif kind == "page_not_found":
                run.errors.append(f"page not found: {msg.page_not_found.page_name}")


#: (HTS code, origin, date of entry) the realistic sessions look up: many chapters and partners, so the
#: server also evaluates lines it has not seen yet (any valid line would do; these are not test values).
LOOKUPS: tuple[tuple[str, str, str], ...] = (
    ("8703.23.01.90", "JPN", "2025-09-16"),
    ("8708.99.81.80", "JPN", "2025-06-01"),
    ("7208.51.00.30", "KOR", "2025-07-01"),
    ("8471.30.01.00", "CHN", "2025-05-15"),
    ("6109.10.00.12", "VNM", "2025-10-01"),
    ("8517.13.00.00", "CHN", "2026-01-05"),
    ("9403.60.80.81", "MEX", "2025-12-01"),
    ("2204.21.50.40", "FRA", "2025-08-15"),
    ("6403.99.90.65", "IND", "2025-09-01"),
    ("8501.10.40.60", "CAN", "2025-04-10"),
    ("8703.23.01.90", "GBR", "2025-07-01"),
    ("4011.10.10.10", "THA", "2026-03-01"),
)
#: Think time between two steps of a realistic session, seconds (uniform). Reading a result and typing the
#: next code takes a person a few seconds; 2–8 s keeps 50 sessions at about 8 requests a second.
THINK_SECONDS = (2.0, 8.0)
#: Lookups after the scenario in a realistic session.
EXTRA_LOOKUPS = 2


async def _lookup(session: DashboardSession, hts: str, origin: str, on: str, result: SessionResult) -> None:
    lookup = await session.run(
        "duty", {"duty_hts": hts, "duty_origin": origin, "duty_date": on}, click="duty_submit"
    )
    result.timings.setdefault("duty lookup", []).append(lookup.seconds)
    if "Total rate" not in lookup.metrics:
        result.problems.append(f"duty lookup {hts} {origin} {on} showed no total rate")
    result.problems.extend(lookup.errors + lookup.exceptions)


async def _scenario(session: DashboardSession, result: SessionResult) -> None:
    await session.run("scenario")
    scenario = await session.run("scenario", click="sc_run")
    result.timings.setdefault("scenario", []).append(scenario.seconds)
    if not any(label.startswith("Welfare change") for label in scenario.metrics):
        result.problems.append("scenario showed no welfare change")
    result.problems.extend(scenario.errors + scenario.exceptions)


async def one_session(host: str, port: int) -> SessionResult:
    """Burst mode: duty lookup (8703.23.01.90 from Japan on 2025-09-16) then the default scenario."""
    result = SessionResult({}, [])
    async with DashboardSession(host, port) as session:
        await session.run("duty")
        await _lookup(session, *LOOKUPS[0], result)
        await _scenario(session, result)
    return result


async def realistic_session(
    host: str, port: int, rng: random.Random, think: tuple[float, float] = THINK_SECONDS
) -> SessionResult:
    """Realistic mode: duty page, lookup, scenario, then ``EXTRA_LOOKUPS`` lookups, thinking before each."""
    result = SessionResult({}, [])
    picks = rng.sample(LOOKUPS, 1 + EXTRA_LOOKUPS)
    pauses = [rng.uniform(*think) for _ in range(2 + EXTRA_LOOKUPS)]
    async with DashboardSession(host, port) as session:
        await session.run("duty")
        await asyncio.sleep(pauses[0])
        await _lookup(session, *picks[0], result)
        await asyncio.sleep(pauses[1])
        await _scenario(session, result)
        for pause, pick in zip(pauses[2:], picks[1:], strict=True):
            await asyncio.sleep(pause)
            await session.run("duty")  # back to the Duty lookup page, then the next lookup
            await _lookup(session, *pick, result)
    return result


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with at least ``share`` of the values at or below it."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class LoadReport:
    sessions: int
    mode: str
    failures: list[str]
    median_seconds: dict[str, float]
    p95_seconds: dict[str, float]
    max_seconds: dict[str, float]
    counts: dict[str, int]
    wall_seconds: float


async def _many(
    host: str, port: int, sessions: int, mode: str, seed: int, think: tuple[float, float]
) -> list[SessionResult | BaseException]:
    if mode == "burst":
        tasks = [one_session(host, port) for _ in range(sessions)]
    else:
        seeds = random.Random(seed)
        tasks = [
            realistic_session(host, port, random.Random(seeds.getrandbits(64)), think)
            for _ in range(sessions)
        ]
    return list(await asyncio.gather(*tasks, return_exceptions=True))


def run_load(
    host: str,
    port: int,
    sessions: int,
    mode: str = "burst",
    seed: int = 12,
    think: tuple[float, float] = THINK_SECONDS,
) -> LoadReport:
    """Run ``sessions`` concurrent sessions against a dashboard on ``host:port`` (loopback only).

    ``mode`` is ``burst`` or ``realistic`` (see the module docstring); ``seed`` fixes the realistic
    sessions' think times and lookups, so two runs (e.g. one and N workers) replay the same traffic.
    """
    _check_loopback(host)
    if mode not in ("burst", "realistic"):
        raise InvalidInputError(f"load mode must be burst or realistic, got {mode!r}")
    start = time.perf_counter()
    # own thread, own event loop: works also when the caller already runs one (e.g. Playwright's sync API)
    with ThreadPoolExecutor(max_workers=1) as pool:
        results = pool.submit(lambda: asyncio.run(_many(host, port, sessions, mode, seed, think))).result()
    wall = time.perf_counter() - start
    failures: list[str] = []
    timings: dict[str, list[float]] = {}
    for index, result in enumerate(results):
        if isinstance(result, BaseException):
            failures.append(f"session {index}: {type(result).__name__}: {result}")
            continue
        failures += [f"session {index}: {p}" for p in result.problems]
        for name, seconds in result.timings.items():
            timings.setdefault(name, []).extend(seconds)
    return LoadReport(
        sessions=sessions,
        mode=mode,
        failures=failures,
        median_seconds={k: statistics.median(v) for k, v in timings.items()},
        p95_seconds={k: percentile(v, 0.95) for k, v in timings.items()},
        max_seconds={k: max(v) for k, v in timings.items()},
        counts={k: len(v) for k, v in timings.items()},
        wall_seconds=wall,
    )
