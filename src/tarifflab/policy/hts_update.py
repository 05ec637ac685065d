"""What a stored HTS revision means for the engine: MFN rates with AVEs, and Chapter 99 references against the
library's scopes (``tarifflab data hts`` and ``tarifflab data diff``).

AVE of a specific or compound duty (fraction → percent): the 2024 Census calculated duty over the 2024
customs value on the line, over partners claiming no preference (the specific amount over the 2024 unit
value, plus the ad valorem part), never below the ad valorem part. It holds while the specific amount is
the one of 2024, which is true of nearly every line (MFN specific rates are bound at the WTO).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import pandas as pd

from tarifflab.data.embedded import embedded_path
from tarifflab.policy.engine import FTA_PARTNERS, TariffEngine
from tarifflab.policy.library import MeasureLibrary
from tarifflab.policy.rates import parse_rate

_HEADING = re.compile(r"\b99\d{2}\.\d{2}\.\d{2}\b")


def observed_ave_2024() -> pd.Series:
    """2024 calculated duty ÷ customs value by HS10, over partners claiming no preference (fraction)."""
    trade = pd.read_parquet(embedded_path("us_imports_2024.parquet"))
    pool = trade[~trade["partner"].astype(str).isin(FTA_PARTNERS | {"CHN"})]
    sums = pool.groupby("hs10")[["duty_usd", "imports_usd"]].sum()
    sums = sums[sums["imports_usd"] > 0]
    return sums["duty_usd"] / sums["imports_usd"]


def rate_fields(text: str) -> dict[str, Any]:
    """The general rate text read with :func:`tarifflab.policy.rates.parse_rate`.

    ``rate_kind``: free, ad_valorem, specific, compound, empty (no rate stated) or unparsed (kept as text,
    never read as 0); ``mfn_ad_valorem_pct``: the ad valorem part in percent (null for specific-only and
    unparsed rates); ``specific``: ``[{"amount_usd", "unit"}]`` per unit of quantity (null if none).
    """
    clean = str(text or "").strip()
    if not clean:
        return {"rate_kind": "empty", "mfn_ad_valorem_pct": None, "specific": None}
    rate = parse_rate(clean)
    if not rate.readable:
        return {"rate_kind": "unparsed", "mfn_ad_valorem_pct": None, "specific": None}
    specific = [{"amount_usd": amount, "unit": unit} for amount, unit in rate.specific] or None
    ad_valorem = round(100 * rate.ad_valorem, 6)
    if clean.lower() == "free":
        kind = "free"
    elif specific and rate.ad_valorem > 0:
        kind = "compound"
    elif specific:
        kind = "specific"
    else:
        kind = "ad_valorem"
    return {
        "rate_kind": kind,
        "mfn_ad_valorem_pct": None if kind == "specific" else ad_valorem,
        "specific": specific,
    }


def with_rates(lines: pd.DataFrame) -> pd.DataFrame:
    """Revision lines with ``rate_kind``, ``mfn_ad_valorem_pct``, ``specific``, ``ave_pct`` and ``ave_note``."""
    fields = pd.DataFrame([rate_fields(text) for text in lines["general"]], index=lines.index)
    return with_ave(pd.concat([lines, fields], axis=1))


def with_ave(lines: pd.DataFrame) -> pd.DataFrame:
    """Add ``ave_pct`` (ad valorem equivalent, percent) and ``ave_note`` to revision lines.

    Free and ad valorem lines: their rate. Specific and compound lines: see the module docstring; a 10-digit
    line without 2024 trade takes the pool of its 8-digit siblings. Unparsed and empty rates stay null with
    a note saying so (never 0).
    """
    observed = observed_ave_2024()
    by_hs8 = observed.groupby(observed.index.str[:8]).mean()
    out = lines.copy()
    ave: list[float | None] = []
    notes: list[str] = []
    for code, kind, ad_valorem in out[["hts", "rate_kind", "mfn_ad_valorem_pct"]].itertuples(index=False):
        if kind in ("free", "ad_valorem"):
            ave.append(float(ad_valorem))
            notes.append("")
        elif kind in ("specific", "compound"):
            seen = observed.get(code) if len(code) == 10 else None
            if seen is None:
                seen = by_hs8.get(code[:8])
            if seen is None or not np.isfinite(seen):
                ave.append(None)
                notes.append("no 2024 trade to convert the specific duty")
            else:
                floor = float(ad_valorem) if kind == "compound" and ad_valorem is not None else 0.0
                ave.append(max(100 * float(seen), floor))
                notes.append("AVE from 2024 unit values (Census calculated duty / value)")
        else:
            ave.append(None)
            notes.append("rate not parsed: read the text" if kind == "unparsed" else "no rate stated")
    out["ave_pct"] = ave
    out["ave_note"] = notes
    return out


def line_record(line: pd.Series, revision: str) -> dict[str, Any]:
    """A revision line as ``tarifflab data hts`` shows it."""
    specific = line["specific"] or []
    ad_valorem = line["mfn_ad_valorem_pct"]
    return {
        "hts": line["htsno"],
        "description": line["description"],
        "general": line["general"],
        "rate_kind": line["rate_kind"],
        "mfn_ad_valorem_pct": None if ad_valorem is None or pd.isna(ad_valorem) else float(ad_valorem),
        "specific": specific or None,
        "ave_pct": None
        if line.get("ave_pct") is None or pd.isna(line.get("ave_pct"))
        else float(line["ave_pct"]),
        "ave_note": line.get("ave_note") or None,
        "chapter99": list(line["chapter99"]),
        "revision": revision,
    }


def headings_of(library: MeasureLibrary) -> dict[str, list[str]]:
    """Chapter 99 heading → ids of the library measures that name it."""
    named: dict[str, list[str]] = {}
    for measure in library.measures:
        for heading in _HEADING.findall(measure.heading or ""):
            named.setdefault(heading, []).append(measure.id)
    return named


def chapter99_diff(lines: pd.DataFrame, engine: TariffEngine, on: dt.date, examples: int = 5) -> pd.DataFrame:
    """For each Chapter 99 heading the revision's footnotes name: the lines whose references disagree with
    the scopes of the library measures naming that heading, or that no measure names it.

    Columns: heading, measures, status, lines_in_hts, lines_only_in_hts, lines_only_in_library, examples.
    Only leaf lines are compared; a measure on all products is not compared line by line (its scope is
    not written in footnotes).
    """
    leaves = lines[lines["leaf"] & (lines["hts"].str.len() >= 8) & ~lines["hts"].str.startswith("99")]
    codes = leaves["hts"].str.ljust(10, "0").to_numpy(dtype=str)
    named = headings_of(engine.library)
    referenced: dict[str, set[str]] = {}
    for code, refs in zip(leaves["htsno"], leaves["chapter99"], strict=True):
        for ref in refs:
            referenced.setdefault(ref, set()).add(code)
    rows = []
    for heading in sorted(referenced):
        in_hts = referenced[heading]
        ids = named.get(heading, [])
        if not ids:
            rows.append(
                _diff_row(heading, ids, "named by no library measure", in_hts, set(), set(), examples)
            )
            continue
        measures = [engine.library.by_id(i) for i in ids]
        if any(m.products.all for m in measures):
            continue
        mask = np.zeros(len(codes), dtype=bool)
        for measure in measures:
            mask |= engine.in_scope(measure, on, codes)
        in_library = set(leaves.loc[mask, "htsno"])
        only_hts, only_library = in_hts - in_library, in_library - in_hts
        if only_hts or only_library:
            rows.append(_diff_row(heading, ids, "scopes disagree", in_hts, only_hts, only_library, examples))
    columns = ["heading", "measures", "status", "lines_in_hts", "lines_only_in_hts", "lines_only_in_library",
               "examples"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _diff_row(
    heading: str,
    ids: list[str],
    status: str,
    in_hts: set[str],
    only_hts: set[str],
    only_library: set[str],
    n: int,
) -> dict[str, Any]:
    shown = (
        sorted(only_hts)[:n] + sorted(only_library)[:n] if (only_hts or only_library) else sorted(in_hts)[:n]
    )
    return {
        "heading": heading,
        "measures": ", ".join(ids),
        "status": status,
        "lines_in_hts": len(in_hts),
        "lines_only_in_hts": len(only_hts),
        "lines_only_in_library": len(only_library),
        "examples": ", ".join(shown),
    }
