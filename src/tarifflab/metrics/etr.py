"""Effective tariff rates (ETR) with behaviour-free 2024 Census weights.

ETR = Σ duty / Σ imports over HTS10 × partner lines, where duty = 2024 imports × the total rate on the
date. "Behaviour-free" means imports are not allowed to react to the tariffs (the static ETR of the
Yale Budget Lab; see models/pe for the rate after substitution).

Every function takes ``claims``: entry claims (``tarifflab.policy.shipment.CLAIMS``) assumed made for every
eligible line. None by default; ``{"civil_aircraft"}`` exempts the whole civil-aircraft lists, the
public trackers' convention.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from tarifflab.errors import InvalidDateError, InvalidInputError
from tarifflab.nomenclature.countries import EU27, EU_AGGREGATE, WORLD, to_iso3
from tarifflab.nomenclature.hs_sections import SECTIONS, section_of, section_title
from tarifflab.policy.engine import MfnBasis, TariffEngine, View, engine_partner, parse_date, parse_view
from tarifflab.policy.library import COVERAGE_START

SECTOR_SCHEMES = ("partner", "section", "gtap", "chapter")


def _engine(engine: TariffEngine | None) -> TariffEngine:
    return engine if engine is not None else TariffEngine.default()


def _summarise(frame: pd.DataFrame, by: str | None) -> pd.DataFrame:
    columns = ["imports_usd", "duty_usd", "refundable_usd"]
    if by is None:
        out = frame[columns].sum().to_frame().T
    else:
        out = frame.groupby(by, observed=True, sort=True)[columns].sum().reset_index()
    out["etr_pct"] = np.where(out["imports_usd"] > 0, 100 * out["duty_usd"] / out["imports_usd"], np.nan)
    return out


def _claim_set(claims: Iterable[str]) -> frozenset[str]:
    """The claims made, as a set (a single name is one claim, not its letters)."""
    return frozenset([claims] if isinstance(claims, str) else claims)


def _lines(
    engine: TariffEngine,
    on: dt.date | str,
    view: View | str,
    as_known_on: dt.date | str | None,
    claims: Iterable[str] = frozenset(),
) -> pd.DataFrame:
    lines = engine.evaluate(on, view=view, as_known_on=as_known_on, claims=_claim_set(claims))
    lines["refundable_usd"] = lines["imports_usd"] * lines["refundable_rate"]
    return lines


def etr_by_partner(
    on: dt.date | str,
    view: View | str = View.IN_FORCE,
    as_known_on: dt.date | str | None = None,
    partner: str | None = None,
    engine: TariffEngine | None = None,
    claims: Iterable[str] = frozenset(),
) -> pd.DataFrame:
    """ETR by partner on a date, with an ``ALL`` row for the total.

    Columns: partner (ISO3; EUN = EU), imports_usd, duty_usd, refundable_usd, etr_pct.
    """
    lines = _lines(_engine(engine), on, view, as_known_on, claims)
    lines["partner"] = lines["partner"].astype(str)
    table = _summarise(lines, "partner").sort_values("imports_usd", ascending=False)
    total = _summarise(lines, None).assign(partner=WORLD)
    table = pd.concat([total, table], ignore_index=True)[
        ["partner", "imports_usd", "duty_usd", "refundable_usd", "etr_pct"]
    ]
    if partner is not None:
        wanted = engine_partner(to_iso3(partner))
        table = table[table["partner"] == wanted]
        if table.empty:
            raise InvalidInputError(
                f"no 2024 trade data for partner {partner} (covered: the 50 largest and the EU)"
            )
    return table.reset_index(drop=True)


def _sector_column(lines: pd.DataFrame, scheme: str, engine: TariffEngine) -> pd.Series:
    if scheme == "section":
        sections = section_of(lines["hs10"])
        return sections + " " + sections.map(section_title)
    if scheme == "chapter":
        return lines["hs10"].str[:2]
    if scheme == "gtap":
        return lines["hs10"].map(engine.products["gtap_code"]).fillna("unmapped")
    raise InvalidInputError(f"unknown sector scheme {scheme!r} (choose section, chapter or gtap)")


def etr_by_sector(
    on: dt.date | str,
    view: View | str = View.IN_FORCE,
    as_known_on: dt.date | str | None = None,
    partner: str | None = None,
    scheme: str = "section",
    engine: TariffEngine | None = None,
    claims: Iterable[str] = frozenset(),
) -> pd.DataFrame:
    """ETR by HS section (default), HS chapter or GTAP sector. Columns: sector, imports_usd, duty_usd, etr_pct."""
    eng = _engine(engine)
    lines = _lines(eng, on, view, as_known_on, claims)
    if partner is not None:
        lines = lines[lines["partner"] == engine_partner(to_iso3(partner))]
        if lines.empty:
            raise InvalidInputError(f"no 2024 trade data for partner {partner}")
    lines["sector"] = _sector_column(lines, scheme, eng)
    table = _summarise(lines, "sector")
    if scheme == "section":
        # Roman numerals sort wrongly as text (IX before V): order by section number.
        number = {section: rank for rank, (section, *_rest) in enumerate(SECTIONS)}
        rank = table["sector"].str.split(" ").str[0].map(number).fillna(len(number))
        table = table.iloc[rank.argsort(kind="stable")].reset_index(drop=True)
    return table[["sector", "imports_usd", "duty_usd", "refundable_usd", "etr_pct"]]


def etr_series(
    start: dt.date | str,
    end: dt.date | str,
    partner: str | None = None,
    view: View | str = View.IN_FORCE,
    by_partner: bool = False,
    engine: TariffEngine | None = None,
    claims: Iterable[str] = frozenset(),
) -> pd.DataFrame:
    """Daily ETR from ``start`` to ``end`` (inclusive).

    The engine is evaluated once per date on which the law changes and carried forward between them.
    Columns: date, partner, imports_usd, duty_usd, refundable_usd, etr_pct.
    """
    eng = _engine(engine)
    first, last = parse_date(start, what="start date"), parse_date(end, what="end date")
    if last < first:
        raise InvalidDateError(f"end date {last} is before start date {first}")
    chosen = parse_view(view)
    if chosen is View.AS_KNOWN:
        raise InvalidInputError("a daily series is in-force or net-of-refunds; as-known needs one date")
    wanted = engine_partner(to_iso3(partner)) if partner else None
    breakpoints = sorted({first} | {d for d in eng.library.change_dates() if first < d <= last})
    made = _claim_set(claims)
    if not made and (engine is None or engine is TariffEngine.default(eng.mfn_basis)):
        # The built-in law on the embedded data without claims: sums per date segment, precomputed
        # (metrics.segments).
        snapshots = _segment_snapshots(breakpoints, chosen, wanted, partner, by_partner, eng.mfn_basis)
        return _daily(snapshots, first, last)
    frames = []
    for when in breakpoints:
        lines = _lines(eng, when, chosen, None, made)
        if wanted is not None:
            lines = lines[lines["partner"] == wanted]
            if lines.empty:
                raise InvalidInputError(f"no 2024 trade data for partner {partner}")
        if by_partner:
            table = _summarise(lines.assign(partner=lines["partner"].astype(str)), "partner")
        else:
            table = _summarise(lines, None).assign(partner=wanted or WORLD)
        frames.append(table.assign(date=when))
    snapshots = pd.concat(frames, ignore_index=True)
    return _daily(snapshots, first, last)


def _segment_snapshots(
    breakpoints: list[dt.date],
    view: View,
    wanted: str | None,
    partner: str | None,
    by_partner: bool,
    mfn_basis: MfnBasis,
) -> pd.DataFrame:
    from tarifflab.metrics.segments import default_segments

    table = default_segments(view, mfn_basis)
    starts = sorted(set(table["start"]))
    segment_of = pd.DataFrame(
        {"date": breakpoints, "start": [starts[bisect.bisect_right(starts, d) - 1] for d in breakpoints]}
    )
    picked = segment_of.merge(table, on="start").drop(columns=["start"])
    if wanted is not None:
        picked = picked[picked["partner"] == wanted]
        if picked.empty:
            raise InvalidInputError(f"no 2024 trade data for partner {partner}")
    columns = ["imports_usd", "duty_usd", "refundable_usd"]
    if not by_partner:
        picked = picked.groupby("date", sort=True)[columns].sum().reset_index()
        picked["partner"] = wanted or WORLD
    picked = picked.assign(
        etr_pct=np.where(picked["imports_usd"] > 0, 100 * picked["duty_usd"] / picked["imports_usd"], np.nan)
    )
    return picked.reset_index(drop=True)


def _daily(snapshots: pd.DataFrame, first: dt.date, last: dt.date) -> pd.DataFrame:
    """Carry each snapshot forward to every day up to the next (columns as :func:`etr_series`)."""
    days = pd.date_range(first, last, freq="D")
    day_keys = days.to_numpy()
    keyed = snapshots.assign(key=pd.to_datetime(snapshots["date"])).sort_values("key", kind="stable")
    out = []
    for name, group in keyed.groupby("partner", sort=True):
        position = np.searchsorted(group["key"].to_numpy(), day_keys, side="right") - 1
        if (position < 0).any():  # a day before this partner's first snapshot
            raise InvalidInputError(f"no ETR snapshot for {name} on {days[int(np.argmin(position))].date()}")
        filled = group.iloc[position].drop(columns=["date", "key"]).reset_index(drop=True)
        filled.insert(0, "date", days.date)
        filled["partner"] = name
        out.append(filled)
    series = pd.concat(out, ignore_index=True)
    return series[["date", "partner", "imports_usd", "duty_usd", "refundable_usd", "etr_pct"]]


def ieepa_refunds_owed(
    start: dt.date | str = COVERAGE_START,
    end: dt.date | str = dt.date(2026, 2, 23),
    engine: TariffEngine | None = None,
    claims: Iterable[str] = frozenset(),
) -> pd.DataFrame:
    """IEEPA duties owed back after the ruling, by partner, on behaviour-free daily weights (2024 / 366).

    Columns: partner, refundable_usd. Not the CBP figure (about USD 166 bn): imports did react, and
    the weights cover the 51 largest partners only; docs/validation.md compares the two.
    """
    series = etr_series(start, end, by_partner=True, engine=engine, claims=claims)
    daily = series.assign(refundable_usd=series["refundable_usd"] / 366.0)
    owed = daily.groupby("partner", as_index=False)[["refundable_usd"]].sum()
    return owed.sort_values(by="refundable_usd", ascending=False).reset_index(drop=True)


def _partner_rates(
    engine: TariffEngine, on: dt.date | str, view: View | str, claims: Iterable[str] = frozenset()
) -> pd.DataFrame:
    lines = engine.evaluate(on, view=view, claims=_claim_set(claims))
    lines["additional_usd"] = lines["imports_usd"] * (lines["total_rate"] - lines["mfn_rate"])
    return lines


def _rest_of_world(lines: pd.DataFrame) -> pd.DataFrame:
    """Lines standing in for partners outside the HS10 data: all but China, Canada, Mexico and the EU,
    whose tariff regimes are too particular to represent anyone else."""
    return lines[~lines["partner"].isin(["CHN", "CAN", "MEX", EU_AGGREGATE])]


def us_tariff_vector(
    partners: Sequence[str],
    on: dt.date | str,
    view: View | str = View.IN_FORCE,
    engine: TariffEngine | None = None,
    claims: Iterable[str] = frozenset(),
) -> np.ndarray:
    """Trade-weighted additional US tariff over the MFN baseline (fraction) for each ISO3 in ``partners``.

    EU members get the EU aggregate's rate; partners outside the 2024 HS10 data get the import-weighted
    rate of the covered partners other than China, Canada, Mexico and the EU (a rest-of-world proxy);
    the USA gets 0.
    """
    eng = _engine(engine)
    lines = _partner_rates(eng, on, view, claims)
    sums = lines.groupby("partner", observed=True)[["additional_usd", "imports_usd"]].sum()
    by_partner = (sums["additional_usd"] / sums["imports_usd"]).to_dict()
    rest = _rest_of_world(lines)
    rest_rate = float(rest["additional_usd"].sum() / rest["imports_usd"].sum())
    out = np.empty(len(partners))
    for i, code in enumerate(partners):
        iso3 = to_iso3(code)
        key = EU_AGGREGATE if iso3 in EU27 else iso3
        out[i] = 0.0 if iso3 == "USA" else float(by_partner.get(key, rest_rate))
    return out


def us_tariff_matrix(
    on: dt.date | str,
    partners: Sequence[str],
    sector_of_hs6: Mapping[str, str],
    view: View | str = View.IN_FORCE,
    engine: TariffEngine | None = None,
    claims: Iterable[str] = frozenset(),
) -> pd.DataFrame:
    """Additional US tariff (fraction, trade-weighted) by partner × sector.

    ``sector_of_hs6`` maps HS6 codes to sector labels; lines whose HS6 is unmapped are dropped. Partners
    outside the HS10 data get the rest-of-world rate for the sector (as in :func:`us_tariff_vector`).
    """
    eng = _engine(engine)
    lines = _partner_rates(eng, on, view, claims)
    lines["sector"] = lines["hs10"].str[:6].map(dict(sector_of_hs6))
    lines = lines.dropna(subset=["sector"])
    sectors = sorted(set(sector_of_hs6.values()))
    sums = lines.groupby(["partner", "sector"], observed=True)[["additional_usd", "imports_usd"]].sum()
    rates = (sums["additional_usd"] / sums["imports_usd"]).unstack("sector").reindex(columns=sectors)
    rest = _rest_of_world(lines)
    rest_sums = rest.groupby("sector")[["additional_usd", "imports_usd"]].sum()
    rest_rates = (rest_sums["additional_usd"] / rest_sums["imports_usd"]).reindex(sectors).fillna(0.0)
    rows: dict[str, pd.Series] = {}
    for code in partners:
        iso3 = to_iso3(code)
        key = EU_AGGREGATE if iso3 in EU27 else iso3
        if iso3 == "USA":
            rows[code] = pd.Series(0.0, index=sectors)
        elif key in rates.index:
            rows[code] = pd.Series(rates.loc[key], index=sectors).fillna(rest_rates)
        else:
            rows[code] = rest_rates
    matrix = pd.DataFrame(rows).T.reindex(columns=sectors)
    matrix.index.name = "partner"
    return matrix.astype(float)
