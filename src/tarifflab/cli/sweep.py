"""``tarifflab sweep SPEC.yaml``: scenarios × parameter draws on Dask, results in DuckDB/Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tarifflab.cli.output import Format, emit_frame
from tarifflab.errors import SweepError

app = typer.Typer(help="Run many GE scenarios × elasticity draws on Dask (resumable).", no_args_is_help=True)


@app.command("run")
def run(
    spec: Annotated[Path, typer.Argument(help="sweep specification (YAML)")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="DuckDB results file (default: ./SPEC-NAME.duckdb in this folder)"),
    ] = None,
    store: Annotated[
        Path | None, typer.Option("--store", hidden=True, help="deprecated alias of --out")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler tcp://host:port (default: LocalCluster)")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="LocalCluster worker processes")] = 2,
    limit: Annotated[
        int | None, typer.Option("--limit", min=0, help="run at most this many pending tasks")
    ] = None,
    parquet: Annotated[
        Path | None, typer.Option("--parquet", help="also export the tables as Parquet here")
    ] = None,
    chunk_size: Annotated[int, typer.Option("--chunk-size", min=1, help="tasks per Dask task")] = 8,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="show a progress bar")] = True,
) -> None:
    """Run (or resume) the sweep in SPEC."""
    from tarifflab.sweep.runner import run_sweep
    from tarifflab.sweep.spec import load_spec
    from tarifflab.sweep.store import SweepStore

    if store is not None:
        if out is not None:
            raise SweepError("give --out only (--store is its deprecated alias)")
        typer.echo("note: --store is deprecated; use --out", err=True)
        out = store
    parsed = load_spec(spec)
    # The store goes where the user runs the command, never beside the spec (e.g. into docs/examples).
    target = out or Path.cwd() / f"{spec.stem}.duckdb"
    report = run_sweep(
        parsed,
        target,
        scheduler=scheduler,
        workers=workers,
        limit=limit,
        chunk_size=chunk_size,
        progress=progress,
    )
    if parquet is not None:
        with SweepStore(target) as s:
            s.export_parquet(parquet)
    typer.echo(
        f"sweep {parsed.name}: {report.total} tasks, {report.skipped} already stored, ran {report.ran}, "
        f"stored {report.stored} in {report.seconds:.1f} s → {report.store}"
    )
    typer.echo(f"read it back with: tarifflab sweep show {report.store}", err=True)


@app.command("show")
def show(
    store: Annotated[Path, typer.Argument(help="a sweep's DuckDB results file")],
    fmt: Annotated[Format, typer.Option("--format", help="table, csv or json")] = Format.TABLE,
    out: Annotated[
        Path | None, typer.Option("--out", help="write to this file instead of the terminal")
    ] = None,
) -> None:
    """Welfare by scenario and country over a stored sweep's draws: 5th percentile, median, 95th."""
    from tarifflab.sweep.store import SweepStore

    if not store.is_file():
        raise SweepError(f"no sweep store at {store} (run `tarifflab sweep run SPEC --out {store}` first)")
    with SweepStore(store) as opened:
        summary = opened.summary()
    if summary.empty:
        raise SweepError(f"sweep store {store} holds no results yet")
    caption = (
        "welfare: percent change in real income (multi-sector GE); p05/median/p95 over the stored "
        "elasticity sources and draws of each scenario"
    )
    emit_frame(summary, fmt, out, title=f"Sweep {store.name}: welfare", caption=caption)
