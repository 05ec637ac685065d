"""Access to the embedded default dataset shipped inside the package."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from tarifflab.errors import DataError


def embedded_path(name: str) -> Path:
    """Path of an embedded file; raises :class:`DataError` if the package was built without it."""
    path = Path(str(resources.files("tarifflab.data").joinpath("embedded", name)))
    if not path.exists():
        raise DataError(f"embedded dataset file missing: {name} (rebuild with scripts/build_embedded.py)")
    return path
