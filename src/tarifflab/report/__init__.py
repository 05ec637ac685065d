"""HTML reports. ``build_report("us-japan", "report.html")`` writes the project's main deliverable."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from tarifflab._io import atomic_write
from tarifflab.errors import BackendUnavailableError, InvalidInputError
from tarifflab.report import us_japan
from tarifflab.report.context import SCENARIOS
from tarifflab.report.html import Section, render_document

CASES = {"us-japan": us_japan}


@contextmanager
def _scenarios_set(scenarios: tuple[tuple[str, str], ...]) -> Iterator[None]:
    token = SCENARIOS.set(scenarios)
    try:
        yield
    finally:
        SCENARIOS.reset(token)


def lead_paragraph(scenarios: tuple[tuple[str, str], ...] = (), today: dt.date | None = None) -> str:
    """The report's first paragraph: the law's date, how stale it is today, and the scenario applied."""
    from tarifflab.app import services

    library = services.library_for(scenarios)
    day = today or dt.date.today()
    text = f"Duties and effective rates use the US law as known on {library.law_known_on} (the measure library's date)."
    stale = library.stale_days(day)
    if stale:
        text += (
            f" Today ({day}) is {stale} days later: {library.stale_warning()}; dates after "
            f"{library.law_known_on} are answered with that law."
        )
    if library.scenario_hash:
        names = ", ".join(name for name, _ in scenarios)
        text += (
            f" Scenario {library.scenario_hash} ({names}) is applied to the law: these are what-if numbers."
        )
    return text


@dataclass(frozen=True)
class ReportSummary:
    """What was written: section and chart counts, and each unavailable section with its reason."""

    path: Path
    sections: int
    sections_ok: int
    charts: int
    unavailable: tuple[tuple[str, str], ...]


def build_report(
    case: str,
    out: str | os.PathLike[str],
    *,
    show_progress: bool = True,
    scenarios: tuple[tuple[str, str], ...] = (),
) -> ReportSummary:
    """Build the report ``case`` and write it atomically to ``out``.

    ``scenarios``: scenario files as (name, YAML text), applied to the tariff engine in order; the first
    paragraph names their hash and the date of the law the numbers use.

    A section whose back end is missing says so in the report ("Not available: <reason>"); any other
    error (bad data, non-converging model) propagates as the named error and nothing is written.
    """
    if case not in CASES:
        raise InvalidInputError(f"unknown report {case!r}; available: {', '.join(sorted(CASES))}")
    module = CASES[case]
    from tarifflab.app import services

    services.library_for(scenarios)  # a malformed scenario fails here, before any section runs
    sections: list[Section] = []
    counter = [0]
    console = Console(stderr=True)
    with (
        _scenarios_set(scenarios),
        Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not show_progress,
        ) as progress,
    ):
        task = progress.add_task("report", total=len(module.SECTIONS))
        for key, title, builder in module.SECTIONS:
            progress.update(task, description=title)
            section = Section(key=key, title=title)
            try:
                builder(section, counter)
            except BackendUnavailableError as missing:
                section.unavailable = str(missing)
            sections.append(section)
            progress.advance(task)
    document = render_document(module.TITLE, module.SUBTITLE, sections, lead_paragraph(scenarios))
    target = Path(out)
    with atomic_write(target) as handle:
        handle.write(document)
    umask = os.umask(0)
    os.umask(umask)
    target.chmod(0o666 & ~umask)  # a report is for reading: not the 0600 of the temporary file
    return ReportSummary(
        path=target,
        sections=len(sections),
        sections_ok=sum(1 for s in sections if not s.unavailable),
        charts=counter[0],
        unavailable=tuple((s.title, s.unavailable) for s in sections if s.unavailable),
    )
