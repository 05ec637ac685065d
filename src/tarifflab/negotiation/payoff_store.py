"""Result store for package payoffs, keyed by a hash of everything a package's outcome depends on.

A payoff model gives a *fingerprint* (SHA-256 of its configuration: pair, dataset content, elasticities,
model options, mapping assumptions, package version and the source of the modules that compute the
outcome); a package's *key* adds the lever settings and the exact model inputs they map to (the tariff
cube and the transfers, so that any tariff source, present or future, is covered). Equal keys mean equal
inputs, so a stored outcome is the one a solve would give, to the last bit.

On disk: ``<cache dir>/payoffs/<fingerprint[:24]>/part-*.parquet``, two columns (``key``, ``outcomes`` as
JSON). Each batch of new results is one new Parquet file written atomically (``tarifflab._io.atomic_write``)
under a unique name, so concurrent runs never block or corrupt each other: a part is either complete or
absent. When a folder holds many parts they are merged into one. Only files the current user owns and
nobody else can write are read (as for the compiled library). The folder follows
:func:`tarifflab.policy.library_cache.cache_dir`; ``TARIFFLAB_CACHE_DIR=off`` turns the store off.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from tarifflab._io import atomic_write
from tarifflab.negotiation.payoffs import Outcomes
from tarifflab.policy.library_cache import _trusted, cache_dir

STORE_FORMAT = 2  # 2: outcome keys in their original order
MERGE_AFTER_PARTS = 64


def digest(*parts: object) -> str:
    """SHA-256 of ``parts``: arrays by dtype, shape and bytes; everything else by sorted JSON."""
    h = hashlib.sha256(f"payoff-store-{STORE_FORMAT}".encode())
    for part in parts:
        if isinstance(part, np.ndarray):
            array = np.ascontiguousarray(part)
            h.update(f"array|{array.dtype.str}|{array.shape}|".encode())
            h.update(array.tobytes())
        elif isinstance(part, bytes):
            h.update(b"bytes|" + part)
        else:
            h.update(b"json|" + json.dumps(part, sort_keys=True, default=repr).encode())
        h.update(b"\x00")
    return h.hexdigest()


def encode(outcomes: Mapping[str, Outcomes]) -> str:
    """JSON of each country's outcome fields (floats round-trip exactly: JSON writes ``repr``). Keys keep
    their order (countries, sectors), so a stored outcome prints exactly as a solved one."""
    fields = [f.name for f in dataclasses.fields(Outcomes)]
    return json.dumps({name: {f: getattr(o, f) for f in fields} for name, o in outcomes.items()})


def decode(text: str) -> dict[str, Outcomes]:
    return {name: Outcomes(**fields) for name, fields in json.loads(text).items()}


class PayoffStore:
    """Stored outcomes of one payoff model (``fingerprint``); ``folder=None`` keeps nothing."""

    def __init__(self, fingerprint: str, folder: Path | None) -> None:
        self.fingerprint = fingerprint
        self.folder = folder
        self._seen: set[str] = set()
        self._rows: dict[str, str] = {}

    @classmethod
    def for_fingerprint(cls, fingerprint: str) -> PayoffStore:
        """The store in the user's cache folder (off when ``TARIFFLAB_CACHE_DIR=off``)."""
        root = cache_dir()
        return cls(fingerprint, None if root is None else root / "payoffs" / fingerprint[:24])

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def _parts(self) -> list[Path]:
        if self.folder is None or not self.folder.is_dir():
            return []
        return sorted(self.folder.glob("part-*.parquet"))

    def _refresh(self) -> None:
        for path in self._parts():
            if path.name in self._seen:
                continue
            try:
                if not _trusted(path):
                    continue
                table = pq.read_table(path, columns=["key", "outcomes"])
            except (OSError, pa.ArrowException):
                continue  # removed by a concurrent merge, or unreadable: a miss, solved again
            self._seen.add(path.name)
            self._rows.update(
                zip(table.column("key").to_pylist(), table.column("outcomes").to_pylist(), strict=True)
            )

    def get_many(self, keys: Sequence[str]) -> dict[str, dict[str, Outcomes]]:
        """The stored outcomes of those ``keys`` that are stored."""
        if self.folder is None:
            return {}
        if any(key not in self._rows for key in keys):
            self._refresh()
        return {key: decode(self._rows[key]) for key in set(keys) if key in self._rows}

    def put_many(self, items: Iterable[tuple[str, Mapping[str, Outcomes]]]) -> None:
        """Store new outcomes as one new part (atomic); a read-only cache folder only loses the copy."""
        if self.folder is None:
            return
        rows = {key: encode(out) for key, out in items if key not in self._rows}
        if not rows:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            name = self._write(rows)
        except OSError:
            return
        self._seen.add(name)
        self._rows.update(rows)
        if len(self._parts()) > MERGE_AFTER_PARTS:
            self._merge()

    def _write(self, rows: Mapping[str, str]) -> str:
        assert self.folder is not None
        path = self.folder / f"part-{uuid.uuid4().hex}.parquet"
        table = pa.table({"key": list(rows), "outcomes": list(rows.values())})
        with atomic_write(path, "wb", encoding=None) as handle:
            pq.write_table(table, handle)
        path.chmod(0o600)
        return path.name

    def _merge(self) -> None:
        """Fold every readable part into one new part, then remove the parts it replaced."""
        self._refresh()
        old = [p for p in self._parts() if p.name in self._seen]
        try:
            merged = self._write(self._rows)
        except OSError:
            return
        self._seen.add(merged)
        for path in old:
            path.unlink(missing_ok=True)
