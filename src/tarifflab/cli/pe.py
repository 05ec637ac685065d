"""``tarifflab pe``: product-level partial equilibrium (WITS-SMART) for a tariff change.

Examples::

    tarifflab pe run --from 2025-03-01 --to 2025-09-20 --partner JPN --hs 8703
    tarifflab pe run --lines my_lines.csv --format json --out result.json
"""

from __future__ import annotations

import io
import json
import math
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from tarifflab.cli.captions import pe_caption
from tarifflab.cli.output import Format, emit_text
from tarifflab.errors import DataError, InvalidElasticityError, UnknownCountryError, UnknownProductError
from tarifflab.models.pe.elasticities import ElasticityTable
from tarifflab.models.pe.inputs import normalise_hs, parse_date, pe_inputs_from_dates, read_lines_file
from tarifflab.models.pe.results import SmartResult
from tarifflab.models.pe.smart import SmartModel, SmartOptions, describe, validate_lines
from tarifflab.nomenclature.countries import to_iso3

app = typer.Typer(
    name="pe",
    help="Product-level partial equilibrium (WITS-SMART): trade creation and diversion, revenue, welfare.",
    no_args_is_help=True,
)

PARTNER_FIELDS: tuple[str, ...] = (
    "partner",
    "imports_before_usd",
    "imports_after_usd",
    "trade_creation_usd",
    "trade_diversion_usd",
    "price_effect_usd",
    "revenue_before_usd",
    "revenue_after_static_usd",
    "revenue_after_usd",
    "consumer_surplus_change_usd",
    "net_welfare_change_usd",
    "deadweight_loss_change_usd",
    "etr_before_pct",
    "etr_after_static_pct",
    "etr_after_substitution_pct",
)


class Level(StrEnum):
    partner = "partner"
    section = "section"
    chapter = "chapter"
    gtap = "gtap"
    hs6 = "hs6"
    hs10 = "hs10"


class Form(StrEnum):
    exact = "exact"
    linear = "linear"


def parse_elasticity(name: str, text: str | None) -> float | None:
    """CLI text → elasticity magnitude ('inf' allowed for supply); named error when malformed."""
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        raise InvalidElasticityError(f"--{name}-elasticity must be a number, got {text!r}") from None
    if math.isinf(value) and name != "supply":
        raise InvalidElasticityError(f"--{name}-elasticity must be finite")
    return value


def _engine_lines(date_from: str, date_to: str, view: str) -> pd.DataFrame:
    start, end = parse_date(date_from), parse_date(date_to)
    try:
        from tarifflab.policy.engine import TariffEngine  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        raise DataError(
            "the tariff engine (tarifflab.policy.engine) is not available in this build; give --lines FILE"
        ) from None
    engine = TariffEngine.default()
    return pe_inputs_from_dates(engine, start, end, view)


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):
        return _json_value(value.item())
    return value


