"""``tarifflab sweep SPEC.yaml``: scenarios × parameter draws on Dask, results in DuckDB/Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Run many GE scenarios × elasticity draws on Dask (resumable).", no_args_is_help=True)


@app.command("run")
def run(
    spec: Annotated[Path, typer.Argument(help="sweep specification (YAML)")],
    store: Annotated[
        Path | None, typer.Option("--store", help="DuckDB results file (default: SPEC with .duckdb)")
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

    parsed = load_spec(spec)
    target = store or spec.with_suffix(".duckdb")
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
