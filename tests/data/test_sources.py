"""The online loaders: a pinned URL and SHA-256 for every reference file, enforced on download."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path
from typing import Any

import pytest

from tarifflab.data.sources import fetch_sources, registry, select
from tarifflab.errors import DataError


def test_registry_pins_every_source() -> None:
    sources = registry()
    assert len(sources) > 400
    assert all(
        s.url.startswith("https://raw.githubusercontent.com/") and len(s.sha256) == 64 for s in sources
    )
    assert {s.local for s in select(["ge/"])} == {
        f"ge/{n}" for n in ("trade_cepii.csv", "gdp.csv", "tariffs.csv", "country_labels.csv")
    }


def _local_mirror(reference: Path, tamper: bool = False) -> Any:
    by_url = {s.url: s for s in registry()}

    def download(url: str, known_hash: str, path: Path, progressbar: bool) -> str:
        source = by_url[url]
        path.mkdir(parents=True, exist_ok=True)
        out = path / Path(source.local).name.removesuffix(".gz")
        original = reference / source.local
        if source.gzip_locally:
            with gzip.open(original, "rb") as packed, out.open("wb") as plain:
                shutil.copyfileobj(packed, plain)
        else:
            shutil.copyfile(original, out)
        if tamper:
            out.write_bytes(out.read_bytes() + b"\n")
        return str(out)

    return download


@pytest.mark.reference
def test_fetch_rebuilds_the_reference_layout(reference_data: Path, tmp_path: Path) -> None:
    root = fetch_sources(
        tmp_path,
        ["ge/", "tariffs/Budget-Lab-Yale__tariff-rate-tracker/resources/s232"],
        downloader=_local_mirror(reference_data),
    )
    for name in ("ge/gdp.csv", "tariffs/Budget-Lab-Yale__tariff-rate-tracker/resources/s232_auto_parts.txt"):
        assert (root / name).read_bytes() == (reference_data / name).read_bytes()


def test_fetch_refuses_a_file_with_the_wrong_hash(tmp_path: Path) -> None:
    # A generated download whose bytes cannot match the pinned SHA-256: no reference data needed.
    def download(url: str, known_hash: str, path: Path, progressbar: bool) -> str:
        path.mkdir(parents=True, exist_ok=True)
        out = path / "gdp.csv"
        out.write_text("iso3,gdp\nJPN,1\n")
        return str(out)

    with pytest.raises(DataError, match="SHA-256 mismatch"):
        fetch_sources(tmp_path / "dest", ["ge/gdp.csv"], downloader=download)
    assert not (tmp_path / "dest" / "ge" / "gdp.csv").exists()
