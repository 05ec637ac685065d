"""The stacking engine: the US duty on every HTS10 × partner line, layer by layer, on any entry date.

Three views of time (see docs/stacking.md):

* ``in-force``: the law as finally applied to goods entered on the date, including later retroactive
  executive amendments. IEEPA layers are shown as due and flagged refundable (Supreme Court, 2026-02-20).
* ``as-known``: the law as published on ``as_known_on``.
* ``net-of-refunds``: what the importer finally bears once the court-ordered IEEPA refunds are paid.

All rates are fractions of customs value. Evaluation is vectorised over lines with NumPy.
"""

from __future__ import annotations

import bisect
import copy
import datetime as dt
import re
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from tarifflab.data.embedded import embedded_path
from tarifflab.errors import AmbiguousProductError, InvalidDateError, InvalidInputError, UnknownProductError
from tarifflab.nomenclature.countries import EU27, EU_AGGREGATE, to_iso3
from tarifflab.policy.library import (
    COVERAGE_END,
    COVERAGE_START,
    MeasureLibrary,
    country_matches,
    load_library,
)
from tarifflab.policy.measures import Authority, Layer, Measure, Products, RuleKind
from tarifflab.policy.precedence import COUNTRY_SPECIFIC_EDGES, S232_PROGRAMS, excluded_by, s232_winners_over
from tarifflab.policy.rates import COLUMN2_COUNTRIES, column2_ave, parse_rate
from tarifflab.policy.segment_store import SegmentStore
from tarifflab.policy.shipment import (
    AGGREGATE_TERMS,
    CIVIL_AIRCRAFT,
    OVER_QUOTA,
    S301_EXCLUSION,
    ShipmentTerms,
    aggregate_terms,
)

RULING_DATE = dt.date(2026, 2, 20)  # Learning Resources, Inc. v. Trump: IEEPA authorises no tariffs
PREFERENCE_GAP = 0.005  # observed rate this far below the general rate signals an FTA preference claimed
DEFAULT_DERIVATIVE_METAL_SHARE = 0.40  # where BEA gives no share; GTA's calibrated derivative incidence
LAYERS: tuple[str, ...] = ("mfn", *(layer.value for layer in Layer))

# Partners whose FTA preferences lower the duty actually paid below the column 1 general rate
# (JPN: the 2020 US-Japan Trade Agreement, HTSUS general note 40).
FTA_PARTNERS = frozenset(
    {"CAN", "MEX", "KOR", "JPN", "AUS", "CHL", "COL", "PER", "SGP", "ISR", "JOR", "MAR", "BHR", "OMN", "PAN", "CRI",
     "DOM", "GTM", "HND", "SLV", "NIC"}
)  # fmt: skip


class View(StrEnum):
    IN_FORCE = "in-force"
    AS_KNOWN = "as-known"
    NET_OF_REFUNDS = "net-of-refunds"


class MfnBasis(StrEnum):
    APPLIED = "applied"  # FTA preference rate where the partner claims one (observed 2024 duty/value)
    STATUTORY = "statutory"  # HTSUS column 1 general rate (GTA's choice for the all-in floor)


def parse_view(view: str | View) -> View:
    try:
        return View(view)
    except ValueError:
        choices = ", ".join(v.value for v in View)
        raise InvalidInputError(f"unknown view {view!r} (choose {choices})") from None


def parse_date(
    value: str | dt.date, *, what: str = "date", check_coverage: bool = True, strict: bool = False
) -> dt.date:
    """Parse an ISO date; it must not precede the library's first date.

    Dates after the library's date (``law_known_on``) are answered with the law as last known and flagged
    in every result (``stale_days``); ``strict`` refuses them instead (the CLI's ``--strict-dates``).
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise InvalidDateError(f"malformed {what}: {value!r} (use YYYY-MM-DD)") from None
    if check_coverage and value < COVERAGE_START:
        raise InvalidDateError(f"{what} {value} is before the first covered date {COVERAGE_START}")
    if check_coverage and strict and value > COVERAGE_END:
        raise InvalidDateError(
            f"{what} {value} is after the law known on {COVERAGE_END} (strict dates; "
            f"covered window {COVERAGE_START} to {COVERAGE_END})"
        )
    return value


def normalise_hts(code: str) -> str:
    """Digits of an HTS code (6–10 digits, with or without dots)."""
    digits = re.sub(r"[.\s]", "", str(code))
    if not digits.isdigit() or not 6 <= len(digits) <= 10:
        raise UnknownProductError(
            f"malformed HTS code: {code!r} (give 6 to 10 digits, e.g. 8703.23.01 or 8703230140)"
        )
    return digits


def engine_partner(iso3: str) -> str:
    """Trade weights hold the EU as one aggregate: member states map to EUN."""
    return EU_AGGREGATE if iso3 in EU27 else iso3


@dataclass(frozen=True)
class LayerResult:
    """One duty layer of one line."""

    instrument: str
    rate_pct: float
    legal_basis: str
    refundable: bool
    layer: str
    measure_id: str | None = None
    heading: str | None = None
    confidence: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    prohibited: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "rate_pct": None if self.prohibited else round(self.rate_pct, 4),
            "legal_basis": self.legal_basis,
            "refundable": self.refundable,
            "layer": self.layer,
            "measure_id": self.measure_id,
            "heading": self.heading,
            "confidence": list(self.confidence),
            "sources": list(self.sources),
            "prohibited": self.prohibited,
        }


@dataclass(frozen=True)
class DutyResult:
    """The duty on one product from one origin entered on one date."""

    hts10: str
    description: str
    origin: str
    date: dt.date
    view: str
    value_usd: float | None
    total_rate_pct: float
    refundable_pct: float
    layers: tuple[LayerResult, ...]
    notes: tuple[str, ...] = field(default=())
    law_known_on: dt.date = COVERAGE_END
    scenario_hash: str | None = None

    @property
    def stale_days(self) -> int:
        """Entry date minus the library's date, or 0: how far past the known law the answer reaches."""
        return max(0, (self.date - self.law_known_on).days)

    @property
    def prohibited(self) -> bool:
        """Whether entry is barred (a s.338 import ban, say): then no rate is due, the goods are refused."""
        return any(layer.prohibited for layer in self.layers)

    @property
    def duty_usd(self) -> float | None:
        if self.value_usd is None or self.prohibited:
            return None
        return self.value_usd * self.total_rate_pct / 100

    def to_dict(self) -> dict[str, Any]:
        return {
            "hts10": self.hts10,
            "description": self.description,
            "origin": self.origin,
            "date": self.date.isoformat(),
            "view": self.view,
            "value_usd": self.value_usd,
            "total_rate_pct": None if self.prohibited else round(self.total_rate_pct, 4),
            "status": "prohibited" if self.prohibited else "dutiable",
            "duty_usd": None if self.duty_usd is None else round(self.duty_usd, 2),
            "refundable_pct": round(self.refundable_pct, 4),
            "layers": [layer.to_dict() for layer in self.layers],
            "notes": list(self.notes),
            "law_known_on": self.law_known_on.isoformat(),
            "stale_days": self.stale_days,
            "scenario_hash": self.scenario_hash,
        }


@dataclass
class _Contribution:
    measure: Measure
    rate: np.ndarray  # extra duty, fraction of value, per line
    share: np.ndarray  # share of the value the measure applies to


