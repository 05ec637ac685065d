"""``tarifflab reciprocal``: the USTR April-2025 reciprocal-tariff formula for every partner."""

from __future__ import annotations

import json
import math
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from tarifflab.cli.captions import reciprocal_caption
from tarifflab.cli.output import Format, emit_text
from tarifflab.errors import UnknownCountryError
from tarifflab.metrics.reciprocal import USTR_EPSILON, USTR_FLOOR_PCT, USTR_PHI, reciprocal_table
from tarifflab.nomenclature.countries import to_iso3


class Rounding(StrEnum):
    ceil = "ceil"
    chart = "chart"
    none = "none"


def reciprocal(
    year: Annotated[int, typer.Option("--year", help="Census trade year (2015-2024 embedded).")] = 2024,
    epsilon: Annotated[
        float, typer.Option("--epsilon", help="Import demand elasticity ε (absolute value).")
    ] = USTR_EPSILON,
    phi: Annotated[
        float, typer.Option("--phi", help="Pass-through φ of tariffs to import prices.")
    ] = USTR_PHI,
    rounding: Annotated[
        Rounding, typer.Option("--rounding", help="ceil (first Annex I), chart or none.")
    ] = Rounding.ceil,
    floor: Annotated[float, typer.Option("--floor", help="Minimum rate, percent.")] = USTR_FLOOR_PCT,
    partner: Annotated[
        str | None, typer.Option("--partner", help="Only this partner (ISO3 or name; EU = EUN).")
    ] = None,
    source: Annotated[
        Path | None, typer.Option("--source", help="Census country.csv or a partner/year table.")
    ] = None,
    output_format: Annotated[Format, typer.Option("--format", help="table, csv or json.")] = Format.TABLE,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file (atomically) instead of stdout.")
    ] = None,
) -> None:
    """Δτ = (m − x)/(ε·φ·m) per partner, halved, rounded and floored as in EO 14257 Annex I."""
    table = reciprocal_table(year, epsilon, phi, source=source, rounding=rounding.value, floor_pct=floor)
    if partner is not None:
        iso3 = to_iso3(partner)
        table = table.loc[table["partner"] == iso3]
        if table.empty:
            raise UnknownCountryError(f"no {year} trade data for partner {partner!r} ({iso3})")
    if output_format is Format.JSON:
        rows = [
            {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}
            for row in table.to_dict(orient="records")
        ]
        meta = {"year": year, "epsilon": epsilon, "phi": phi, "rounding": rounding.value, "floor_pct": floor}
        text = json.dumps({**meta, "partners": rows}, indent=2) + "\n"
    elif output_format is Format.CSV:
        text = table.to_csv(index=False)
    else:
        shown = table.assign(
            imports_bn=table["imports_usd"] / 1e9,
            exports_bn=table["exports_usd"] / 1e9,
            deficit_bn=table["deficit_usd"] / 1e9,
        )[
            [
                "partner",
                "name",
                "imports_bn",
                "exports_bn",
                "deficit_bn",
                "formula_rate_pct",
                "reciprocal_rate_pct",
            ]
        ]
        table_text = shown.to_string(index=False, float_format=lambda v: f"{v:,.1f}")
        caption = reciprocal_caption(year, epsilon, phi, rounding.value, floor)
        text = f"{table_text}\n{caption}\n"
    emit_text(text, out)


def register(app: typer.Typer) -> None:
    """Attach the ``reciprocal`` command to the root app."""
    app.command("reciprocal")(reciprocal)
