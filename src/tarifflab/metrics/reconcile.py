"""Reconciliation with the public tariff trackers: our ETR beside theirs, and the lines behind each gap.

Our ETR is the total rate incl. MFN (applied basis) on 2024 HS10 × partner import weights
(:mod:`tarifflab.metrics.etr`). Each tracker figure is converted to that definition where its
conventions allow (see :func:`compare_etr`); otherwise the ``definition`` column states the difference.

The line-level checks compare our layer rates with the trackers' published product scopes and line rates
(:data:`LINE_CHECKS`). A line's contribution to a gap is imports × (our rate − the reference rate)
divided by the partner's (or all partners') imports, in percentage points of the ETR.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tarifflab.data import trackers
from tarifflab.errors import InvalidInputError, TariffLabError
from tarifflab.metrics.etr import etr_by_partner, etr_series
from tarifflab.nomenclature.countries import WORLD, to_iso3
from tarifflab.policy.engine import TariffEngine, View, engine_partner, parse_date
from tarifflab.policy.library import COVERAGE_END, COVERAGE_START
from tarifflab.policy.shipment import aggregate_terms

COMPARISON_COLUMNS = [
    "date",
    "partner",
    "source",
    "published_pct",
    "tracker_pct",
    "ours_pct",
    "gap_pp",
    "definition",
    "reference",
]

TWT_PARTNER_DEFINITION = (
    "2024 applied rate + published additional pp (tracker's own 2024 HS10 weights, same Census data)"
)
TWT_NATIONAL_DEFINITION = "published − flat 2.3 pp baseline + 2024 applied rate of its 51 partners"
YALE_PUBLISHED_DEFINITION = "as published: all partners, Budget Lab's own weights (not converted)"
REALISED_DEFINITION = (
    "realised duties / imports in the month (collections lag entries, imports reacted, all partners);"
    " ours: mean of the daily ETR over the month"
)


def _engine(engine: TariffEngine | None) -> TariffEngine:
    return engine if engine is not None else TariffEngine.default()


class _OurEtr:
    """Our ETR by partner per (date, view), evaluated once each."""

    def __init__(self, engine: TariffEngine, claims: frozenset[str] = frozenset()) -> None:
        self.engine = engine
        self.claims = claims
        self._tables: dict[tuple[dt.date, str], pd.Series] = {}

    def __call__(self, on: dt.date, partner: str, view: str = View.IN_FORCE.value) -> float:
        key = (on, view)
        if key not in self._tables:
            table = etr_by_partner(on, view=view, engine=self.engine, claims=self.claims)
            self._tables[key] = table.set_index("partner")["etr_pct"]
        return float(self._tables[key].get(partner, np.nan))


def _in_coverage(on: dt.date) -> bool:
    return COVERAGE_START <= on <= COVERAGE_END


def _wanted_partners(partners: Sequence[str] | None) -> set[str] | None:
    if not partners:
        return None
    return {WORLD if p.upper() in (WORLD, "WORLD") else engine_partner(to_iso3(p)) for p in partners}


def _partner_of(name: str) -> str | None:
    """ISO3 of a tracker's country name, EU members folded into the EU aggregate (None: unknown name)."""
    try:
        return engine_partner(to_iso3(name))
    except TariffLabError:
        return None


def tradewartracker_partners() -> pd.DataFrame:
    """tradewartracker's per-partner ETRs (:func:`tarifflab.data.trackers.tradewartracker_by_partner`)
    with a ``partner`` column (ISO3; EUN = EU aggregate); rows whose country cannot be named are dropped."""
    table = trackers.tradewartracker_by_partner()
    table["partner"] = table["country_name"].map(_partner_of)
    return table.dropna(subset=["partner"]).reset_index(drop=True)