class TariffEngine:
    """Evaluates a :class:`MeasureLibrary` over HTS10 × partner lines."""

    def __init__(self, library: MeasureLibrary, mfn_basis: MfnBasis | str = MfnBasis.APPLIED) -> None:
        self.library = library
        self.mfn_basis = MfnBasis(mfn_basis)
        # The line table loads lazily: a single lookup reads only its HS6 group (see _lines_under),
        # the all-lines views (evaluate, ETRs) read and validate all 2024 lines once.
        self._products: pd.DataFrame | None = None
        self._lines: pd.DataFrame | None = None
        self._statutory: pd.Series | None = None
        self._statutory_hs8 = pd.Series(dtype="float64")
        self._statutory_hs6 = pd.Series(dtype="float64")
        self._groups: dict[str, pd.DataFrame] = {}
        self._product_groups: dict[str, pd.DataFrame] = {}  # HS6 → its products, read on their own
        self._usmca_annual_groups: dict[str, pd.Series] = {}
        self._usmca_annual_table: pd.Series | None = None
        self._usmca_monthly_tables: dict[str, pd.Series] | None = None
        self._usmca_cache: dict[str, np.ndarray] = {}
        self._numbers: np.ndarray = np.empty(0, dtype=np.int64)
        self._partner_codes: tuple[np.ndarray, np.ndarray] | None = None  # of the all-lines table
        self._country_masks: dict[tuple[str, ...], np.ndarray] = {}
        self._loading = threading.RLock()  # dashboard sessions share one engine across threads
        self._change_dates = library.change_dates()
        self._reset_law_caches()

    def _reset_law_caches(self) -> None:
        """Caches that depend on the library (scopes compiled per date segment, memoised answers)."""
        self._scope_cache: dict[tuple[str, int, frozenset[str]], np.ndarray] = {}
        self._compiled_scopes: dict[tuple[str, int, frozenset[str]], tuple[str, ...]] = {}
        self._products_cache: dict[tuple[Products, int], np.ndarray] = {}
        self._duty_memo: dict[tuple[Any, ...], DutyResult] = {}
        self._segment_memo: OrderedDict[tuple[Any, ...], dict[str, np.ndarray]] = OrderedDict()
        self._segment_store: SegmentStore | None = None
        self._segment_store_opened = False

    @classmethod
    def default(cls, mfn_basis: MfnBasis | str = MfnBasis.APPLIED) -> TariffEngine:
        """The built-in library on the embedded 2024 data (cached per MFN basis)."""
        return _default_engine(MfnBasis(mfn_basis))

    @classmethod
    def for_library(
        cls, library: MeasureLibrary, mfn_basis: MfnBasis | str = MfnBasis.APPLIED, cache: bool = True
    ) -> TariffEngine:
        """An engine evaluating ``library`` (e.g. with a scenario applied) on the embedded 2024 data.

        Cached by (library content hash, MFN basis); the 2024 lines are shared with the default engine.
        ``cache=False`` keeps the engine out of the process-wide cache (callers that try many
        one-off scenarios, e.g. a negotiation frontier, keep their own bounded cache of results).
        """
        basis = MfnBasis(mfn_basis)
        key = (library.content_hash, basis)
        if not cache and key not in _ENGINES:
            base = _default_engine(basis)
            return base if library.content_hash == base.library.content_hash else base._with(library)
        if key not in _ENGINES:
            base = _default_engine(basis)
            _ENGINES[key] = base if library.content_hash == base.library.content_hash else base._with(library)
        return _ENGINES[key]

    def fresh(self) -> TariffEngine:
        """A new engine on the same library and 2024 lines with empty memos, whose segment store opens
        anew in the cache folder of the moment: what a new process would start from (used by
        ``tarifflab data precompute``, so a segment already memoised in this process is still stored)."""
        return self._with(self.library)

    def _with(self, library: MeasureLibrary) -> TariffEngine:
        clone = copy.copy(self)
        clone.library = library
        clone._change_dates = library.change_dates()
        clone._reset_law_caches()
        return clone

    # ------------------------------------------------------------------------------------ loading
    @property
    def products(self) -> pd.DataFrame:
        """HTSUS 2025 products by HS10: description, hs8, mfn_ad_valorem, rate_type, gtap_code, rate texts."""
        if self._products is None:
            self._products = _embedded_table("hts_products.parquet").set_index("hs10")
        return self._products

    def _products_near(self, hs10: Any) -> pd.DataFrame:
        """The products of the HS6 groups of ``hs10`` codes: the whole table once read, else only those groups
        (a Parquet range read; the file is sorted by HS10 in small row groups)."""
        if self._products is not None:
            return self._products
        groups = sorted({str(code)[:6] for code in hs10})
        if len(groups) > _FEW_GROUPS:
            return self.products
        for group in groups:
            if group not in self._product_groups:
                self._product_groups[group] = _read_under("hts_products.parquet", group).set_index("hs10")
        frames = [self._product_groups[group] for group in groups]
        if not frames:  # no codes: an empty table of the same columns
            return _read_under("hts_products.parquet", ":").set_index("hs10")
        return frames[0] if len(frames) == 1 else pd.concat(frames)

    @property
    def lines(self) -> pd.DataFrame:
        """Every 2024 HTS10 × partner line, validated, with its MFN rate and content/USMCA shares."""
        if self._lines is None:
            from tarifflab.data.schemas import IMPORT_LINES, validate  # pandera: only for the full table

            with self._loading:
                if self._lines is None:
                    trade = validate(_read_trade(), IMPORT_LINES, "2024 import lines")
                    self._set_statutory(self._statutory_rates(trade))
                    lines = self._prepare(trade)
                    self._numbers = _hs10_numbers(lines["hs10"].to_numpy(dtype=str))
                    self._lines = lines
                    self._groups.clear()
        return self._lines

    @property
    def _statutory_ave(self) -> pd.Series:
        if self._statutory is None:
            self.lines  # noqa: B018 - loads the table and the rates derived from it
        assert self._statutory is not None
        return self._statutory

    def _set_statutory(self, statutory: pd.Series) -> None:
        self._statutory = statutory
        # Fallbacks for lines missing from the 2025 HTS: the general rate of the 8-digit subheading, else the
        # mean over the 6-digit subheading. Never the observed 2024 duty ratio (it includes s.301 duties).
        self._statutory_hs8 = statutory.groupby(statutory.index.str[:8]).mean()
        self._statutory_hs6 = statutory.groupby(statutory.index.str[:6]).mean()

    def _lines_under(self, prefix: str) -> pd.DataFrame:
        """The prepared 2024 lines whose HS10 starts with ``prefix`` (at least 6 digits), read on their own.

        A line's statutory AVE pools every partner's trade in that HS10, and its fallbacks (the HS8 and HS6
        means) stay inside its HS6, so the HS6 group gives the same rates as all lines.
        """
        if self._lines is not None:
            return self._lines[self._lines["hs10"].str.startswith(prefix)]
        group = prefix[:6]
        if group not in self._groups:
            with self._loading:
                if group not in self._groups:
                    trade = _read_trade(group)
                    statutory = self._statutory_rates(trade, self._products_near([group]))
                    # Only this group's rates are exact here; keep the other groups' from their own reads.
                    statutory = statutory[statutory.index.str.startswith(group)]
                    if self._statutory is not None:
                        others = self._statutory[~self._statutory.index.str.startswith(group)]
                        statutory = pd.concat([others, statutory])
                    self._set_statutory(statutory)
                    self._groups[group] = self._prepare(trade)
        lines = self._groups[group]
        return lines if prefix == group else lines[lines["hs10"].str.startswith(prefix)]

    @property
    def _usmca_annual(self) -> pd.Series:
        """2025 annual USMCA-claimed share by (hs10, partner); read on its own (a lookup needs no months)."""
        if self._usmca_annual_table is None:
            annual = pd.read_parquet(embedded_path("usmca_shares.parquet"), filters=[("month", "==", "")])
            self._usmca_annual_table = annual.set_index(["hs10", "partner"])["usmca_share"]
        return self._usmca_annual_table

    @property
    def _usmca_monthly(self) -> dict[str, pd.Series]:
        """USMCA-claimed share by month (YYYY-MM) and (hs10, partner), for the all-lines views."""
        if self._usmca_monthly_tables is None:
            usmca = pd.read_parquet(embedded_path("usmca_shares.parquet"), filters=[("month", "!=", "")])
            usmca["month"] = usmca["month"].astype(str)
            self._usmca_monthly_tables = {
                str(month): group.set_index(["hs10", "partner"])["usmca_share"]
                for month, group in usmca.groupby("month")
            }
        return self._usmca_monthly_tables

    # ----------------------------------------------------------------------------------------- data
    def _statutory_rates(self, trade: pd.DataFrame, products: pd.DataFrame | None = None) -> pd.Series:
        """Column 1 general rate by HS10 of ``products`` (default all); AVEs for specific and compound duties."""
        products = self.products if products is None else products
        rates = products["mfn_ad_valorem"].astype("float64").round(6)
        needs_ave = ~products["rate_type"].isin(["ad_valorem", "free"])
        # AVE = 2024 calculated duty / value over partners without preferences (Ch. 99 US note 2(v)(xix) uses AVEs).
        pool = trade[~trade["partner"].isin(FTA_PARTNERS | {"CHN"})]
        sums = pool.groupby("hs10")[["duty_usd", "imports_usd"]].sum()
        observed = (sums["duty_usd"] / sums["imports_usd"]).clip(0, 3)
        ave = observed.reindex(rates.index)
        use_ave = (needs_ave & ave.notna()).to_numpy()
        values = np.where(use_ave, np.maximum(rates.to_numpy(), ave.to_numpy()), rates.to_numpy())
        return pd.Series(values, index=rates.index, dtype="float64")

    def _prepare(self, trade: pd.DataFrame) -> pd.DataFrame:
        lines = trade.copy()
        lines["mfn_rate"] = self._mfn_for(
            lines["hs10"], lines["partner"], lines["duty_usd"] / lines["imports_usd"]
        )
        return self._attach_shares(lines.reset_index(drop=True))

    def _mfn_for(self, hs10: pd.Series, partner: pd.Series, observed: pd.Series | None) -> np.ndarray:
        statutory_arr = self._statutory_ave.reindex(hs10.to_numpy()).to_numpy()
        for fallback, digits in ((self._statutory_hs8, 8), (self._statutory_hs6, 6)):
            missing = np.isnan(statutory_arr)
            if missing.any():
                statutory_arr = np.where(
                    missing, fallback.reindex(hs10.str[:digits].to_numpy()).to_numpy(), statutory_arr
                )
        statutory_arr = np.nan_to_num(statutory_arr, nan=0.0)
        column2 = partner.isin(list(COLUMN2_COUNTRIES)).to_numpy()
        if column2.any():
            statutory_arr = np.where(column2, self._column2_rates(hs10, statutory_arr), statutory_arr)
        if self.mfn_basis is MfnBasis.APPLIED and observed is not None:
            # A preference counts where the observed 2024 rate is at least half a point below the general
            # rate; smaller gaps are rounding in Census calculated duties or a little in-quota trade.
            observed_arr = observed.to_numpy(dtype="float64")
            preferential = partner.isin(FTA_PARTNERS).to_numpy() & (
                observed_arr < statutory_arr - PREFERENCE_GAP
            )
            statutory_arr = np.where(preferential, observed_arr, statutory_arr)
        return statutory_arr

    def _column2_rates(self, hs10: pd.Series, general_ave: np.ndarray) -> np.ndarray:
        """HTSUS column 2 rate by line (fraction of value); the general rate where column 2 is unreadable."""
        out = general_ave.copy()
        codes = hs10.to_numpy()
        texts = self._products_near(codes).reindex(codes)[["general_text", "column2_text"]].fillna("")
        cache: dict[tuple[str, str, float], float | None] = {}
        for i, (general, column2) in enumerate(texts.itertuples(index=False)):
            key = (general, column2, float(general_ave[i]))
            if key not in cache:
                cache[key] = column2_ave(parse_rate(general), parse_rate(column2), float(general_ave[i]))
            value = cache[key]
            if value is not None:
                out[i] = value
        return out

    def _usmca_shares(self, lines: pd.DataFrame, on: dt.date, cache: bool) -> np.ndarray:
        """USMCA-claimed share of each line's value in the month of ``on`` (2025-01 to 2026-02).

        Later dates use the last month (2026-02); a line absent from a month's data takes its 2025 annual share.
        """
        if "usmca_fixed" in lines.columns:
            return lines["usmca_share"].to_numpy(dtype="float64")
        months = sorted(self._usmca_monthly)
        month = min(max(on.strftime("%Y-%m"), months[0]), months[-1]) if months else ""
        if cache and month in self._usmca_cache:
            return self._usmca_cache[month]
        index = pd.MultiIndex.from_arrays([lines["hs10"], lines["partner"]])
        shares = lines["usmca_share"].to_numpy(dtype="float64")
        if month:
            monthly = self._usmca_monthly[month].reindex(index).to_numpy(dtype="float64")
            shares = np.where(np.isnan(monthly), shares, monthly)
        if cache:
            self._usmca_cache[month] = shares
        return shares

    def _attach_shares(self, lines: pd.DataFrame) -> pd.DataFrame:
        metals = _embedded_table("metal_shares.parquet").set_index("hs10")
        for metal in ("steel", "aluminum", "copper"):
            exact = metals[f"{metal}_share"].reindex(lines["hs10"].to_numpy()).to_numpy()
            by_hs8 = metals[f"{metal}_share"].reindex(lines["hs10"].str[:8].to_numpy()).to_numpy()
            lines[f"{metal}_share"] = np.where(np.isnan(exact), by_hs8, exact)
        index = pd.MultiIndex.from_arrays([lines["hs10"], lines["partner"]])
        lines["usmca_share"] = self._usmca_annual_near(lines["hs10"]).reindex(index).fillna(0.0).to_numpy()
        return lines

    def _usmca_annual_near(self, hs10: pd.Series) -> pd.Series:
        """The annual USMCA shares of the HS6 groups of ``hs10``: all of them once read, else those groups'."""
        groups = sorted(set(hs10.str[:6]))
        if self._usmca_annual_table is not None or len(groups) > _FEW_GROUPS:
            return self._usmca_annual
        for group in groups:
            if group not in self._usmca_annual_groups:
                # The month filter runs after the read: filtering the dictionary column in the read is slower.
                rows = _read_under("usmca_shares.parquet", group)
                annual = rows[rows["month"].astype(str) == ""]
                self._usmca_annual_groups[group] = annual.set_index(["hs10", "partner"])["usmca_share"]
        shares = [self._usmca_annual_groups[group] for group in groups]
        if not shares:  # no lines: nothing to look up
            return pd.Series(
                dtype="float64", index=pd.MultiIndex.from_arrays([[], []], names=["hs10", "partner"])
            )
        return shares[0] if len(shares) == 1 else pd.concat(shares)

    def _specific_duty(
        self,
        line: pd.DataFrame,
        hts10: str,
        partner: str,
        value_usd: float | None,
        quantity: float | None,
        unit: str | None,
    ) -> str | None:
        """Make a specific or compound base rate exact from the quantity; return the note on what was used."""
        general, column2 = _rate_texts(self._products_near([hts10]), hts10)
        text = column2 if partner in COLUMN2_COUNTRIES else general
        rate = parse_rate(text)
        preferential = float(line["mfn_rate"].iloc[0]) < float(
            self._mfn_for(line["hs10"], line["partner"], None)[0]
        )
        if quantity is None or unit is None:
            if rate.is_specific or not rate.readable:
                return (
                    f"base rate {text!r} taken as its 2024 average ad valorem equivalent "
                    f"({float(line['mfn_rate'].iloc[0]) * 100:.2f}%); give --quantity, --unit and --value "
                    "for the exact duty"
                )
            return None
        if value_usd is None:
            raise InvalidInputError("an exact specific duty needs the customs value too (--value)")
        if preferential:
            return f"FTA preference rate applied; the quantity is not used for the preference rate (basis {text!r})"
        line["mfn_rate"] = rate.exact(value_usd, quantity, unit)
        return f"base rate {text!r} computed exactly for {quantity:g} {unit} at USD {value_usd:,.2f}"

    def synthetic_line(self, hts10: str, partner: str) -> pd.DataFrame:
        """A one-row frame for a product/origin pair, from the 2024 data if the pair traded."""
        group = self._lines_under(hts10[:6])
        match = group[(group["hs10"] == hts10) & (group["partner"] == partner)]
        if len(match):
            return match.reset_index(drop=True)
        frame = pd.DataFrame({"hs10": [hts10], "partner": [partner], "imports_usd": [0.0], "duty_usd": [0.0]})
        frame["mfn_rate"] = self._mfn_for(frame["hs10"], frame["partner"], None)
        return self._attach_shares(frame)

    def lines_under(self, code: str) -> list[str]:
        """Every HTS10 line (2025 HTSUS or 2024 imports) whose code starts with a 6–10 digit ``code``."""
        digits = normalise_hts(code)
        products = self._products_near([digits])
        known = set(products.index[products.index.str.startswith(digits)])
        group = self._lines_under(digits[:6])
        known |= set(group.loc[group["hs10"].str.startswith(digits), "hs10"])
        return sorted(str(line) for line in known)

    def resolve_product(self, code: str) -> str:
        """The HTS10 line a 6–10 digit code names: the line itself, or the only line under a shorter code.

        A shorter code that covers several lines raises :class:`AmbiguousProductError` listing them:
        the duty differs between lines (e.g. s.232 scope, MFN rate), so none is picked silently.
        """
        digits = normalise_hts(code)
        group = self._lines_under(digits[:6])
        if len(digits) == 10 and (
            digits in self._products_near([digits]).index or (group["hs10"] == digits).any()
        ):
            return digits
        candidates = self.lines_under(digits)
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise UnknownProductError(f"unknown HTS code: {code} (not in the 2025 HTSUS)")
        shown = ", ".join(candidates[:6]) + (", …" if len(candidates) > 6 else "")
        raise AmbiguousProductError(
            f"{code} covers {len(candidates)} HTS-10 lines ({shown}): give one of them "
            f"(`tarifflab search {digits}` lists them) or ask for all (duty --all-lines)",
            tuple(candidates),
        )

    # -------------------------------------------------------------------------------------- scopes
    def _scope_mask(
        self, name: str, on: dt.date, hs10: np.ndarray, cache: bool, claims: frozenset[str] = frozenset()
    ) -> np.ndarray:
        # Scope membership only changes on the library's change dates, so cache by the date's bucket.
        key = (name, bisect.bisect_right(self._change_dates, on), claims)
        if cache and key in self._scope_cache:
            return self._scope_cache[key]
        mask = _prefix_mask(hs10, self._scope_prefixes(name, on, claims))
        if cache:
            self._scope_cache[key] = mask
        return mask

    def _scope_prefixes(
        self, name: str, on: dt.date, claims: frozenset[str] = frozenset()
    ) -> tuple[str, ...]:
        """Every HS prefix of a named scope on ``on`` for goods entered with ``claims``: its own prefixes,
        its union members', the versions in force and the claim lines, flattened once per date segment."""
        key = (name, bisect.bisect_right(self._change_dates, on), claims)
        compiled = self._compiled_scopes.get(key)
        if compiled is not None:
            return compiled
        library = self.library
        if name in library.definitions:
            definition = library.definitions[name]
            prefixes = set(definition.prefixes)
            for member in definition.union:
                prefixes.update(self._scope_prefixes(member, on, claims))
            for version in definition.versions:
                if version.start <= on and (version.end is None or on < version.end):
                    prefixes.update(self._scope_prefixes(version.scope, on, claims))
            if definition.claim is not None and definition.claim in claims:
                # Lines that belong to the scope only for goods entered with the claim (end use, exclusion).
                prefixes.update(definition.claim_prefixes)
                for member in definition.claim_union:
                    prefixes.update(self._scope_prefixes(member, on, claims))
            if definition.except_chapters:
                prefixes = {p for p in prefixes if p[:2] not in definition.except_chapters}
            compiled = tuple(sorted(prefixes))
        else:
            compiled = tuple(p for p, start in library.list_prefixes[name] if start is None or start <= on)
        self._compiled_scopes[key] = compiled
        return compiled

    def scope_mask(self, name: str, on: dt.date | str, hs10: np.ndarray) -> np.ndarray:
        """Which of the HTS10 codes ``hs10`` belong to the named scope on entry date ``on``."""
        if name not in self.library.scope_names():
            raise InvalidInputError(f"unknown product scope {name!r}")
        return self._scope_mask(name, parse_date(on, check_coverage=False), _hs10_numbers(hs10), cache=False)

    def _products_mask(
        self,
        products: Products | None,
        on: dt.date,
        hs10: np.ndarray,
        cache: bool,
        claims: frozenset[str] = frozenset(),
    ) -> np.ndarray:
        if products is None:
            return np.zeros(len(hs10), dtype=bool)
        if products.all:
            return np.ones(len(hs10), dtype=bool)
        cache = cache and not claims
        key = (products, bisect.bisect_right(self._change_dates, on))
        if cache and key in self._products_cache:
            return self._products_cache[key]
        mask = _prefix_mask(hs10, products.prefixes + products.chapters)
        for name in products.lists:
            mask = mask | self._scope_mask(name, on, hs10, cache, claims)
        if cache:
            self._products_cache[key] = mask
        return mask

    def in_scope(self, measure: Measure, on: dt.date, hts10: np.ndarray) -> np.ndarray:
        """Whether each of ``hts10`` (10-digit codes) is in ``measure``'s products net of its exclusions."""
        numbers = _hs10_numbers(np.asarray(hts10, dtype=str))
        inside = self._products_mask(measure.products, on, numbers, cache=False)
        return inside & ~self._products_mask(measure.exclusions, on, numbers, cache=False)

    # ---------------------------------------------------------------------------------- evaluation
    def active_measures(
        self, on: dt.date, view: View, as_known_on: dt.date | None, loaded_on: dt.date | None = None
    ) -> list[Measure]:
        if view is View.AS_KNOWN:
            known = as_known_on or on
            active = [m for m in self.library.measures if m.covers_date_as_known(on, known)]
        else:
            active = [m for m in self.library.measures if m.covers_date_in_force(on)]
        # In-transit clauses: goods loaded before the cut-off and entered before the deadline keep the
        # rate that applied without the measure.
        return [m for m in active if m.in_transit is None or not m.in_transit.relieves(loaded_on, on)]

    def _evaluate(
        self,
        lines: pd.DataFrame,
        on: dt.date,
        view: View,
        as_known_on: dt.date | None,
        cache: bool,
        terms: ShipmentTerms = AGGREGATE_TERMS,
    ) -> tuple[dict[str, np.ndarray], list[_Contribution]]:
        hs10 = self._numbers if cache else _hs10_numbers(lines["hs10"].to_numpy(dtype=str))
        mfn = lines["mfn_rate"].to_numpy(dtype="float64")
        n = len(lines)
        by_program: dict[tuple[str, str], list[Measure]] = defaultdict(list)
        entry_claims = terms.claims
        for measure in self.active_measures(on, view, as_known_on, terms.loaded_on):
            by_program[(measure.layer.value, measure.program)].append(measure)

        contributions: list[_Contribution] = []
        covered: dict[str, np.ndarray] = {}  # s.232 programme → covered share of value
        program_rates: dict[tuple[str, str], list[_Contribution]] = defaultdict(list)

        if cache and self._partner_codes is not None:
            codes, uniques = self._partner_codes
        else:
            codes, uniques = pd.factorize(lines["partner"].to_numpy(dtype=str))
            if cache:
                self._partner_codes = (codes, uniques)
        usmca_share = self._usmca_shares(lines, on, cache)
        masks: dict[tuple[str, ...], np.ndarray] = self._country_masks if cache else {}

        def country_mask(countries: tuple[str, ...]) -> np.ndarray:
            if countries in masks:
                return masks[countries]
            targets = set(countries)
            if EU_AGGREGATE in targets:
                targets |= set(EU27)
            mask = np.isin(uniques, list(targets))[codes]
            masks[countries] = mask
            return mask

        def apply_program(layer: str, program: str, base: np.ndarray) -> None:
            measures = by_program.get((layer, program), [])
            specific = [m for m in measures if m.is_country_specific]
            general = [m for m in measures if not m.is_country_specific]
            owned = np.zeros(n, dtype=bool)
            for measure in specific + general:
                in_country = (
                    country_mask(measure.countries)
                    if measure.is_country_specific
                    else ~country_mask(measure.exclude_countries)
                )
                in_products = self._products_mask(measure.products, on, hs10, cache, entry_claims)
                excluded = self._products_mask(measure.exclusions, on, hs10, cache, entry_claims)
                if terms.over_quota and measure.quota is not None:
                    # Above the quota the preferential measure does not claim the quota goods.
                    in_products = in_products & ~self._products_mask(
                        measure.quota.products, on, hs10, cache, entry_claims
                    )
                claims = in_country & (in_products | excluded) & ~owned
                applies = claims & in_products & ~excluded
                if measure.is_country_specific:
                    owned |= claims
                if not applies.any():
                    continue
                share = np.where(applies, base, 0.0)
                if measure.content is not None:
                    share = share * _content_share(lines, measure.content)
                if measure.usmca_exempt:
                    share = share * np.where(country_mask(("CAN", "MEX")), 1 - usmca_share, 1.0)
                rate = _rule_rate(measure, mfn)
                charged = share
                if measure.us_content_credit and "us_content_share" in lines.columns:
                    # U.S. note 33(d): the duty falls on the non-U.S. content only; the whole vehicle stays an
                    # s.232 good (9903.94.02 for the U.S. content), so the covered share is unchanged.
                    credit = usmca_share * lines["us_content_share"].to_numpy(dtype="float64")
                    charged = share * np.where(country_mask(("CAN", "MEX")), 1 - credit, 1.0)
                contribution = _Contribution(measure, charged * rate, share)
                program_rates[(layer, program)].append(contribution)
                contributions.append(contribution)
                if layer == Layer.S232.value and _counts_as_s232_good(measure):
                    covered[program] = np.maximum(covered.get(program, np.zeros(n)), share)

        ones = np.ones(n)
        unknown = sorted(p for layer, p in by_program if layer == Layer.S232.value and p not in S232_PROGRAMS)
        if unknown:  # the precedence graph would not know how it stacks: refuse rather than guess
            raise InvalidInputError(f"s.232 programme(s) {', '.join(unknown)} not in the precedence graph")
        for program in S232_PROGRAMS:
            apply_program(Layer.S232.value, program, ones)
        # s.232 programmes displaced by a higher one (precedence edges) drop out entirely on those lines.
        for program in S232_PROGRAMS:
            winners = [covered[w] > 0 for w in s232_winners_over(program) if w in covered]
            if winners and program in covered:
                displaced = np.logical_or.reduce(winners)
                covered[program] = np.where(displaced, 0.0, covered[program])
                for contribution in program_rates[(Layer.S232.value, program)]:
                    contribution.rate = np.where(displaced, 0.0, contribution.rate)
                    contribution.share = np.where(displaced, 0.0, contribution.share)

        other_programs = sorted({key for key in by_program if key[0] != Layer.S232.value})

        def base_share(layer: str, program: str, country: str) -> np.ndarray:
            blockers = [covered[p] for p in excluded_by(layer, program, country) if p in covered]
            return np.clip(1 - np.sum(blockers, axis=0), 0, 1) if blockers else np.ones(n)

        for layer, program in other_programs:
            base = base_share(layer, program, "*")
            for country in COUNTRY_SPECIFIC_EDGES:
                rows = country_mask((country,))
                if rows.any():
                    base = np.where(rows, base_share(layer, program, country), base)
            apply_program(layer, program, base)

        totals: dict[str, np.ndarray] = {"mfn": mfn.copy()}
        refundable = np.zeros(n)
        for layer in (item.value for item in Layer):
            programs = [key for key in program_rates if key[0] == layer]
            per_program = [np.sum([c.rate for c in program_rates[key]], axis=0) for key in programs]
            if not per_program:
                totals[layer] = np.zeros(n)
            elif layer == Layer.S301.value:
                # Where China's s.301 lists overlap only the highest rate applies (USTR list notes): the
                # other lists' contributions are zeroed line by line. Other s.301 actions (the 2026
                # forced-labour action) are separate duties and add.
                china = [key for key in programs if key[1].startswith("china")]
                if china:
                    best = np.max(
                        [np.sum([c.rate for c in program_rates[key]], axis=0) for key in china], axis=0
                    )
                    taken = np.zeros(n, dtype=bool)
                    for key in china:
                        rate = np.sum([c.rate for c in program_rates[key]], axis=0)
                        keep = (rate >= best) & ~taken & (rate > 0)
                        taken |= keep
                        for contribution in program_rates[key]:
                            contribution.rate = np.where(keep, contribution.rate, 0.0)
                per_program = [np.sum([c.rate for c in program_rates[key]], axis=0) for key in programs]
                totals[layer] = np.sum(per_program, axis=0)
            else:
                totals[layer] = np.sum(per_program, axis=0)
        ruling_known = view is not View.AS_KNOWN or (as_known_on or on) >= RULING_DATE
        for contribution in contributions:
            if contribution.measure.authority is Authority.IEEPA and ruling_known:
                refundable = refundable + contribution.rate
        if view is View.NET_OF_REFUNDS:
            for contribution in contributions:
                if contribution.measure.authority is Authority.IEEPA:
                    layer = contribution.measure.layer.value
                    totals[layer] = totals[layer] - contribution.rate
            refundable = np.zeros(n)
        totals["total"] = _total(totals)
        totals["refundable"] = refundable
        return totals, contributions

    def _de_minimis(
        self, origin: str, on: dt.date, value_usd: float | None, view: View, known: dt.date | None
    ) -> str | None:
        """The note explaining why a low-value shipment enters free, or None if de minimis does not apply."""
        rule = self.library.de_minimis
        if rule is None or value_usd is None or value_usd > rule.threshold_usd:
            return None
        known_on = (known or on) if view is View.AS_KNOWN else None
        end = rule.end_for(origin, on, known_on)
        if end is not None:
            return f"de minimis not available to goods of {origin} from {end.start} ({end.legal_basis})"
        return (
            f"de minimis: value USD {value_usd:,.2f} at or under USD {rule.threshold_usd:,.0f} enters free of "
            f"duty ({rule.legal_basis}); aggregates cannot see shipment size"
        )

    def _quota_note(self, active: list[Measure], line: pd.DataFrame, on: dt.date, partner: str) -> str:
        hs10 = _hs10_numbers(line["hs10"].to_numpy(dtype=str))
        for measure in active:
            quota = measure.quota
            if quota is None or not country_matches(measure.countries, partner):
                continue
            if self._products_mask(quota.products, on, hs10, cache=False)[0]:
                return (
                    f"entered above the quota of {quota.units:,} {quota.unit} a year: {measure.id} not applied "
                    f"({quota.legal_basis})"
                )
        return "no quota applies to this line and origin: --over-quota changes nothing"

    def de_minimis_end(self, origin: str, on: dt.date | str) -> str | None:
        """The legal basis that ended de minimis for goods of ``origin`` by ``on`` (None: still available)."""
        rule = self.library.de_minimis
        if rule is None:
            return None
        end = rule.end_for(to_iso3(origin), parse_date(on, check_coverage=False))
        return None if end is None else end.legal_basis

    def evaluate(
        self,
        on: dt.date | str,
        view: View | str = View.IN_FORCE,
        as_known_on: dt.date | str | None = None,
        claims: Iterable[str] = frozenset(),
    ) -> pd.DataFrame:
        """Every 2024 HTS10 × partner line with its layers on entry date ``on``.

        ``claims`` (names from ``tarifflab.policy.shipment.CLAIMS``) are taken as made for every line
        eligible for them, as ``duty(..., claims=...)`` makes them for one shipment: with
        ``{"civil_aircraft"}`` every line on a civil-aircraft list is entered under General Note 6.
        Without claims a listed subheading counts as civil aircraft only where the line itself says so.

        Columns: hs10, partner (ISO3; EUN = EU aggregate), imports_usd, mfn_rate, s232_rate,
        reciprocal_rate, fentanyl_rate, s301_rate, total_rate, refundable_rate (fractions), duty_usd.
        """
        on_date = parse_date(on)
        chosen = parse_view(view)
        known = parse_date(as_known_on, what="as-known date", check_coverage=False) if as_known_on else None
        terms = aggregate_terms(claims)
        totals = self._segment_totals(on_date, chosen, known, terms)
        out = self.lines[["hs10", "partner", "imports_usd"]].copy()
        for layer in LAYERS:
            out[f"{layer}_rate"] = totals[layer]
        out["total_rate"] = totals["total"]
        out["refundable_rate"] = totals["refundable"]
        out["duty_usd"] = out["imports_usd"] * out["total_rate"]
        return out

    def _segment_totals(
        self, on: dt.date, view: View, known: dt.date | None, terms: ShipmentTerms = AGGREGATE_TERMS
    ) -> dict[str, np.ndarray]:
        """Layer totals of all lines, memoised per date segment, month and claims made: within a segment
        the same measures are in force on the same scopes, and the USMCA-claimed shares change by month
        only."""
        lines = self.lines
        active = tuple(m.id for m in self.active_measures(on, view, known))
        ruling_known = view is not View.AS_KNOWN or (known or on) >= RULING_DATE
        claims = tuple(sorted(terms.claims))
        key = (
            bisect.bisect_right(self._change_dates, on), on.strftime("%Y-%m"), view, ruling_known, active, claims
        )  # fmt: skip
        with self._loading:
            if key in self._segment_memo:
                self._segment_memo.move_to_end(key)
                return self._segment_memo[key]
        store = self._store_of_segments()
        stored = store.load(key) if store is not None else None
        if stored is not None:
            # The store keeps the measure layers; the MFN rates are the lines' own and the total their sum.
            totals = {"mfn": lines["mfn_rate"].to_numpy(dtype="float64").copy(), **stored}
            totals["total"] = _total(totals)
            for values in totals.values():
                values.flags.writeable = False
        else:
            totals, _ = self._evaluate(lines, on, view, known, cache=True, terms=terms)
            for values in totals.values():
                values.flags.writeable = False  # shared by every caller of the segment
            if store is not None:
                store.save(key, totals)
        with self._loading:
            self._segment_memo[key] = totals
            while len(self._segment_memo) > _SEGMENT_MEMO_SIZE:
                self._segment_memo.popitem(last=False)
        return totals

    def _store_of_segments(self) -> SegmentStore | None:
        """The on-disk store of this engine's segment totals (see ``segment_store``), None when off."""
        if not self._segment_store_opened:
            with self._loading:
                if not self._segment_store_opened:
                    names = (*LAYERS[1:], "refundable")  # mfn and total are rebuilt on reading
                    self._segment_store = SegmentStore.for_engine(
                        self.library, self.mfn_basis.value, names, len(self.lines)
                    )
                    self._segment_store_opened = True
        return self._segment_store

    def duty(
        self,
        hts: str,
        origin: str,
        on: dt.date | str,
        value_usd: float | None = None,
        view: View | str = View.IN_FORCE,
        as_known_on: dt.date | str | None = None,
        usmca_qualifying: bool = False,
        loaded_on: dt.date | str | None = None,
        over_quota: bool = False,
        civil_aircraft: bool = False,
        s301_exclusion: bool = False,
        claims: tuple[str, ...] | list[str] = (),
        quantity: float | None = None,
        unit: str | None = None,
        us_content_share: float | None = None,
    ) -> DutyResult:
        """The duty on one product, layer by layer, with each layer's legal basis.

        For Canada and Mexico the shipment is taken as not USMCA-qualifying unless ``usmca_qualifying``
        (the ETR aggregates instead weight lines by the observed USMCA-claimed share of the month).
        ``quantity`` in ``unit`` (with ``value_usd``) makes a specific or compound rate exact; without it
        the 2024 average ad valorem equivalent is used, and a note says so. ``us_content_share`` (0-1) is the
        approved U.S. content of a USMCA-qualifying Canadian or Mexican vehicle (U.S. note 33(d)).

        Shipment facts the aggregates cannot see: ``value_usd`` at or under the de minimis threshold
        ($800) enters free where de minimis is still available; ``loaded_on`` (date the goods were
        loaded on the vessel) applies in-transit clauses; ``over_quota`` prices goods above a quota
        (the UK's 100,000 vehicles); ``civil_aircraft`` claims civil-aircraft end use (General Note 6);
        ``s301_exclusion`` claims a described Section 301 product exclusion (9903.88.69/.70); ``claims``
        names further facts of the shipment (``tarifflab.policy.shipment.CLAIMS``: a generic
        pharmaceutical, an Annex III company, a drone with thermal imaging).
        """
        # Repeated lookups (a dashboard's sessions, an API loop) are answered from a memo of the exact call.
        # A new argument goes into this mapping too (and into _duty's signature).
        arguments: dict[str, Any] = {
            "hts": hts, "origin": origin, "on": on, "value_usd": value_usd, "view": view,
            "as_known_on": as_known_on, "usmca_qualifying": usmca_qualifying, "loaded_on": loaded_on,
            "over_quota": over_quota, "civil_aircraft": civil_aircraft, "s301_exclusion": s301_exclusion,
            "claims": tuple(claims), "quantity": quantity, "unit": unit, "us_content_share": us_content_share,
        }  # fmt: skip
        memo_key = tuple((name, repr(value)) for name, value in arguments.items())
        memo = self._duty_memo.get(memo_key)
        if memo is not None:
            return memo
        result = self._duty(**arguments)
        if len(self._duty_memo) >= _DUTY_MEMO_SIZE:
            self._duty_memo.clear()
        self._duty_memo[memo_key] = result
        return result

    def _duty(
        self,
        hts: str,
        origin: str,
        on: dt.date | str,
        value_usd: float | None,
        view: View | str,
        as_known_on: dt.date | str | None,
        usmca_qualifying: bool,
        loaded_on: dt.date | str | None,
        over_quota: bool,
        civil_aircraft: bool,
        s301_exclusion: bool,
        claims: tuple[str, ...],
        quantity: float | None,
        unit: str | None,
        us_content_share: float | None,
    ) -> DutyResult:
        on_date = parse_date(on)
        chosen = parse_view(view)
        if chosen is View.AS_KNOWN and as_known_on is None:
            raise InvalidInputError("the as-known view needs --as-known-on DATE")
        known = parse_date(as_known_on, what="as-known date", check_coverage=False) if as_known_on else None
        if value_usd is not None and (not np.isfinite(value_usd) or value_usd < 0):
            raise InvalidInputError(f"customs value must be a non-negative number, not {value_usd}")
        loaded = (
            parse_date(loaded_on, what="loading date", check_coverage=False)
            if loaded_on is not None
            else None
        )
        made_claims = frozenset(
            name
            for name, made in (
                (CIVIL_AIRCRAFT, civil_aircraft),
                (S301_EXCLUSION, s301_exclusion),
                (OVER_QUOTA, over_quota),
            )
            if made
        ) | frozenset(claims)
        terms = ShipmentTerms(loaded_on=loaded, over_quota=over_quota, claims=made_claims)
        terms.check_against(on_date)
        if (quantity is None) != (unit is None):
            raise InvalidInputError("give --quantity and --unit together")
        if quantity is not None and (not np.isfinite(quantity) or quantity < 0):
            raise InvalidInputError(f"quantity must be a non-negative number, not {quantity}")
        if us_content_share is not None and not 0 <= us_content_share <= 1:
            raise InvalidInputError(f"U.S. content share must lie between 0 and 1, not {us_content_share}")
        iso3 = to_iso3(origin)
        partner = engine_partner(iso3)
        if us_content_share is not None and not (partner in ("CAN", "MEX") and usmca_qualifying):
            raise InvalidInputError(
                "a U.S. content share applies only to USMCA-qualifying Canadian or Mexican vehicles"
            )
        hts10 = self.resolve_product(hts)
        line = self.synthetic_line(hts10, partner)
        line["usmca_fixed"] = True  # one shipment: its own USMCA claim, not the month's observed share
        line["us_content_share"] = us_content_share or 0.0
        if partner in ("CAN", "MEX"):
            # One shipment either qualifies (USMCA rate: free) or pays the general rate and the duties.
            line["usmca_share"] = 1.0 if usmca_qualifying else 0.0
            line["mfn_rate"] = 0.0 if usmca_qualifying else self._mfn_for(line["hs10"], line["partner"], None)
        mfn_note = self._specific_duty(line, hts10, partner, value_usd, quantity, unit)
        totals, contributions = self._evaluate(line, on_date, chosen, known, cache=False, terms=terms)
        de_minimis_note = self._de_minimis(iso3, on_date, value_usd, chosen, known)
        if de_minimis_note is not None and de_minimis_note.startswith("de minimis:"):
            # 19 U.S.C. 1321: free of duty and of any tax imposed on or by reason of importation.
            totals = {key: np.zeros_like(value) for key, value in totals.items()}
            contributions = []
        ruling_known = chosen is not View.AS_KNOWN or (known or on_date) >= RULING_DATE
        notes: list[str] = []
        layers = [
            LayerResult(
                "MFN (HTSUS column 2)" if partner in COLUMN2_COUNTRIES else "MFN (HTSUS column 1)",
                float(totals["mfn"][0]) * 100,
                "HTSUS column 2 rate of duty"
                if partner in COLUMN2_COUNTRIES
                else "HTSUS general rate of duty",
                False,
                "mfn",
            )
        ]
        for contribution in contributions:
            rate = float(contribution.rate[0])
            measure = contribution.measure
            if float(contribution.share[0]) == 0 or (
                rate == 0 and measure.rule.kind is RuleKind.ADD and measure.covers_s232_good is not True
            ):
                continue
            is_ieepa = measure.authority is Authority.IEEPA
            if chosen is View.NET_OF_REFUNDS and is_ieepa:
                rate = 0.0
            layers.append(
                LayerResult(
                    f"{measure.authority.value}: {measure.title}",
                    rate * 100,
                    measure.legal_basis,
                    bool(is_ieepa and ruling_known and chosen is not View.NET_OF_REFUNDS),
                    measure.layer.value,
                    measure.id,
                    measure.heading,
                    tuple(c.value for c in measure.confidence),
                    measure.sources,
                    measure.rule.kind is RuleKind.PROHIBIT,
                )
            )
            if measure.single_source:
                notes.append(
                    f"{measure.id} rests on a single source: {'; '.join(measure.sources) or measure.legal_basis}"
                )
            if measure.rule.kind is RuleKind.PROHIBIT:
                notes.append(f"entry prohibited: {measure.legal_basis}")
        if mfn_note:
            notes.insert(0, mfn_note)
        if de_minimis_note is not None:
            notes.append(de_minimis_note)
        active = self.active_measures(on_date, chosen, known)
        notes += _shipment_notes(terms, active, on_date, partner)
        if over_quota:
            notes.append(self._quota_note(active, line, on_date, partner))
        if partner in COLUMN2_COUNTRIES:
            notes.append(
                f"{iso3} is on HTSUS column 2 (general note 3(b); Public Law 117-110 for Russia and Belarus)"
            )
        if partner in ("CAN", "MEX"):
            status = (
                "USMCA-qualifying"
                if usmca_qualifying
                else "not USMCA-qualifying (--usmca-qualifying to claim)"
            )
            notes.append(f"shipment taken as {status}")
        if hts10 != normalise_hts(hts):
            notes.append(f"{hts} resolved to HTS10 {hts10}")
        if chosen is View.NET_OF_REFUNDS and any(
            c.measure.authority is Authority.IEEPA for c in contributions
        ):
            notes.append("IEEPA duties refunded after Learning Resources, Inc. v. Trump (2026-02-20)")
        products = self._products_near([hts10])
        description = str(products["description"].get(hts10, "")) if hts10 in products.index else ""
        return DutyResult(
            hts10=hts10,
            description=description,
            origin=iso3,
            date=on_date,
            view=chosen.value,
            value_usd=value_usd,
            total_rate_pct=float(totals["total"][0]) * 100,
            refundable_pct=float(totals["refundable"][0]) * 100,
            layers=tuple(layers),
            notes=tuple(notes),
            law_known_on=self.library.law_known_on,
            scenario_hash=self.library.scenario_hash,
        )

    def duty_all_lines(
        self,
        code: str,
        origin: str,
        on: dt.date | str,
        value_usd: float | None = None,
        view: View | str = View.IN_FORCE,
        as_known_on: dt.date | str | None = None,
        usmca_qualifying: bool = False,
        **shipment: Any,
    ) -> list[DutyResult]:
        """:meth:`duty` for every HTS10 line a 6–10 digit ``code`` covers, in code order.

        ``shipment`` passes :meth:`duty`'s shipment facts (``quantity``, ``unit``, ``loaded_on``, …) on.
        """
        lines = self.lines_under(code)
        if not lines:
            raise UnknownProductError(f"unknown HTS code: {code} (not in the 2025 HTSUS)")
        return [
            self.duty(line, origin, on, value_usd, view, as_known_on, usmca_qualifying, **shipment)
            for line in lines
        ]


