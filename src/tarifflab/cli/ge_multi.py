"""CLI logic of ``tarifflab ge run SCENARIO --model multi-sector`` (wired into cli/ge.py by the lead).

``SCENARIO`` is a name of :mod:`tarifflab.models.ge.multi_sector_scenarios` (``liberation-day``,
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
) -> dict[str, object]:
    """Solve one named scenario and return the JSON-ready result dictionary."""
    from tarifflab.models.ge.multi_sector import MultiSectorModel
    from tarifflab.models.ge.multi_sector_scenarios import build_scenario

    name, retaliation = _parse(scenario)
    if deficits not in ("balanced", "fixed"):
        raise InvalidInputError(f"deficits must be balanced or fixed, not {deficits!r}")
    model = MultiSectorModel(dataset, year=year, elasticities=elasticities, io=io, deficits=deficits)  # type: ignore[arg-type]
    result = model.solve(build_scenario(name, model.data, retaliation=retaliation))
    return result.to_json_dict()


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
    return cast(_io.StringIO, console.file).getvalue()


def run_multi_sector_cli(
    scenario: str,
    dataset: str,
    year: int | None,
    elasticities: str,
    io: bool,
    fmt: str,
    out: Path | None,
) -> None:
    """Entry point for ``ge run --model multi-sector``: print or write (atomically) the result."""
    import typer

    from tarifflab._io import write_text_atomic

    if fmt not in FORMATS:
        raise InvalidInputError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    text = render(run_multi_sector(scenario, dataset, year, elasticities, io), fmt)
    if out is None:
        typer.echo(text, nl=False)
    else:
        write_text_atomic(out, text)
