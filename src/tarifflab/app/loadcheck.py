"""A load check of a running dashboard: many concurrent sessions over Streamlit's own WebSocket protocol.

Each simulated session does what a person does in a browser: it opens the Duty lookup page, submits a
lookup, opens the Scenario lab and runs the default scenario. It speaks the protocol the browser speaks
(protobuf ``BackMsg``/``ForwardMsg`` on ``/_stcore/stream``), so the server does exactly the work it
does for a real user. Only loopback addresses are accepted. Used by ``benchmarks/load_dashboard.py``
and the light test in ``tests/app/test_load.py``.
"""

from __future__ import annotations

import asyncio
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
    timings: dict[str, float]
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


async def one_session(host: str, port: int) -> SessionResult:
    """Duty lookup (8703.23.01.90 from Japan on 2025-09-16) then the default scenario."""
    timings: dict[str, float] = {}
    problems: list[str] = []
    async with DashboardSession(host, port) as session:
        await session.run("duty")
        lookup = await session.run(
            "duty",
            {"duty_hts": "8703.23.01.90", "duty_origin": "JPN", "duty_date": "2025-09-16"},
            click="duty_submit",
        )
        timings["duty lookup"] = lookup.seconds
        if "Total rate" not in lookup.metrics:
            problems.append("duty lookup showed no total rate")
        problems += lookup.errors + lookup.exceptions
        await session.run("scenario")
        scenario = await session.run("scenario", click="sc_run")
        timings["scenario"] = scenario.seconds
        if not any(label.startswith("Welfare change") for label in scenario.metrics):
            problems.append("scenario showed no welfare change")
        problems += scenario.errors + scenario.exceptions
    return SessionResult(timings, problems)


@dataclass(frozen=True)
class LoadReport:
    sessions: int
    failures: list[str]
    median_seconds: dict[str, float]
    max_seconds: dict[str, float]
    wall_seconds: float


async def _many(host: str, port: int, sessions: int) -> list[SessionResult | BaseException]:
    tasks = [one_session(host, port) for _ in range(sessions)]
    return list(await asyncio.gather(*tasks, return_exceptions=True))


def run_load(host: str, port: int, sessions: int) -> LoadReport:
    """Run ``sessions`` concurrent sessions against a dashboard on ``host:port`` (loopback only)."""
    _check_loopback(host)
    start = time.perf_counter()
    # own thread, own event loop: works also when the caller already runs one (e.g. Playwright's sync API)
    with ThreadPoolExecutor(max_workers=1) as pool:
        results = pool.submit(lambda: asyncio.run(_many(host, port, sessions))).result()
    wall = time.perf_counter() - start
    failures: list[str] = []
    timings: dict[str, list[float]] = {}
    for index, result in enumerate(results):
        if isinstance(result, BaseException):
            failures.append(f"session {index}: {type(result).__name__}: {result}")
            continue
        failures += [f"session {index}: {p}" for p in result.problems]
        for name, seconds in result.timings.items():
            timings.setdefault(name, []).append(seconds)
    return LoadReport(
        sessions=sessions,
        failures=failures,
        median_seconds={k: statistics.median(v) for k, v in timings.items()},
        max_seconds={k: max(v) for k, v in timings.items()},
        wall_seconds=wall,
    )