def _counts_as_s232_good(measure: Measure) -> bool:
    """Whether goods under this s.232 measure are s.232 goods for the precedence edges.

    A zero 'add' is an exemption from the programme (Japan's civil aircraft, 9903.96.02) unless the
    record says the goods stay under a s.232 heading at +0% (UK patented medicines, 9903.04.63)."""
    if measure.covers_s232_good is not None:
        return measure.covers_s232_good
    return not (measure.rule.kind is RuleKind.ADD and measure.rule.rate == 0)


def _shipment_notes(terms: ShipmentTerms, unrelieved: list[Measure], on: dt.date, partner: str) -> list[str]:
    notes = []
    if terms.loaded_on is not None:
        for measure in unrelieved:
            clause = measure.in_transit
            for_origin = country_matches(measure.countries, partner) or (
                "ALL" in measure.countries and not country_matches(measure.exclude_countries, partner)
            )
            if clause is not None and for_origin and clause.relieves(terms.loaded_on, on):
                notes.append(
                    f"in transit: loaded {terms.loaded_on} before {clause.loaded_before}, entered before "
                    f"{clause.entered_before or 'any date'}: {measure.id} not applied ({clause.legal_basis})"
                )
    for claim in sorted(terms.claims - {OVER_QUOTA}):  # the quota has its own note
        notes.append(f"entered with the {claim.replace('_', ' ')} claim")
    return notes


