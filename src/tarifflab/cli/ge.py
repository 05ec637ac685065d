"""``tarifflab ge``: general-equilibrium counterfactuals (one-sector Liberation Day model).

Commands: ``ge scenarios`` lists the named scenarios; ``ge run SCENARIO`` solves one and prints a
table, CSV or JSON. Models are dispatched through :data:`MODEL_RUNNERS` (``--model``); a further
model (e.g. ``multi-sector``) is added by registering one more runner there.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tarifflab.cli.output import Format, emit_text
from tarifflab.errors import InvalidDateError, InvalidInputError, ScenarioError
from tarifflab.models.ge.results import AGGREGATED_COLUMNS, STAT_COLUMNS, GEResult
from tarifflab.models.ge.solver import SolverOptions

app = typer.Typer(
    name="ge",
    help="General-equilibrium trade models: Liberation Day counterfactuals.",
    no_args_is_help=True,
)


@dataclass(frozen=True)
class RunRequest:
    """Everything ``ge run`` was asked to do (model-independent)."""

    scenario: str
    tariffs_from_date: dt.date | None
    tariff_file: Path | None
    io: bool
    data_dir: Path | None
    embedded: bool
    max_iter: int
    engine_scenarios: tuple[Path, ...] = ()  # scenario files applied to the tariff engine's library


def _run_one_sector(request: RunRequest) -> GEResult:
    from tarifflab.studies.ge_one_sector import OneSectorLab, scenario_info
    from tarifflab.studies.ge_one_sector_tariffs import read_tariff_file, us_tariffs_on

    name = request.scenario
    if request.io and not name.startswith("io-") and name != "custom":
        io_name = f"io-{name}"
        scenario_info(name)  # unknown base name → ScenarioError naming it
        try:
            scenario_info(io_name)
        except ScenarioError:
            raise ScenarioError(f"scenario {name!r} has no IO variant") from None
        name = io_name
    info = scenario_info(name)
    if request.tariff_file is not None and request.tariffs_from_date is not None:
        raise InvalidInputError("use either --tariff-file or --tariffs-from-date, not both")
    if request.tariff_file is not None and name != "custom":
        raise ScenarioError("--tariff-file is only valid with scenario 'custom'")
    if request.max_iter < 1:
        raise InvalidInputError("--max-iter must be at least 1")
    options = SolverOptions(max_iter=request.max_iter)
    lab = OneSectorLab.load(request.data_dir, embedded=request.embedded)
    if request.tariff_file is not None:
        matrix = read_tariff_file(request.tariff_file, lab.iso3)
        return lab.run_matrix(matrix, io=request.io, options=options)
    us = None
    if request.engine_scenarios and request.tariffs_from_date is None:
        raise ScenarioError("--scenario changes the tariff engine's law: give --tariffs-from-date too")
    if request.tariffs_from_date is not None:
        if not info.accepts_us_tariffs:
            raise ScenarioError(f"scenario {name!r} sets its own US tariffs; it takes no --tariffs-from-date")
        from tarifflab.cli.policy_options import scenario_engine

        engine = scenario_engine(list(request.engine_scenarios)) if request.engine_scenarios else None
        us = us_tariffs_on(lab.iso3, request.tariffs_from_date, engine=engine)
    if name == "custom" and request.io:
        if us is None:
            raise ScenarioError("scenario 'custom' needs --tariff-file or --tariffs-from-date")
        return lab.run_matrix(lab.ustr_matrix(us), io=True, options=options)
    return lab.run(name, us_tariffs=us, options=options)


#: Model name → runner. Another model adds one entry here (and nothing else changes).
MODEL_RUNNERS: dict[str, Callable[[RunRequest], GEResult]] = {"one-sector": _run_one_sector}


def _parse_date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidDateError(f"invalid date {text!r} (use YYYY-MM-DD)") from None


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
    frame.to_csv(buffer, float_format="%.10g", lineterminator="\n")
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
    scalars = ", ".join(f"{k}={v:.4g}" for k, v in result.scalars.items())
    console.print(scalars)
    console.print(
        f"solver: {diag.iterations} iterations, max residual {diag.max_residual:.2e}, "
        f"{diag.seconds * 1000:.1f} ms, converged={diag.converged}"
    )
    return console.export_text()


_RENDERERS: dict[Format, Callable[[GEResult, Sequence[int]], str]] = {
    Format.TABLE: render_table,
    Format.CSV: render_csv,
    Format.JSON: render_json,
}


@app.command("scenarios")
def list_scenarios() -> None:
    """List the named scenarios with one-line descriptions."""
    from tarifflab.studies.ge_one_sector import scenarios

    for info in scenarios():
        typer.echo(f"{info.name:32s} {info.description}  [{info.table}]")


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
    from tarifflab.policy.scenario import combined_hash, load_scenario

    files = tuple(scenario_files or ())
    scenario_hash = combined_hash([load_scenario(f) for f in files])  # validates before any solve
    if model == "multi-sector":
        if tariffs_from_date or tariff_file:
            raise InvalidInputError(
                "--model multi-sector takes named scenarios (deal-2025, pre-deal, post-ruling use the engine)"
            )
        from tarifflab.cli.ge_multi import run_multi_sector_cli

        run_multi_sector_cli(
            scenario, dataset, year, elasticities, io_variant, Format(output_format).value, out, files
        )
        return
    if model not in MODEL_RUNNERS:
        raise InvalidInputError(f"unknown GE model {model!r} (available: {', '.join(MODEL_RUNNERS)})")
    request = RunRequest(
        scenario=scenario,
        tariffs_from_date=_parse_date(tariffs_from_date),
        tariff_file=tariff_file,
        io=io_variant,
        data_dir=data,
        embedded=embedded,
        max_iter=max_iter,
        engine_scenarios=files,
    )
    result = MODEL_RUNNERS[model](request)
    rows = _select(result, countries)
    fmt = Format(output_format)
    if fmt is Format.JSON:
        emit_text(render_json(result, rows, scenario_hash), out)
        return
    text = _RENDERERS[fmt](result, rows)
    if fmt is Format.TABLE and scenario_hash is not None:
        text += f"tariff-engine scenario {scenario_hash}\n"
    emit_text(text, out)