def _twt_rows(dates: list[dt.date] | None, ours: _OurEtr) -> list[dict[str, object]]:
    by_partner = tradewartracker_partners()
    national = trackers.tradewartracker_national().set_index("date")
    change_dates = sorted(by_partner["date"].unique())
    rows: list[dict[str, object]] = []
    targets = dates if dates is not None else [d for d in change_dates if _in_coverage(d)]
    for on in targets:
        # The tracker's partner rates hold from one policy-change date to the next.
        known = [d for d in change_dates if d <= on]
        if not known:
            continue
        snapshot = by_partner[by_partner["date"] == known[-1]]
        for record in snapshot.itertuples(index=False):
            rows.append(
                {
                    "date": on,
                    "partner": record.partner,
                    "source": "tradewartracker",
                    "published_pct": record.additional_pp,
                    "tracker_pct": record.etr_pct,
                    "ours_pct": ours(on, str(record.partner)),
                    "definition": TWT_PARTNER_DEFINITION,
                    "reference": f"{trackers.TRADEWARTRACKER}/country-by-time.csv ({known[-1]})",
                }
            )
        if on in national.index:
            day = {str(k): v for k, v in national.loc[on].to_dict().items()}
            rows.append(
                {
                    "date": on,
                    "partner": WORLD,
                    "source": "tradewartracker",
                    "published_pct": float(day["published_pct"]),
                    "tracker_pct": float(day["etr_pct"]),
                    "ours_pct": ours(on, WORLD),
                    "definition": TWT_NATIONAL_DEFINITION,
                    "reference": f"{trackers.TRADEWARTRACKER}/daily-tariff-latest-data.csv",
                }
            )
    return rows


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _published_rows(dates: list[dt.date] | None, ours: _OurEtr) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for record in _records(trackers.published_etr_figures()):
        on: dt.date = record["policy_date"]
        if (dates is not None and on not in dates) or not _in_coverage(on):
            continue
        name = str(record["partner"])
        partner = WORLD if name in (WORLD, "WORLD") else engine_partner(to_iso3(name))
        rows.append(
            {
                "date": on,
                "partner": partner,
                "source": str(record["source"]),
                "published_pct": float(record["etr_pct"]),
                "tracker_pct": float(record["etr_pct"]),
                "ours_pct": ours(on, partner, str(record["view"])),
                "definition": f"{YALE_PUBLISHED_DEFINITION}; ours: {record['view']} view. {record['note']}",
                "reference": str(record["url"]),
            }
        )
    return rows


def _realised_rows(
    dates: list[dt.date] | None, engine: TariffEngine, claims: frozenset[str] = frozenset()
) -> list[dict[str, object]]:
    realised = trackers.yale_realised_monthly()
    months: list[dt.date] = [m for m in realised["month"].tolist() if _in_coverage(m)]
    if dates is not None:
        wanted = {d.replace(day=1) for d in dates}
        months = [m for m in months if m in wanted]
    if not months:
        return []
    last_day = min(COVERAGE_END, (pd.Timestamp(max(months)) + pd.offsets.MonthEnd(0)).date())
    series = etr_series(min(months), last_day, engine=engine, claims=claims)
    series["month"] = [d.replace(day=1) for d in series["date"]]
    monthly = series.groupby("month")["etr_pct"].mean()
    rows: list[dict[str, object]] = []
    for record in _records(realised[realised["month"].isin(months)]):
        rows.append(
            {
                "date": record["month"],
                "partner": WORLD,
                "source": "yale-realised",
                "published_pct": float(record["etr_pct"]),
                "tracker_pct": float(record["etr_pct"]),
                "ours_pct": float(monthly.get(record["month"], np.nan)),
                "definition": REALISED_DEFINITION,
                "reference": f"{trackers.YALE_MODEL}/resources/calibration/treasury_revenue.csv",
            }
        )
    return rows