# An article classified in its metal's own chapter is an article of that metal: its metal content is its full
# value (CBP CSMS 65794272: "for imported articles composed only of copper, the dutiable value of the copper
# content is the total entered value"). Elsewhere the BEA input shares apply, capped at 1 (they are input-cost
# ratios and exceed 1 for some refining industries).
_METAL_CHAPTERS = {"steel": ("72", "73"), "aluminum": ("76",), "copper": ("74",)}


def _content_share(lines: pd.DataFrame, metal: str) -> np.ndarray:
    """Share of each line's value that a content-based duty applies to (the metal content)."""
    content = lines[f"{metal}_share"].to_numpy(dtype="float64")
    content = np.clip(np.where(np.isnan(content), DEFAULT_DERIVATIVE_METAL_SHARE, content), 0.0, 1.0)
    own_chapter = lines["hs10"].str[:2].isin(_METAL_CHAPTERS[metal]).to_numpy()
    return np.where(own_chapter, 1.0, content)


def _rate_texts(products: pd.DataFrame, hts10: str) -> tuple[str, str]:
    if hts10 not in products.index or "general_text" not in products.columns:
        return "", ""
    row = products.loc[hts10]
    return str(row["general_text"] or ""), str(row["column2_text"] or "")


def _total(totals: dict[str, np.ndarray]) -> np.ndarray:
    """A line's total rate: the sum of its layers, MFN included (the one formula for evaluated and stored)."""
    return np.sum([totals[layer] for layer in LAYERS], axis=0)


