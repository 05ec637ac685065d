"""What a report is being built with: the scenario files applied to the tariff engine (name, YAML text)."""

from __future__ import annotations

from contextvars import ContextVar

SCENARIOS: ContextVar[tuple[tuple[str, str], ...]] = ContextVar("report_scenarios", default=())
