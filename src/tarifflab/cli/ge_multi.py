"""CLI logic of ``tarifflab ge run SCENARIO --model multi-sector`` (wired into cli/ge.py by the lead).

``SCENARIO`` is a name of :mod:`tarifflab.studies.ge_multi_sector` (``liberation-day``,
``deal-2025``, ``pre-deal``, ``post-ruling``, ``nafta``, ``optimal-us``, ``uniform-10``,
``targeted-JPN-15``), optionally followed by ``:reciprocal`` for partner retaliation.
"""

from __future__ import annotations

import io as _io
import json
from pathlib import Path
from typing import cast

from tarifflab.errors import InvalidInputError, ScenarioError

FORMATS = ("table", "csv", "json")


def _parse(scenario: str) -> tuple[str, str]:
    name, _, retaliation = scenario.partition(":")
    retaliation = retaliation or "none"
    if retaliation not in ("none", "reciprocal"):
        raise ScenarioError(f"unknown retaliation {retaliation!r} in {scenario!r} (none | reciprocal)")
    return name, retaliation


def run_multi_sector(
    scenario: str,
    dataset: str = "default",
    year: int | None = None,
    elasticities: str = "CP",
    io: bool = True,
    deficits: str = "balanced",
    engine_scenarios: tuple[Path, ...] = (),
) -> dict[str, object]:
    """Solve one named scenario and return the JSON-ready result dictionary.

    ``engine_scenarios``: scenario files applied to the tariff engine whose US tariffs the engine
    scenarios (deal-2025, pre-deal, post-ruling) read; the result carries their ``scenario_hash``.
    """
    from functools import partial

    from tarifflab.models.ge.multi_sector import MultiSectorModel
    from tarifflab.studies.ge_multi_sector import ENGINE_DATES, build_scenario

    name, retaliation = _parse(scenario)
    if deficits not in ("balanced", "fixed"):
        raise InvalidInputError(f"deficits must be balanced or fixed, not {deficits!r}")
    matrix_fn = None
    scenario_hash = None
    if engine_scenarios:
        if name.lower() not in ENGINE_DATES:
            raise ScenarioError(
                f"scenario {name!r} does not read the tariff engine; --scenario works with "
                f"{', '.join(sorted(ENGINE_DATES))}"
            )
        from tarifflab.cli.policy_options import scenario_engine
        from tarifflab.metrics.etr import us_tariff_matrix

        engine = scenario_engine(list(engine_scenarios))
        matrix_fn, scenario_hash = partial(us_tariff_matrix, engine=engine), engine.library.scenario_hash
    model = MultiSectorModel(dataset, year=year, elasticities=elasticities, io=io, deficits=deficits)  # type: ignore[arg-type]
    result = model.solve(
        build_scenario(name, model.data, retaliation=retaliation, us_tariff_matrix=matrix_fn)
    )
    return {**result.to_json_dict(), "scenario_hash": scenario_hash}


def render(payload: dict[str, object], fmt: str) -> str:
    """Render a result dictionary as ``table``, ``csv`` or ``json`` text."""
    import pandas as pd

    if fmt == "json":
        return json.dumps(payload, indent=2, default=float) + "\n"
    countries = pd.DataFrame(cast(list[dict[str, object]], payload["countries"]))
    if fmt == "csv":
        buf = _io.StringIO()
        countries.to_csv(buf, index=False, float_format="%.6g", lineterminator="\n")
        return buf.getvalue()
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"multi-sector GE: {payload['scenario']} [retaliation {payload['retaliation']}] ({payload['dataset']}, ε={payload['elasticities']}, io={payload['io']})"
    )
    headers = {
        "iso3": "iso3",
        "welfare_pct": "welfare % (exact)",
        "exact_value_added_pct": "= value added",
        "exact_tariff_revenue_pct": "+ tariff revenue",
        "exact_transfers_pct": "+ transfers",
        "welfare_decomp_pct": "CP one-step linearisation (as published)",
        "real_wage_pct": "real wage %",
        "price_index_pct": "CPI %",
        "exports_pct": "exports %",
        "imports_pct": "imports %",
    }
    cols = list(headers)
    for col in cols:
        table.add_column(headers[col], justify="left" if col == "iso3" else "right")
    for row in countries[cols].itertuples(index=False):
        table.add_row(row[0], *(f"{v:.3f}" for v in row[1:]))
    diag = payload["diagnostics"]
    console = Console(file=_io.StringIO(), width=160, force_terminal=False)
    console.print(table)
    if payload.get("optimal_us_tariff") is not None:
        console.print(f"optimal US tariff: {100 * cast(float, payload['optimal_us_tariff']):.2f} %")
    console.print(f"diagnostics: {diag}")
    if payload.get("scenario_hash"):
        console.print(f"tariff-engine scenario {payload['scenario_hash']}")
    return cast(_io.StringIO, console.file).getvalue()


def run_multi_sector_cli(
    scenario: str,
    dataset: str,
    year: int | None,
    elasticities: str,
    io: bool,
    fmt: str,
    out: Path | None,
    engine_scenarios: tuple[Path, ...] = (),
) -> None:
    """Entry point for ``ge run --model multi-sector``: print or write (atomically) the result."""
    import typer

    from tarifflab._io import write_text_atomic

    if fmt not in FORMATS:
        raise InvalidInputError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    text = render(
        run_multi_sector(scenario, dataset, year, elasticities, io, engine_scenarios=engine_scenarios), fmt
    )
    if out is None:
        typer.echo(text, nl=False)
    else:
        write_text_atomic(out, text)