def _rule_rate(measure: Measure, mfn: np.ndarray) -> np.ndarray:
    rule = measure.rule
    if rule.kind is RuleKind.PROHIBIT:
        return np.zeros_like(mfn)
    if rule.kind is RuleKind.ADD:
        return np.full_like(mfn, float(rule.rate or 0.0))
    room = np.maximum(0.0, float(rule.all_in or 0.0) - mfn)
    if rule.kind is RuleKind.FLOOR:
        return room
    return np.minimum(float(rule.rate or 0.0), room)


def _hs10_numbers(hs10: np.ndarray) -> np.ndarray:
    """HTS10 codes as integers, so a prefix test is an integer division (much faster than strings)."""
    return np.asarray(
        pd.to_numeric(pd.Series(hs10, dtype=str).str.ljust(10, "0"), errors="coerce").fillna(-1),
        dtype=np.int64,
    )


def _prefix_mask(numbers: np.ndarray, prefixes: tuple[str, ...]) -> np.ndarray:
    if len(numbers) <= _FEW_LINES:
        # A handful of lines (a single lookup): the code's own prefixes looked up in the scope's set of
        # prefix strings (no integer conversion or sorting of a scope's thousands of prefixes).
        lengths, members = _prefix_set(prefixes)
        codes = [f"{int(n):010d}" if n >= 0 else "" for n in numbers]
        return np.array(
            [any(code[:k] in members for k in lengths) if code else False for code in codes], dtype=bool
        )
    groups = _prefix_groups(prefixes)
    mask = np.zeros(len(numbers), dtype=bool)
    for divisor, _, sorted_members in groups:
        mask |= np.isin(numbers // divisor, sorted_members)
    return mask


_FEW_LINES = 16
_FEW_GROUPS = 8  # more HS6 groups than this: read the whole table once instead of range by range
_DUTY_MEMO_SIZE = 100_000
_SEGMENT_MEMO_SIZE = 12  # ~13 MB each: the segments of a dashboard's recent dates


@lru_cache(maxsize=4096)
def _prefix_set(prefixes: tuple[str, ...]) -> tuple[tuple[int, ...], frozenset[str]]:
    """The prefix lengths present and the prefixes as a set, for testing a few codes."""
    return tuple(sorted({len(prefix) for prefix in prefixes})), frozenset(prefixes)


@lru_cache(maxsize=4096)
def _prefix_groups(prefixes: tuple[str, ...]) -> tuple[tuple[int, frozenset[int], np.ndarray], ...]:
    """Prefixes grouped by length: (10**(10 - length), the prefixes as integers, the same sorted)."""
    by_length: dict[int, list[int]] = defaultdict(list)
    for prefix in prefixes:
        by_length[len(prefix)].append(int(prefix))
    return tuple(
        (10 ** (10 - length), frozenset(group), np.unique(np.asarray(group, dtype=np.int64)))
        for length, group in sorted(by_length.items())
    )


@lru_cache(maxsize=8)
def _embedded_table(name: str) -> pd.DataFrame:
    """An embedded Parquet table, read once per process (callers derive new frames, never mutate it)."""
    return pd.read_parquet(embedded_path(name))


def _read_under(name: str, prefix: str) -> pd.DataFrame:
    """The rows of an embedded table whose ``hs10`` starts with ``prefix``.

    The lookup tables are written sorted by HS10 in small row groups (studies/build/tariff_engine.py), so the
    row groups' statistics confine the read to the one or two holding the range.
    """
    import pyarrow.parquet as pq  # the row groups are picked here, without the dataset layer

    # ":" sorts right after "9", so the range holds exactly the codes that start with the prefix.
    low, high = prefix, prefix + ":"
    table = pq.ParquetFile(embedded_path(name))
    column = table.schema_arrow.get_field_index("hs10")
    groups = []
    for index in range(table.metadata.num_row_groups):
        stats = table.metadata.row_group(index).column(column).statistics
        if stats is None or not stats.has_min_max or (stats.max >= low and stats.min < high):
            groups.append(index)
    rows = table.read_row_groups(groups).to_pandas()
    return rows[(rows["hs10"] >= low) & (rows["hs10"] < high)].reset_index(drop=True)


def _read_trade(prefix: str | None = None) -> pd.DataFrame:
    """2024 import lines (hs10, partner, imports_usd, duty_usd), all or those under an HS prefix."""
    if prefix is None:
        trade = pd.read_parquet(embedded_path("us_imports_2024.parquet"))
    else:
        trade = _read_under("us_imports_2024.parquet", prefix)
    trade["partner"] = trade["partner"].astype(str)
    return trade.reset_index(drop=True)


_ENGINES: dict[tuple[str, MfnBasis], TariffEngine] = {}


@lru_cache(maxsize=2)
def _default_engine(mfn_basis: MfnBasis) -> TariffEngine:
    return TariffEngine(load_library(), mfn_basis=mfn_basis)
