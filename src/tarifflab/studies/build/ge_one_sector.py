"""Embedded default of the one-sector GE model: BACI 2023 flows (194 countries), GDP, announced tariffs.

Writes two derived files (no byte copy of any reference file):

* ``ge_one_sector_flows.parquet`` — long table ``exporter, importer, value_kusd`` (float32, thousand
  USD) of the non-zero off-diagonal cells of ``ge/trade_cepii.csv`` with ISO3 labels;
* ``ge_one_sector_countries.parquet`` — ``iso3, name, gdp_usd, announced_tariff`` in model order
  (from ``ge/country_labels.csv``, ``ge/gdp.csv``, ``ge/tariffs.csv``).

The diagonal is not stored: the model constructs it (spec ``ge-one-sector.md`` §2.3).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tarifflab.models.ge.one_sector_data import COUNTRIES_FILE, FLOWS_FILE, load_ge_data
from tarifflab.studies.build import Provenance

_LICENCE = (
    "CEPII BACI (Etalab 2.0 open licence), World Bank WDI (CC BY 4.0), USTR-formula tariffs "
    "(tariffs.inasimonovska.com); via JoeLoera/liberation-day-replication"
)


def build(reference: Path, out_dir: Path) -> list[Provenance]:
    """Aggregate the reference GE files into the two embedded parquet files."""
    data = load_ge_data(reference / "ge")
    rows, cols = np.nonzero(data.trade)
    iso3 = np.array(data.iso3)
    flows = pd.DataFrame(
        {
            "exporter": pd.Categorical(iso3[rows], categories=list(data.iso3)),
            "importer": pd.Categorical(iso3[cols], categories=list(data.iso3)),
            "value_kusd": data.trade[rows, cols].astype(np.float32),
        }
    )
    countries = pd.DataFrame(
        {
            "iso3": list(data.iso3),
            "name": list(data.names),
            "gdp_usd": data.gdp_usd,
            "announced_tariff": data.announced_tariff,
        }
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    flows.to_parquet(out_dir / FLOWS_FILE, index=False, compression="zstd")
    countries.to_parquet(out_dir / COUNTRIES_FILE, index=False, compression="zstd")
    return [
        Provenance(
            file=FLOWS_FILE,
            derived_from="ge/trade_cepii.csv, ge/country_labels.csv (BACI HS22 V202501, 2023)",
            method="non-zero off-diagonal cells as long exporter/importer/value (float32, thousand USD)",
            licence=_LICENCE,
        ),
        Provenance(
            file=COUNTRIES_FILE,
            derived_from="ge/country_labels.csv, ge/gdp.csv, ge/tariffs.csv",
            method="one row per country in model order: ISO3, name, GDP (USD), announced US tariff",
            licence=_LICENCE,
        ),
    ]
