"""``tarifflab sweep SPEC.yaml``: scenarios × parameter draws on Dask, results in DuckDB/Parquet."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="Run many GE scenarios × elasticity draws on Dask (resumable).", no_args_is_help=True)


@app.command("run")
def run(
    spec: Path = typer.Argument(..., help="sweep specification (YAML)"),
    store: Path = typer.Option(None, "--store", help="DuckDB results file (default: <spec name>.duckdb)"),
    scheduler: str = typer.Option(None, "--scheduler", help="Dask scheduler tcp://host:port (default: LocalCluster)"),
    workers: int = typer.Option(2, "--workers", min=1, help="LocalCluster worker processes"),
    limit: int = typer.Option(None, "--limit", min=0, help="run at most this many pending tasks"),
    parquet: Path = typer.Option(None, "--parquet", help="also export the tables as Parquet into this folder"),
    chunk_size: int = typer.Option(8, "--chunk-size", min=1, help="tasks per Dask task"),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="show a progress bar"),
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