def compare_etr(
    dates: Iterable[dt.date | str] | None = None,
    partners: Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
    engine: TariffEngine | None = None,
    claims: Iterable[str] = frozenset(),
) -> pd.DataFrame:
    """Our ETR beside every tracker figure, for every date and partner where the tracker has one.

    Without ``dates``: every tracker policy-change date and published figure within our coverage, and
    every realised month. With ``dates``: the trackers' figures in force on those dates (the realised
    rate of the month that holds the date). ``partners`` are ISO3 or names; ``ALL`` is the total.
    Columns: :data:`COMPARISON_COLUMNS`; ``gap_pp`` = ours − tracker (on our definition). ``claims``:
    entry claims assumed made for every eligible line in ``ours_pct`` (:func:`etr_by_partner`).
    """
    eng = _engine(engine)
    chosen = sorted({parse_date(d) for d in dates}) if dates is not None else None
    made = aggregate_terms(claims).claims
    ours = _OurEtr(eng, made)
    known_sources = ("tradewartracker", "yale-budget-lab", "yale-realised")
    selected = tuple(sources) if sources else known_sources
    unknown = [s for s in selected if s not in known_sources]
    if unknown:
        raise InvalidInputError(f"unknown tracker {unknown[0]!r} (choose {', '.join(known_sources)})")
    rows: list[dict[str, object]] = []
    if "tradewartracker" in selected:
        rows += _twt_rows(chosen, ours)
    if "yale-budget-lab" in selected:
        rows += _published_rows(chosen, ours)
    if "yale-realised" in selected:
        rows += _realised_rows(chosen, eng, made)
    table = pd.DataFrame(rows, columns=[c for c in COMPARISON_COLUMNS if c != "gap_pp"])
    table["gap_pp"] = table["ours_pct"] - table["tracker_pct"]
    wanted = _wanted_partners(partners)
    if wanted is not None:
        table = table[table["partner"].isin(wanted)]
    table = table.sort_values(["date", "source", "partner"], key=_all_first).reset_index(drop=True)
    return table[COMPARISON_COLUMNS]


def _all_first(column: pd.Series) -> pd.Series:
    return column.map(lambda p: "" if p == WORLD else p) if column.name == "partner" else column


# ------------------------------------------------------------------------------------- line level
@dataclass(frozen=True)
class LineCheck:
    """One comparison of a layer of ours with a tracker's scope or line rates.

    kind ``exempt``: the reference exempts these lines from the layer; any rate of ours is a gap.
    kind ``covered``: the reference lists the lines the layer covers; our rate outside the lists is a
    gap (reference rate 0), and listed lines we do not charge are counted (no reference rate to weigh).
    kind ``rate``: the reference gives each line's rate; the gap is ours − theirs.
    """

    name: str
    layer: str  # column prefix of TariffEngine.evaluate: s232, reciprocal, fentanyl, s301, or all_in
    reference: tuple[str, ...]
    kind: str
    description: str
    partners: tuple[str, ...] | None = None
    start: dt.date = COVERAGE_START
    end: dt.date | None = None


LINE_CHECKS: tuple[LineCheck, ...] = (
    LineCheck(
        "annex-ii-2025-04",
        "reciprocal",
        ("twt-annex-ii-2025-04",),
        "exempt",
        "reciprocal duty on a line of EO 14257 Annex II (tradewartracker's April 2025 list)",
        start=dt.date(2025, 4, 5),
        end=dt.date(2025, 11, 13),
    ),
    LineCheck(
        "annex-ii-2025-11",
        "reciprocal",
        ("twt-annex-ii-2025-11",),
        "exempt",
        "reciprocal duty on a line of the revised Annex II (tradewartracker's 2025-11-14 list)",
        start=dt.date(2025, 11, 13),
        end=dt.date(2026, 2, 24),
    ),
    LineCheck(
        "ieepa-exempt-yale",
        "reciprocal",
        ("yale-ieepa-exempt",),
        "exempt",
        "reciprocal duty on a line the Yale tracker holds IEEPA-exempt (its latest revision)",
        start=dt.date(2025, 4, 5),
        end=dt.date(2026, 2, 24),
    ),
    LineCheck(
        "s232-metals-autos-scope",
        "s232",
        ("twt-steel", "twt-aluminum", "twt-copper", "twt-auto", "yale-s232-derivatives", "yale-s232-copper"),
        "covered",
        "Section 232 duty outside the trackers' steel, aluminium, copper and auto lists (the lists do not"
        " hold lumber, furniture, trucks, semiconductors or pharmaceuticals)",
        start=dt.date(2025, 3, 12),
    ),
    LineCheck(
        "floor-15-eu-japan",
        "all_in",
        ("gta-floor",),
        "rate",
        "MFN + reciprocal against GTA's all-in 15% floor table (EU and Japan, lines without s.232 or"
        " an IEEPA exemption)",
        partners=("EUN", "JPN"),
        start=dt.date(2025, 9, 16),
        end=dt.date(2026, 2, 24),
    ),
    LineCheck(
        "s301-china",
        "s301",
        ("gta-301",),
        "rate",
        "Section 301 rate on China against GTA's line rates (lists 1-4A)",
        partners=("CHN",),
    ),
)

