"""CLI commands of the tariff engine: ``duty`` and ``etr``. Each is a thin wrapper over the public API."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console

from tarifflab.cli.captions import claims_line, etr_caption, law_line
from tarifflab.cli.output import Format, emit_frame, emit_json, emit_text, frame_to_table
from tarifflab.cli.policy_options import (
    check_dates,
    emit_footer,
    footer_lines,
    scenario_engine,
    scenario_option,
    stamp_frame,
    strict_option,
)
from tarifflab.errors import InvalidInputError
from tarifflab.policy.engine import DutyResult, MfnBasis, View, parse_date
from tarifflab.policy.shipment import CLAIM_HELP, aggregate_terms

ETR_CLAIM_HELP = (
    "an entry claim assumed made for every eligible line (repeatable; default none): "
    + "; ".join(f"{name}: {what}" for name, what in sorted(CLAIM_HELP.items()))
    + ". civil_aircraft is the public trackers' convention"
)


def etr_claim_option() -> list[str]:
    return typer.Option([], "--claim", help=ETR_CLAIM_HELP)


def duty(
    hts: str = typer.Argument(..., help="HTS code, 6 to 10 digits, dots optional (8703.23.01.40)"),
    origin: str = typer.Option(..., "--origin", help="country of origin: ISO3 or name (JPN, Japan)"),
    date: str = typer.Option(..., "--date", help="entry date YYYY-MM-DD"),
    value: float | None = typer.Option(None, "--value", help="customs value in USD"),
    view: View = typer.Option(View.IN_FORCE, "--view", help="in-force, as-known or net-of-refunds"),
    as_known_on: str | None = typer.Option(
        None, "--as-known-on", help="with --view as-known: law as published on this date"
    ),
    mfn_basis: MfnBasis = typer.Option(
        MfnBasis.APPLIED, "--mfn-basis", help="applied (FTA rates) or statutory"
    ),
    usmca_qualifying: bool = typer.Option(
        False, "--usmca-qualifying", help="a Canadian or Mexican good that claims USMCA"
    ),
    all_lines: bool = typer.Option(
        False,
        "--all-lines",
        help="a code shorter than 10 digits: the duty on every HTS-10 line it covers (one row each)",
    ),
    loaded_on: str | None = typer.Option(
        None, "--loaded-on", help="date the goods were loaded on the vessel (in-transit clauses)"
    ),
    over_quota: bool = typer.Option(
        False, "--over-quota", help="entered above a quota (UK vehicles beyond 100,000 a year)"
    ),
    civil_aircraft: bool = typer.Option(
        False, "--civil-aircraft", help="claim civil-aircraft end use (General Note 6)"
    ),
    s301_exclusion: bool = typer.Option(
        False, "--s301-exclusion", help="claim a described s.301 product exclusion (9903.88.69/.70)"
    ),
    claim: list[str] = typer.Option(
        [],
        "--claim",
        help="a fact of the shipment the HTS line does not show (repeatable): generic_pharmaceutical, "
        "annex_iii_company, thermal_imaging, not_vehicle_part, metal_under_15pct",
    ),
    quantity: float | None = typer.Option(
        None, "--quantity", help="quantity, for an exact specific or compound duty (with --unit and --value)"
    ),
    unit: str | None = typer.Option(
        None, "--unit", help="unit of --quantity: kg, g, liter, doz, no, bbl, ..."
    ),
    us_content_share: float | None = typer.Option(
        None, "--us-content-share", help="approved U.S. content (0-1) of a USMCA vehicle (U.S. note 33(d))"
    ),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table or json (csv with --all-lines)"),
    out: Path | None = typer.Option(None, "--out", help="write to this file instead of the terminal"),
    scenario: list[Path] = scenario_option(),
    strict_dates: bool = strict_option(),
) -> None:
    """The duty on one product from one origin on one date, layer by layer with its legal basis."""
    check_dates(strict_dates, (date, "date"))
    engine = scenario_engine(scenario, mfn_basis)
    options = {
        "value_usd": value,
        "view": view,
        "as_known_on": as_known_on,
        "usmca_qualifying": usmca_qualifying,
        "loaded_on": loaded_on,
        "over_quota": over_quota,
        "civil_aircraft": civil_aircraft,
        "s301_exclusion": s301_exclusion,
        "claims": tuple(claim),
        "quantity": quantity,
        "unit": unit,
        "us_content_share": us_content_share,
    }
    if all_lines:
        results = engine.duty_all_lines(hts, origin, date, **options)  # type: ignore[arg-type]
        _emit_all_lines(hts, results, fmt, out, engine.library.law_known_on)
        emit_footer(fmt, engine.library, results[0].date, out)
        return
    if fmt is Format.CSV:
        raise InvalidInputError("duty prints table or json (csv only with --all-lines)")
    result = engine.duty(hts, origin, date, **options)  # type: ignore[arg-type]
    if fmt is Format.JSON:
        emit_json(result.to_dict(), out)
        return
    layers = pd.DataFrame(
        [
            {
                "instrument": layer.instrument,
                "rate_pct": "prohibited" if layer.prohibited else layer.rate_pct,
                "legal_basis": layer.legal_basis,
                "refundable": "yes" if layer.refundable else "",
                "confidence": ", ".join(layer.confidence),
            }
            for layer in result.layers
        ]
    )
    if not layers["confidence"].str.len().any():
        layers = layers.drop(columns="confidence")
    title = f"{result.hts10} {result.description}\nfrom {result.origin}, entered {result.date}"
    caption = (
        f"rate_pct: percent of customs value. "
        f"{law_line(result.view, result.date, as_known_on, engine.library.law_known_on)}; "
        f"MFN basis {engine.mfn_basis.value}"
    )
    # With --out the table goes only to the file (atomically), not also to the terminal.
    console = Console(
        file=io.StringIO() if out is not None else None, record=True, width=160 if out else None
    )
    console.print(frame_to_table(layers, title, caption))
    summary = f"total {result.total_rate_pct:.2f}%  refundable {result.refundable_pct:.2f}%"
    if result.prohibited:
        summary = "total: prohibited (entry barred; no rate applies)"
    elif result.duty_usd is not None:
        summary += f"  duty USD {result.duty_usd:,.2f} on USD {result.value_usd:,.2f}"
    console.print(summary)
    for note in result.notes:
        console.print(f"note: {note}")
    for line in footer_lines(engine.library, result.date):
        console.print(line)
    if out is not None:
        emit_text(console.export_text(), out)


def _emit_all_lines(
    code: str, results: list[DutyResult], fmt: Format, out: Path | None, law_known_on: dt.date
) -> None:
    """One row per HTS-10 line: total and refundable rate, and the duty when a value was given."""
    frame = pd.DataFrame(
        [
            {
                "hts10": r.hts10,
                "description": r.description,
                "total_rate_pct": r.total_rate_pct,
                "refundable_pct": r.refundable_pct,
                **({"duty_usd": r.duty_usd} if r.value_usd is not None else {}),
            }
            for r in results
        ]
    )
    if fmt is Format.JSON:
        emit_json([r.to_dict() for r in results], out)
        return
    first = results[0]
    title = f"Duty on the {len(results)} HTS-10 lines under {code}, from {first.origin}, entered {first.date}"
    caption = f"rates: percent of customs value. {law_line(first.view, first.date, None, law_known_on)}"
    emit_frame(frame, fmt, out, title=title, caption=caption)


def etr(
    ctx: typer.Context,
    date: str | None = typer.Option(None, "--date", help="entry date YYYY-MM-DD"),
    start: str | None = typer.Option(None, "--start", help="first date of a daily series"),
    end: str | None = typer.Option(None, "--end", help="last date of a daily series"),
    by: str = typer.Option("partner", "--by", help="partner or sector (HS section; --scheme for others)"),
    scheme: str = typer.Option("section", "--scheme", help="with --by sector: section, chapter or gtap"),
    partner: str | None = typer.Option(None, "--partner", help="restrict to one partner (ISO3 or name)"),
    view: View = typer.Option(View.IN_FORCE, "--view"),
    as_known_on: str | None = typer.Option(None, "--as-known-on"),
    claim: list[str] = etr_claim_option(),
    fmt: Format = typer.Option(Format.TABLE, "--format"),
    out: Path | None = typer.Option(None, "--out"),
    scenario: list[Path] = scenario_option(),
    strict_dates: bool = strict_option(),
) -> None:
    """Effective tariff rate (2024 import weights) by partner or sector on a date, or a daily series.

    ``etr compare`` sets it beside the public trackers' published figures.
    """
    if ctx.invoked_subcommand is not None:
        return
    from tarifflab.metrics.etr import etr_by_partner, etr_by_sector, etr_series

    check_dates(strict_dates, (date, "date"), (start, "start date"), (end, "end date"))
    claims = aggregate_terms(claim).claims  # an unknown name fails here, before any evaluation
    engine = scenario_engine(scenario)
    if start is not None or end is not None:
        if start is None or end is None or date is not None:
            raise InvalidInputError("a series needs both --start and --end (and no --date)")
        frame = etr_series(start, end, partner=partner, view=view, engine=engine, claims=claims)
        last = parse_date(end, what="end date")
    elif date is None:
        raise InvalidInputError("give --date, or --start and --end for a daily series")
    elif by == "partner":
        frame = etr_by_partner(
            date, view=view, as_known_on=as_known_on, partner=partner, engine=engine, claims=claims
        )
        last = parse_date(date)
    elif by == "sector":
        frame = etr_by_sector(
            date,
            view=view,
            as_known_on=as_known_on,
            partner=partner,
            scheme=scheme,
            engine=engine,
            claims=claims,
        )
        last = parse_date(date)
    else:
        raise InvalidInputError(f"unknown --by {by!r} (choose partner or sector)")
    columns = (
        [c for c in frame.columns if c != "refundable_usd"] if fmt is not Format.JSON else list(frame.columns)
    )
    if start is not None:
        title = f"Effective tariff rate, daily, {start} to {end}" + (f", {partner}" if partner else "")
    else:
        title = f"Effective tariff rate by {by if by == 'partner' else scheme}, entries on {date}"
    when = date if start is None else f"each day {start} to {end}"
    caption = etr_caption(view, when, as_known_on, engine.library.law_known_on, claims)
    shown = (
        frame[columns]
        if fmt is not Format.JSON
        else stamp_frame(frame[columns], engine.library, last).assign(claims=",".join(sorted(claims)))
    )
    emit_frame(shown, fmt, out, title=title, caption=caption)
    emit_footer(fmt, engine.library, last, out)


def refunds(
    start: str = typer.Option("2025-01-01", "--start", help="first entry date"),
    end: str = typer.Option(
        "2026-02-23", "--end", help="last entry date (IEEPA collection ended 2026-02-24)"
    ),
    fmt: Format = typer.Option(Format.TABLE, "--format"),
    out: Path | None = typer.Option(None, "--out"),
    scenario: list[Path] = scenario_option(),
    strict_dates: bool = strict_option(),
) -> None:
    """IEEPA duties owed back after the Supreme Court ruling, by partner (behaviour-free 2024 weights)."""
    from tarifflab.metrics.etr import ieepa_refunds_owed

    check_dates(strict_dates, (start, "start date"), (end, "end date"))
    engine = scenario_engine(scenario)
    owed = ieepa_refunds_owed(start, end, engine=engine)
    total = pd.DataFrame({"partner": ["ALL"], "refundable_usd": [owed["refundable_usd"].sum()]})
    caption = (
        f"refundable_usd: IEEPA duties on entries {start} to {end}, US dollars at 2024 import volumes "
        "(behaviour-free); owed back after Learning Resources, Inc. v. Trump (2026-02-20)"
    )
    frame = pd.concat([total, owed], ignore_index=True)
    last = parse_date(end, what="end date")
    shown = frame if fmt is not Format.JSON else stamp_frame(frame, engine.library, last)
    emit_frame(shown, fmt, out, title="IEEPA duties owed back, by partner", caption=caption)
    emit_footer(fmt, engine.library, last, out)


def etr_compare(
    dates: list[str] = typer.Option(
        [], "--date", help="only trackers' figures in force on this date (repeat)"
    ),
    partners: list[str] = typer.Option([], "--partner", help="only this partner (ISO3, name or ALL; repeat)"),
    sources: list[str] = typer.Option(
        [], "--source", help="tradewartracker, yale-budget-lab or yale-realised (repeat; default all)"
    ),
    claim: list[str] = etr_claim_option(),
    fmt: Format = typer.Option(Format.TABLE, "--format"),
    out: Path | None = typer.Option(None, "--out"),
) -> None:
    """Our ETR beside every public tracker's figure, for every date and partner where one exists.

    Needs the trackers' files (reference data, ../shared/data/tariffs); gap_pp = ours − tracker.
    """
    from tarifflab.metrics.reconcile import compare_etr

    claims = aggregate_terms(claim).claims
    frame = compare_etr(dates or None, partners=partners or None, sources=sources or None, claims=claims)
    if fmt is Format.TABLE:
        frame = frame.drop(columns=["definition", "reference"])
    else:
        frame = frame.assign(claims=",".join(sorted(claims)))
    emit_frame(
        frame,
        fmt,
        out,
        title="Our ETR beside the public trackers (percent)",
        caption=f"ours_pct {claims_line(claims)}",
    )


def register(app: typer.Typer) -> None:
    """Attach the tariff-engine commands to the root app."""
    app.command("duty")(duty)
    etr_group = typer.Typer(no_args_is_help=False)
    etr_group.callback(invoke_without_command=True)(etr)
    etr_group.command("compare")(etr_compare)
    app.add_typer(etr_group, name="etr")
    app.command("refunds")(refunds)
