"""A compiled copy of the built-in measure library, so a single lookup does not re-read its sources.

The library is parsed from YAML and the embedded scope table, validated and checked (about 0.2 s of CPU),
then kept as a pickle in the user's cache folder under a name that is the SHA-256 of everything it was
built from: the YAML files, the scope tables, the policy package's modules, the package and Python
versions. Any change to any of them gives a new name, so a stale copy is never read.

A pickle runs code when loaded, so only a file the current user owns and that nobody else can write is
read (the same trust Python gives its own ``__pycache__``); anything else is ignored and the library is
parsed afresh. ``TARIFFLAB_CACHE_DIR`` moves the folder; ``TARIFFLAB_CACHE_DIR=off`` turns the copy off.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import stat
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO, TypeVar

from tarifflab._io import atomic_write
from tarifflab._version import __version__

Built = TypeVar("Built")

CACHE_ENV = "TARIFFLAB_CACHE_DIR"


def cache_dir() -> Path | None:
    """The folder of compiled copies, or None when turned off."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "none") else Path(chosen).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tarifflab"


def source_digest(sources: Sequence[Path]) -> str:
    """SHA-256 of everything the library is built from (and of the package and Python versions)."""
    digest = hashlib.sha256(f"{__version__}|{sys.version}".encode())
    for path in sources:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _trusted(path: Path) -> bool:
    info = path.stat()
    owner_ok = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return owner_ok and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and stat.S_ISREG(info.st_mode)


def _load_without_collection(handle: BinaryIO) -> object:
    """Unpickle our own owner-only file (see the module docstring) with the cyclic garbage collector paused.

    The library is some 40,000 small tuples and objects, none of them garbage: with the collector running,
    its passes over them while they are created cost several times the load itself (about 0.15 s against
    0.03 s on the development machine).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return pickle.load(handle)
    finally:
        if collecting:
            gc.enable()


def load_compiled(
    directory: Path, build: Callable[[Path], Built], kind: type[Built], sources: Sequence[Path]
) -> Built:
    """``build(directory)``, from the compiled copy when a trusted one exists (else built and saved).

    ``sources`` are every file the result depends on; ``kind`` is the type a copy must have to be used.
    """
    folder = cache_dir()
    if folder is None:
        return build(directory)
    path = folder / f"library-{source_digest(sources)}.pickle"
    try:
        if path.is_file() and _trusted(path):
            with path.open("rb") as handle:
                loaded = _load_without_collection(handle)
            if isinstance(loaded, kind):
                return loaded
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        pass  # unreadable or from other code: rebuild below
    built = build(directory)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with atomic_write(path, "wb", encoding=None) as handle:
            pickle.dump(built, handle, protocol=pickle.HIGHEST_PROTOCOL)
        path.chmod(0o600)
    except OSError:
        pass  # a read-only home: the library still works, just parsed each time
    return built
