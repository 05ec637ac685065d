"""Rates of duty as printed in the HTSUS rate columns, and the column 2 countries.

A rate text is ad valorem ("16.5%"), specific ("4.4¢/kg", "$1.59/liter"), compound ("46.3¢/kg + 14.9%") or
"Free". :func:`parse_rate` reads the common forms; texts it cannot read (e.g. "11¢/kg on drained weight",
rates "on the contents and container") are flagged, and callers fall back to the 2024 average ad valorem
equivalent (HTSUS chapter 99 U.S. note 2(v)(xix) uses AVEs in the same way).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from tarifflab.errors import InvalidInputError

# General note 3(b) of the HTSUS: column 2 applies to Cuba and North Korea; Public Law 117-110 (Suspending
# Normal Trade Relations with Russia and Belarus Act) puts products of Russia and Belarus on column 2 for goods
# entered on or after 2022-04-09.
COLUMN2_COUNTRIES: dict[str, dt.date] = {
    "CUB": dt.date(1962, 2, 7),
    "PRK": dt.date(1951, 9, 1),
    "RUS": dt.date(2022, 4, 9),
    "BLR": dt.date(2022, 4, 9),
}

_UNIT_ALIASES = {
    "kg": "kg",
    "kgs": "kg",
    "kilogram": "kg",
    "kilograms": "kg",
    "g": "g",
    "gram": "g",
    "grams": "g",
    "liter": "liter",
    "liters": "liter",
    "litre": "liter",
    "litres": "liter",
    "l": "liter",
    "doz": "doz",
    "dozen": "doz",
    "no": "no",
    "number": "no",
    "each": "no",
    "pcs": "no",
    "m2": "m2",
    "m": "m",
    "bbl": "bbl",
    "barrel": "bbl",
    "barrels": "bbl",
    "pf liter": "proof liter",
    "proof liter": "proof liter",
    "pfl": "proof liter",
}

_TERM = re.compile(
    r"^(?:(?P<pct>\d+(?:\.\d+)?)%|(?P<cents>\d+(?:\.\d+)?)¢/(?P<unit_c>[a-z0-9. ]+?)|"
    r"\$(?P<dollars>\d+(?:\.\d+)?)/(?P<unit_d>[a-z0-9. ]+?))$"
)


def normalise_unit(unit: str) -> str:
    """A unit of quantity as the rate texts write it (kg, liter, doz, no, g, m2, proof liter)."""
    key = re.sub(r"\s+", " ", unit.strip().lower().rstrip("."))
    if key not in _UNIT_ALIASES:
        known = ", ".join(sorted(set(_UNIT_ALIASES.values())))
        raise InvalidInputError(f"unknown unit of quantity {unit!r} (use one of: {known})")
    return _UNIT_ALIASES[key]


@dataclass(frozen=True)
class ParsedRate:
    """One rate text: ad valorem part (fraction of value) and specific parts (USD per unit)."""

    text: str
    ad_valorem: float
    specific: tuple[tuple[float, str], ...]
    readable: bool

    @property
    def is_specific(self) -> bool:
        return bool(self.specific)

    def exact(self, value_usd: float, quantity: float, unit: str) -> float:
        """The duty as a fraction of ``value_usd`` for ``quantity`` units of ``unit``."""
        if not self.readable:
            raise InvalidInputError(f"the rate {self.text!r} cannot be computed from a quantity")
        if value_usd <= 0:
            raise InvalidInputError("an exact specific duty needs a positive customs value (--value)")
        chosen = normalise_unit(unit)
        amount = 0.0
        for per_unit, rate_unit in self.specific:
            if rate_unit != chosen:
                raise InvalidInputError(
                    f"the rate {self.text!r} is per {rate_unit}; give --quantity in {rate_unit}, not {unit}"
                )
            amount += per_unit * quantity
        return self.ad_valorem + amount / value_usd


def parse_rate(text: str) -> ParsedRate:
    """Read an HTSUS rate text ("Free", "5%", "4.4¢/kg", "$1.59/liter", "46.3¢/kg + 14.9%")."""
    clean = re.sub(r"\s+", " ", str(text or "").strip())
    if clean in ("", "Free"):
        return ParsedRate(clean, 0.0, (), clean == "Free")
    ad_valorem = 0.0
    specific: list[tuple[float, str]] = []
    for term in (t.strip().lower() for t in clean.split("+")):
        match = _TERM.match(term)
        if match is None:
            return ParsedRate(clean, 0.0, (), False)
        if match["pct"] is not None:
            ad_valorem += float(match["pct"]) / 100
            continue
        per_unit = (
            round(float(match["cents"]) / 100, 10) if match["cents"] is not None else float(match["dollars"])
        )
        raw_unit = match["unit_c"] or match["unit_d"]
        try:
            specific.append((per_unit, normalise_unit(raw_unit)))
        except InvalidInputError:
            return ParsedRate(clean, 0.0, (), False)
    return ParsedRate(clean, ad_valorem, tuple(specific), True)


def column2_ave(general: ParsedRate, column2: ParsedRate, general_ave: float) -> float | None:
    """Column 2 rate as a fraction of value, scaling the general rate's AVE for the specific part.

    The specific part's AVE under column 2 is the general specific part's AVE times the ratio of the
    per-unit amounts (same unit, same unit value). None when that cannot be done.
    """
    if not column2.readable:
        return None
    if not column2.is_specific:
        return column2.ad_valorem
    if not (general.readable and general.is_specific):
        return None
    general_units = {unit for _, unit in general.specific}
    if {unit for _, unit in column2.specific} != general_units or len(general_units) != 1:
        return None
    general_amount = sum(amount for amount, _ in general.specific)
    if general_amount <= 0:
        return None
    specific_ave = max(0.0, general_ave - general.ad_valorem)
    ratio = sum(amount for amount, _ in column2.specific) / general_amount
    return column2.ad_valorem + specific_ave * ratio
