"""Tariff matrices of the one-sector model (spec ``ge-one-sector.md`` §7) and user tariff files.

Every matrix is ``t_ji``: row = exporter j, column = importer i, fraction, zero diagonal; the
baseline is tariff-free, so a matrix holds counterfactual tariff *levels*.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tarifflab.errors import DataError, TariffFileError, UnknownCountryError
from tarifflab.models.ge.one_sector_calibration import Baseline, region_matrix
from tarifflab.models.ge.one_sector_data import FloatArray, GEData

#: Floor of the Liberation Day schedule (every partner at least 10 %).
USTR_FLOOR = 0.10


def ustr_vector(data: GEData) -> FloatArray:
    """US import tariff on each exporter: ``max(0.10, announced)``, 0 for the US itself (§7)."""
    vec = np.maximum(USTR_FLOOR, data.announced_tariff)
    vec[data.us] = 0.0
    return vec


def us_import_matrix(us_tariffs: FloatArray, us: int) -> FloatArray:
    """Matrix with ``t_{j,US} = us_tariffs_j`` and every other entry 0."""
    n = len(us_tariffs)
    t = np.zeros((n, n))
    t[:, us] = us_tariffs
    t[us, us] = 0.0
    return t


def with_reciprocal(tariffs: FloatArray, us: int) -> FloatArray:
    """Reciprocal retaliation: ``t_{US,i} = t_{i,US}`` for every i (mirror of the US column)."""
    t = tariffs.copy()
    t[us, :] = t[:, us]
    t[us, us] = 0.0
    return t


def with_retaliation(tariffs: FloatArray, us: int, rate: float | FloatArray) -> FloatArray:
    """Every country ``i ≠ US`` sets ``t_{US,i} = rate`` (scalar or per-country vector)."""
    t = tariffs.copy()
    t[us, :] = rate
    t[us, us] = 0.0
    return t


def optimal_tariff(delta: float, eps: float, phi: float) -> float:
    """Closed-form optimal tariff ``t* = 1 / ((1 + δ ε) φ − 1)`` (§7)."""
    return 1.0 / ((1.0 + delta * eps) * phi - 1.0)


def export_supply_delta(base: Baseline, denominator: str = "E") -> FloatArray:
    """δ_i of the N-country optimal tariff (§7).

    ``δ_i = Σ_{n≠i} X_in (1−ν_n)(1−λ_in) / ((1−ν_i)(D_i − X_ii))`` with ``D = E`` (variant δ^E,
    Table 1 case 3) or ``D = Y`` (variant δ^Y, Table 2 panel 4). The numerator sums over the
    destinations n of i's exports (row sum, ``axis=1``).
    """
    x = base.trade
    off = 1.0 - np.eye(base.n)
    numerator = (x * (1.0 - base.nu)[None, :] * off * (1.0 - base.lam)).sum(axis=1)
    if denominator == "E":
        level = base.expenditure
    elif denominator == "Y":
        level = base.income
    else:
        raise ValueError(f"denominator must be 'E' or 'Y', not {denominator!r}")
    return numerator / ((1.0 - base.nu) * (level - np.diag(x)))


def region_delta(base: Baseline) -> tuple[float, float]:
    """(δ̄_ROW, δ̄_US) on the 2-region aggregate of the filled matrix with model ``Y`` (§7).

    Row sum (``axis=1``) over the region's destinations, as MATLAB ``sum(…,2)``; the public Python
    port sums over ``axis=0`` (a bug that gives a US welfare of −0.95 % instead of −0.75 %).
    """
    agg = region_matrix(base.n, base.us)
    xbar = agg @ base.trade @ agg.T
    ybar = agg @ base.income
    lam = xbar / xbar.sum(axis=0)[None, :]
    nu = np.array(base.nu_regions)
    numerator = (xbar * (1.0 - nu)[None, :] * (1.0 - np.eye(2)) * (1.0 - lam)).sum(axis=1)
    delta = numerator / ((1.0 - nu) * (ybar - np.diag(xbar)))
    return float(delta[0]), float(delta[1])


# ---------------------------------------------------------------------------- the law's tariffs
def us_tariffs_on(
    partners: Sequence[str], on: dt.date, engine: Any = None
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Additional US tariff by partner on a date, from the tariff engine (fractions; 0 for USA).

    ``engine``: a :class:`~tarifflab.policy.engine.TariffEngine` (e.g. with a scenario file applied);
    the built-in law when None.
    """
    try:
        from tarifflab.metrics.etr import us_tariff_vector
    except ImportError as missing:
        raise DataError(f"the tariff engine (tarifflab.metrics.etr) is not available: {missing}") from None
    extra = {} if engine is None else {"engine": engine}
    vec = np.asarray(us_tariff_vector(list(partners), on=on, view="in-force", **extra), dtype=np.float64)
    if vec.shape != (len(partners),):
        raise DataError(f"tariff engine returned {vec.shape} rates for {len(partners)} partners")
    return vec


