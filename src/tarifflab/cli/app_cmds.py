"""``tarifflab serve`` (the Streamlit dashboard) and ``tarifflab report`` (self-contained HTML)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from tarifflab.errors import InvalidInputError

APP_SCRIPT = Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py"


def streamlit_argv(host: str, port: int) -> list[str]:
    """The command line that runs the dashboard (no telemetry, no browser, no error details)."""
    if not 1 <= port <= 65535:
        raise InvalidInputError(f"port must be between 1 and 65535, got {port}")
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_SCRIPT),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.showErrorDetails",
        "false",
        "--client.toolbarMode",
        "viewer",
        "--server.enableStaticServing",
        "true",
        "--server.fileWatcherType",
        "none",
        "--global.developmentMode",
        "false",
        # Streamlit's default runs a full gc.collect(2) after every script run while holding the GIL;
        # with the engine's data loaded that costs ~0.1-0.4 s per rerun and stalls every other session.
        # Python's own generational GC still runs, so reference cycles are still collected.
        "--runner.postScriptGC",
        "false",
    ]


def serve(
    port: Annotated[int, typer.Option("--port", help="TCP port to listen on.")] = 8501,
    host: Annotated[str, typer.Option("--host", help="Address to bind (loopback unless told otherwise).")] = (
        "127.0.0.1"
    ),
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            help="Streamlit server processes behind one front proxy that pins each session to one of them "
            "(0: one per CPU core). 1 runs Streamlit directly.",
        ),
    ] = 1,
) -> None:
    """Start the dashboard (Streamlit) on http://HOST:PORT."""
    argv = streamlit_argv(host, port)
    if workers != 1:
        from tarifflab.cli.workers import serve_workers, worker_count

        count = worker_count(workers)
        typer.echo(
            f"tarifflab dashboard on http://{host}:{port} with {count} workers  (Ctrl-C to stop)", err=True
        )
        raise typer.Exit(serve_workers(host, port, count, streamlit_argv))
    typer.echo(f"tarifflab dashboard on http://{host}:{port}  (Ctrl-C to stop)", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(argv[0], argv)  # the server replaces this process, so signals reach it directly


def report(
    case: Annotated[str, typer.Argument(help="Which report: us-japan.")] = "us-japan",
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write (atomically).")] = Path(
        "report.html"
    ),
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")] = True,
    scenario: Annotated[
        list[Path] | None,
        typer.Option(
            "--scenario", help="tariff-engine scenario YAML (repeatable, applied in order)", dir_okay=False
        ),
    ] = None,
) -> None:
    """Write a self-contained HTML report (charts inlined; opens offline)."""
    from tarifflab.errors import ScenarioError
    from tarifflab.report import build_report

    texts = []
    for path in scenario or []:
        try:
            texts.append((path.name, path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as error:
            raise ScenarioError(f"{path}: cannot read scenario file ({type(error).__name__})") from None
    summary = build_report(case, out, show_progress=progress, scenarios=tuple(texts))
    typer.echo(f"wrote {out} ({summary.charts} charts, {summary.sections_ok}/{summary.sections} sections)")
    for name, reason in summary.unavailable:
        typer.echo(f"  section not available: {name}: {reason}", err=True)


def register(app: typer.Typer) -> None:
    """Attach ``serve`` and ``report`` to the root app."""
    app.command("serve")(serve)
    app.command("report")(report)
