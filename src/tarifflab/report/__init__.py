"""HTML reports. ``build_report("us-japan", "report.html")`` writes the project's main deliverable."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from tarifflab._io import atomic_write
from tarifflab.errors import BackendUnavailableError, InvalidInputError
from tarifflab.report import us_japan
from tarifflab.report.html import Section, render_document

CASES = {"us-japan": us_japan}


@dataclass(frozen=True)
class ReportSummary:
    """What was written: section and chart counts, and each unavailable section with its reason."""

    path: Path
    sections: int
    sections_ok: int
    charts: int
    unavailable: tuple[tuple[str, str], ...]


def build_report(case: str, out: str | os.PathLike[str], *, show_progress: bool = True) -> ReportSummary:
    """Build the report ``case`` and write it atomically to ``out``.

    A section whose back end is missing says so in the report ("Not available: <reason>"); any other
    error (bad data, non-converging model) propagates as the named error and nothing is written.
    """
    if case not in CASES:
        raise InvalidInputError(f"unknown report {case!r}; available: {', '.join(sorted(CASES))}")
    module = CASES[case]
    sections: list[Section] = []
    counter = [0]
    console = Console(stderr=True)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not show_progress,
    ) as progress:
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
    document = render_document(module.TITLE, module.SUBTITLE, sections)
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
