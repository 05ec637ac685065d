"""Write src/tarifflab/data/sources.csv: every reference file's original public URL and SHA-256.

The reference data are unchanged copies of files in public GitHub repositories at pinned commits (see each
folder's README); files we stored gzip-compressed are hashed after decompression, so the hash is that of
the upstream file. The package's loaders (tarifflab.data.sources) download with pooch and check these hashes.

Usage: python scripts/make_source_registry.py [--reference DIR]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
from pathlib import Path

from tarifflab._io import atomic_write
from tarifflab.data.reference import reference_root

OUT = Path(__file__).resolve().parents[1] / "src/tarifflab/data/sources.csv"

# reference folder → (GitHub repository, pinned commit, folder inside the repository)
ORIGINS: dict[str, tuple[str, str, str]] = {
    "tariffs/tradewartracker__trade-war-redux-2025": ("tradewartracker/trade-war-redux-2025", "726c5958", ""),
    "tariffs/Budget-Lab-Yale__Tariff-ETRs": ("Budget-Lab-Yale/Tariff-ETRs", "ffc01053", ""),
    "tariffs/Budget-Lab-Yale__tariff-rate-tracker": ("Budget-Lab-Yale/tariff-rate-tracker", "8315fffd", ""),
    "tariffs/Budget-Lab-Yale__Tariff-Model": ("Budget-Lab-Yale/Tariff-Model", "82cfad3d", ""),
    "tariffs/global-trade-alert__us-tariff-barrier-estimates": (
        "global-trade-alert/us-tariff-barrier-estimates",
        "19097ee6",
        "",
    ),
    "census/djhshih__tariff": ("djhshih/tariff", "0dea0b1a58a399f928ab78a3a36c6b9727c0a999", ""),
    "ge": ("JoeLoera/liberation-day-replication", "e1f26fd", "data/base_data"),
    "sectors/ahmadlp__tariffwar": ("ahmadlp/tariffwar", "98636984", ""),
    "sectors/ZeyiQian__Reading-Notes": ("ZeyiQian/Reading-Notes", "e277a628", ""),
    "sectors/adamsconchallos__trade": ("adamsconchallos/trade", "17a67ae3", ""),
    "sectors/qlitre__japan-tariff-mcp": ("qlitre/japan-tariff-mcp", "4630b3bc", ""),
}
GE_FILES = {"trade_cepii.csv", "gdp.csv", "tariffs.csv", "country_labels.csv"}
RECOMPRESSED_PARENTS = ("tariffs/", "sectors/qlitre__japan-tariff-mcp", "sectors/ZeyiQian__Reading-Notes")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", type=Path, default=None)
    root = parser.parse_args().reference or reference_root()
    rows = []
    for folder, (repo, commit, inside) in ORIGINS.items():
        base = root / folder
        for path in sorted(p for p in base.rglob("*") if p.is_file() and p.name != "README.md"):
            relative = path.relative_to(base).as_posix()
            if folder == "ge" and relative not in GE_FILES:
                continue
            data = path.read_bytes()
            upstream = relative
            if path.suffix == ".gz" and folder.startswith(RECOMPRESSED_PARENTS):
                data = gzip.GzipFile(fileobj=io.BytesIO(data)).read()
                upstream = relative[: -len(".gz")]
            remote = f"{inside}/{upstream}" if inside else upstream
            rows.append(
                {
                    "local": f"{folder}/{relative}",
                    "url": f"https://raw.githubusercontent.com/{repo}/{commit}/{remote}",
                    "sha256": _sha256(data),
                    "gzip_locally": "1" if upstream != relative else "0",
                }
            )
    with atomic_write(OUT) as handle:
        writer = csv.DictWriter(handle, fieldnames=["local", "url", "sha256", "gzip_locally"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} sources to {OUT}")


if __name__ == "__main__":
    main()
