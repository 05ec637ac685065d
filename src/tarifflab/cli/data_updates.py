"""``tarifflab data update|hts|diff|news|status``: keeping the engine current from the official sources.

Online steps (``update hts`` from a URL, ``news``) are explicit; everything else works offline.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from pathlib import Path

import pandas as pd
import typer

from tarifflab.cli.output import Format, emit_frame, emit_json, emit_text
from tarifflab.errors import DataError, InvalidInputError

update_app = typer.Typer(help="Update reference data from the official sources.", no_args_is_help=True)


def _read_source(source: str) -> bytes:
    if source.startswith(("http://", "https://")):
        import requests

        try:
            response = requests.get(source, timeout=120)
            response.raise_for_status()
        except requests.RequestException as error:
            raise DataError(f"cannot download {source}: {type(error).__name__}") from None
        return response.content
    path = Path(source)
    try:
        return path.read_bytes()
    except OSError as error:
        raise DataError(f"cannot read {source}: {error.strerror or error}") from None


@update_app.command("hts")
def update_hts(
    source: str = typer.Option(..., "--from", help="USITC HTS JSON export: a file or an https URL"),
    revision: str | None = typer.Option(
        None, "--revision", help='revision id, e.g. "2026 Revision 21" (default: from the file name)'
    ),
    date: str | None = typer.Option(None, "--date", help="the revision's date YYYY-MM-DD (default: today)"),
) -> None:
    """Read a USITC HTS export (JSON) and store it, with its id, date and SHA-256, as the revision in use."""
    from tarifflab.data.hts_revision import revision_from_name, store_revision
    from tarifflab.policy.engine import parse_date

    name = revision or revision_from_name(Path(source).name)
    if not name:
        raise InvalidInputError(
            f"cannot tell the revision from {Path(source).name!r}: give --revision (e.g. '2026 Revision 21')"
        )
    when = parse_date(date, what="revision date", check_coverage=False) if date else dt.date.today()
    info = store_revision(_read_source(source), source, name, when)
    typer.echo(f"stored HTS {info.revision} ({info.date}, {info.lines} lines, sha256 {info.sha256[:16]}…)")


def hts(
    line: str = typer.Argument(..., help="HTS number, dots optional (8703.23.01 or 8703230140)"),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table or json"),
) -> None:
    """One line as the stored revision states it: rate text, parsed rate, AVE and Chapter 99 references."""
    from tarifflab.data.hts_revision import find_line, require_revision
    from tarifflab.policy.hts_update import line_record, with_rates

    info, lines = require_revision()
    found = find_line(lines, line, info.revision)
    record = line_record(with_rates(found.to_frame().T.reset_index(drop=True)).iloc[0], info.revision)
    if fmt is Format.JSON:
        emit_json(record, None)
        return
    rows = pd.DataFrame({"field": list(record), "value": [str(v) for v in record.values()]})
    caption = (
        f"as stated by HTS {info.revision} of {info.date} (USITC), sha256 {info.sha256[:16]}; "
        "general: column 1 rate text; mfn_ad_valorem_pct and ave_pct: percent of customs value "
        "(ave_pct: ad valorem equivalent of a specific rate)"
    )
    emit_frame(rows, fmt, None, title=f"HTS {record['hts']} ({info.revision})", caption=caption)


def diff(
    fmt: Format = typer.Option(Format.TABLE, "--format"),
    out: Path | None = typer.Option(None, "--out"),
) -> None:
    """Chapter 99 headings whose lines in the stored revision disagree with the library's scopes."""
    from tarifflab.data.hts_revision import require_revision
    from tarifflab.policy.engine import TariffEngine
    from tarifflab.policy.hts_update import chapter99_diff
    from tarifflab.policy.library import COVERAGE_START

    info, lines = require_revision()
    engine = TariffEngine.default()
    on = max(COVERAGE_START, min(dt.date.fromisoformat(info.date), engine.library.law_known_on))
    frame = chapter99_diff(lines, engine, on)
    caption = (
        f"lines_*: counts of HTS-10 leaf lines whose footnotes (HTS {info.revision} of {info.date}) or "
        f"whose library scopes on {on} name the heading; law known to {engine.library.law_known_on}"
    )
    title = f"HTS {info.revision} against the library as known on {on}"
    emit_frame(frame, fmt, out, title=title, caption=caption)


