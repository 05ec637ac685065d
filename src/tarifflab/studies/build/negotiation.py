"""Embedded default for the negotiation / trade-war model: OECD ICIO 2022 (via tariffwar's
``ICIO2022.mat``, flattened in ``sectors/derived/icio2022_flows_long.csv.gz``) aggregated to
9 economies × 11 sectors, with trade-weighted tariffs and sector σ (Bagwell–Staiger–Yurukoglu 2021
trade elasticities + 1, simple mean over the ICIO sectors in each aggregate)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tarifflab.nomenclature.sectors import NEGOTIATION_REGIONS, NEGOTIATION_SECTORS, negotiation_region_of
from tarifflab.studies.build import Provenance

ELASTICITY_SOURCE = "BSY"
US_TARIFF_CAP = 0.25
FLOWS_FILE = "negotiation_icio2022_flows.csv"
SIGMA_FILE = "negotiation_icio2022_sigma.csv"


def build(reference: Path, out_dir: Path) -> list[Provenance]:
    source = reference / "sectors" / "derived" / "icio2022_flows_long.csv.gz"
    frame = pd.read_csv(source)
    sector_of = {icio: agg for agg, members in NEGOTIATION_SECTORS.items() for icio in members}
    frame = frame[frame["sector"].isin(sector_of)].copy()
    frame["exporter"] = frame["exporter"].map(negotiation_region_of)
    frame["importer"] = frame["importer"].map(negotiation_region_of)
    frame["sector"] = frame["sector"].map(sector_of)
    frame.loc[frame["sector"] == "services", "tariff"] = 0.0  # ICIO's services tariffs are artefacts
    frame.loc[frame["exporter"] == frame["importer"], "tariff"] = 0.0
    frame["duty"] = frame["value_musd"] * frame["tariff"]
    agg = frame.groupby(["exporter", "importer", "sector"], as_index=False)[["value_musd", "duty"]].sum()
    full = pd.MultiIndex.from_product(
        [NEGOTIATION_REGIONS, NEGOTIATION_REGIONS, list(NEGOTIATION_SECTORS)],
        names=["exporter", "importer", "sector"],
    )
    agg = agg.set_index(["exporter", "importer", "sector"]).reindex(full, fill_value=0.0).reset_index()
    agg["tariff"] = (agg["duty"] / agg["value_musd"]).where(agg["value_musd"] > 0, 0.0)
    # US applied MFN duties average a few percent; aggregated US cells above 25% are concordance
    # artefacts of the Teti tariffs (e.g. Japanese food at 91%, see sectors/README.md), so cap them.
    us = agg["importer"] == "USA"
    agg.loc[us, "tariff"] = agg.loc[us, "tariff"].clip(upper=US_TARIFF_CAP)
    agg["tariff"] = agg["tariff"].round(5)
    agg["value_usd_bn"] = (agg["value_musd"] / 1000.0).round(4)
    out_dir.mkdir(parents=True, exist_ok=True)
    agg[["exporter", "importer", "sector", "value_usd_bn", "tariff"]].to_csv(
        out_dir / FLOWS_FILE, index=False
    )
    el = pd.read_csv(reference / "sectors" / "derived" / "tariffwar_sector_elasticities.csv")
    el = el[(el["dataset"] == "icio") & (el["source_code"] == ELASTICITY_SOURCE)]
    sigma = {
        agg_name: float(el[el["sector"].isin(members)]["sigma"].mean())
        for agg_name, members in NEGOTIATION_SECTORS.items()
    }
    pd.DataFrame({"sector": list(sigma), "sigma": [round(v, 4) for v in sigma.values()]}).to_csv(
        out_dir / SIGMA_FILE, index=False
    )
    licence = (
        "OECD ICIO (OECD terms, attribution); tariffs Teti GTD; elasticities Bagwell-Staiger-Yurukoglu 2021"
    )
    return [
        Provenance(
            FLOWS_FILE,
            "sectors/derived/icio2022_flows_long.csv.gz (ahmadlp/tariffwar mat/ICIO2022.mat @98636984)",
            "sum of flows (USD bn) and trade-weighted tariffs over 9 regions (EU27 -> EUN, rest -> ROW) x 11 sector aggregates; services tariffs set to 0; US import tariffs capped at 25%",
            licence,
        ),
        Provenance(
            SIGMA_FILE,
            "sectors/derived/tariffwar_sector_elasticities.csv (icio, BSY)",
            "sigma = 1 + trade elasticity, simple mean over member ICIO sectors",
            licence,
        ),
    ]
