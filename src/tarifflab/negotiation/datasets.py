"""Datasets for the trade-war model: Ossa's 7-region data (reference data only, never shipped) and
the embedded default (aggregated OECD ICIO 2022, shipped)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from tarifflab.data.embedded import embedded_path
from tarifflab.data.reference import reference_path
from tarifflab.errors import DataError, InvalidInputError
from tarifflab.negotiation.ossa_model import TradeWarData

OSSA_DIR = ("sectors", "adamsconchallos__trade", "Data", "CSV files")
#: Ossa's regions (regions.csv order) as ISO3 / tarifflab codes.
OSSA_REGIONS: tuple[str, ...] = ("BRA", "CHN", "EUN", "IND", "JPN", "ROW", "USA")
DEFAULT_FILE = "negotiation_icio2022_flows.csv"
DEFAULT_SIGMA_FILE = "negotiation_icio2022_sigma.csv"
DATASETS = ("ossa", "default")


def _read_matrix(path: Path) -> np.ndarray:
    return pd.read_csv(path, header=None).to_numpy(dtype=float)


def load_ossa(root: Path | None = None, sigma_column: int = 0) -> TradeWarData:
    """Ossa (2014) data: raw (unbalanced) flows and factual tariffs, 7 regions × 33 sectors, GTAP 2007.

    ``trade_ijs.csv`` / ``tariff_ijs.csv`` stack sectors vertically: row ``(s-1)·7 + i`` is exporter
    ``i``, column ``j`` importer. ``sigma_s.csv`` column 1 is the main (Feenstra-method) σ.
    Research use only (GTAP-derived): read from the reference data, never copied into the package.
    """
    folder = root.joinpath(*OSSA_DIR) if root is not None else reference_path(*OSSA_DIR)
    trade = _read_matrix(folder / "trade_ijs.csv")
    tariff = _read_matrix(folder / "tariff_ijs.csv")
    sigma = _read_matrix(folder / "sigma_s.csv")
    labels = [str(x).strip('"') for x in pd.read_csv(folder / "labels.csv", header=None)[0]]
    n = len(OSSA_REGIONS)
    s = trade.shape[0] // n
    if trade.shape != (n * s, n) or tariff.shape != trade.shape or sigma.shape[0] != s:
        raise DataError(f"unexpected Ossa data shapes: trade {trade.shape}, tariff {tariff.shape}")
    flows = trade.reshape(s, n, n).transpose(1, 2, 0)
    tariffs = tariff.reshape(s, n, n).transpose(1, 2, 0)
    return TradeWarData(
        countries=OSSA_REGIONS,
        sectors=tuple(labels[:s]),
        flows=flows,
        tariffs=tariffs,
        sigma=sigma[:, sigma_column].copy(),
        name="ossa",
    )


def load_ossa_noncooperative(root: Path | None = None) -> pd.DataFrame:
    """Ossa's empirical non-cooperative tariff targets (``tariff_noncoop.csv``, sector × region, fraction)."""
    folder = root.joinpath(*OSSA_DIR) if root is not None else reference_path(*OSSA_DIR)
    matrix = _read_matrix(folder / "tariff_noncoop.csv")
    labels = [str(x).strip('"') for x in pd.read_csv(folder / "labels.csv", header=None)[0]]
    return pd.DataFrame(matrix, index=labels[: matrix.shape[0]], columns=list(OSSA_REGIONS))


@lru_cache(maxsize=2)
def load_default() -> TradeWarData:
    """The embedded default: OECD ICIO 2022 aggregated to a few economies × 11 sectors
    (built by :mod:`tarifflab.studies.build.negotiation`)."""
    frame = pd.read_csv(embedded_path(DEFAULT_FILE))
    sig = pd.read_csv(embedded_path(DEFAULT_SIGMA_FILE))
    countries = tuple(dict.fromkeys(frame["exporter"]))
    sectors = tuple(sig["sector"])
    n, s = len(countries), len(sectors)
    ci = {c: k for k, c in enumerate(countries)}
    si = {c: k for k, c in enumerate(sectors)}
    flows = np.zeros((n, n, s))
    tariffs = np.zeros((n, n, s))
    i = frame["exporter"].map(ci).to_numpy()
    j = frame["importer"].map(ci).to_numpy()
    k = frame["sector"].map(si).to_numpy()
    flows[i, j, k] = frame["value_usd_bn"].to_numpy()
    tariffs[i, j, k] = frame["tariff"].to_numpy()
    return TradeWarData(
        countries, sectors, flows, tariffs, sig["sigma"].to_numpy(dtype=float), "default", "USD bn"
    )


def load_dataset(name: str) -> TradeWarData:
    """``ossa`` (needs the reference data) or ``default`` (embedded)."""
    if name == "ossa":
        return load_ossa()
    if name == "default":
        return load_default()
    raise InvalidInputError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
