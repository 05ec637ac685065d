"""What a table shows, in words: units, view of the law, weights, base year and the law's date.

One place writes these lines so every command says the same thing the same way.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from tarifflab.policy.engine import View

ETR_WEIGHTS = (
    "weights: 2024 US imports for consumption by HTS-10 line and partner (Census), held fixed "
    "(behaviour-free, base year 2024)"
)
ETR_UNITS = "imports_usd, duty_usd: US dollars a year at 2024 volumes; etr_pct: duty / imports, percent"


@lru_cache(maxsize=1)
def library_known_through() -> dt.date:
    """The latest publication date of any measure in the built-in library (the law's date)."""
    from tarifflab.policy.library import load_library

    dates = [d for m in load_library().measures for d in (m.known_from, m.end_known_from) if d is not None]
    return max(dates)


def law_line(view: View | str, on: str | dt.date | None, as_known_on: str | dt.date | None = None) -> str:
    """The view of the law in one line, e.g. ``law: in force for entries on 2025-10-01 …``."""
    chosen = View(view)
    where = f" for entries on {on}" if on is not None else ""
    if chosen is View.AS_KNOWN:
        known = as_known_on or on
        return f"law: as published on {known}{where} (view as-known)"
    if chosen is View.NET_OF_REFUNDS:
        return f"law: in force{where}, less the IEEPA duties refunded after 2026-02-20 (view net-of-refunds)"
    return (
        f"law: as finally in force{where}, later retroactive changes included (view in-force); "
        f"measures published up to {library_known_through()}"
    )


def etr_caption(view: View | str, on: str | dt.date | None, as_known_on: str | dt.date | None = None) -> str:
    """Caption of every effective-tariff-rate table."""
    return "\n".join([law_line(view, on, as_known_on), ETR_WEIGHTS, ETR_UNITS])
