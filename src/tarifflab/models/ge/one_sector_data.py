"""Input data of the one-sector Liberation Day GE model (194 countries, BACI 2023).

Two sources, same content:

* the reference data folder ``<reference>/ge`` (the authors' ``trade_cepii.csv``, ``gdp.csv``,
  ``tariffs.csv``, ``country_labels.csv``), used when present or when a folder is named;
* the embedded default (``ge_one_sector_flows.parquet`` and ``ge_one_sector_countries.parquet``,
  built by :mod:`tarifflab.studies.build.ge_one_sector`), used on a machine without reference data.

Units: trade flows ``X_ji`` in thousand current USD (row = exporter j, column = importer i), GDP in
current USD, announced tariffs as fractions.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from tarifflab.data.embedded import embedded_path
from tarifflab.data.reference import reference_root
from tarifflab.data.sources import default_data_dir
from tarifflab.errors import DataError, ReferenceDataMissingError

FloatArray = npt.NDArray[np.float64]

FLOWS_FILE = "ge_one_sector_flows.parquet"
COUNTRIES_FILE = "ge_one_sector_countries.parquet"

#: The 25-member "EU" of the authors' analysis scripts (CZE and SVK left out; spec §1 quirk).
EU25: tuple[str, ...] = (
    "AUT", "BEL", "BGR", "CYP", "DEU", "DNK", "ESP", "EST", "FIN", "FRA", "GRC", "HRV", "HUN",
    "IRL", "ITA", "LTU", "LUX", "LVA", "MLT", "NLD", "POL", "PRT", "ROU", "SVN", "SWE",
)  # fmt: skip
US = "USA"


@dataclass(frozen=True, eq=False)
class GEData:
    """Raw inputs: country list, zero-diagonal trade matrix, GDP and announced US tariffs.

    Attributes:
        iso3: country codes in model order (alphabetical ISO3, the authors' ``iso_code`` order).
        names: English country names.
        trade: ``X_ji`` (N×N), thousand USD, exporter × importer, zero diagonal.
        gdp_usd: nominal GDP, current USD (the model uses ``gdp_usd / 1000``).
        announced_tariff: 2 April 2025 announced US tariff on each country (fraction, before the
            10 % floor).
        source: where the data came from (folder path or ``"embedded"``).
    """

    iso3: tuple[str, ...]
    names: tuple[str, ...]
    trade: FloatArray
    gdp_usd: FloatArray
    announced_tariff: FloatArray
    source: str
    index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        n = len(self.iso3)
        if self.trade.shape != (n, n) or self.gdp_usd.shape != (n,) or self.announced_tariff.shape != (n,):
            raise DataError(f"GE data of inconsistent shape: {n} countries, trade {self.trade.shape}")
        if len(set(self.iso3)) != n:
            raise DataError("GE data has duplicate country codes")
        if not np.all(np.isfinite(self.trade)) or np.any(self.trade < 0):
            raise DataError("GE trade matrix has negative or non-finite entries")
        if US not in self.iso3:
            raise DataError("GE data has no USA row")
        object.__setattr__(self, "index", {c: k for k, c in enumerate(self.iso3)})

    @property
    def n(self) -> int:
        return len(self.iso3)

    @property
    def us(self) -> int:
        """0-based position of the USA."""
        return self.index[US]


def _read_reference(folder: Path) -> GEData:
    needed = ["trade_cepii.csv", "gdp.csv", "tariffs.csv", "country_labels.csv"]
    missing = [name for name in needed if not (folder / name).is_file()]
    if missing:
        raise DataError(f"GE data folder {folder} lacks {', '.join(missing)}")
    labels = pd.read_csv(folder / "country_labels.csv")
    labels = labels.sort_values("iso_code")
    trade = pd.read_csv(folder / "trade_cepii.csv").fillna(0.0).to_numpy(dtype=np.float64)
    np.fill_diagonal(trade, 0.0)
    gdp = pd.read_csv(folder / "gdp.csv")["gdp"].to_numpy(dtype=np.float64)
    tariffs = pd.read_csv(folder / "tariffs.csv")["applied_tariff"].to_numpy(dtype=np.float64)
    return GEData(
        iso3=tuple(str(c) for c in labels["iso3"]),
        names=tuple(str(c) for c in labels["CountryName"]),
        trade=trade,
        gdp_usd=gdp,
        announced_tariff=tariffs,
        source=str(folder),
    )


def _read_embedded() -> GEData:
    countries = pd.read_parquet(embedded_path(COUNTRIES_FILE))
    flows = pd.read_parquet(embedded_path(FLOWS_FILE))
    iso3 = tuple(str(c) for c in countries["iso3"])
    pos = {c: k for k, c in enumerate(iso3)}
    trade = np.zeros((len(iso3), len(iso3)))
    try:
        rows = flows["exporter"].map(pos).to_numpy(dtype=np.int64)
        cols = flows["importer"].map(pos).to_numpy(dtype=np.int64)
    except (ValueError, TypeError) as bad:
        raise DataError(f"embedded GE flows name a country not in {COUNTRIES_FILE}") from bad
    trade[rows, cols] = flows["value_kusd"].to_numpy(dtype=np.float64)
    np.fill_diagonal(trade, 0.0)
    return GEData(
        iso3=iso3,
        names=tuple(str(c) for c in countries["name"]),
        trade=trade,
        gdp_usd=countries["gdp_usd"].to_numpy(dtype=np.float64),
        announced_tariff=countries["announced_tariff"].to_numpy(dtype=np.float64),
        source="embedded",
    )


def _reference_ge_folder() -> Path | None:
    """``<reference>/ge`` or the fetched copy (``tarifflab data fetch``) if it holds the trade file."""
    candidates: list[Path] = []
    with contextlib.suppress(ReferenceDataMissingError):
        candidates.append(reference_root() / "ge")
    candidates.append(default_data_dir() / "ge")
    for folder in candidates:
        if (folder / "trade_cepii.csv").is_file():
            return folder
    return None


@lru_cache(maxsize=4)
def _load_cached(folder: str | None) -> GEData:
    if folder is not None:
        return _read_reference(Path(folder))
    found = _reference_ge_folder()
    return _read_reference(found) if found is not None else _read_embedded()


def load_ge_data(data_dir: Path | str | None = None, *, embedded: bool = False) -> GEData:
    """Load the model inputs.

    Args:
        data_dir: a folder holding the reference files (the ``ge`` folder itself, or a reference
            root that contains ``ge/``). ``None``: the reference data (``../shared/data``,
            ``TARIFFLAB_REFERENCE_DATA`` / ``TARIFFLAB_DATA_DIR``, or the folder ``tarifflab data
            fetch`` fills) if present, else the embedded default.
        embedded: force the embedded default dataset.
    """
    if embedded:
        return _load_embedded_cached()
    if data_dir is None:
        return _load_cached(None)
    folder = Path(data_dir).expanduser()
    if (folder / "ge" / "trade_cepii.csv").is_file():
        folder = folder / "ge"
    if not folder.is_dir():
        raise DataError(f"GE data folder not found: {folder}")
    return _load_cached(str(folder.resolve()))


@lru_cache(maxsize=1)
def _load_embedded_cached() -> GEData:
    return _read_embedded()
