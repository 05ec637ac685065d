"""CLI logic of ``tarifflab ge run SCENARIO --model multi-sector`` (wired into cli/ge.py by the lead).

``SCENARIO`` is a name of :mod:`tarifflab.studies.ge_multi_sector` (``liberation-day``,
``deal-2025``, ``pre-deal``, ``post-ruling``, ``nafta``, ``optimal-us``, ``uniform-10``,
``targeted-JPN-15``), optionally followed by ``:reciprocal`` for partner retaliation.
"""

from __future__ import annotations

import io as _io
import json
from pathlib import Path
from typing import Any, cast

import pandas as pd

from tarifflab.errors import InvalidInputError

FORMATS = ("table", "csv", "json")


def run_multi_sector(
    scenario: str,
    dataset: str = "default",
    year: int | None = None,
    elasticities: str = "CP",
    io: bool = True,
    tariffs_from_date: str | None = None,
    engine_scenarios: tuple[Path, ...] = (),
) -> dict[str, object]:
    """Solve one named scenario and return the JSON-ready result dictionary.

    ``engine_scenarios``: scenario files applied to the tariff engine whose US tariffs the engine
    scenarios (custom, deal-2025, pre-deal, post-ruling) read; the result carries their ``scenario_hash``.
    """
    from tarifflab import ge as ge_api

    engine = None
    if engine_scenarios:
        from tarifflab.cli.policy_options import scenario_engine

        engine = scenario_engine(list(engine_scenarios))
    result = ge_api.run(
        scenario,
        model="multi-sector",
        tariffs_from_date=tariffs_from_date,
        io=io,
        dataset=dataset,
        year=year,
        elasticities=elasticities,
        engine=engine,
    )
    scenario_hash = None if engine is None else engine.library.scenario_hash
    return {**result.to_json_dict(), "scenario_hash": scenario_hash}  # type: ignore[union-attr]


COLUMNS_NOTE = (
    "Percent changes from the base year of the dataset: welfare = real national income (exact; the value-added, "
    "tariff-revenue and transfer parts sum to it; the CP column is Caliendo-Parro's one-step linearisation as "
    "published, not the welfare change); real_wage = "
    "wage over the price index; price_index = consumer prices; exports, imports = pre-tariff trade values "
    "with every other economy. ROW = rest of the world."
)


def _select(countries: pd.DataFrame, wanted: str | None) -> pd.DataFrame:
    if not wanted:
        return countries
    from tarifflab.errors import UnknownCountryError
    from tarifflab.nomenclature.countries import to_iso3

    codes = []
    for code in (c.strip() for c in wanted.split(",") if c.strip()):
        iso3 = code.upper() if code.upper() in set(countries["iso3"]) else to_iso3(code)
        if iso3 not in set(countries["iso3"]):
            raise UnknownCountryError(
                f"country {iso3!r} is not in the multi-sector model (it has {', '.join(countries['iso3'])})"
            )
        codes.append(iso3)
    return countries.set_index("iso3").loc[codes].reset_index()


def render(payload: dict[str, object], fmt: str, countries_wanted: str | None = None) -> str:
    """Render a result dictionary as ``table``, ``csv`` or ``json`` text (``countries_wanted``: ISO3 list)."""
    if fmt not in FORMATS:
        raise InvalidInputError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    countries = _select(pd.DataFrame(cast(list[dict[str, object]], payload["countries"])), countries_wanted)
    if fmt == "json":
        shown = {**payload, "countries": countries.to_dict(orient="records")}
        if countries_wanted:
            keep = set(countries["iso3"])
            sectors = cast(list[dict[str, object]], payload["sectors"])
            shown["sectors"] = [row for row in sectors if row["iso3"] in keep]
        return json.dumps(shown, indent=2, default=float) + "\n"
    if fmt == "csv":
        buf = _io.StringIO()
        countries.to_csv(buf, index=False, lineterminator="\n")
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
    diag = cast(dict[str, Any], payload["diagnostics"])
    console = Console(file=_io.StringIO(), width=160, force_terminal=False)
    console.print(table)
    console.print(COLUMNS_NOTE)
    if payload.get("optimal_us_tariff") is not None:
        console.print(f"optimal US tariff: {100 * cast(float, payload['optimal_us_tariff']):.2f} %")
    from tarifflab.cli.output import solver_line

    console.print(
        solver_line(
            int(diag["iterations"]),
            float(diag["max_residual"]),
            float(diag["seconds"]),
            bool(diag["converged"]),
        )
    )
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
    tariffs_from_date: str | None = None,
    countries: str | None = None,
    engine_scenarios: tuple[Path, ...] = (),
) -> None:
    """Entry point for ``ge run --model multi-sector``: print or write (atomically) the result."""
    import typer

    from tarifflab._io import write_text_atomic

    if fmt not in FORMATS:
        raise InvalidInputError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    payload = run_multi_sector(
        scenario, dataset, year, elasticities, io, tariffs_from_date, engine_scenarios=engine_scenarios
    )
    text = render(payload, fmt, countries)
    if out is None:
        typer.echo(text, nl=False)
    else:
        write_text_atomic(out, text)
