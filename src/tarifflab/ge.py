"""The public Python API of the general-equilibrium models: list scenarios, solve one.

Two models:

* ``one-sector``: Ignatenko, Lashkaripour, Macedoni & Simonovska (2025), 194 countries, BACI 2023
  (docs/ge-one-sector.md). Result: :class:`~tarifflab.models.ge.results.GEResult`, per-country
  percent changes (``to_frame()``).
* ``multi-sector``: Caliendo–Parro style with input-output links, 20 economies × 10 sectors on the
  embedded ICIO 2022 aggregate (docs/ge-multi-sector.md). Result:
  :class:`~tarifflab.models.ge.multi_sector.MultiSectorResults` (``countries_frame()``).

Both take US tariffs from the tariff engine on a date (``tariffs_from_date`` with scenario
``custom``), so "what did the law of that day do to each economy" is one call:

>>> import tarifflab
>>> result = tarifflab.ge.run("custom", tariffs_from_date="2025-10-01")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd

from tarifflab.errors import InvalidDateError, InvalidInputError, ScenarioError

if TYPE_CHECKING:
    from tarifflab.models.ge.multi_sector import MultiSectorResults, MultiSectorScenario
    from tarifflab.models.ge.multi_sector_data import MultiSectorData
    from tarifflab.models.ge.results import GEResult
    from tarifflab.policy.engine import TariffEngine

GEModelName = Literal["one-sector", "multi-sector"]
MODELS: tuple[str, ...] = ("one-sector", "multi-sector")

#: The multi-sector scenarios (:mod:`tarifflab.studies.ge_multi_sector`), one line each.
MULTI_SECTOR_SCENARIOS: dict[str, str] = {
    "liberation-day": "US tariffs on each partner at its 2025-04-02 announced rate",
    "deal-2025": "US tariffs from the tariff engine on 2025-09-20 (after the July 2025 deals)",
    "pre-deal": "US tariffs from the tariff engine on 2025-07-15 (10% reciprocal, s.232 autos 25%)",
    "post-ruling": "US tariffs from the tariff engine on 2026-03-01 (after the IEEPA ruling; s.122)",
    "nafta": "Caliendo-Parro (2015): NAFTA tariffs move from 1993 to 2005 (dataset cp)",
    "optimal-us": "the US tariff that maximises US welfare (uniform)",
    "uniform-R": "a uniform US tariff of R percent on every partner (e.g. uniform-10)",
    "targeted-ISO-R": "a US tariff of R percent on one partner (e.g. targeted-JPN-15)",
    "custom": "US tariffs from the tariff engine on tariffs_from_date (--tariffs-from-date)",
}
RETALIATION_NOTE = "append :reciprocal for partner retaliation (e.g. deal-2025:reciprocal)"


def _date(value: str | dt.date | None, what: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidDateError(f"invalid date {value!r} for {what} (use YYYY-MM-DD)") from None


def scenarios(model: GEModelName | None = None) -> pd.DataFrame:
    """Every named scenario of one model or both: ``model, name, description, source, tariffs_from_date``.

    ``source`` is the paper's table replicated (one-sector) or the data it needs (multi-sector);
    ``tariffs_from_date`` says whether the scenario takes US tariffs from the engine on a date.
    """
    if model is not None and model not in MODELS:
        raise InvalidInputError(f"unknown GE model {model!r} (choose {' or '.join(MODELS)})")
    rows: list[dict[str, object]] = []
    if model in (None, "one-sector"):
        from tarifflab.studies.ge_one_sector import scenarios as one_sector

        rows += [
            {
                "model": "one-sector",
                "name": info.name,
                "description": info.description,
                "source": info.table,
                "tariffs_from_date": info.accepts_us_tariffs,
            }
            for info in one_sector()
        ]
    if model in (None, "multi-sector"):
        rows += [
            {
                "model": "multi-sector",
                "name": name,
                "description": description,
                "source": "cp dataset (reference data)"
                if name == "nafta"
                else "embedded ICIO 2022 aggregate",
                "tariffs_from_date": name == "custom",
            }
            for name, description in MULTI_SECTOR_SCENARIOS.items()
        ]
    return pd.DataFrame(rows)


def run(
    scenario: str,
    *,
    model: GEModelName = "one-sector",
    tariffs_from_date: str | dt.date | None = None,
    io: bool = False,
    tariff_file: Path | None = None,
    data_dir: Path | None = None,
    embedded: bool = False,
    max_iter: int = 50,
    dataset: str = "default",
    year: int | None = None,
    elasticities: str = "CP",
    engine: TariffEngine | None = None,
) -> GEResult | MultiSectorResults:
    """Solve one counterfactual.

    Args:
        scenario: a name from :func:`scenarios`; ``custom`` takes US tariffs from ``tariffs_from_date``
            (or, one-sector only, from ``tariff_file``). Multi-sector names take ``:reciprocal``.
        model: ``one-sector`` or ``multi-sector``.
        tariffs_from_date: US tariffs in force on this date (YYYY-MM-DD), from the tariff engine.
        io: input-output (roundabout production) variant: β = 0.49 in the one-sector model, the
            ICIO input-output links in the multi-sector model.
        tariff_file: one-sector only: a tariff matrix file (CSV or Parquet).
        data_dir: one-sector only: the folder of the reference GE files.
        embedded: one-sector only: force the embedded data.
        max_iter: one-sector only: the solver's iteration cap.
        dataset: multi-sector only: ``default``, ``icio``, ``wiod`` or ``cp``.
        year: multi-sector only: the ICIO year.
        elasticities: multi-sector only: the elasticity source, e.g. ``CP``.
        engine: the tariff engine the US tariffs are read from (e.g. with a policy scenario applied:
            ``TariffEngine.for_library(...)``); the built-in one by default. Only scenarios that read
            the engine (``custom`` with a date; multi-sector ``deal-2025``, ``pre-deal``,
            ``post-ruling``) take one.

    An option of the other model is refused with :class:`~tarifflab.errors.InvalidInputError`, never
    ignored.
    """
    on = _date(tariffs_from_date, "tariffs-from-date")
    if model == "one-sector":
        if dataset != "default" or year is not None or elasticities != "CP":
            raise InvalidInputError(
                "--dataset, --year and --elasticities belong to --model multi-sector; "
                "the one-sector model reads --data or the embedded data"
            )
        if engine is not None and on is None:
            raise ScenarioError("--scenario changes the tariff engine's law: give --tariffs-from-date too")
        return _run_one_sector(scenario, on, tariff_file, io, data_dir, embedded, max_iter, engine)
    if model == "multi-sector":
        if tariff_file is not None:
            raise InvalidInputError("--tariff-file belongs to the one-sector model")
        if data_dir is not None or embedded or max_iter != 50:
            raise InvalidInputError(
                "--data, --embedded and --max-iter belong to the one-sector model "
                "(the multi-sector model takes --dataset and --year)"
            )
        return _run_multi_sector(scenario, on, io, dataset, year, elasticities, engine)
    raise InvalidInputError(f"unknown GE model {model!r} (choose {' or '.join(MODELS)})")


def _run_one_sector(
    scenario: str,
    on: dt.date | None,
    tariff_file: Path | None,
    io: bool,
    data_dir: Path | None,
    embedded: bool,
    max_iter: int,
    engine: TariffEngine | None = None,
) -> GEResult:
    from tarifflab.models.ge.solver import SolverOptions
    from tarifflab.studies.ge_one_sector import OneSectorLab, scenario_info
    from tarifflab.studies.ge_one_sector_tariffs import read_tariff_file, us_tariffs_on

    name = scenario
    if io and not name.startswith("io-") and name != "custom":
        scenario_info(name)  # unknown base name → ScenarioError naming it
        try:
            scenario_info(f"io-{name}")
        except ScenarioError:
            raise ScenarioError(f"scenario {name!r} has no IO variant") from None
        name = f"io-{name}"
    info = scenario_info(name)
    if tariff_file is not None and on is not None:
        raise InvalidInputError("use either --tariff-file or --tariffs-from-date, not both")
    if tariff_file is not None and name != "custom":
        raise ScenarioError("--tariff-file is only valid with scenario 'custom'")
    if max_iter < 1:
        raise InvalidInputError("--max-iter must be at least 1")
    options = SolverOptions(max_iter=max_iter)
    lab = OneSectorLab.load(data_dir, embedded=embedded)
    if tariff_file is not None:
        return lab.run_matrix(read_tariff_file(tariff_file, lab.iso3), io=io, options=options)
    us = None
    if on is not None:
        if not info.accepts_us_tariffs:
            raise ScenarioError(f"scenario {name!r} sets its own US tariffs; it takes no --tariffs-from-date")
        us = us_tariffs_on(lab.iso3, on, engine=engine)
    if name == "custom" and io:
        if us is None:
            raise ScenarioError("scenario 'custom' needs --tariff-file or --tariffs-from-date")
        return lab.run_matrix(lab.ustr_matrix(us), io=True, options=options)
    return lab.run(name, us_tariffs=us, options=options)


def _split_retaliation(scenario: str) -> tuple[str, str]:
    name, _, retaliation = scenario.partition(":")
    retaliation = retaliation or "none"
    if retaliation not in ("none", "reciprocal"):
        raise ScenarioError(f"unknown retaliation {retaliation!r} in {scenario!r} (none | reciprocal)")
    return name, retaliation


def multi_sector_scenario(
    scenario: str,
    data: MultiSectorData,
    tariffs_from_date: str | dt.date | None = None,
    engine: TariffEngine | None = None,
) -> MultiSectorScenario:
    """The multi-sector scenario ``scenario`` (``custom`` = the engine's US tariffs on a date).

    ``engine``: the tariff engine the engine-driven scenarios read (the built-in one by default).
    """
    from tarifflab.models.ge.multi_sector import MultiSectorScenario
    from tarifflab.studies.ge_multi_sector import (
        ENGINE_DATES,
        build_scenario,
        changes_from_matrix,
        engine_matrix,
    )

    on = _date(tariffs_from_date, "tariffs-from-date")
    name, retaliation = _split_retaliation(scenario)
    matrix_fn = None
    if engine is not None:
        if name != "custom" and name.lower() not in ENGINE_DATES:
            raise ScenarioError(
                f"scenario {name!r} does not read the tariff engine; --scenario works with custom, "
                f"{', '.join(sorted(ENGINE_DATES))}"
            )
        from tarifflab.metrics.etr import us_tariff_matrix

        matrix_fn = partial(us_tariff_matrix, engine=engine)
    if name == "custom":
        if on is None:
            raise ScenarioError("scenario 'custom' needs --tariffs-from-date")
        changes = changes_from_matrix(engine_matrix(data, on, us_tariff_matrix=matrix_fn))
        return MultiSectorScenario(
            name=f"tariffs-on-{on.isoformat()}",
            changes=changes,
            retaliation=retaliation,  # type: ignore[arg-type]
        )
    if on is not None:
        raise ScenarioError(
            f"scenario {name!r} sets its own US tariffs; use scenario 'custom' with --tariffs-from-date"
        )
    return build_scenario(name, data, retaliation=retaliation, us_tariff_matrix=matrix_fn)


def _run_multi_sector(
    scenario: str,
    on: dt.date | None,
    io: bool,
    dataset: str,
    year: int | None,
    elasticities: str,
    engine: TariffEngine | None = None,
) -> MultiSectorResults:
    from tarifflab.models.ge.multi_sector import MultiSectorModel

    model = MultiSectorModel(dataset, year=year, elasticities=elasticities, io=io)
    return model.solve(multi_sector_scenario(scenario, model.data, on, engine))
