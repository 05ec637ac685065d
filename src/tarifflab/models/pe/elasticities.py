"""Elasticities of the SMART partial-equilibrium model.

Three elasticities govern one product market (one HS line of one importer):

========================  ======  ============================================================
name                      symbol  meaning
========================  ======  ============================================================
``demand``                η       import demand elasticity, |ε_m| ≥ 0: % fall in imports of a
                                  variety per % rise in its domestic price (SMART "trade creation")
``substitution``          σ       Armington elasticity of substitution between suppliers ≥ 0
                                  (SMART "trade diversion")
``supply``                β       export supply elasticity > 0, ``math.inf`` = perfectly elastic
                                  (full pass-through of the tariff to the domestic price)
========================  ======  ============================================================

Defaults (sources in docs/pe-smart.md):

- σ = 1.5 and β = 99 are WITS-SMART's own defaults ("SMART uses 1.5 as the default value";
  "By default, SMART uses 99 for infinite elasticity", WITS online help, *Checking the Raw Data*).
  We use β = ∞ (exactly full pass-through) and treat any β ≥ 99 as SMART does, i.e. as (almost) infinite.
- η: SMART's defaults are the HS6 import-demand elasticities of Kee, Nicita & Olarreaga (2008,
  REStat 90(4)). That table is not shipped with tarifflab; load it (or any HS-level table) with
  :meth:`ElasticityTable.from_csv`. Without it we use η = 1.0, the order of magnitude of the
  "macro" Armington elasticity between home and foreign goods estimated by Feenstra, Luck,
  Obstfeld & Russ (2018, REStat 100(1)).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from tarifflab.errors import DataError, InvalidElasticityError

DEFAULT_DEMAND = 1.0
DEFAULT_SUBSTITUTION = 1.5
DEFAULT_SUPPLY = math.inf
SMART_INFINITE_SUPPLY = 99.0


def check_elasticity(name: str, value: float, *, allow_zero: bool = True) -> float:
    """Validate one elasticity; raise :class:`InvalidElasticityError` naming it when out of range."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidElasticityError(f"{name} elasticity must be a number, got {value!r}") from None
    if math.isnan(number):
        raise InvalidElasticityError(f"{name} elasticity is NaN")
    if number < 0 or (number == 0 and not allow_zero):
        bound = "≥ 0" if allow_zero else "> 0"
        raise InvalidElasticityError(
            f"{name} elasticity must be {bound} (give magnitudes, not signed values), got {number:g}"
        )
    if math.isinf(number) and name != "supply":
        raise InvalidElasticityError(f"{name} elasticity must be finite, got {number:g}")
    return number


@dataclass(frozen=True)
class ElasticityOverride:
    """Elasticities for every HS code starting with ``hs_prefix`` (2–10 digits). ``None`` keeps the default."""

    hs_prefix: str
    demand: float | None = None
    substitution: float | None = None
    supply: float | None = None

    def __post_init__(self) -> None:
        prefix = str(self.hs_prefix).replace(".", "").strip()
        if not prefix.isdigit() or not 2 <= len(prefix) <= 10:
            raise InvalidElasticityError(
                f"elasticity override needs a 2–10 digit HS prefix, got {self.hs_prefix!r}"
            )
        object.__setattr__(self, "hs_prefix", prefix)
        for name in ("demand", "substitution", "supply"):
            value = getattr(self, name)
            if value is not None:
                check_elasticity(name, value, allow_zero=name != "supply")


@dataclass(frozen=True)
class ElasticityTable:
    """Default elasticities plus HS-prefix overrides; the longest matching prefix wins.

    Attributes are magnitudes: ``demand`` = η = |ε_m|, ``substitution`` = σ, ``supply`` = β.
    """

    demand: float = DEFAULT_DEMAND
    substitution: float = DEFAULT_SUBSTITUTION
    supply: float = DEFAULT_SUPPLY
    overrides: tuple[ElasticityOverride, ...] = field(default_factory=tuple)
    source: str = "defaults: η=1.0 (FLOR 2018 macro elasticity), σ=1.5 and β=∞ (WITS-SMART)"

    def __post_init__(self) -> None:
        check_elasticity("demand", self.demand)
        check_elasticity("substitution", self.substitution)
        check_elasticity("supply", self.supply, allow_zero=False)

    def with_defaults(
        self, *, demand: float | None = None, substitution: float | None = None, supply: float | None = None
    ) -> ElasticityTable:
        """A copy with new uniform values; a value given here also replaces every HS override of it."""
        overrides = tuple(
            replace(
                item,
                demand=None if demand is not None else item.demand,
                substitution=None if substitution is not None else item.substitution,
                supply=None if supply is not None else item.supply,
            )
            for item in self.overrides
        )
        return replace(
            self,
            demand=self.demand if demand is None else demand,
            substitution=self.substitution if substitution is None else substitution,
            supply=self.supply if supply is None else supply,
            overrides=overrides,
        )

    @classmethod
    def from_records(cls, records: Iterable[ElasticityOverride], **defaults: float) -> ElasticityTable:
        return cls(overrides=tuple(records), **defaults)  # type: ignore[arg-type]

    @classmethod
    def from_csv(cls, path: str | Path, **defaults: float) -> ElasticityTable:
        """Read overrides from a CSV with column ``hs_prefix`` and any of ``demand``, ``substitution``, ``supply``.

        Blank cells keep the default. A Kee–Nicita–Olarreaga HS6 table fits this format directly
        (``hs_prefix`` = HS6, ``demand`` = |elasticity|).
        """
        try:
            frame = pd.read_csv(path, dtype={"hs_prefix": str})
        except (OSError, ValueError) as error:
            raise DataError(f"cannot read elasticity table {path}: {error}") from None
        if "hs_prefix" not in frame.columns:
            raise DataError(f"elasticity table {path} has no hs_prefix column")
        known = [c for c in ("demand", "substitution", "supply") if c in frame.columns]
        if not known:
            raise DataError(f"elasticity table {path} needs a demand, substitution or supply column")
        records = []
        for row in frame.itertuples(index=False):
            values = {c: getattr(row, c) for c in known}
            records.append(
                ElasticityOverride(
                    hs_prefix=str(row.hs_prefix),
                    **{k: (None if pd.isna(v) else float(v)) for k, v in values.items()},
                )
            )
        return cls(overrides=tuple(records), source=f"overrides from {path}", **defaults)

    def resolve(self, hs10: pd.Series | np.ndarray) -> pd.DataFrame:
        """η, σ, β for each HS code given (vectorised; one pass per prefix length present)."""
        codes = pd.Series(np.asarray(hs10, dtype=object)).astype(str)
        out = pd.DataFrame(
            {
                "demand": np.full(len(codes), self.demand, dtype=float),
                "substitution": np.full(len(codes), self.substitution, dtype=float),
                "supply": np.full(len(codes), self.supply, dtype=float),
            }
        )
        for name in ("demand", "substitution", "supply"):
            by_length: dict[int, dict[str, float]] = {}
            for item in self.overrides:
                value = getattr(item, name)
                if value is not None:
                    by_length.setdefault(len(item.hs_prefix), {})[item.hs_prefix] = float(value)
            for length in sorted(by_length):  # longer prefixes applied last, so they win
                mapped = codes.str.slice(0, length).map(by_length[length])
                hit = mapped.notna().to_numpy()
                if hit.any():
                    column = out[name].to_numpy(copy=True)
                    column[hit] = mapped.to_numpy(dtype=float)[hit]
                    out[name] = column
        return out