LINE_COLUMNS = [
    "check",
    "partner",
    "hs10",
    "imports_usd",
    "ours_pct",
    "reference_pct",
    "gap_pp",
    "contribution_partner_pp",
    "contribution_total_pp",
]


def _prefix_match(hs10: pd.Series, prefixes: Iterable[str]) -> np.ndarray:
    by_length: dict[int, set[str]] = {}
    for prefix in prefixes:
        by_length.setdefault(len(prefix), set()).add(prefix)
    mask = np.zeros(len(hs10), dtype=bool)
    for length, group in by_length.items():
        mask |= hs10.str[:length].isin(group).to_numpy()
    return mask


def _reference_prefixes(names: tuple[str, ...]) -> tuple[str, ...]:
    out: set[str] = set()
    for name in names:
        out.update(trackers.scope_prefixes(name))
    return tuple(out)


def _check_lines(check: LineCheck, lines: pd.DataFrame) -> pd.DataFrame:
    """Lines where ``check`` finds a difference, with ours_pct and reference_pct (NaN: no rate)."""
    if check.partners is not None:
        lines = lines[lines["partner"].isin(check.partners)]
    if check.kind == "exempt":
        listed = _prefix_match(lines["hs10"], _reference_prefixes(check.reference))
        out = lines[listed & (lines[f"{check.layer}_rate"].to_numpy() > 0)]
        return out.assign(ours_pct=100 * out[f"{check.layer}_rate"], reference_pct=0.0)
    if check.kind == "covered":
        listed = _prefix_match(lines["hs10"], _reference_prefixes(check.reference))
        rate = lines[f"{check.layer}_rate"].to_numpy()
        extra = lines[~listed & (rate > 0)].assign(reference_pct=0.0)
        missing = lines[listed & (rate == 0)].assign(reference_pct=np.nan)
        out = pd.concat([extra, missing])
        return out.assign(ours_pct=100 * out[f"{check.layer}_rate"])
    if check.reference == ("gta-floor",):
        floor = trackers.gta_floor_rates().set_index("hts8")["floor_total_pct"]
        exempt = _prefix_match(lines["hs10"], trackers.scope_prefixes("yale-ieepa-exempt"))
        plain = (lines["s232_rate"] == 0).to_numpy() & (lines["s301_rate"] == 0).to_numpy() & ~exempt
        subset = lines[plain]
        reference = subset["hs10"].str[:8].map(floor).astype("float64")
        ours = 100 * (subset["mfn_rate"] + subset["reciprocal_rate"])
        out = subset.assign(ours_pct=ours, reference_pct=reference).dropna(subset=["reference_pct"])
        return out[(out["ours_pct"] - out["reference_pct"]).abs() > 0.05]
    if check.reference == ("gta-301",):
        rates = trackers.gta_section_301().set_index("hts8")["rate_pct"]
        reference = lines["hs10"].str[:8].map(rates).astype("float64").fillna(0.0)
        out = lines.assign(ours_pct=100 * lines["s301_rate"], reference_pct=reference)
        return out[(out["ours_pct"] - out["reference_pct"]).abs() > 0.05]
    raise InvalidInputError(f"line check {check.name}: unknown reference {check.reference}")


