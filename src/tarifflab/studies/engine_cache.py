"""Disk copy of the engine's US tariff matrices (model country × sector) for the payoff model.

:class:`~tarifflab.studies.package_scenarios.EngineUsTariffs` runs the tariff engine over every 2024 import
line (1-2 s) for the law's matrix on a date and once more for each US setting of a package. The payoff
result store (negotiation/payoff_store.py) is keyed on the tariff cube, so without this copy a second run
still pays the engine once per unique setting before it can read a stored outcome.

A matrix is kept as one Parquet file ``<cache dir>/engine/<key>.parquet`` whose name is the SHA-256 of
everything it depends on: the measure library's content hash and scenario hash (scenario files applied),
the partner, the entry date, the US lever tuple, the model's countries and sectors, the MFN basis and
view, and a digest of the embedded data (2024 import weights, products, scope tables), of the built-in
measure files and of the source of the modules that compute the matrix (policy, metrics, nomenclature,
data, studies), plus the package and Python versions. Any change to any of them gives a new name, so a
stale copy is never read. Files are written atomically (``tarifflab._io.atomic_write``) and read only when
the current user owns them and nobody else can write them (as for the compiled library). The folder
follows :func:`tarifflab.policy.library_cache.cache_dir`; ``TARIFFLAB_CACHE_DIR=off`` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from tarifflab._io import atomic_write
from tarifflab._version import __version__
from tarifflab.policy.library_cache import _trusted, cache_dir

ENGINE_CACHE_FORMAT = 1
_DIGEST_META = b"tarifflab.package_scenario_hash"
_INDEX_META = b"tarifflab.index_name"
_NONE = ""  # "no package scenario" / "no index name" in the file's metadata


@lru_cache(maxsize=1)
def code_and_data_digest() -> str:
    """SHA-256 of the embedded data, the built-in measure files and the modules computing a matrix."""
    package = Path(__file__).resolve().parent.parent
    files: list[Path] = sorted((package / "data" / "embedded").glob("*"))
    files += sorted((package / "policy").rglob("*.yaml"))
    for layer in ("data", "nomenclature", "policy", "metrics", "studies"):
        files += sorted((package / layer).rglob("*.py"))
    digest = hashlib.sha256(f"engine-cache-{ENGINE_CACHE_FORMAT}|{__version__}|{sys.version}".encode())
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(package)).encode() + b"\x00")
            digest.update(path.read_bytes())
            digest.update(b"\x00")
    return digest.hexdigest()


def matrix_key(kind: str, **parts: Any) -> str:
    """The file name (SHA-256) of a matrix of ``kind`` (``law`` or ``pkg``) with ``parts`` (JSON-able)."""
    payload = json.dumps({"kind": kind, **parts}, sort_keys=True, default=str)
    return hashlib.sha256(f"{code_and_data_digest()}|{payload}".encode()).hexdigest()


def _folder() -> Path | None:
    root = cache_dir()
    return None if root is None else root / "engine"


def load_matrix(key: str) -> tuple[pd.DataFrame, str | None] | None:
    """The stored matrix and package-scenario hash of ``key``, or None (absent, untrusted, unreadable)."""
    folder = _folder()
    if folder is None:
        return None
    path = folder / f"{key}.parquet"
    try:
        if not (path.is_file() and _trusted(path)):
            return None
        table = pq.read_table(path)
    except (OSError, pa.ArrowException):
        return None  # a miss: computed again
    meta = table.schema.metadata or {}
    digest = meta.get(_DIGEST_META, b"").decode() or None
    frame = table.to_pandas()
    frame = frame.set_index(frame.columns[0])
    frame.index.name = meta.get(_INDEX_META, b"").decode() or None
    frame.columns.name = None
    return frame.astype(float), digest


def store_matrix(key: str, frame: pd.DataFrame, digest: str | None) -> None:
    """Keep ``frame`` (float partner × sector) under ``key``; a read-only cache folder only loses the copy."""
    folder = _folder()
    if folder is None:
        return
    index_name = "__partner__"
    columns: Sequence[str] = [str(c) for c in frame.columns]
    data = {index_name: pa.array([str(i) for i in frame.index], pa.string())}
    data.update({c: pa.array(frame[c].to_numpy(dtype=float), pa.float64()) for c in columns})
    meta = {_DIGEST_META: (digest or _NONE).encode(), _INDEX_META: str(frame.index.name or _NONE).encode()}
    table = pa.table(data).replace_schema_metadata(meta)
    path = folder / f"{key}.parquet"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with atomic_write(path, "wb", encoding=None) as handle:
            pq.write_table(table, handle)
        path.chmod(0o600)
    except OSError:
        pass
