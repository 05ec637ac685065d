"""Where the multi-sector payoff model's tariffs come from: the tariff engine (default) or the stylised
lever mapping.

* :class:`EngineTariffs`: US tariffs on EVERY partner are the engine's on a date (2024 US import weights,
  model country × sector, :class:`~tarifflab.studies.package_scenarios.EngineUsTariffs`), added to the
  model's base tariffs; the pair's US levers enter as a package scenario of the engine, so the duties
  behind a package are those ``tarifflab duty --scenario`` reports. No stated shares are needed (the
  engine knows which lines are cars, s.232 metals or generic medicines).
* :class:`StylisedTariffs`: :func:`~tarifflab.negotiation.levers.model_inputs` as before (sector shares
  of :class:`~tarifflab.negotiation.levers.MappingAssumptions`; the other partners keep the base tariffs).

Partner-side levers (the partner's tariffs on US goods, purchases, the pledge, certification) keep the
mapping of :func:`~tarifflab.negotiation.levers.model_inputs` under both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from tarifflab.negotiation.levers import MappingAssumptions, Pair, model_inputs
from tarifflab.negotiation.ossa_model import Array, TradeWarData

TARIFF_SOURCES: tuple[str, ...] = ("engine", "stylised")


class TariffInput(Protocol):
    """Turns a package's lever settings into the model's tariff cube, iceberg change and NX'."""

    @property
    def name(self) -> str: ...

    def inputs(
        self, view: TradeWarData, pair: Pair, settings: dict[str, float], assumptions: MappingAssumptions
    ) -> tuple[Array, Array, Array]: ...

    def provenance(self, pair: Pair, settings: dict[str, float]) -> dict[str, Any]: ...


@dataclass(frozen=True)
class StylisedTariffs:
    """The stylised lever mapping (stated sector shares; other partners at the base tariffs)."""

    name: str = "stylised"

    def inputs(
        self, view: TradeWarData, pair: Pair, settings: dict[str, float], assumptions: MappingAssumptions
    ) -> tuple[Array, Array, Array]:
        return model_inputs(view, pair, settings, assumptions)

    def provenance(self, pair: Pair, settings: dict[str, float]) -> dict[str, Any]:
        return {"tariffs": self.name}


def default_tariff_date() -> dt.date:
    """The date the engine input uses by default: the last date the measure library knows."""
    from tarifflab.policy.library import load_library

    return load_library().law_known_on


@dataclass(frozen=True)
class EngineTariffs:
    """US import tariffs of every partner from the tariff engine on ``on`` (``scenarios`` applied first),
    the pair's US levers as a package scenario; partner-side levers as in the stylised mapping."""

    on: dt.date = field(default_factory=default_tariff_date)
    scenarios: tuple[Path, ...] = ()
    name: str = "engine"

    def _source(self, view: TradeWarData) -> Any:
        from tarifflab.studies.package_scenarios import EngineUsTariffs

        return EngineUsTariffs(view.countries, view.sectors, self.on, self.scenarios)

    def _us_levers(self, pair: Pair, settings: dict[str, float]) -> dict[str, float]:
        from tarifflab.studies.package_scenarios import US_LEVERS

        values = pair.validate(settings)
        return {name: values[name] for name in US_LEVERS}

    def inputs(
        self, view: TradeWarData, pair: Pair, settings: dict[str, float], assumptions: MappingAssumptions
    ) -> tuple[Array, Array, Array]:
        from tarifflab.studies.package_scenarios import as_cube

        us_levers = self._us_levers(pair, settings)
        status_quo = {name: pair.lever(name).status_quo for name in us_levers}
        # US levers at the status quo leave the US import rows at the base tariffs (model_inputs adds 0)
        t, d, nx = model_inputs(view, pair, {**settings, **status_quo}, assumptions)
        frame, _ = self._source(view).matrix_and_hash(pair.partner, us_levers)
        us = view.index(pair.us)
        t[:, us, :] = view.tariffs[:, us, :] + as_cube(frame, view.countries, view.sectors, pair.us)
        return t, d, nx

    def us_additional(self, view: TradeWarData, pair: Pair, settings: dict[str, float]) -> Array:
        """The engine's additional US tariffs ``[exporter, sector]`` (fraction over MFN) for a setting."""
        from tarifflab.studies.package_scenarios import as_cube

        frame, _ = self._source(view).matrix_and_hash(pair.partner, self._us_levers(pair, settings))
        return as_cube(frame, view.countries, view.sectors, pair.us)

    def provenance(self, pair: Pair, settings: dict[str, float]) -> dict[str, Any]:
        """Date, scenario hashes and engine law date behind a setting (after it was evaluated)."""
        from tarifflab.studies.package_scenarios import EngineUsTariffs

        countries: tuple[str, ...] = (pair.us, pair.partner)
        source = EngineUsTariffs(countries, ("x",), self.on, self.scenarios)
        digest = source.package_hash(pair.partner, self._us_levers(pair, settings))
        return {
            "tariffs": self.name,
            "tariff_date": self.on.isoformat(),
            "base_scenario_hash": source.base_scenario_hash,
            "package_scenario_hash": digest,
        }


def tariff_input(
    name: str | None, on: dt.date | None = None, scenarios: tuple[Path, ...] = ()
) -> TariffInput:
    """``engine`` (default) or ``stylised``."""
    from tarifflab.errors import InvalidInputError

    chosen = name or "engine"
    if chosen == "stylised":
        return StylisedTariffs()
    if chosen == "engine":
        return EngineTariffs(on or default_tariff_date(), tuple(scenarios))
    raise InvalidInputError(f"unknown tariff input {name!r}; use {' or '.join(TARIFF_SOURCES)}")
