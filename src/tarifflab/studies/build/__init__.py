"""Builders of the embedded default dataset.

Each module here exposes ``build(reference: Path, out_dir: Path) -> list[Provenance]``; it reads the
reference data, aggregates it, writes compact files into ``out_dir`` and returns one provenance row
per file written. ``scripts/build_embedded.py`` runs them all and writes ``PROVENANCE.csv``.
No builder may copy a reference file byte for byte.
"""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Provenance:
    """Where one embedded file comes from."""

    file: str
    derived_from: str
    method: str
    licence: str

    def with_hash(self, out_dir: Path) -> dict[str, str]:
        digest = hashlib.sha256((out_dir / self.file).read_bytes()).hexdigest()
        return {
            "file": self.file,
            "sha256": digest,
            "derived_from": self.derived_from,
            "method": self.method,
            "licence": self.licence,
        }


Builder = Callable[[Path, Path], list[Provenance]]


def builders() -> dict[str, Builder]:
    """Every ``build`` function in this package, by module name."""
    found: dict[str, Builder] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        build = getattr(module, "build", None)
        if callable(build):
            found[info.name] = build
    return found
