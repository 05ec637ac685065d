"""Checks that each measure's product scope matches lines at the digit level the legal text uses.

A scope entry is an HTS prefix of 2 to 10 digits; it matches every HTS10 line that starts with it (an
8-digit subheading covers all its statistical suffixes). An entry that matches no line of the nomenclature
is reported: it is a code from another HTS revision, a typo, or an 8-digit code stored padded to 10 digits
(the fault of issue 12, where "30049092" stored as "3004909200" matched one line instead of a subheading).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tarifflab.policy.library import MeasureLibrary


@dataclass(frozen=True)
class UnmatchedEntry:
    """One scope entry that matches no HTS10 line."""

    scope: str
    prefix: str
    effective: dt.date | None
    used_by: tuple[str, ...]
    padded_hs8: bool  # a 10-digit entry ending "00" whose 8-digit subheading does have lines


def scope_entries(library: MeasureLibrary) -> pd.DataFrame:
    """Every (scope, prefix, effective date) of the library: embedded lists and scopes.yaml prefixes."""
    rows = [
        (name, prefix, effective)
        for name, entries in library.list_prefixes.items()
        for prefix, effective in entries
    ]
    rows += [(name, prefix, None) for name, spec in library.definitions.items() for prefix in spec.prefixes]
    return pd.DataFrame(rows, columns=["scope", "prefix", "effective"])


def scope_users(library: MeasureLibrary) -> dict[str, tuple[str, ...]]:
    """Measure ids that refer to each scope, directly or through unions and dated versions."""
    users: dict[str, set[str]] = {}

    def expand(name: str, measure_id: str, seen: set[str]) -> None:
        if name in seen:
            return
        seen.add(name)
        users.setdefault(name, set()).add(measure_id)
        definition = library.definitions.get(name)
        if definition is not None:
            for member in (*definition.union, *(v.scope for v in definition.versions)):
                expand(member, measure_id, seen)

    for measure in library.measures:
        for products in (measure.products, measure.exclusions):
            if products is not None:
                for name in products.lists:
                    expand(name, measure.id, set())
    return {name: tuple(sorted(ids)) for name, ids in users.items()}


def unmatched_entries(
    library: MeasureLibrary, lines: pd.Index | np.ndarray | list[str]
) -> list[UnmatchedEntry]:
    """Scope entries that match none of ``lines`` (HTS10 codes), with the measures that use them."""
    universe = pd.Index(pd.unique(np.asarray(lines, dtype=str)))
    by_length = {length: set(universe.str[:length]) for length in range(2, 11)}
    users = scope_users(library)
    found = []
    for scope, prefix, effective in scope_entries(library).itertuples(index=False):
        if prefix in by_length.get(len(prefix), set()):
            continue
        padded = len(prefix) == 10 and prefix.endswith("00") and prefix[:8] in by_length[8]
        found.append(UnmatchedEntry(scope, prefix, effective, users.get(scope, ()), padded))
    return found


def unmatched_table(library: MeasureLibrary, lines: pd.Index | np.ndarray | list[str]) -> pd.DataFrame:
    """:func:`unmatched_entries` as a table (scope, prefix, effective, used_by, padded_hs8)."""
    entries = unmatched_entries(library, lines)
    return pd.DataFrame(
        [
            {
                "scope": e.scope,
                "prefix": e.prefix,
                "effective": e.effective,
                "used_by": ", ".join(e.used_by),
                "padded_hs8": e.padded_hs8,
            }
            for e in entries
        ],
        columns=["scope", "prefix", "effective", "used_by", "padded_hs8"],
    )
