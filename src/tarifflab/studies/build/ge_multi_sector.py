"""Embedded default of the multi-sector GE model: ICIO 2022 aggregated to 20 economies × 10 sectors.

Files written (all aggregates; no reference file is copied):

* ``ge_ms_flows.parquet`` — exporter, importer, sector, value_musd (buyer prices, sum over members,
  incl. ustariff's +1 on domestic cells), tariff (pre-tariff-flow-weighted mean of member tariffs,
  so value/(1+tariff) equals the sum of members' pre-tariff flows; 0 within an economy);
* ``ge_ms_io.parquet`` — iso3, using_sector, source_sector, gamma, va_share: Caliendo–Parro 1993 IO
  coefficients γ and value-added shares β (as borrowed for ICIO countries, see
  ``multi_sector_data``), aggregated with gross-output and intermediate-spending weights;
* ``ge_ms_elasticities.csv`` — source, sector, epsilon: the 8 sources' ε of member ICIO sectors,
  weighted by world imports (off-diagonal, pre-tariff) of each member sector;
* ``ge_ms_japan_on_us.csv`` — sector, rate: Japan's 2025-04-01 tariff on US goods
  (:mod:`tarifflab.policy.japan_schedule`);
* ``ge_ms_liberation_day.csv`` — iso3, rate: 2025-04-02 announced US rates for the 19 partners
  (EUN = EU-27 average weighted by 2023 exports to the US; ROW = the same over the rest).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tarifflab.models.ge.multi_sector_data import ELASTICITIES, FLOWS, IO
from tarifflab.studies.build import Provenance
from tarifflab.studies.ge_multi_sector import JAPAN, LIBERATION


def aggregate(reference: Path) -> dict[str, pd.DataFrame]:
    """Aggregate ICIO 2022 to the default economies × sectors (returns the four tables)."""
    from tarifflab.models.ge.multi_sector_data import load_icio
    from tarifflab.nomenclature.sectors import (
        DEFAULT_ECONOMIES,
        DEFAULT_SECTORS,
        default_economy_of,
        default_sector_of,
    )
    from tarifflab.studies.ge_multi_sector import liberation_day_rates

    data = load_icio(2022, reference=reference)
    econ = list(DEFAULT_ECONOMIES)
    secs = list(DEFAULT_SECTORS)
    cmap = np.array([econ.index(default_economy_of(c)) for c in data.countries])
    smap = np.array([secs.index(default_sector_of(s)) for s in data.sectors])
    A = np.zeros((len(data.countries), len(econ)))
    A[np.arange(len(cmap)), cmap] = 1.0
    B = np.zeros((len(data.sectors), len(secs)))
    B[np.arange(len(smap)), smap] = 1.0
    X = data.flows
    Xp = X / (1.0 + data.tariffs)
    agg = np.einsum("ins,ia,nb,sk->abk", X, A, A, B)
    aggp = np.einsum("ins,ia,nb,sk->abk", Xp, A, A, B)
    tariff = np.where(aggp > 0, agg / np.where(aggp > 0, aggp, 1.0) - 1.0, 0.0)
    idx = np.arange(len(econ))
    tariff[idx, idx, :] = 0.0
    agg[idx, idx, :] = aggp[idx, idx, :]  # within an aggregate, tariffs are dropped
    ex, im, se = np.meshgrid(idx, idx, np.arange(len(secs)), indexing="ij")
    flows = pd.DataFrame(
        {
            "exporter": np.asarray(econ)[ex.ravel()],
            "importer": np.asarray(econ)[im.ravel()],
            "sector": np.asarray(secs)[se.ravel()],
            "value_musd": agg.ravel(),
            "tariff": tariff.ravel(),
        }
    )
    # IO: gross output Q (producer prices), β, γ aggregated
    assert data.va_share is not None and data.io_coef is not None
    Q = Xp.sum(axis=1)  # i × s
    va = data.va_share * Q
    inter = data.io_coef * ((1.0 - data.va_share) * Q)[:, None, :]  # i, k (source), s (using)
    Qa = A.T @ Q @ B
    vaa = A.T @ va @ B
    beta = vaa / np.maximum(Qa, 1e-12)
    inter_a = np.einsum("iks,ia,kq,sr->aqr", inter, A, B, B)
    gamma = inter_a / np.maximum(inter_a.sum(axis=1, keepdims=True), 1e-300)
    a_, q_, r_ = np.meshgrid(idx, np.arange(len(secs)), np.arange(len(secs)), indexing="ij")
    io = pd.DataFrame(
        {
            "iso3": np.asarray(econ)[a_.ravel()],
            "source_sector": np.asarray(secs)[q_.ravel()],
            "using_sector": np.asarray(secs)[r_.ravel()],
            "gamma": gamma.ravel(),
            "va_share": beta[a_.ravel(), r_.ravel()],
        }
    )
    # elasticities: world-import-weighted mean over member sectors
    off = ~np.eye(len(data.countries), dtype=bool)
    world_imports = (Xp * off[:, :, None]).sum(axis=(0, 1))
    rows = []
    for src, eps in data.elasticities.items():
        for k, name in enumerate(secs):
            members = smap == k
            w = world_imports[members]
            rows.append(
                {"source": src, "sector": name, "epsilon": float(np.average(eps[members], weights=w))}
            )
    elasticities = pd.DataFrame(rows)
    rates = liberation_day_rates(econ, reference)
    lib = pd.DataFrame({"iso3": list(rates), "rate": list(rates.values())})
    from tarifflab.policy.japan_schedule import japan_rates_on_us

    jp = japan_rates_on_us(tuple(secs), reference=reference)
    japan = pd.DataFrame({"sector": list(jp.index), "rate": jp.to_numpy()})
    return {FLOWS: flows, IO: io, ELASTICITIES: elasticities, LIBERATION: lib, JAPAN: japan}


def build(reference: Path, out_dir: Path) -> list[Provenance]:
    from tarifflab._io import atomic_write

    tables = aggregate(reference)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        if name.endswith(".parquet"):
            with atomic_write(out_dir / name, "wb") as handle:
                frame.to_parquet(handle, index=False)
        else:
            with atomic_write(out_dir / name) as handle:
                frame.to_csv(handle, index=False, float_format="%.10g", lineterminator="\n")
    icio = "sectors/ahmadlp__tariffwar/mat/ICIO2022.mat"
    cp = "sectors/ZeyiQian__Reading-Notes/CaliendoRamondo2015/Data_and_Codes_CP/Counterfactuals/Equilibrium/{IO,B,GO}.txt"
    lic = "OECD ICIO (cite OECD), Teti GTD tariffs; tariffwar package has no LICENSE file"
    return [
        Provenance(FLOWS, icio, "ICIO 2022 flows summed to 20 economies x 10 sectors; tariffs pre-tariff-flow weighted", lic),
        Provenance(IO, f"{icio}; {cp}", "CP 1993 IO coefficients and VA shares mapped to ICIO sectors, aggregated with output weights", "CP replication package (RES 82(1)); no LICENSE file"),
        Provenance(ELASTICITIES, icio, "8 sources' sector elasticities, world-import-weighted means over member sectors", lic),
        Provenance(JAPAN, "sectors/derived/japan_tariff_2025_04_01_flat.csv.gz; tariffs/Budget-Lab-Yale__Tariff-ETRs/resources/hs6_gtap_crosswalk.csv.gz", "Japan 2025-04-01 rates on US goods (USJTA else MFN; AVEs at stated prices), simple means by sector", "MIT (qlitre/japan-tariff-mcp); Japan Customs public schedule"),
        Provenance(LIBERATION, "ge/tariffs.csv; ge/trade_cepii.csv; ge/country_labels.csv", "announced 2025-04-02 rates; EUN and ROW weighted by 2023 exports to the US", "liberation-day-replication package (public)"),
    ]  # fmt: skip
