"""Rendering results for the terminal: rich tables, CSV and JSON, written atomically to --out."""

from __future__ import annotations

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


def frame_to_table(frame: pd.DataFrame, title: str | None = None) -> Table:
    table = Table(title=title, show_lines=False)
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


def emit_frame(frame: pd.DataFrame, fmt: Format, out: Path | None, title: str | None = None) -> None:
    """Write a frame as a rich table, CSV or JSON records."""
    if fmt is Format.CSV:
        emit_text(frame.to_csv(index=False, float_format="%.6g"), out)
    elif fmt is Format.JSON:
        emit_json(json_records(frame), out)
    elif out is None:
        Console().print(frame_to_table(frame, title))
    else:
        emit_text(frame.to_string(index=False), out)
