"""``tarifflab ge``: general-equilibrium counterfactuals (one-sector and multi-sector models).

Commands: ``ge scenarios`` lists the named scenarios of both models; ``ge run SCENARIO`` solves one
through the public API (:func:`tarifflab.ge.run`, which honours or refuses every option) and prints a
table, CSV or JSON.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tarifflab.cli.output import Format, emit_frame, emit_text, solver_line
from tarifflab.models.ge.results import AGGREGATED_COLUMNS, STAT_COLUMNS, GEResult

app = typer.Typer(
    name="ge",
    help="General-equilibrium trade models: one-sector (194 countries) and multi-sector (20 x 10 sectors).",
    no_args_is_help=True,
)


def _select(result: GEResult, countries: str | None) -> list[int]:
    if not countries:
        return list(range(len(result.iso3)))
    from tarifflab.nomenclature.countries import to_iso3

    wanted = [to_iso3(c) for c in countries.split(",") if c.strip()]
    return [result.index_of(c) for c in wanted]


def render_csv(result: GEResult, rows: Sequence[int]) -> str:
    """CSV with columns ``iso3`` + :data:`STAT_COLUMNS` (percent)."""
    frame = result.to_frame().iloc[list(rows)]
    buffer = io.StringIO()
    frame.to_csv(buffer, lineterminator="\n")
    return buffer.getvalue()


def render_json(result: GEResult, rows: Sequence[int], scenario_hash: str | None = None) -> str:
    """JSON: scenario, countries, aggregates, diagnostics (and scalars), scenario_hash of engine scenarios."""
    payload = result.to_dict()
    payload["scenario_hash"] = scenario_hash
    payload["countries"] = [payload["countries"][k] for k in rows]
    return json.dumps(payload, indent=2, default=float) + "\n"


def render_table(result: GEResult, rows: Sequence[int]) -> str:
    """Human-readable table of aggregates and countries (percent)."""
    diag = result.diagnostics
    table = Table(title=f"{result.scenario}: {result.description}", title_justify="left")
    table.add_column("country / group")
    for col in STAT_COLUMNS:
        table.add_column(col.removesuffix("_pct").replace("_", " ") + " %", justify="right")
    labels = {"non_us": "non-US (E-weighted)", "eu25": "EU25", "row": "RoW (excl. USA, CHN, EU25)"}
    aggregates = result.aggregates
    for key, label in labels.items():
        values = aggregates[key]
        table.add_row(label, *[f"{values[c]:.2f}" for c in AGGREGATED_COLUMNS], "")
    table.add_section()
    for k in rows:
        table.add_row(result.iso3[k], *[f"{v:.2f}" for v in result.table[k]])
    console = Console(record=True, width=160, file=io.StringIO())
    console.print(table)
    console.print(ONE_SECTOR_COLUMNS_NOTE)
    scalars = ", ".join(f"{k}={v:.4g}" for k, v in result.scalars.items())
    console.print(f"scenario figures: {scalars}")
    console.print(solver_line(diag.iterations, diag.max_residual, diag.seconds, diag.converged))
    return console.export_text()


ONE_SECTOR_COLUMNS_NOTE = (
    "All columns are percent changes from the 2023 baseline (BACI flows, one-sector model of Ignatenko et al. "
    "2025): welfare = real income; deficit = change in the trade deficit (imports - exports) as a percent of "
    "its baseline size |D|, so -18 means the deficit shrinks by 18%; exports/imports = change in trade over "
    "GDP; employment; cpi = consumer prices; revenue = tariff revenue as percent of GDP (level, not a change). "
    "Group rows average countries weighted by expenditure (GDP)."
)


_RENDERERS: dict[Format, Callable[[GEResult, Sequence[int]], str]] = {
    Format.TABLE: render_table,
    Format.CSV: render_csv,
    Format.JSON: render_json,
}


@app.command("scenarios")
def list_scenarios(
    model: Annotated[
        str | None, typer.Option("--model", help="one-sector or multi-sector (default: both)")
    ] = None,
    output_format: Annotated[Format, typer.Option("--format", help="table, csv or json")] = Format.TABLE,
    out: Annotated[
        Path | None, typer.Option("--out", help="write to this file instead of the terminal")
    ] = None,
) -> None:
    """List the named scenarios of both GE models with one-line descriptions."""
    from tarifflab import ge as ge_api

    frame = ge_api.scenarios(model)  # type: ignore[arg-type]
    caption = (
        "run one: tarifflab ge run NAME [--model multi-sector]; tariffs_from_date: takes "
        f"--tariffs-from-date; multi-sector names: {ge_api.RETALIATION_NOTE}"
    )
    emit_frame(frame, Format(output_format), out, title="General-equilibrium scenarios", caption=caption)


@app.command("run")
def run_scenario(
    scenario: Annotated[str, typer.Argument(help="scenario name (see `tarifflab ge scenarios`)")],
    tariffs_from_date: Annotated[
        str | None,
        typer.Option(
            "--tariffs-from-date", help="US tariffs in force on this date (YYYY-MM-DD), tariff engine"
        ),
    ] = None,
    tariff_file: Annotated[
        Path | None,
        typer.Option(
            "--tariff-file",
            help="tariff matrix (CSV/Parquet): ISO3 exporter×importer or exporter,importer,tariff",
        ),
    ] = None,
    io_variant: Annotated[
        bool, typer.Option("--io", help="roundabout-production (IO, β = 0.49) variant")
    ] = False,
    model: Annotated[
        str, typer.Option("--model", help="GE model: one-sector or multi-sector")
    ] = "one-sector",
    dataset: Annotated[
        str, typer.Option("--dataset", help="multi-sector data: default, icio, wiod or cp")
    ] = "default",
    year: Annotated[int | None, typer.Option("--year", help="multi-sector ICIO year (2011-2022)")] = None,
    elasticities: Annotated[
        str,
        typer.Option(
            "--elasticities", help="multi-sector elasticity source (IS, U4, CP, BSY, GYY, Shap, FGO, LL)"
        ),
    ] = "CP",
    output_format: Annotated[Format, typer.Option("--format", help="table, csv or json")] = Format.TABLE,
    out: Annotated[
        Path | None, typer.Option("--out", help="write the output to this file (atomically)")
    ] = None,
    data: Annotated[Path | None, typer.Option("--data", help="folder with the reference GE files")] = None,
    embedded: Annotated[bool, typer.Option("--embedded", help="use the embedded default dataset")] = False,
    max_iter: Annotated[int, typer.Option("--max-iter", help="solver iteration cap")] = 50,
    countries: Annotated[
        str | None, typer.Option("--countries", help="comma-separated ISO3 codes to show")
    ] = None,
    scenario_files: Annotated[
        list[Path] | None,
        typer.Option(
            "--scenario",
            help="tariff-engine scenario YAML (repeatable): US tariffs taken from the engine with it applied",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Solve one counterfactual and print per-country changes (percent)."""
    from tarifflab import ge as ge_api
    from tarifflab.cli.policy_options import scenario_engine
    from tarifflab.policy.scenario import combined_hash, load_scenario

    files = tuple(scenario_files or ())
    scenario_hash = combined_hash([load_scenario(f) for f in files])  # validates before any solve
    result = ge_api.run(
        scenario,
        model=model,  # type: ignore[arg-type]
        tariffs_from_date=tariffs_from_date,
        io=io_variant,
        tariff_file=tariff_file,
        data_dir=data,
        embedded=embedded,
        max_iter=max_iter,
        dataset=dataset,
        year=year,
        elasticities=elasticities,
        engine=scenario_engine(list(files)) if files else None,
    )
    fmt = Format(output_format)
    if not isinstance(result, GEResult):
        from tarifflab.cli.ge_multi import render

        emit_text(
            render({**result.to_json_dict(), "scenario_hash": scenario_hash}, fmt.value, countries), out
        )
        return
    rows = _select(result, countries)
    if fmt is Format.JSON:
        emit_text(render_json(result, rows, scenario_hash), out)
        return
    text = _RENDERERS[fmt](result, rows)
    if fmt is Format.TABLE and scenario_hash is not None:
        text += f"tariff-engine scenario {scenario_hash}\n"
    emit_text(text, out)