def _records(frame: pd.DataFrame, fields: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    columns = [c for c in (fields or tuple(frame.columns)) if c in frame.columns]
    return [{c: _json_value(row[c]) for c in columns} for _, row in frame[columns].iterrows()]


def result_payload(
    result: SmartResult,
    shown: SmartResult,
    *,
    level: str,
    meta: dict[str, Any],
) -> dict[str, Any]:
    """The JSON document of a run: partner rows (after the --partner filter), market totals, diagnostics."""
    totals = {k: _json_value(v) for k, v in result.totals().items()}
    payload: dict[str, Any] = {
        **meta,
        "config": describe(result.options),
        "partners": _records(shown.by("partner"), PARTNER_FIELDS),
        "totals": totals,
        "totals_scope": "every partner of the selected HS lines (diversion sums to zero over them)",
        "diagnostics": result.diagnostics.to_dict(),
    }
    if level != "partner":
        payload["groups"] = {"level": level, "rows": _records(grouped(shown, level))}
    return payload


def grouped(result: SmartResult, level: str) -> pd.DataFrame:
    """Effects summed by ``level``; GTAP sectors come from the embedded HTS10 → GTAP crosswalk."""
    if level != "gtap":
        return result.by(level)
    from tarifflab.data.embedded import embedded_path

    products = pd.read_parquet(embedded_path("hts_products.parquet"), columns=["hs10", "gtap_code"])
    return result.by("gtap", gtap=products.set_index("hs10")["gtap_code"])


def _table(frame: pd.DataFrame, level: str, title: str, caption: str | None = None) -> Table:
    table = Table(title=title, caption=caption, caption_justify="left")
    headings = [
        (level, level),
        ("imports_before_usd", "imports before $bn"),
        ("imports_after_usd", "after $bn"),
        ("trade_creation_usd", "creation $bn"),
        ("trade_diversion_usd", "diversion $bn"),
        ("revenue_before_usd", "revenue before $bn"),
        ("revenue_after_usd", "after $bn"),
        ("consumer_surplus_change_usd", "ΔCS $bn"),
        ("etr_after_static_pct", "ETR static %"),
        ("etr_after_substitution_pct", "ETR subst. %"),
    ]
    for _, heading in headings:
        table.add_column(heading, justify="left" if heading == level else "right")
    for _, row in frame.iterrows():
        cells = []
        for column, _ in headings:
            value = row[column]
            if column == level:
                cells.append(str(value))
            elif column.endswith("_pct"):
                cells.append("" if pd.isna(value) else f"{value:.2f}")
            else:
                cells.append(f"{value / 1e9:,.3f}")
        table.add_row(*cells)
    return table


@app.command("run")
def run(
    date_from: Annotated[str | None, typer.Option("--from", help="Tariffs before: date YYYY-MM-DD.")] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Tariffs after: date YYYY-MM-DD (may precede --from).")
    ] = None,
    view: Annotated[
        str, typer.Option("--view", help="Tariff engine view (in-force or as-known).")
    ] = "in-force",
    lines_file: Annotated[
        Path | None,
        typer.Option(
            "--lines",
            help="CSV/Parquet of lines (hs10, partner, imports_usd, rate_before, rate_after) instead of dates.",
        ),
    ] = None,
    partner: Annotated[
        str | None, typer.Option("--partner", help="Show only this partner (ISO3 or name).")
    ] = None,
    hs: Annotated[
        str | None, typer.Option("--hs", help="Restrict to HS lines starting with this code (2-10 digits).")
    ] = None,
    level: Annotated[
        Level, typer.Option("--by", help="Aggregate rows by partner, section, chapter, gtap, hs6 or hs10.")
    ] = Level.partner,
    output_format: Annotated[Format, typer.Option("--format", help="table, csv or json.")] = Format.TABLE,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file (atomically) instead of stdout.")
    ] = None,
    demand: Annotated[
        str | None, typer.Option("--demand-elasticity", help="Import demand elasticity η = |ε| ≥ 0.")
    ] = None,
    substitution: Annotated[
        str | None, typer.Option("--substitution-elasticity", help="Armington σ ≥ 0 (default 1.5).")
    ] = None,
    supply: Annotated[
        str | None,
        typer.Option("--supply-elasticity", help="Export supply β > 0, 'inf' = infinite (default)."),
    ] = None,
    elasticity_file: Annotated[
        Path | None,
        typer.Option(
            "--elasticity-file",
            help="CSV of HS-prefix elasticities (hs_prefix, demand, substitution, supply).",
        ),
    ] = None,
    form: Annotated[
        Form, typer.Option("--form", help="exact (iso-elastic, default) or linear (textbook SMART).")
    ] = Form.exact,
) -> None:
    """Trade creation, diversion, revenue and consumer surplus for a tariff change on every HS10 × partner line."""
    table = ElasticityTable.from_csv(elasticity_file) if elasticity_file is not None else ElasticityTable()
    table = table.with_defaults(
        demand=parse_elasticity("demand", demand),
        substitution=parse_elasticity("substitution", substitution),
        supply=parse_elasticity("supply", supply),
    )
    options = SmartOptions(elasticities=table, form=form.value)
    prefix = normalise_hs(hs) if hs is not None else None
    iso3 = to_iso3(partner) if partner is not None else None

    if lines_file is not None:
        lines = read_lines_file(lines_file)
        source = {"lines_file": str(lines_file)}
    else:
        if date_from is None or date_to is None:
            raise DataError("give --from and --to dates, or --lines FILE")
        lines = _engine_lines(date_from, date_to, view)
        source = {"from": str(parse_date(date_from)), "to": str(parse_date(date_to)), "view": view}
    lines = validate_lines(lines)
    if prefix is not None:
        lines = lines.loc[lines["hs10"].str.startswith(prefix)]
        if lines.empty:
            raise UnknownProductError(f"no import lines under HS {hs}")
    if iso3 is not None and not (lines["partner"] == iso3).any():
        raise UnknownCountryError(
            f"no import lines for partner {partner!r} ({iso3})" + (f" under HS {hs}" if hs else "")
        )

    result = SmartModel(lines).solve(options)
    shown = result.filtered(partner=iso3)
    meta = {"importer": result.importer, **source, "partner": iso3, "hs": prefix}

    if output_format is Format.JSON:
        text = json.dumps(result_payload(result, shown, level=level.value, meta=meta), indent=2) + "\n"
    elif output_format is Format.CSV:
        text = grouped(shown, level.value).to_csv(index=False)
    else:
        buffer = io.StringIO()
        console = Console(file=buffer, width=200)
        title = "SMART " + ", ".join(f"{k}={v}" for k, v in meta.items() if v is not None)
        given = tuple(
            symbol for symbol, text in (("η", demand), ("σ", substitution), ("β", supply)) if text is not None
        )
        caption = pe_caption(describe(result.options), source, None, given)
        console.print(_table(grouped(shown, level.value), level.value, title, caption))
        totals = result.totals()
        console.print(
            f"market totals: imports {totals['imports_before_usd'] / 1e9:,.3f} → "
            f"{totals['imports_after_usd'] / 1e9:,.3f} $bn, revenue {totals['revenue_before_usd'] / 1e9:,.3f} → "
            f"{totals['revenue_after_usd'] / 1e9:,.3f} $bn, ΔCS {totals['consumer_surplus_change_usd'] / 1e9:,.3f} $bn, "
            f"ETR {totals['etr_before_pct']:.2f}% → {totals['etr_after_static_pct']:.2f}% static / "
            f"{totals['etr_after_substitution_pct']:.2f}% after substitution"
        )
        text = buffer.getvalue()
    emit_text(text, out)
