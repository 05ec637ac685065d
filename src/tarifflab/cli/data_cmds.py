"""``tarifflab data``: fetch the original public sources, rebuild the embedded default dataset."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress

from tarifflab.cli.output import Format, emit_frame
from tarifflab.cli.policy_options import scenario_engine, scenario_option
from tarifflab.data.sources import default_data_dir, fetch_sources, select

app = typer.Typer(
    help="Reference data: original public sources and the embedded default.", no_args_is_help=True
)


@app.command("sources")
def sources(
    only: list[str] = typer.Option([], "--only", help="path prefixes, e.g. ge/ or tariffs/"),
    fmt: Format = typer.Option(Format.TABLE, "--format"),
) -> None:
    """List the original files with their pinned URLs and SHA-256 hashes."""
    import pandas as pd

    rows = [{"local": s.local, "url": s.url, "sha256": s.sha256} for s in select(only)]
    emit_frame(pd.DataFrame(rows), fmt, None, title="Original public sources")


@app.command("fetch")
def fetch(
    dest: Path | None = typer.Option(
        None, "--dest", help="target folder (default: TARIFFLAB_DATA_DIR or cache)"
    ),
    only: list[str] = typer.Option([], "--only", help="path prefixes, e.g. ge/ or tariffs/"),
) -> None:
    """Download the original sources (checked by SHA-256) into a reference-data folder."""
    chosen = select(only)
    with Progress() as progress:
        task = progress.add_task("fetching", total=len(chosen))
        root = fetch_sources(dest, only, progress=lambda _s: progress.advance(task))
        progress.update(task, completed=len(chosen))
    typer.echo(f"reference data in {root or default_data_dir()}; use TARIFFLAB_REFERENCE_DATA={root}")


@app.command("precompute")
def precompute(
    start: str | None = typer.Option(None, "--from", help="first entry date (default: the covered window)"),
    end: str | None = typer.Option(None, "--to", help="last entry date (default: the library's date)"),
    scenario: list[Path] = scenario_option(),
) -> None:
    """Evaluate every date segment of the law once and keep it in the user cache, so that the first
    all-lines answer (ETR, dashboard, engine tariffs of the negotiation models) on any date is read, not
    computed. Off with TARIFFLAB_CACHE_DIR=off."""
    from tarifflab.policy.engine import parse_date
    from tarifflab.policy.segment_store import precompute_segments

    first = parse_date(start, what="start date") if start else None
    last = parse_date(end, what="end date") if end else None
    engine = scenario_engine(scenario).fresh()
    with Progress() as progress:
        task = progress.add_task("evaluating date segments", total=None)

        def advance(_on: object, total: int) -> None:
            progress.update(task, total=total, advance=1)

        count = precompute_segments(engine, first, last, progress=advance)
    typer.echo(f"{count} date segments evaluated and stored (law as known on {engine.library.law_known_on})")


def _register_updates() -> None:
    from tarifflab.cli import data_updates

    data_updates.register(app)


_register_updates()
