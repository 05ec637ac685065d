"""Named scenarios of the multi-sector model (ge-multi-sector.md A.8, B.6).

* ``liberation-day`` — US import tariffs on each partner set to its 2025-04-02 announced rate (no 10 %
  floor, as in ``ustariff``); ``ROW`` = the US-import-weighted average of the rates of the 194-list
  countries not in the dataset (weights: their 2023 exports to the US, BACI); EU-27 → 0.20.
* ``deal-2025`` — US tariffs from the tariff engine on 2025-09-20 (additional tariffs over the 2024
  baseline by partner × sector; :func:`tarifflab.metrics.etr.us_tariff_matrix`), added to the factual cube.
* ``pre-deal`` — the same on 2025-07-15 (before the 2025-07-22 deal: 10 % reciprocal, S232 autos 25 %).
* ``post-ruling`` — the same on 2026-03-01 (after the Supreme Court IEEPA ruling; s.122 surcharge).
* ``nafta`` — Caliendo–Parro: the six NAFTA pairs' tariffs move from 1993 to 2005 (``cp`` dataset).
* ``uniform-R`` / ``targeted-ISO-R`` (R in percent) and ``optimal-us``.
Each accepts ``retaliation`` (none | reciprocal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from tarifflab.errors import InvalidInputError, ScenarioError, UnknownProductError
from tarifflab.models.ge.multi_sector import ALL, MultiSectorScenario, TariffChange
from tarifflab.models.ge.multi_sector_data import MultiSectorData
from tarifflab.nomenclature.countries import EU27

#: Embedded tables of the default dataset (written by :mod:`tarifflab.studies.build.ge_multi_sector`).
LIBERATION = "ge_ms_liberation_day.csv"
JAPAN = "ge_ms_japan_on_us.csv"

ENGINE_DATES: dict[str, dt.date] = {
    "deal-2025": dt.date(2025, 9, 20),
    "pre-deal": dt.date(2025, 7, 15),
    "post-ruling": dt.date(2026, 3, 1),
}
SCENARIOS: tuple[str, ...] = (
    "liberation-day",
    "deal-2025",
    "pre-deal",
    "post-ruling",
    "nafta",
    "optimal-us",
    "uniform-R",
    "targeted-ISO-R",
)

UsTariffMatrix = Callable[..., pd.DataFrame]


@lru_cache(maxsize=2)
def _liberation_day_table(reference: Path) -> tuple[dict[str, float], dict[str, float]]:
    """(rate by ISO3, 2023 exports to the US by ISO3) from ../shared/data/ge (ustariff's tariffs.csv)."""
    ge = reference / "ge"
    labels = pd.read_csv(ge / "country_labels.csv")
    rates = pd.read_csv(ge / "tariffs.csv")["applied_tariff"].astype(float).to_numpy()
    trade = pd.read_csv(ge / "trade_cepii.csv").fillna(0.0).to_numpy(dtype=float)
    us = int(labels.index[labels["iso3"] == "USA"][0])
    to_us = trade[:, us]
    iso = labels["iso3"].astype(str).tolist()
    return dict(zip(iso, rates.tolist(), strict=True)), dict(zip(iso, to_us.tolist(), strict=True))


def liberation_day_rates(countries: Sequence[str], reference: Path | None = None) -> dict[str, float]:
    """Announced 2025-04-02 US rates for ``countries`` (EUN = 0.20; ROW = weighted residual)."""
    from tarifflab.data.reference import reference_root

    rates, weights = _liberation_day_table(reference or reference_root())
    out: dict[str, float] = {}
    covered: set[str] = set()
    for c in countries:
        if c == "USA":
            continue
        if c == "EUN":
            out[c] = float(np.average([rates[m] for m in EU27], weights=[weights[m] for m in EU27]))
            covered.update(EU27)
        elif c in rates:
            out[c] = rates[c]
            covered.add(c)
    if "ROW" in countries:
        rest = [c for c in rates if c not in covered and c != "USA"]
        w = np.array([weights[c] for c in rest])
        out["ROW"] = float(np.average([rates[c] for c in rest], weights=w)) if w.sum() > 0 else 0.10
    return out


def nafta_changes(data: MultiSectorData) -> tuple[TariffChange, ...]:
    """Caliendo–Parro NAFTA: tariffs among CAN, MEX, USA set to their 2005 values, tradables only."""
    if "2005" not in data.alt_tariffs:
        raise ScenarioError("scenario 'nafta' needs the Caliendo–Parro dataset (--dataset cp)")
    t05 = data.alt_tariffs["2005"]
    members = ("CAN", "MEX", "USA")
    out = []
    for imp in members:
        for ex in members:
            if imp == ex:
                continue
            i, n = data.country_index(ex), data.country_index(imp)
            for s, sector in enumerate(data.sectors):
                if data.flows[i, n, s] > 0 or data.tariffs[i, n, s] != t05[i, n, s]:
                    out.append(
                        TariffChange(importer=imp, exporter=ex, sector=sector, rate=float(t05[i, n, s]))
                    )
    return tuple(out)


def changes_from_matrix(matrix: pd.DataFrame, *, importer: str = "USA") -> tuple[TariffChange, ...]:
    """Additional tariffs (partner × sector, fraction) → ``add`` changes of ``importer``."""
    out = []
    for partner, row in matrix.iterrows():
        for sector, rate in row.items():
            if pd.isna(rate):
                raise ScenarioError(f"tariff matrix has NaN for {partner} × {sector}")
            if rate != 0.0:
                out.append(
                    TariffChange(
                        importer=importer,
                        exporter=str(partner),
                        sector=str(sector),
                        rate=float(rate),
                        mode="add",
                    )
                )
    return tuple(out)


def engine_matrix(
    data: MultiSectorData,
    on: dt.date,
    *,
    us_tariff_matrix: UsTariffMatrix | None = None,
    view: str = "in-force",
    reference: Path | None = None,
    mapping: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """US additional tariffs by partner × sector on ``on`` from the tariff engine.

    ``mapping`` (HS6 → sector) defaults to the full concordance :func:`sector_of_hs6`.
    """
    from tarifflab.nomenclature.sectors import sector_of_hs6

    if us_tariff_matrix is None:
        try:
            from tarifflab.metrics.etr import us_tariff_matrix as engine
        except ImportError as err:
            raise ScenarioError(
                "the tariff engine (tarifflab.metrics.etr.us_tariff_matrix) is not available in this build"
            ) from err
        us_tariff_matrix = engine
    partners = [c for c in data.countries if c != "USA"]
    if mapping is None:
        mapping = sector_of_hs6(data.sectors, reference)
    frame = us_tariff_matrix(on=on, partners=partners, sector_of_hs6=mapping, view=view)
    frame = frame.reindex(index=partners, columns=list(data.sectors)).fillna(0.0)
    for services in ("Services (aggregate)", "services"):
        if services in frame.columns:  # goods tariffs never apply to the services aggregate
            frame[services] = 0.0
    return frame.astype(float)


def japan_schedule_changes(data: MultiSectorData, reference: Path | None = None) -> tuple[TariffChange, ...]:
    """Set Japan's tariffs on US goods to its 2025-04-01 schedule (USJTA else MFN), by sector."""
    if "JPN" not in data.countries or "USA" not in data.countries:
        return ()
    if data.name == "default":
        rates: Mapping[str, float] = read_japan_on_us()
    else:
        from tarifflab.policy.japan_schedule import japan_rates_on_us

        series = japan_rates_on_us(data.sectors, reference=reference)
        rates = {str(k): float(v) for k, v in series.items()}
    return tuple(
        TariffChange(importer="JPN", exporter="USA", sector=s, rate=float(rates.get(s, 0.0)))
        for s in data.sectors
        if s != "Services (aggregate)" and s != "services"
    )


@dataclass(frozen=True)
class UsTariffOverride:
    """User override of the engine's US additional tariff (fraction over the 2024 baseline).

    ``partner`` (ISO3) and/or ``sector`` restrict the cells; ``hs_from``/``hs_to`` (HS prefixes,
    inclusive) restrict the override to part of a sector: the sector rate then moves by the range's
    2024 US-import share times (rate − the engine's rate on the range). Ranges with no 2024 imports
    leave the sector unchanged.
    """

    rate: float
    partner: str | None = None
    sector: str | None = None
    hs_from: str | None = None
    hs_to: str | None = None

    def __post_init__(self) -> None:
        if not np.isfinite(self.rate) or self.rate <= -1.0:
            raise InvalidInputError(f"override rate must be a finite fraction above −1, got {self.rate}")
        for code in (self.hs_from, self.hs_to):
            if code is not None and not code.replace(".", "").isdigit():
                raise UnknownProductError(f"malformed HS code in override: {code!r}")
        if self.hs_to is not None and self.hs_from is None:
            raise InvalidInputError("hs_to needs hs_from")

    def in_range(self, hs6: str) -> bool:
        if self.hs_from is None:
            return True
        lo = self.hs_from.replace(".", "")
        hi = (self.hs_to or self.hs_from).replace(".", "")
        return hs6[: len(lo)] >= lo and hs6[: len(hi)] <= hi


def _import_shares(mapping: Mapping[str, str], in_range: Callable[[str], bool]) -> pd.DataFrame:
    """Share of each partner × sector's 2024 US imports that falls in an HS range (embedded data)."""
    from tarifflab.data.embedded import embedded_path

    imports = pd.read_parquet(
        embedded_path("us_imports_2024.parquet"), columns=["hs10", "partner", "imports_usd"]
    )
    imports["hs6"] = imports["hs10"].str[:6]
    imports["sector"] = imports["hs6"].map(dict(mapping))
    imports = imports.dropna(subset=["sector"])
    imports["partner"] = imports["partner"].astype(str)
    imports["hit"] = imports["hs6"].map(in_range).astype(bool)
    total = imports.groupby(["partner", "sector"])["imports_usd"].sum()
    hit = imports[imports["hit"]].groupby(["partner", "sector"])["imports_usd"].sum()
    share = (hit.reindex(total.index).fillna(0.0) / total.where(total > 0)).fillna(0.0)
    world_hit = imports[imports["hit"]].groupby("sector")["imports_usd"].sum()
    world = (world_hit / imports.groupby("sector")["imports_usd"].sum()).fillna(0.0)
    frame = share.unstack("sector")
    frame.loc["*"] = world
    return frame.fillna(0.0)


def apply_us_overrides(
    matrix: pd.DataFrame,
    data: MultiSectorData,
    on: dt.date,
    overrides: Sequence[UsTariffOverride],
    *,
    us_tariff_matrix: UsTariffMatrix | None = None,
    reference: Path | None = None,
) -> pd.DataFrame:
    """Apply user overrides (by partner, sector or HS range) to an engine matrix (partner × sector)."""
    from tarifflab.nomenclature.sectors import sector_of_hs6

    out = matrix.copy()
    for ov in overrides:
        rows = list(out.index) if ov.partner is None else [ov.partner]
        cols = list(out.columns) if ov.sector is None else [ov.sector]
        if any(r not in out.index for r in rows):
            raise InvalidInputError(f"override partner {ov.partner!r} is not a partner in the model")
        if any(c not in out.columns for c in cols):
            raise InvalidInputError(f"override sector {ov.sector!r} is not a model sector")
        if ov.hs_from is None:
            out.loc[rows, cols] = ov.rate
            continue
        full = sector_of_hs6(data.sectors, reference)
        mapping = {hs: sec for hs, sec in full.items() if sec in cols}
        in_range = {hs: sec for hs, sec in mapping.items() if ov.in_range(hs)}
        if not in_range:
            raise InvalidInputError(f"HS range {ov.hs_from}–{ov.hs_to or ov.hs_from} matches no HS6 code")
        range_rates = engine_matrix(
            data, on, us_tariff_matrix=us_tariff_matrix, reference=reference, mapping=in_range
        )
        shares = _import_shares(mapping, ov.in_range)
        share_rows = shares.reindex(index=[r if r in shares.index else "*" for r in rows], columns=cols)
        share_mat = share_rows.fillna(0.0).to_numpy(dtype=float)
        current = range_rates.loc[rows, cols].to_numpy(dtype=float)
        old = out.loc[rows, cols].to_numpy(dtype=float)
        out.loc[rows, cols] = old + share_mat * (ov.rate - current)
    return out


def build_scenario(
    name: str,
    data: MultiSectorData,
    *,
    retaliation: str = "none",
    us_tariff_matrix: UsTariffMatrix | None = None,
    overrides: Sequence[TariffChange] = (),
    us_overrides: Sequence[UsTariffOverride] = (),
    japan_schedule: bool = False,
    reference: Path | None = None,
) -> MultiSectorScenario:
    """Scenario ``name`` for ``data`` (see module docstring for the names).

    ``us_overrides`` edit the engine's matrix (engine scenarios only) by partner, sector or HS range;
    ``overrides`` are appended last (so they win); ``japan_schedule`` first replaces Japan's baseline
    tariffs on US goods (Teti 2021) by the 2025-04-01 schedule.
    """
    key = name.lower()
    if retaliation not in ("none", "reciprocal"):
        raise ScenarioError(f"unknown retaliation {retaliation!r} (none | reciprocal)")
    changes: tuple[TariffChange, ...]
    optimal = False
    if key == "liberation-day":
        rates = _liberation_rates_for(data, reference)
        changes = tuple(
            TariffChange(importer="USA", exporter=c, rate=r, mode="set")
            for c, r in rates.items()
            if c in data.countries
        )
    elif key in ENGINE_DATES:
        on = ENGINE_DATES[key]
        matrix = engine_matrix(data, on, us_tariff_matrix=us_tariff_matrix, reference=reference)
        if us_overrides:
            matrix = apply_us_overrides(
                matrix, data, on, us_overrides, us_tariff_matrix=us_tariff_matrix, reference=reference
            )
        changes = changes_from_matrix(matrix)
    elif key == "nafta":
        changes = nafta_changes(data)
    elif key == "optimal-us":
        changes, optimal = (), True
    elif key.startswith("uniform-"):
        rate = _pct(key.removeprefix("uniform-"), name)
        changes = (TariffChange(importer="USA", exporter=ALL, rate=rate, mode="set"),)
    elif key.startswith("targeted-"):
        parts = key.split("-")
        if len(parts) != 3:
            raise ScenarioError(f"targeted scenario must look like targeted-JPN-15, got {name!r}")
        rate = _pct(parts[2], name)
        target = parts[1].upper()
        members = (
            [m for m in EU27 if m in data.countries]
            if target in ("EU", "EUN") and "EUN" not in data.countries
            else [target]
        )
        changes = tuple(TariffChange(importer="USA", exporter=m, rate=rate, mode="set") for m in members)
    else:
        raise ScenarioError(f"unknown multi-sector scenario {name!r} (choose from {', '.join(SCENARIOS)})")
    prefix = japan_schedule_changes(data, reference) if japan_schedule else ()
    return MultiSectorScenario(
        name=name,
        changes=prefix + changes + tuple(overrides),
        retaliation=retaliation,  # type: ignore[arg-type]
        optimal_us=optimal,
    )


def _pct(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ScenarioError(f"bad rate in scenario name {name!r}") from None
    return value / 100.0


def _liberation_rates_for(data: MultiSectorData, reference: Path | None) -> Mapping[str, float]:
    if data.name == "default":
        return read_liberation_day()
    return liberation_day_rates(data.countries, reference)


def read_japan_on_us() -> dict[str, float]:
    """Japan's 2025-04-01 tariff on US goods by default-dataset sector (fraction)."""
    from tarifflab.data.embedded import embedded_path

    frame = pd.read_csv(embedded_path(JAPAN))
    return dict(zip(frame["sector"].astype(str), frame["rate"].astype(float), strict=True))


def read_liberation_day() -> dict[str, float]:
    from tarifflab.data.embedded import embedded_path

    frame = pd.read_csv(embedded_path(LIBERATION))
    return dict(zip(frame["iso3"].astype(str), frame["rate"].astype(float), strict=True))
