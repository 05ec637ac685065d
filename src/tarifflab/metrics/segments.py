"""ETR sums per date segment, computed once and kept on disk.

The law changes only on the library's change dates, and the USMCA-claimed shares by month, so the
import-weighted sums by partner are constant between two such dates. This table holds, for each segment start, each partner's
imports, duty and refundable duty (USD, 2024 weights) under the built-in library and the embedded data.
A daily series then costs one table read instead of one all-lines evaluation per segment.

The table is a Parquet file in the user cache folder (:func:`tarifflab.policy.library_cache.cache_dir`),
named by the SHA-256 of everything it is computed from (the policy code and measures, the embedded
tables the engine reads, this module), so any change to the law or the engine computes a new one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from pathlib import Path

import pandas as pd

from tarifflab._io import atomic_write
from tarifflab._version import __version__
from tarifflab.data.embedded import embedded_path
from tarifflab.policy import engine as engine_module
from tarifflab.policy.engine import MfnBasis, TariffEngine, View
from tarifflab.policy.library import COVERAGE_END, COVERAGE_START
from tarifflab.policy.library_cache import cache_dir

SEGMENT_COLUMNS = ["start", "partner", "imports_usd", "duty_usd", "refundable_usd"]
_lock = threading.Lock()
_memory: dict[str, pd.DataFrame] = {}


def source_digest(view: View, mfn_basis: MfnBasis) -> str:
    """SHA-256 of the policy package's code and measures, the engine's tables and this module."""
    digest = hashlib.sha256(f"{__version__}|{view.value}|{mfn_basis.value}".encode())
    policy = Path(engine_module.__file__).parent
    sources = [
        *sorted(policy.rglob("*.py")),
        *sorted(policy.rglob("*.yaml")),
        Path(__file__),
        *sorted(embedded_path("PROVENANCE.csv").parent.glob("*.parquet")),  # every table the engine may read
    ]
    for path in sources:
        digest.update(str(path.relative_to(path.parents[1])).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def segment_starts(engine: TariffEngine) -> list[dt.date]:
    """The first day of every segment in the covered window: the law's change dates and the first of each
    month (the USMCA-claimed shares of Canadian and Mexican lines change by month)."""
    months = pd.date_range(COVERAGE_START, COVERAGE_END, freq="MS").date
    changes = {d for d in engine.library.change_dates() if COVERAGE_START <= d <= COVERAGE_END}
    return sorted({COVERAGE_START} | changes | set(months))


def compute_segments(engine: TariffEngine, view: View) -> pd.DataFrame:
    """Sums by partner for every segment (one all-lines evaluation each). Columns: SEGMENT_COLUMNS."""
    frames = []
    for start in segment_starts(engine):
        lines = engine.evaluate(start, view=view)
        sums = (
            lines.assign(
                partner=lines["partner"].astype(str),
                refundable_usd=lines["imports_usd"] * lines["refundable_rate"],
            )
            .groupby("partner", sort=True)[["imports_usd", "duty_usd", "refundable_usd"]]
            .sum()
            .reset_index()
        )
        frames.append(sums.assign(start=start))
    return pd.concat(frames, ignore_index=True)[SEGMENT_COLUMNS]


def default_segments(
    view: View | str = View.IN_FORCE, mfn_basis: MfnBasis | str = MfnBasis.APPLIED
) -> pd.DataFrame:
    """The segment table of the built-in library on the embedded data (disk copy when current)."""
    chosen, basis = View(view), MfnBasis(mfn_basis)
    key = source_digest(chosen, basis)
    with _lock:
        if key in _memory:
            return _memory[key]
        folder = cache_dir()
        path = None if folder is None else folder / f"etr-segments-{key}.parquet"
        table = None
        if path is not None and path.is_file():
            try:
                table = pd.read_parquet(path)
                table["start"] = pd.to_datetime(table["start"]).dt.date
            except (OSError, ValueError):
                table = None  # unreadable: recompute below
        if table is None:
            table = compute_segments(TariffEngine.default(basis), chosen)
            if path is not None:
                try:
                    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                    with atomic_write(path, "wb", encoding=None) as handle:
                        table.to_parquet(handle, index=False)
                except OSError:
                    pass  # a read-only home: the table is kept in memory only
        _memory[key] = table
        return table