# ---------------------------------------------------------------------------- user files
def _resolve(code: object, index: dict[str, int], where: str) -> int:
    text = str(code).strip().upper()
    if text not in index:
        raise UnknownCountryError(f"unknown ISO3 code {code!r} in tariff file ({where})")
    return index[text]


def _read_table(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise TariffFileError(f"tariff file not found: {path}")
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return pd.read_parquet(path)
        if suffix in (".csv", ".txt"):
            return pd.read_csv(path)
    except Exception as bad:  # pandas/pyarrow raise many types for malformed files
        raise TariffFileError(f"cannot read tariff file {path}: {bad}") from None
    raise TariffFileError(f"tariff file must be .csv or .parquet: {path}")


def _check_values(values: FloatArray, path: Path) -> None:
    if np.any(np.isnan(values)):
        raise TariffFileError(f"tariff file {path} has missing (NaN) rates")
    if np.any(~np.isfinite(values)):
        raise TariffFileError(f"tariff file {path} has infinite rates")
    if np.any(values < 0):
        raise TariffFileError(f"tariff file {path} has negative rates (tariffs are fractions ≥ 0)")


def read_tariff_file(path: str | Path, iso3: Sequence[str]) -> FloatArray:
    """Read a user tariff matrix ``t_ji`` (fraction) into the model's N×N order.

    Two layouts are accepted (CSV or Parquet):

    * **long**: columns ``exporter, importer, tariff`` (one row per pair; pairs not listed are 0);
    * **wide**: first column = exporter ISO3, other columns = importer ISO3; the exporter and
      importer label sets must be the same (a square matrix over a subset of the model countries;
      countries left out trade tariff-free).

    Raises :class:`TariffFileError` (shape, NaN, negative, duplicates, non-zero own tariff) or
    :class:`UnknownCountryError` (an ISO3 code not in the model).
    """
    path = Path(path)
    frame = _read_table(path)
    index = {c: k for k, c in enumerate(iso3)}
    n = len(iso3)
    t = np.zeros((n, n))
    columns = [str(c).strip().lower() for c in frame.columns]
    if frame.empty:
        raise TariffFileError(f"tariff file {path} is empty")
    if {"exporter", "importer", "tariff"} <= set(columns):
        frame.columns = pd.Index(columns)
        try:
            values = pd.to_numeric(frame["tariff"], errors="raise").to_numpy(dtype=np.float64)
        except (ValueError, TypeError):
            raise TariffFileError(f"tariff file {path}: column 'tariff' is not numeric") from None
        _check_values(values, path)
        rows = [_resolve(c, index, f"exporter, line {k + 2}") for k, c in enumerate(frame["exporter"])]
        cols = [_resolve(c, index, f"importer, line {k + 2}") for k, c in enumerate(frame["importer"])]
        pairs = list(zip(rows, cols, strict=True))
        if len(set(pairs)) != len(pairs):
            raise TariffFileError(f"tariff file {path} lists an exporter–importer pair twice")
        for (r, c), v in zip(pairs, values, strict=True):
            if r == c and v != 0.0:
                raise TariffFileError(f"tariff file {path}: own tariff of {iso3[r]} must be 0")
            t[r, c] = v
        return t
    if frame.shape[1] < 2:
        raise TariffFileError(
            f"tariff file {path}: expected columns exporter,importer,tariff or an ISO3 matrix"
        )
    labels = [_resolve(c, index, "row label") for c in frame.iloc[:, 0]]
    header = [_resolve(c, index, "column header") for c in frame.columns[1:]]
    if len(set(labels)) != len(labels) or len(set(header)) != len(header):
        raise TariffFileError(f"tariff file {path} repeats a country label")
    if len(labels) != len(header) or set(labels) != set(header):
        raise TariffFileError(
            f"tariff file {path}: matrix must be square with the same countries as rows and "
            f"columns (got {len(labels)} rows × {len(header)} columns)"
        )
    try:
        values = frame.iloc[:, 1:].apply(pd.to_numeric, errors="raise").to_numpy(dtype=np.float64)
    except (ValueError, TypeError):
        raise TariffFileError(f"tariff file {path} has non-numeric rates") from None
    _check_values(values, path)
    sub = np.ix_(labels, header)
    t[sub] = values
    if np.any(np.diag(t) != 0.0):
        raise TariffFileError(f"tariff file {path}: own tariffs (diagonal) must be 0")
    return t
