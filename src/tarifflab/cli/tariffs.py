"""CLI commands of the tariff engine: duty, etr, reciprocal."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach the tariff-engine commands to the root app."""
