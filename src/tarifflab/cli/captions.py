"""What a table shows, in words: units, view of the law, weights, base year and the law's date.

One place writes these lines so every command says the same thing the same way.
"""

from __future__ import annotations

import datetime as dt

from tarifflab.policy.engine import View

ETR_WEIGHTS = (
    "weights: 2024 US imports for consumption by HTS-10 line and partner (Census), held fixed "
    "(behaviour-free, base year 2024)"
)
ETR_UNITS = "imports_usd, duty_usd: US dollars a year at 2024 volumes; etr_pct: duty / imports, percent"


def law_line(
    view: View | str,
    on: str | dt.date | None,
    as_known_on: str | dt.date | None = None,
    law_known_on: dt.date | None = None,
) -> str:
    """The view of the law in one line, e.g. ``law: as finally in force for entries on 2025-10-01 …``.

    ``law_known_on``: the last date the measure library's law is known (the built-in library's by default).
    """
    chosen = View(view)
    where = f" for entries on {on}" if on is not None else ""
    if chosen is View.AS_KNOWN:
        known = as_known_on or on
        return f"law: as published on {known}{where} (view as-known)"
    if chosen is View.NET_OF_REFUNDS:
        return f"law: in force{where}, less the IEEPA duties refunded after 2026-02-20 (view net-of-refunds)"
    if law_known_on is None:
        from tarifflab.policy.library import LAW_KNOWN_ON

        law_known_on = LAW_KNOWN_ON
    return (
        f"law: as finally in force{where}, later retroactive changes included (view in-force); "
        f"law known to {law_known_on}"
    )


def etr_caption(
    view: View | str,
    on: str | dt.date | None,
    as_known_on: str | dt.date | None = None,
    law_known_on: dt.date | None = None,
) -> str:
    """Caption of every effective-tariff-rate table."""
    return "\n".join([law_line(view, on, as_known_on, law_known_on), ETR_WEIGHTS, ETR_UNITS])
