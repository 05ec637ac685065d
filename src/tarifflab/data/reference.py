"""Where the reference data lives.

Resolution order: ``TARIFFLAB_REFERENCE_DATA``, then ``../shared/data`` beside the project checkout
(found by walking up from the current directory and from this file).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from tarifflab.errors import ReferenceDataMissingError

ENV_VAR = "TARIFFLAB_REFERENCE_DATA"
DATA_DIR_ENV = "TARIFFLAB_DATA_DIR"
_MARKERS = ("facts", "tariffs", "ge", "census", "sectors")  # a reference tree has at least one


def _candidates() -> list[Path]:
    found: list[Path] = []
    for start in (Path.cwd(), Path(__file__).resolve()):
        for parent in [start, *start.parents]:
            found.append(parent / "shared" / "data")
            found.append(parent.parent / "shared" / "data")
    return found


def _is_reference(root: Path) -> bool:
    return any((root / marker).is_dir() for marker in _MARKERS)


@lru_cache(maxsize=1)
def reference_root() -> Path:
    """Return the reference data directory, or raise :class:`ReferenceDataMissingError`."""
    for variable in (ENV_VAR, DATA_DIR_ENV):
        override = os.environ.get(variable)
        if override:
            root = Path(override).expanduser()
            if not _is_reference(root):
                raise ReferenceDataMissingError(
                    f"{variable}={override} is not a reference data folder (none of {', '.join(_MARKERS)})"
                )
            return root
    for candidate in _candidates():
        if _is_reference(candidate):
            return candidate.resolve()
    raise ReferenceDataMissingError(
        f"reference data not found: set {ENV_VAR} or place it at ../shared/data beside the checkout"
    )


def reference_path(*parts: str) -> Path:
    """Path of a file inside the reference data; raises if the file is absent."""
    path = reference_root().joinpath(*parts)
    if not path.exists():
        raise ReferenceDataMissingError(f"reference file missing: {path}")
    return path


def have_reference_data() -> bool:
    try:
        reference_root()
    except ReferenceDataMissingError:
        return False
    return True
