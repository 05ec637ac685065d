"""The requests the dashboard and the report send to :mod:`tarifflab.app.services`, and what comes back.

Plain, validated, hashable dataclasses with no back end behind them: the adapters
(:mod:`tarifflab.app.scenarios`, :mod:`tarifflab.app.bargaining`) and the services both name them,
so they live below both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from tarifflab.errors import InvalidDateError, InvalidInputError
from tarifflab.nomenclature.countries import to_iso3


def check_range(name: str, value: float, low: float, high: float) -> float:
    """Return ``value`` if ``low <= value <= high`` else raise :class:`InvalidInputError`."""
    if not (low <= value <= high):
        raise InvalidInputError(f"{name} must be between {low:g} and {high:g}, got {value:g}")
    return value


def scenario_key(inputs: dict[str, Any]) -> str:
    """Stable hash of a scenario's inputs (the cache key and the id shown next to a result)."""
    text = json.dumps(inputs, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# ------------------------------------------------------------------------------------------ scenarios
MODELS: tuple[str, ...] = ("one-sector", "multi-sector")
SOURCES: tuple[str, ...] = ("preset", "date")


@dataclass(frozen=True)
class ScenarioSpec:
    """What the scenario lab runs: a model, a tariff source and the user's edits.

    ``edits`` are (ISO3 partner, US tariff on that partner in percent) overrides applied after the
    preset or the tariffs in force on ``on``.
    """

    model: str
    source: str
    preset: str | None = None
    on: dt.date | None = None
    edits: tuple[tuple[str, float], ...] = ()
    uncertainty: bool = False
    #: uploaded tariff-engine scenario files (name, YAML text), applied when the tariffs come from a date
    engine_scenarios: tuple[tuple[str, str], ...] = ()

    def validated(self) -> ScenarioSpec:
        if self.model not in MODELS:
            raise InvalidInputError(f"model must be one of {', '.join(MODELS)}, got {self.model!r}")
        if self.source not in SOURCES:
            raise InvalidInputError(f"tariff source must be one of {', '.join(SOURCES)}, got {self.source!r}")
        if self.source == "preset" and not self.preset:
            raise InvalidInputError("choose a preset scenario")
        if self.source == "date" and self.on is None:
            raise InvalidDateError("choose the date whose tariffs to use")
        edits = tuple(
            (to_iso3(code), check_range(f"tariff on {code} (%)", float(rate), 0.0, 1000.0))
            for code, rate in self.edits
        )
        return ScenarioSpec(
            self.model, self.source, self.preset, self.on, edits, self.uncertainty, self.engine_scenarios
        )

    def key(self) -> str:
        return scenario_key(asdict(self))


@dataclass(frozen=True)
class ScenarioOutcome:
    """Welfare by country (percent change, with a band when uncertainty is on) and sector detail."""

    key: str
    spec: ScenarioSpec
    welfare: pd.DataFrame
    sectors: pd.DataFrame | None
    diagnostics: dict[str, Any]


# ---------------------------------------------------------------------------------------- negotiation
@dataclass(frozen=True)
class NegotiationRequest:
    """Political weights in dollars (``SIDE:field`` → weight ≥ 0), the US bargaining power α ∈ [0, 1] and,
    optionally, a package of lever values (lever → value in the lever's unit) to place on the map."""

    weights: tuple[tuple[str, float], ...] = ()
    us_power: float = 0.5
    package: tuple[tuple[str, float], ...] = ()

    def validated(self) -> NegotiationRequest:
        check_range("US bargaining power", self.us_power, 0.0, 1.0)
        for key, weight in self.weights:
            check_range(f"weight {key}", weight, 0.0, 10.0)
        return self

    def key(self) -> str:
        return scenario_key(asdict(self))


@dataclass(frozen=True)
class NegotiationOutcome:
    """Frontier ``us, jpn`` (USD bn a year incl. political weights), named points ``point, us, jpn``, every package's payoffs
    (``cloud``) and diagnostics."""

    frontier: pd.DataFrame
    points: pd.DataFrame
    diagnostics: dict[str, Any]
    cloud: pd.DataFrame | None = None