def news(
    since: str = typer.Option(..., "--since", help="first publication date YYYY-MM-DD"),
    term: str = typer.Option("tariff", "--term", help="full-text search term"),
    fmt: Format = typer.Option(Format.TABLE, "--format"),
    out: Path | None = typer.Option(None, "--out"),
) -> None:
    """Federal Register documents on tariffs published since a date (online), for a person to encode."""
    from tarifflab.data.federal_register import tariff_documents
    from tarifflab.policy.engine import parse_date

    first = parse_date(since, what="--since date", check_coverage=False)
    if first > dt.date.today():
        raise InvalidInputError(f"--since {first} is in the future")
    frame = tariff_documents(first, term=term)
    shown = frame if fmt is not Format.TABLE else frame.drop(columns=["html_url"])
    from tarifflab.policy.library import LAW_KNOWN_ON

    caption = (
        f"Federal Register API, rules, presidential documents and notices matching {term!r}, by "
        f"publication date; the measure library knows the law to {LAW_KNOWN_ON}"
    )
    title = f"Federal Register documents on {term!r} since {first}"
    emit_frame(shown, fmt, out, title=title, caption=caption)


def status(fmt: Format = typer.Option(Format.TABLE, "--format")) -> None:
    """The library's date, the HTS revision in use, and each embedded data source with its date and hash."""
    from tarifflab.data.embedded import embedded_path
    from tarifflab.data.hts_revision import current_revision, revisions_dir
    from tarifflab.policy.library import load_library

    library = load_library()
    found = current_revision()
    provenance = embedded_path("PROVENANCE.csv")
    sources = []
    with provenance.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            path = provenance.parent / row["file"]
            actual = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
            sources.append(
                {
                    "source": f"embedded/{row['file']}",
                    "date": dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
                    if path.exists()
                    else None,
                    "sha256": row["sha256"],
                    "check": "ok"
                    if actual == row["sha256"]
                    else ("missing" if actual is None else "MODIFIED"),
                }
            )
    summary = {
        "law_known_on": library.law_known_on.isoformat(),
        "law_known_on_source": library.metadata.law_known_on_source,
        "library_hash": library.content_hash,
        "hts_revision": None if found is None else found[0].revision,
        "hts_revision_date": None if found is None else found[0].date,
        "hts_revision_sha256": None if found is None else found[0].sha256,
        "hts_store": str(revisions_dir()),
    }
    if fmt is Format.JSON:
        emit_json({**summary, "sources": sources}, None)
        return
    lines = [
        f"measure library: law as known on {summary['law_known_on']} ({summary['law_known_on_source']})",
        f"library hash: {library.content_hash[:16]}",
        (
            f"HTS revision in use: {summary['hts_revision']} of {summary['hts_revision_date']} "
            f"(sha256 {str(summary['hts_revision_sha256'])[:16]}…)"
            if found is not None
            else "HTS revision in use: none stored (engine MFN rates: embedded 2025 HTSUS schedule); "
            "run `tarifflab data update hts --from FILE_OR_URL`"
        ),
    ]
    emit_text("\n".join(lines), None)
    frame = pd.DataFrame(sources)
    frame["sha256"] = frame["sha256"].str[:16]
    caption = (
        "date: the file's modification date; sha256: first 16 hex digits of the hash in PROVENANCE.csv; "
        f"check: ok when the file's SHA-256 matches it; law known to {summary['law_known_on']}"
    )
    emit_frame(frame, Format.TABLE, None, title="Embedded data sources (date: file date)", caption=caption)


def register(app: typer.Typer) -> None:
    """Attach the update commands to ``tarifflab data``."""
    app.add_typer(update_app, name="update")
    app.command("hts")(hts)
    app.command("diff")(diff)
    app.command("news")(news)
    app.command("status")(status)
