"""``tarifflab search``: find HTS-10 lines by words of their descriptions, or list a code's lines."""

from __future__ import annotations

from pathlib import Path

import typer

from tarifflab.cli.output import Format, emit_frame


def search(
    query: str = typer.Argument(
        ..., help='words ("laptop", "passenger cars") or the start of a code (8703.23)'
    ),
    limit: int = typer.Option(20, "--limit", min=1, help="at most this many lines"),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table, csv or json"),
    out: Path | None = typer.Option(None, "--out", help="write to this file instead of the terminal"),
) -> None:
    """HTS-10 lines whose heading, parent lines or own text match QUERY, best first (BM25)."""
    from tarifflab.nomenclature.search import expand_query, search_products

    hits = search_products(query, limit=limit)
    is_code = query.replace(".", "").replace(" ", "").isdigit()
    if is_code:
        title = f"HTS-10 lines under {query} ({len(hits)} shown)"
        columns = ["hts10", "description"]
    else:
        title = f"HTS-10 lines matching {query!r}, best first"
        columns = ["hts10", "description", "score"]
    words = " ".join(dict.fromkeys(expand_query(query)))
    caption = "2025 HTSUS basic edition (USITC); description: heading; last two levels of the line."
    if not is_code:
        caption += f"\nwords searched: {words}\nscore: BM25 relevance over the line's heading, parents and own text (higher is better)"
    caption += "\nnext: tarifflab duty HTS10 --origin ISO3 --date YYYY-MM-DD"
    emit_frame(hits[columns] if fmt is Format.TABLE else hits, fmt, out, title=title, caption=caption)


def register(app: typer.Typer) -> None:
    """Attach ``search`` to the root app."""
    app.command("search")(search)
