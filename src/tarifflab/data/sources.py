"""The original public sources of the reference data, fetched with pooch and checked by SHA-256.

``sources.csv`` (written by scripts/make_source_registry.py) lists each file's place in the reference
layout, its URL at a pinned commit and the hash of the upstream file. :func:`fetch_sources` rebuilds that
layout in a directory of the user's choice, which then serves as reference data
(``TARIFFLAB_REFERENCE_DATA=DIR``) for ``scripts/build_embedded.py`` and the models' full datasets.
"""

from __future__ import annotations

import gzip
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd
import pooch

from tarifflab.errors import DataError

DATA_DIR_ENV = "TARIFFLAB_DATA_DIR"


@dataclass(frozen=True)
class Source:
    local: str  # path inside the reference layout
    url: str
    sha256: str
    gzip_locally: bool  # the reference layout stores this file gzip-compressed


def registry() -> list[Source]:
    table = pd.read_csv(Path(str(resources.files("tarifflab.data").joinpath("sources.csv"))), dtype=str)
    return [
        Source(str(local), str(url), str(sha), str(gz) == "1")
        for local, url, sha, gz in zip(
            table["local"], table["url"], table["sha256"], table["gzip_locally"], strict=True
        )
    ]


def default_data_dir() -> Path:
    """Where fetched sources go: ``TARIFFLAB_DATA_DIR`` or the OS cache folder."""
    configured = os.environ.get(DATA_DIR_ENV)
    return Path(configured).expanduser() if configured else Path(pooch.os_cache("tarifflab")) / "reference"


def select(prefixes: Iterable[str]) -> list[Source]:
    """Sources whose local path starts with any of ``prefixes`` (e.g. ``ge/``, ``tariffs/``)."""
    wanted = tuple(prefixes)
    chosen = [s for s in registry() if not wanted or s.local.startswith(wanted)]
    if not chosen:
        raise DataError(f"no registered source matches {', '.join(wanted)}")
    return chosen


def fetch_sources(
    destination: Path | None = None,
    prefixes: Iterable[str] = (),
    downloader: Callable[..., str] | None = None,
    progress: Callable[[Source], None] | None = None,
) -> Path:
    """Download (or reuse) every selected source into ``destination`` in the reference layout.

    Each file is checked against its SHA-256; a mismatch or network failure raises :class:`DataError`.
    ``downloader`` replaces :func:`pooch.retrieve` (tests pass a local copier).
    """
    root = destination or default_data_dir()
    retrieve = downloader or pooch.retrieve
    for source in select(prefixes):
        target = root / source.local
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            fetched = Path(
                retrieve(
                    url=source.url,
                    known_hash=f"sha256:{source.sha256}",
                    path=target.parent / ".download",
                    progressbar=False,
                )
            )
        except Exception as error:  # pooch raises ValueError on hash mismatch, requests errors offline
            raise DataError(f"could not fetch {source.url}: {error}") from None
        if pooch.file_hash(str(fetched)) != source.sha256:
            raise DataError(f"SHA-256 mismatch for {source.url}: refusing the file")
        tmp = target.with_suffix(target.suffix + ".part")
        if source.gzip_locally:
            with fetched.open("rb") as raw, gzip.open(tmp, "wb") as packed:
                shutil.copyfileobj(raw, packed)
        else:
            shutil.copyfile(fetched, tmp)
        os.replace(tmp, target)
        if progress is not None:
            progress(source)
    return root
