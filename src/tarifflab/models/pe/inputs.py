"""Inputs of the SMART model: line tables (hs10, partner, imports_usd, rate_before, rate_after).

Three ways to build one:

- :func:`pe_inputs_from_dates` — the tariff engine evaluated on two dates (or in two views);
- :func:`lines_with_rules` — 2024 import weights with explicit rate rules (partner × HS prefix);
- any DataFrame with the five columns (:func:`tarifflab.models.pe.smart.validate_lines` checks it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from tarifflab.data.reference import reference_path
from tarifflab.errors import DataError, InvalidDateError, InvalidInputError, UnknownProductError
from tarifflab.nomenclature.countries import to_iso3

IMPORTS_DIR = ("tariffs", "tradewartracker__trade-war-redux-2025", "data")
ENGINE_COLUMNS = ("hs10", "partner", "imports_usd", "total_rate")


class TariffEngineLike(Protocol):
    """What the adapter needs from ``tarifflab.policy.engine.TariffEngine``."""

    def evaluate(self, on: dt.date, view: str = "in-force") -> pd.DataFrame: ...


def parse_date(value: str | dt.date) -> dt.date:
    """ISO date (YYYY-MM-DD) → date; raises :class:`InvalidDateError` naming the value."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidDateError(f"malformed date {value!r} (use YYYY-MM-DD)") from None


def normalise_hs(value: str) -> str:
    """'8703.23.01' → '87032301'; raises :class:`UnknownProductError` unless it is 2–10 digits."""
    text = str(value).replace(".", "").replace(" ", "").strip()
    if not text.isdigit() or not 2 <= len(text) <= 10:
        raise UnknownProductError(
            f"malformed HS code {value!r} (give 2 to 10 digits, e.g. 8703 or 8703.23.01.40)"
        )
    return text


def pe_inputs_from_dates(
    engine: TariffEngineLike, date_from: str | dt.date, date_to: str | dt.date, view: str = "in-force"
) -> pd.DataFrame:
    """SMART lines for a move from the tariffs in force on ``date_from`` to those on ``date_to``.

    Uses ``engine.evaluate(on, view)`` (columns hs10, partner, imports_usd, total_rate as fractions);
    import weights come from the ``date_from`` evaluation (2024 weights in the engine). Both
    evaluations must cover the same lines. ``date_from`` after ``date_to`` is allowed: it simulates
    going back to the earlier schedule.
    """
    start, end = parse_date(date_from), parse_date(date_to)
    before = _engine_frame(engine, start, view)
    after = _engine_frame(engine, end, view)
    merged = before.merge(
        after[["hs10", "partner", "total_rate"]],
        on=["hs10", "partner"],
        how="outer",
        suffixes=("_before", "_after"),
        indicator=True,
    )
    unmatched = merged["_merge"] != "both"
    if unmatched.any():
        row = merged.loc[unmatched].iloc[0]
        raise DataError(
            f"tariff engine returned different lines on {start} and {end} "
            f"({int(unmatched.sum())} unmatched, e.g. {row['hs10']} × {row['partner']})"
        )
    return pd.DataFrame(
        {
            "hs10": merged["hs10"].astype(str),
            "partner": merged["partner"].astype(str),
            "imports_usd": merged["imports_usd"].astype(float),
            "rate_before": merged["total_rate_before"].astype(float),
            "rate_after": merged["total_rate_after"].astype(float),
        }
    )


def _engine_frame(engine: TariffEngineLike, on: dt.date, view: str) -> pd.DataFrame:
    frame = engine.evaluate(on, view=view)
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"tariff engine returned {type(frame).__name__}, not a DataFrame")
    missing = [c for c in ENGINE_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"tariff engine output lacks column(s): {', '.join(missing)}")
    out = frame[list(ENGINE_COLUMNS)].copy()
    out["hs10"] = out["hs10"].astype(str)
    out["partner"] = out["partner"].astype(str)
    if out.duplicated(["hs10", "partner"]).any():
        raise DataError(f"tariff engine output for {on} has duplicate hs10 × partner lines")
    return out


