"""All-lines layer totals of each date segment, kept on disk so a new process need not evaluate them again.

Within a date segment (between two of the library's change dates) and a calendar month (the USMCA-claimed
shares of Canadian and Mexican lines change by month) the same measures apply to the same scopes, so the
rate of every 2024 line is the same on every day. The engine memoises these totals per segment in memory;
this store keeps them in the user cache folder (:func:`tarifflab.policy.library_cache.cache_dir`), so that
an all-lines evaluation on a date no process of this session has seen is a file read once any process has
evaluated its segment, or once :func:`precompute_segments` has run.

Each file sits in a folder named by the SHA-256 of everything the totals depend on: the library's measures
(its content hash, so a scenario gives another folder), its scopes and scope lists, the MFN basis, the
policy package's code, the engine's embedded tables, and the package, Python and NumPy versions. Any change
to any of them reads from a new folder, so a stale copy is never used. The file name is the SHA-256 of the
segment's memo key (segment, month, view, whether the IEEPA ruling is known, the measures in force, the
entry claims assumed made).

Files are NumPy ``.npz`` archives read with ``allow_pickle=False`` (no code runs on load); like the compiled
library, only a file the current user owns and nobody else can write is read, and one whose arrays do not
have the expected names, type and length is ignored (and recomputed). A segment's rates take few distinct
values (a few thousand at most among 206,612 lines), so each array is kept as its sorted distinct values and
one small integer code per line: exact (the same float64 values), 75–150 kB a segment, and decoded faster
than compressed floats. The MFN layer (the lines' own rates) and the total (the layers' sum) are not kept.
At most ``MAX_FOLDERS`` fingerprints are kept: opening a new one removes the least recently used beyond
that (one-off scenarios would otherwise fill the cache folder).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import sys
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from tarifflab._io import atomic_write
from tarifflab._version import __version__
from tarifflab.data.embedded import embedded_path
from tarifflab.policy.library_cache import _trusted, cache_dir

if TYPE_CHECKING:
    from tarifflab.policy.library import MeasureLibrary


class _Evaluator(Protocol):
    """What :func:`precompute_segments` needs of a ``TariffEngine`` (the engine imports this module)."""

    @property
    def library(self) -> MeasureLibrary: ...

    def evaluate(self, on: dt.date, view: str) -> Any: ...


MAX_FOLDERS = 12

# The embedded tables an all-lines evaluation reads (the 2024 lines, their MFN rates and shares).
ENGINE_TABLES = (
    "us_imports_2024.parquet",
    "hts_products.parquet",
    "metal_shares.parquet",
    "usmca_shares.parquet",
)


def engine_fingerprint(library: MeasureLibrary, mfn_basis: str) -> str:
    """SHA-256 of everything the all-lines totals of ``library`` under ``mfn_basis`` depend on."""
    digest = hashlib.sha256(
        f"{__version__}|{sys.version}|{np.__version__}|{mfn_basis}|{library.content_hash}".encode()
    )
    digest.update(repr(sorted(library.definitions.items())).encode())
    digest.update(repr(sorted(library.list_prefixes.items())).encode())
    policy = Path(__file__).parent
    for path in [*sorted(policy.glob("*.py")), *(embedded_path(name) for name in ENGINE_TABLES)]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class SegmentStore:
    """Layer totals per segment memo key, in ``folder`` (one folder per engine fingerprint)."""

    def __init__(self, folder: Path, names: Iterable[str], length: int) -> None:
        self.folder = folder
        self.names = tuple(names)  # the arrays every file must hold
        self.length = length  # the number of lines every array must have

    @classmethod
    def for_engine(
        cls, library: MeasureLibrary, mfn_basis: str, names: Iterable[str], length: int
    ) -> SegmentStore | None:
        """The store of this library and basis in the user cache folder, or None when the cache is off."""
        root = cache_dir()
        if root is None:
            return None
        folder = root / f"segments-{engine_fingerprint(library, mfn_basis)}"
        _prune(root, keep=folder)
        return cls(folder, names, length)

    def _path(self, key: tuple[Any, ...]) -> Path:
        return self.folder / f"{hashlib.sha256(repr(key).encode()).hexdigest()}.npz"

    def load(self, key: tuple[Any, ...]) -> dict[str, np.ndarray] | None:
        """The stored totals of ``key``, or None (absent, untrusted, unreadable or of the wrong shape)."""
        path = self._path(key)
        try:
            if not (path.is_file() and _trusted(path)):
                return None
            with np.load(path, allow_pickle=False) as archive:
                parts = {name: (archive[f"{name}.values"], archive[f"{name}.codes"]) for name in self.names}
        except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):
            return None
        totals = {}
        for name, (values, codes) in parts.items():
            valid = values.ndim == 1 and values.dtype == np.float64 and codes.dtype.kind == "u"
            if not valid or codes.shape != (self.length,) or (len(codes) and int(codes.max()) >= len(values)):
                return None
            totals[name] = values[codes]
            totals[name].flags.writeable = False
        return totals

    def save(self, key: tuple[Any, ...], totals: dict[str, np.ndarray]) -> None:
        """Keep ``totals`` for ``key`` (owner-only file, written atomically); a read-only home is no error."""
        path = self._path(key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            arrays: dict[str, Any] = {}  # (typed Any: savez's keyword arguments include allow_pickle)
            for name in self.names:
                values, codes = np.unique(totals[name], return_inverse=True)
                if not np.array_equal(values[codes].view(np.int64), totals[name].view(np.int64)):
                    return  # e.g. -0.0 beside 0.0: not kept exactly this way, so not kept at all
                arrays[f"{name}.values"] = values
                arrays[f"{name}.codes"] = codes.astype(np.min_scalar_type(max(len(values) - 1, 0)))
            with atomic_write(path, "wb", encoding=None) as handle:
                np.savez_compressed(handle, **arrays)
            path.chmod(0o600)
        except OSError:
            pass


def _prune(root: Path, keep: Path) -> None:
    """Remove the least recently used segment folders beyond ``MAX_FOLDERS`` (never ``keep``)."""
    try:
        if keep.is_dir():
            os.utime(keep)  # marks it used
        folders = sorted(
            (f for f in root.glob("segments-*") if f.is_dir() and f != keep and not f.is_symlink()),
            key=lambda f: f.stat().st_mtime,
            reverse=True,
        )
        for old in folders[MAX_FOLDERS - 1 :]:
            shutil.rmtree(old, ignore_errors=True)
    except OSError:
        pass  # another process pruned first, or a read-only cache folder: nothing to do


def segment_starts(library: MeasureLibrary, start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of every (segment, month) piece from ``start`` to ``end``: ``start``, the library's
    change dates and the first of each month in between."""
    months = []
    month = dt.date(start.year, start.month, 1)
    while month <= end:
        months.append(month)
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    changes = [d for d in library.change_dates() if start <= d <= end]
    return sorted({start, *changes, *(m for m in months if m >= start)})


def precompute_segments(
    engine: _Evaluator,
    start: dt.date | None = None,
    end: dt.date | None = None,
    view: str = "in-force",
    progress: Callable[[dt.date, int], None] | None = None,
) -> int:
    """Evaluate every segment from ``start`` to ``end`` (default: the covered window) once, so later
    processes read them from the store. ``progress(first_day, total)`` is called after each piece.
    Returns the number of segment starts evaluated."""
    metadata = engine.library.metadata
    starts = segment_starts(engine.library, start or metadata.first_covered, end or metadata.law_known_on)
    for on in starts:
        engine.evaluate(on, view=view)
        if progress is not None:
            progress(on, len(starts))
    return len(starts)
