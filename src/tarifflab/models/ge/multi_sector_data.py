"""Data of the multi-country, multi-sector CES model: bilateral flows by sector, tariffs, elasticities, IO.

Every array is **exporter-first**: ``flows[i, n, s]`` is the value of sector-``s`` goods shipped from
exporter ``i`` to importer ``n`` (million current USD, tariff-inclusive buyer prices, diagonal =
domestic sales) and ``tariffs[i, n, s]`` is importer ``n``'s ad-valorem tariff on exporter ``i``
(fraction, t_{ins}). Loaders:

* :func:`load_icio` — OECD ICIO 2011–2022 (81 × 28) from ``ahmadlp/tariffwar`` ``mat/ICIO{year}.mat``;
* :func:`load_wiod` — WIOD 2014 (44 × 16) from ``mat/WIOD2014.mat``;
* :func:`load_cp` — Caliendo–Parro (2015) 1993 NAFTA data (31 × 40, 20 tradable);
* :func:`load_default` — the embedded ~20 economies × 10 sectors aggregate of ICIO 2022;
* :func:`load_dataset` — dispatch by name.

The ICIO/WIOD files carry no input–output table: for ``io=True`` their value-added shares β and IO
coefficients γ are borrowed from the Caliendo–Parro 1993 tables (country match, else CP's ROW) through
the sector concordance in :mod:`tarifflab.nomenclature.sectors` (documented assumption).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from tarifflab.errors import DataError, InvalidElasticityError, InvalidInputError, UnknownDatasetError

#: Files of the embedded default (written by :mod:`tarifflab.studies.build.ge_multi_sector`).
FLOWS = "ge_ms_flows.parquet"
IO = "ge_ms_io.parquet"
ELASTICITIES = "ge_ms_elasticities.csv"

ICIO_YEARS: tuple[int, ...] = tuple(range(2011, 2023))
DATASETS: tuple[str, ...] = ("default", "icio", "wiod", "cp")
ELASTICITY_SOURCES: tuple[str, ...] = ("IS", "U4", "CP", "BSY", "GYY", "Shap", "FGO", "LL")

CP_COUNTRIES: tuple[str, ...] = (
    "ARG", "AUS", "AUT", "BRA", "CAN", "CHL", "CHN", "DNK", "FIN", "FRA", "DEU", "GRC", "HUN", "IND",
    "IDN", "IRL", "ITA", "JPN", "KOR", "MEX", "NLD", "NZL", "NOR", "PRT", "ZAF", "ESP", "SWE", "TUR",
    "GBR", "USA", "ROW",
)  # fmt: skip
# Caliendo–Parro sector order (tradables 1–20 as in the paper's Table 1; non-tradables 21–40).
CP_SECTORS: tuple[str, ...] = (
    "Agriculture", "Mining", "Food", "Textile", "Wood", "Paper", "Petroleum", "Chemicals", "Plastic",
    "Minerals", "Basic metals", "Metal products", "Machinery n.e.c.", "Office", "Electrical",
    "Communication", "Medical", "Auto", "Other transport", "Other",
    "Electricity", "Construction", "Retail", "Hotels", "Land transport", "Water transport",
    "Air transport", "Aux transport", "Post", "Finance", "Real estate", "Renting machinery",
    "Computer", "R&D", "Other business", "Public", "Education", "Health", "Other services",
    "Private households",
)  # fmt: skip
CP_TRADABLE = 20
CP_NONTRADABLE_THETA = 8.22  # Caliendo–Parro script.m: θ for non-tradable sectors

_CP_DIR = (
    "sectors",
    "ZeyiQian__Reading-Notes",
    "CaliendoRamondo2015",
    "Data_and_Codes_CP",
    "Counterfactuals",
)
_MAT_DIR = ("sectors", "ahmadlp__tariffwar", "mat")


@dataclass(frozen=True, eq=False)
class MultiSectorData:
    """Calibration data of the multi-sector model (immutable; arrays are read-only).

    Attributes
    ----------
    countries: ISO3 codes, length N (last is usually ``ROW``).
    sectors: sector labels, length S.
    flows: X_{ins}, exporter × importer × sector, million USD, tariff-inclusive (buyer prices).
    tariffs: t_{ins}, importer n's tariff on exporter i, fraction; zero diagonal.
    elasticities: source code → ε_s (trade elasticity, length S); σ_s = ε_s + 1.
    va_share: β_{is}, value-added share of gross output (N × S) or None (no IO data).
    io_coef: γ_i^{ks}, share of sector-k inputs in sector s's intermediate spending, array [i, k, s]
        with Σ_k γ_i^{ks} = 1, or None.
    alt_tariffs: named alternative tariff cubes (e.g. Caliendo–Parro ``"2005"``).
    name, year: dataset label and data year.
    """

    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    flows: np.ndarray
    tariffs: np.ndarray
    elasticities: Mapping[str, np.ndarray]
    va_share: np.ndarray | None = None
    io_coef: np.ndarray | None = None
    alt_tariffs: Mapping[str, np.ndarray] = field(default_factory=dict)
    name: str = "custom"
    year: int | None = None

    def __post_init__(self) -> None:
        n, s = len(self.countries), len(self.sectors)
        if len(set(self.countries)) != n:
            raise InvalidInputError(f"{self.name}: duplicate country codes")
        _check_array(self.flows, (n, n, s), "flows", self.name, nonneg=True)
        _check_array(self.tariffs, (n, n, s), "tariffs", self.name, lower=-1.0 + 1e-9)
        if not self.elasticities:
            raise InvalidInputError(f"{self.name}: no elasticity source")
        for code, eps in self.elasticities.items():
            _check_array(np.asarray(eps, dtype=float), (s,), f"elasticities[{code}]", self.name)
            if np.any(np.asarray(eps) <= 0):
                raise InvalidElasticityError(
                    f"{self.name}: elasticity source {code} has a non-positive trade elasticity ε"
                )
        if (self.va_share is None) != (self.io_coef is None):
            raise InvalidInputError(f"{self.name}: va_share and io_coef must be given together")
        if self.va_share is not None and self.io_coef is not None:
            _check_array(self.va_share, (n, s), "va_share", self.name, nonneg=True)
            if np.any(self.va_share > 1.0 + 1e-12) or np.any(self.va_share <= 0.0):
                raise InvalidInputError(f"{self.name}: value-added shares β must lie in (0, 1]")
            _check_array(self.io_coef, (n, s, s), "io_coef", self.name, nonneg=True)
            colsum = self.io_coef.sum(axis=1)
            if np.max(np.abs(colsum - 1.0)) > 1e-6:
                raise InvalidInputError(f"{self.name}: IO coefficients γ must sum to 1 over source sectors")
        for key, cube in self.alt_tariffs.items():
            _check_array(cube, (n, n, s), f"alt_tariffs[{key}]", self.name, lower=-1.0 + 1e-9)
        for arr in (self.flows, self.tariffs, self.va_share, self.io_coef, *self.alt_tariffs.values()):
            if arr is not None:
                arr.setflags(write=False)

    @property
    def n_countries(self) -> int:
        return len(self.countries)

    @property
    def n_sectors(self) -> int:
        return len(self.sectors)

    @property
    def has_io(self) -> bool:
        return self.va_share is not None

    def country_index(self, iso3: str) -> int:
        from tarifflab.errors import UnknownCountryError

        try:
            return self.countries.index(iso3)
        except ValueError:
            raise UnknownCountryError(f"country {iso3!r} is not in dataset {self.name}") from None

    def sector_index(self, sector: str) -> int:
        try:
            return self.sectors.index(sector)
        except ValueError:
            raise InvalidInputError(
                f"sector {sector!r} is not in dataset {self.name} (sectors: {', '.join(self.sectors)})"
            ) from None

    def epsilon(self, source: str) -> np.ndarray:
        """Trade elasticity ε_s of one source (``IS``, ``U4``, ``CP``, …)."""
        if source not in self.elasticities:
            raise InvalidInputError(
                f"unknown elasticity source {source!r} for dataset {self.name} "
                f"(available: {', '.join(self.elasticities)})"
            )
        return np.asarray(self.elasticities[source], dtype=float)

    def with_elasticities(self, elasticities: Mapping[str, np.ndarray]) -> MultiSectorData:
        return replace(self, elasticities=dict(elasticities))

    def without_io(self) -> MultiSectorData:
        return replace(self, va_share=None, io_coef=None)


def _check_array(
    arr: np.ndarray,
    shape: tuple[int, ...],
    label: str,
    name: str,
    *,
    nonneg: bool = False,
    lower: float | None = None,
) -> None:
    if not isinstance(arr, np.ndarray):
        raise InvalidInputError(f"{name}: {label} must be a numpy array")
    if arr.shape != shape:
        raise InvalidInputError(f"{name}: {label} has shape {arr.shape}, expected {shape}")
    if not np.all(np.isfinite(arr)):
        raise DataError(f"{name}: {label} contains NaN or infinite values")
    if nonneg and np.any(arr < 0):
        raise InvalidInputError(f"{name}: {label} has negative entries")
    if lower is not None and np.any(arr <= lower):
        raise InvalidInputError(f"{name}: {label} has entries ≤ {lower:g}")


# --------------------------------------------------------------------------------------------- loaders


def _reference(reference: Path | None) -> Path:
    from tarifflab.data.reference import reference_root

    return reference if reference is not None else reference_root()


def _mat_strings(handle: object, name: str) -> list[str]:
    f = handle  # h5py.File
    refs = f[name][()]  # type: ignore[index]
    return ["".join(chr(int(c)) for c in f[r][()].flatten()) for r in refs.flatten()]  # type: ignore[index]


def _read_mat(path: Path, name: str, year: int) -> MultiSectorData:
    import h5py

    if not path.exists():
        from tarifflab.errors import ReferenceDataMissingError

        raise ReferenceDataMissingError(f"reference file missing: {path}")
    with h5py.File(path, "r") as f:
        countries = tuple(_mat_strings(f, "data/countries"))
        sectors = tuple(_mat_strings(f, "data/sectors"))
        # h5py reverses MATLAB's axes: transpose (2,1,0) to get X[exporter, importer, sector].
        flows = np.ascontiguousarray(np.transpose(f["data/Xjik_3D"][()], (2, 1, 0)), dtype=float)
        tariffs = np.ascontiguousarray(np.transpose(f["data/tjik_3D"][()], (2, 1, 0)), dtype=float)
        elasticities = {
            src: np.asarray(f[f"data/sigma/{src}/epsilon_S"][()], dtype=float).ravel()
            for src in ELASTICITY_SOURCES
            if f"data/sigma/{src}/epsilon_S" in f
        }
    return MultiSectorData(
        countries=countries,
        sectors=sectors,
        flows=flows,
        tariffs=tariffs,
        elasticities=elasticities,
        name=name,
        year=year,
    )


@lru_cache(maxsize=4)
def _load_icio_cached(year: int, reference: Path) -> MultiSectorData:
    data = _read_mat(reference.joinpath(*_MAT_DIR, f"ICIO{year}.mat"), "icio", year)
    # ustariff pipeline step 2 (ICIO only): add 1 million USD to every domestic cell (no empty sectors).
    flows = data.flows.copy()
    idx = np.arange(data.n_countries)
    flows[idx, idx, :] += 1.0
    return _attach_cp_io(replace(data, flows=flows), reference)


def load_icio(year: int = 2022, *, reference: Path | None = None) -> MultiSectorData:
    """OECD ICIO ``year`` (2011–2022): 81 economies × 28 sectors, Teti tariffs, 8 elasticity sources."""
    if year not in ICIO_YEARS:
        raise UnknownDatasetError(f"ICIO year {year} not available (2011–2022)")
    return _load_icio_cached(year, _reference(reference))


@lru_cache(maxsize=1)
def _load_wiod_cached(reference: Path) -> MultiSectorData:
    data = _read_mat(reference.joinpath(*_MAT_DIR, "WIOD2014.mat"), "wiod", 2014)
    return _attach_cp_io(data, reference)


def load_wiod(year: int = 2014, *, reference: Path | None = None) -> MultiSectorData:
    """WIOD 2014 (2016 release): 44 economies × 16 sectors."""
    if year != 2014:
        raise UnknownDatasetError(f"WIOD year {year} not available (only 2014)")
    return _load_wiod_cached(_reference(reference))


# ------------------------------------------------------------------------------- Caliendo–Parro 1993


@dataclass(frozen=True)
class CPTables:
    """Raw Caliendo–Parro 1993 tables in their own layout (see ge-multi-sector.md B.2)."""

    xbilat: np.ndarray  # importer n × exporter i × tradable sector j, USD, pre-tariff
    tau1993: np.ndarray  # importer × exporter × tradable sector, fraction
    tau2005: np.ndarray
    go: np.ndarray  # country × sector, USD
    beta: np.ndarray  # country × sector
    gamma: np.ndarray  # country × source k × using j
    theta: np.ndarray  # tradable sectors


def _normalise_columns(gamma: np.ndarray) -> np.ndarray:
    """Clip the few tiny negative IO coefficients at 0 and rescale each column to sum to 1.

    Columns that are all zero (sectors without intermediate use) get their own sector as input;
    they carry no weight because those sectors buy no intermediates in the data.
    """
    g = np.maximum(gamma, 0.0)
    col = g.sum(axis=1, keepdims=True)
    own = np.broadcast_to(np.eye(g.shape[1])[None, :, :], g.shape)
    return np.where(col > 0, g / np.where(col > 0, col, 1.0), own)


@lru_cache(maxsize=1)
def cp_tables(reference: Path | None = None) -> CPTables:
    root = _reference(reference).joinpath(*_CP_DIR, "Equilibrium")
    if not root.is_dir():
        from tarifflab.errors import ReferenceDataMissingError

        raise ReferenceDataMissingError(f"Caliendo–Parro data missing: {root}")
    n, j = len(CP_COUNTRIES), len(CP_SECTORS)

    def stacked(name: str) -> np.ndarray:
        raw = np.loadtxt(root / name)
        if raw.shape != (CP_TRADABLE * n, n):
            raise DataError(f"{name}: shape {raw.shape}, expected {(CP_TRADABLE * n, n)}")
        # row n + (j-1)N = (importer n, sector j); column = exporter i  →  [n, i, j]
        return np.transpose(raw.reshape(CP_TRADABLE, n, n), (1, 2, 0)).copy()

    xbilat = stacked("xbilat1993.txt") * 1000.0  # thousand USD → USD
    tau1993 = stacked("tariffs1993.txt") / 100.0
    tau2005 = stacked("tariffs2005.txt") / 100.0
    go = np.loadtxt(root / "GO.txt").T  # 40×31 → country × sector
    beta = np.loadtxt(root / "B.txt").T
    io = np.loadtxt(root / "IO.txt")
    if io.shape != (j * n, j) or go.shape != (n, j) or beta.shape != (n, j):
        raise DataError("Caliendo–Parro IO/GO/B tables have unexpected shapes")
    gamma = _normalise_columns(io.reshape(n, j, j))  # per country: rows = source k, columns = using j
    theta = np.loadtxt(root / "T.txt").ravel()
    for label, arr in (("xbilat", xbilat), ("tariffs", tau1993), ("GO", go), ("B", beta), ("IO", gamma)):
        if not np.all(np.isfinite(arr)):
            raise DataError(f"Caliendo–Parro {label} contains NaN")
    return CPTables(xbilat, tau1993, tau2005, go, beta, gamma, theta)


@lru_cache(maxsize=1)
def _load_cp_cached(reference: Path) -> MultiSectorData:
    tab = cp_tables(reference)
    n, s = len(CP_COUNTRIES), len(CP_SECTORS)
    pre = np.zeros((n, n, s))  # exporter i, importer n, sector
    pre[:, :, :CP_TRADABLE] = np.transpose(tab.xbilat, (1, 0, 2))
    idx = np.arange(n)
    pre[idx, idx, :] = 0.0
    exports = pre.sum(axis=1)  # i × s
    go = np.maximum(tab.go, exports)  # script.m: GO = max(GO, exports)
    pre[idx, idx, :] = go - exports
    tariffs = np.zeros((n, n, s))
    tariffs[:, :, :CP_TRADABLE] = np.transpose(tab.tau1993, (1, 0, 2))
    tariffs[idx, idx, :] = 0.0
    t2005 = np.zeros((n, n, s))
    t2005[:, :, :CP_TRADABLE] = np.transpose(tab.tau2005, (1, 0, 2))
    t2005[idx, idx, :] = 0.0
    flows = pre * (1.0 + tariffs) / 1e6  # buyer prices, USD → million USD
    theta = np.concatenate([tab.theta, np.full(s - CP_TRADABLE, CP_NONTRADABLE_THETA)])
    return MultiSectorData(
        countries=CP_COUNTRIES,
        sectors=CP_SECTORS,
        flows=flows,
        tariffs=tariffs,
        elasticities={"CP": theta},
        va_share=np.clip(tab.beta.copy(), 1e-6, 1.0),
        io_coef=np.transpose(tab.gamma, (0, 1, 2)).copy(),
        alt_tariffs={"2005": t2005},
        name="cp",
        year=1993,
    )


def load_cp(*, reference: Path | None = None) -> MultiSectorData:
    """Caliendo–Parro (2015) 1993 data: 31 countries × 40 sectors with IO tables and 2005 tariffs."""
    return _load_cp_cached(_reference(reference))


def _attach_cp_io(data: MultiSectorData, reference: Path) -> MultiSectorData:
    """Borrow β and γ from Caliendo–Parro 1993 (country match, else ROW), mapped to ``data.sectors``."""
    from tarifflab.nomenclature.sectors import cp_sector_weights

    try:
        tab = cp_tables(reference)
    except Exception:  # reference without CP tables: leave the dataset without IO
        return data
    use_w, src_split = cp_sector_weights(data.name, data.sectors)  # both S × 40
    n, s = data.n_countries, data.n_sectors
    beta = np.empty((n, s))
    gamma = np.empty((n, s, s))
    for a, iso in enumerate(data.countries):
        c = CP_COUNTRIES.index(iso) if iso in CP_COUNTRIES else CP_COUNTRIES.index("ROW")
        w_use = use_w * np.maximum(tab.go[c], 1e-9)[None, :]  # gross-output weights within a target
        w_use = w_use / w_use.sum(axis=1, keepdims=True)
        beta[a] = w_use @ tab.beta[c]
        # intermediate spending of target sector s on CP source sector k: Σ_j w[s,j](1-β_j) γ[k,j]
        inter = (tab.gamma[c] * (1.0 - tab.beta[c])[None, :]) @ w_use.T  # 40 × S
        agg = src_split @ inter  # S (source) × S (using)
        col = agg.sum(axis=0, keepdims=True)
        gamma[a] = np.where(col > 0, agg / np.where(col > 0, col, 1.0), 1.0 / s)
    beta = np.clip(beta, 0.05, 1.0)
    return replace(data, va_share=beta, io_coef=gamma)


def read_embedded() -> MultiSectorData:
    """Load the embedded default dataset as a :class:`MultiSectorData` (name ``default``, year 2022)."""
    from tarifflab.data.embedded import embedded_path
    from tarifflab.nomenclature.sectors import DEFAULT_ECONOMIES, DEFAULT_SECTORS

    flows = pd.read_parquet(embedded_path(FLOWS))
    io = pd.read_parquet(embedded_path(IO))
    el = pd.read_csv(embedded_path(ELASTICITIES))
    econ = list(DEFAULT_ECONOMIES)
    secs = list(DEFAULT_SECTORS)
    n, s = len(econ), len(secs)
    ci = {c: k for k, c in enumerate(econ)}
    si = {c: k for k, c in enumerate(secs)}
    X = np.zeros((n, n, s))
    T = np.zeros((n, n, s))
    e, m, k = (flows["exporter"].map(ci), flows["importer"].map(ci), flows["sector"].map(si))
    X[e, m, k] = flows["value_musd"].to_numpy()
    T[e, m, k] = flows["tariff"].to_numpy()
    G = np.zeros((n, s, s))
    beta = np.zeros((n, s))
    a, q, r = io["iso3"].map(ci), io["source_sector"].map(si), io["using_sector"].map(si)
    G[a, q, r] = io["gamma"].to_numpy()
    beta[a, r] = io["va_share"].to_numpy()
    elasticities = {
        str(src): grp.set_index("sector").loc[secs, "epsilon"].to_numpy(dtype=float)
        for src, grp in el.groupby("source", sort=False)
    }
    return MultiSectorData(
        countries=tuple(econ),
        sectors=tuple(secs),
        flows=X,
        tariffs=T,
        elasticities=elasticities,
        va_share=beta,
        io_coef=G,
        name="default",
        year=2022,
    )


def load_default() -> MultiSectorData:
    """The embedded default: ICIO 2022 aggregated to ~20 economies × 10 sectors (see studies/build)."""
    return read_embedded()


def load_dataset(name: str, year: int | None = None, *, reference: Path | None = None) -> MultiSectorData:
    """Load ``default``, ``icio`` (``year`` 2011–2022, default 2022), ``wiod`` (2014) or ``cp`` (1993)."""
    key = name.lower()
    if key == "default":
        if year not in (None, 2022):
            raise UnknownDatasetError(f"the default dataset is ICIO 2022; year {year} not available")
        return load_default()
    if key == "icio":
        return load_icio(2022 if year is None else year, reference=reference)
    if key == "wiod":
        return load_wiod(2014 if year is None else year, reference=reference)
    if key == "cp":
        if year not in (None, 1993):
            raise UnknownDatasetError(f"the Caliendo–Parro dataset is 1993; year {year} not available")
        return load_cp(reference=reference)
    raise UnknownDatasetError(f"unknown dataset {name!r} (choose from {', '.join(DATASETS)})")


def flows_frame(data: MultiSectorData) -> pd.DataFrame:
    """Long table exporter, importer, sector, value_musd, tariff."""
    n, s = data.n_countries, data.n_sectors
    ex, im, se = np.meshgrid(np.arange(n), np.arange(n), np.arange(s), indexing="ij")
    return pd.DataFrame(
        {
            "exporter": np.asarray(data.countries)[ex.ravel()],
            "importer": np.asarray(data.countries)[im.ravel()],
            "sector": np.asarray(data.sectors)[se.ravel()],
            "value_musd": data.flows.ravel(),
            "tariff": data.tariffs.ravel(),
        }
    )