def line_comparison(
    on: dt.date | str,
    partners: Sequence[str] | None = None,
    checks: Sequence[str] | None = None,
    engine: TariffEngine | None = None,
    lines: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every line where our layer rates differ from a tracker's scope or line rate on ``on``.

    Columns: :data:`LINE_COLUMNS`. ``contribution_*_pp`` is the line's share of the ETR gap (pp) for its
    partner and for all partners; NaN where the reference publishes a scope but no rate.
    """
    when = parse_date(on)
    evaluated = lines if lines is not None else _engine(engine).evaluate(when)
    totals = evaluated.groupby("partner", observed=True)["imports_usd"].sum()
    all_imports = float(evaluated["imports_usd"].sum())
    wanted = _wanted_partners(partners)
    if wanted is not None and WORLD not in wanted:
        evaluated = evaluated[evaluated["partner"].isin(wanted)]
    selected = [c for c in LINE_CHECKS if checks is None or c.name in checks]
    frames = []
    for check in selected:
        if when < check.start or (check.end is not None and when >= check.end):
            continue
        found = _check_lines(check, evaluated)
        if len(found):
            frames.append(found.assign(check=check.name))
    if not frames:
        return pd.DataFrame(columns=LINE_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    out["partner"] = out["partner"].astype(str)
    out["gap_pp"] = out["ours_pct"] - out["reference_pct"]
    weight = out["imports_usd"] * out["gap_pp"]
    out["contribution_partner_pp"] = weight / out["partner"].map(totals).astype(float)
    out["contribution_total_pp"] = weight / all_imports
    return out[LINE_COLUMNS].reset_index(drop=True)


def summarise_lines(found: pd.DataFrame) -> pd.DataFrame:
    """The line comparison by check (measure): lines, imports and contribution to the total ETR (pp)."""
    if found.empty:
        return pd.DataFrame(columns=["check", "lines", "imports_usd", "contribution_total_pp", "description"])
    table = (
        found.groupby("check", sort=False)
        .agg(
            lines=("hs10", "size"),
            imports_usd=("imports_usd", "sum"),
            contribution_total_pp=("contribution_total_pp", "sum"),
        )
        .reset_index()
    )
    descriptions = {c.name: c.description for c in LINE_CHECKS}
    table["description"] = table["check"].map(descriptions)
    return table


def lines_behind_gap(
    on: dt.date | str,
    partner: str,
    top: int = 10,
    engine: TariffEngine | None = None,
    lines: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The ``top`` lines with the largest contribution to ``partner``'s gap on ``on`` (``ALL``: total)."""
    found = line_comparison(on, partners=[partner], engine=engine, lines=lines).dropna(
        subset=["contribution_total_pp"]
    )
    column = "contribution_total_pp" if partner.upper() == WORLD else "contribution_partner_pp"
    order = found[column].abs().sort_values(ascending=False).index
    return found.loc[order].head(top).reset_index(drop=True)


def layer_breakdown(lines: pd.DataFrame, partner: str) -> dict[str, float]:
    """Our ETR of ``partner`` (``ALL``: total) split by layer, in pp: mfn, s232, reciprocal, fentanyl, s301."""
    subset = lines if partner.upper() == WORLD else lines[lines["partner"] == partner]
    imports = float(subset["imports_usd"].sum())
    layers = [c[: -len("_rate")] for c in subset.columns if c.endswith("_rate")]
    return {
        layer: float(100 * (subset["imports_usd"] * subset[f"{layer}_rate"]).sum() / imports)
        for layer in layers
        if layer not in ("total", "refundable")
    }