@lru_cache(maxsize=2)
def _reference_imports(folder: str) -> pd.DataFrame:
    from tarifflab.data.census import census_to_iso3

    files = sorted(Path(folder).glob("2024-hs10-imports*.parquet"))
    if not files:
        raise DataError(f"no 2024-hs10-imports*.parquet files in {folder}")
    columns = ["CTY_CODE", "HS10", "imports", "duty"]
    frame = pd.concat([pd.read_parquet(f, columns=columns) for f in files], ignore_index=True)
    mapping = census_to_iso3()
    partner = frame["CTY_CODE"].astype(str).str.zfill(4).map(mapping)
    if partner.isna().any():
        code = frame.loc[partner.isna(), "CTY_CODE"].iloc[0]
        raise DataError(f"Census country code {code} has no ISO3 mapping")
    out = pd.DataFrame(
        {
            "hs10": frame["HS10"].astype(str),
            "partner": partner.astype(str),
            "imports_usd": frame["imports"].astype(float),
            "duty_usd": frame["duty"].astype(float),
        }
    )
    out = out.groupby(["hs10", "partner"], as_index=False, sort=False).sum()
    out["applied_rate"] = (out["duty_usd"] / out["imports_usd"]).where(out["imports_usd"] > 0, 0.0)
    return out


def reference_imports() -> pd.DataFrame:
    """2024 US imports by HS10 × partner (top-50 non-EU partners and the EU as ``EUN``) from the
    reference data: hs10, partner, imports_usd, duty_usd, applied_rate (= calculated duty / value)."""
    folder = reference_path(*IMPORTS_DIR)
    return _reference_imports(str(folder)).copy()


@dataclass(frozen=True)
class RateRule:
    """Set the total tariff (fraction) of the lines of ``partner`` (``None`` = every partner) whose
    HS code starts with ``hs_prefix``. ``floor_at_mfn`` keeps the observed 2024 rate when higher
    ("15 % all-in unless MFN is higher"); ``additive`` adds ``rate`` to the observed 2024 rate
    instead ("+25 points of Section 232 on top of MFN")."""

    hs_prefix: str
    rate: float
    partner: str | None = None
    floor_at_mfn: bool = False
    additive: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "hs_prefix", normalise_hs(self.hs_prefix))
        if self.partner is not None:
            object.__setattr__(self, "partner", to_iso3(self.partner))
        if not 0 <= float(self.rate) <= 10:
            raise InvalidInputError(
                f"rate rule {self.hs_prefix}: rate {self.rate} is not a fraction in [0, 10]"
            )


def lines_with_rules(
    base: pd.DataFrame,
    before: Sequence[RateRule] = (),
    after: Sequence[RateRule] = (),
    hs_prefixes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """SMART lines from an import table (hs10, partner, imports_usd, applied_rate): both dates start
    at ``applied_rate`` (2024 observed duty ÷ value), then the rules apply in order (later rules win)."""
    frame = base
    if hs_prefixes is not None:
        prefixes = tuple(normalise_hs(p) for p in hs_prefixes)
        frame = frame.loc[frame["hs10"].str.startswith(prefixes)]
    frame = frame.reset_index(drop=True)
    applied = frame["applied_rate"].astype(float)

    def apply(rules: Sequence[RateRule]) -> pd.Series:
        rate = applied.copy()
        for rule in rules:
            mask = frame["hs10"].str.startswith(rule.hs_prefix)
            if rule.partner is not None:
                mask &= frame["partner"] == rule.partner
            value = pd.Series(float(rule.rate), index=frame.index)
            if rule.additive:
                value = applied + float(rule.rate)
            if rule.floor_at_mfn:
                value = value.where(value >= applied, applied)
            rate = rate.where(~mask, value)
        return rate

    return pd.DataFrame(
        {
            "hs10": frame["hs10"],
            "partner": frame["partner"],
            "imports_usd": frame["imports_usd"].astype(float),
            "rate_before": apply(before),
            "rate_after": apply(after),
        }
    )


def read_lines_file(path: str | Path) -> pd.DataFrame:
    """A line table from CSV or Parquet (hs10 read as text)."""
    target = Path(path)
    if not target.exists():
        raise DataError(f"lines file not found: {target}")
    try:
        if target.suffix.lower() in (".parquet", ".pq"):
            frame: Any = pd.read_parquet(target)
        else:
            frame = pd.read_csv(target, dtype={"hs10": str, "partner": str})
    except (OSError, ValueError) as error:
        raise DataError(f"cannot read lines file {target}: {error}") from None
    return pd.DataFrame(frame)
