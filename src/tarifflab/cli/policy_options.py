"""Options shared by every command that reads the tariff engine: ``--scenario`` and ``--strict-dates``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import typer

from tarifflab.cli.output import Format
from tarifflab.policy.engine import MfnBasis, TariffEngine, parse_date
from tarifflab.policy.library import MeasureLibrary
from tarifflab.policy.scenario import library_with_scenarios

SCENARIO_HELP = "scenario YAML file applied to the measure library (repeatable, applied in order)"
STRICT_HELP = "refuse entry dates after the library's date instead of answering with the law as last known"


def scenario_option() -> list[Path]:
    return typer.Option([], "--scenario", help=SCENARIO_HELP, dir_okay=False)


def strict_option() -> bool:
    return typer.Option(False, "--strict-dates", help=STRICT_HELP)


def scenario_engine(
    scenarios: list[Path] | None, mfn_basis: MfnBasis | str = MfnBasis.APPLIED
) -> TariffEngine:
    """The engine on the built-in library with ``scenarios`` applied (the default engine without any)."""
    if not scenarios:
        return TariffEngine.default(mfn_basis)
    return TariffEngine.for_library(library_with_scenarios(list(scenarios)), mfn_basis)


def check_dates(strict: bool, *dates: tuple[str | dt.date | None, str]) -> None:
    """Parse each (value, name); with ``strict`` a date past the library's date is refused."""
    for value, what in dates:
        if value is not None:
            parse_date(value, what=what, strict=strict)


def stamp_frame(frame: pd.DataFrame, library: MeasureLibrary, on: dt.date | None) -> pd.DataFrame:
    """Add law_known_on, stale_days and scenario_hash columns (per row where the frame has a date)."""
    out = frame.copy()
    out["law_known_on"] = library.law_known_on.isoformat()
    if "date" in out.columns:
        dates = pd.to_datetime(out["date"]).dt.date
        out["stale_days"] = [library.stale_days(d) for d in dates]
    else:
        out["stale_days"] = library.stale_days(on) if on is not None else 0
    out["scenario_hash"] = library.scenario_hash
    return out


def footer_lines(library: MeasureLibrary, last_date: dt.date | None) -> list[str]:
    """Lines printed under a table: the staleness warning and the scenario hash."""
    lines = []
    if last_date is not None and library.stale_days(last_date) > 0:
        lines.append(f"warning: {library.stale_warning()}")
    if library.scenario_hash is not None:
        lines.append(f"scenario {library.scenario_hash}")
    return lines


def emit_footer(fmt: Format, library: MeasureLibrary, last_date: dt.date | None, out: Path | None) -> None:
    """Under a table: on the terminal with it, or on stderr when the table went to a file."""
    if fmt is Format.TABLE:
        for line in footer_lines(library, last_date):
            typer.echo(line, err=out is not None)
