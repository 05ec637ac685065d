"""Rendering results for the terminal: rich tables, CSV and JSON, written atomically to --out."""

from __future__ import annotations

import io
import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from tarifflab._io import write_text_atomic


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


def frame_to_table(frame: pd.DataFrame, title: str | None = None, caption: str | None = None) -> Table:
    """A rich table of ``frame``; ``caption`` (printed under it) says what the numbers are."""
    table = Table(title=title, caption=caption, caption_justify="left", show_lines=False)
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column])
        table.add_column(str(column), justify="right" if numeric else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(value) for value in row))
    return table


def _cell(value: Any) -> str:
    if isinstance(value, float):
        if pd.isna(value):
            return ""
        return f"{value:,.2f}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


def _console(out: Path | None) -> Console:
    """The terminal's console, or a 160-column recording one whose text goes to ``out``."""
    if out is None:
        return Console(record=True)
    return Console(file=io.StringIO(), record=True, width=160)


def emit_text(text: str, out: Path | None) -> None:
    """Print ``text`` or write it atomically to ``out``."""
    if out is None:
        typer.echo(text, nl=not text.endswith("\n"))
    else:
        write_text_atomic(out, text if text.endswith("\n") else text + "\n")
        typer.echo(f"wrote {out}", err=True)


def emit_json(payload: Any, out: Path | None) -> None:
    emit_text(json.dumps(payload, indent=2, default=_json_default, allow_nan=False), out)


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-safe dicts (NaN → None)."""
    clean = frame.astype(object).where(pd.notna(frame), None)
    return [
        dict(zip(clean.columns, (_plain(v) for v in row), strict=True))
        for row in clean.itertuples(index=False)
    ]


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def emit_frame(
    frame: pd.DataFrame,
    fmt: Format,
    out: Path | None,
    title: str | None = None,
    caption: str | None = None,
) -> None:
    """Write a frame as a rich table (with ``title`` and ``caption``), CSV or JSON records.

    CSV and JSON keep every number at full precision (shortest round-trip repr); only the table rounds.
    Units live in the column names (``_usd``, ``_pct``) so CSV and JSON stay plain data.
    """
    if fmt is Format.CSV:
        emit_text(frame.to_csv(index=False), out)
    elif fmt is Format.JSON:
        emit_json(json_records(frame), out)
    else:
        # With --out the table goes only to the file (atomically), not also to the terminal.
        console = _console(out)
        console.print(frame_to_table(frame, title, caption))
        if out is not None:
            emit_text(console.export_text(), out)


def solver_line(iterations: int, max_residual: float, seconds: float, converged: bool) -> str:
    """The solver diagnostics in words."""
    state = "converged" if converged else "did NOT converge"
    return (
        f"solver: {state} in {iterations} iterations ({seconds:.2f} s); largest equilibrium-equation "
        f"residual {max_residual:.1e}"
    )
