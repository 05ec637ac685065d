"""Rebuild the embedded default dataset (src/tarifflab/data/embedded) from the reference data.

Usage: python scripts/build_embedded.py [--reference DIR] [--only NAME ...]
Writes the compact aggregated files and PROVENANCE.csv (file, sha256, source, method, licence).
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from tarifflab.data.reference import reference_root
from tarifflab.studies.build import builders

EMBEDDED = Path(__file__).resolve().parents[1] / "src" / "tarifflab" / "data" / "embedded"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", type=Path, default=None, help="reference data folder")
    parser.add_argument("--only", nargs="*", default=None, help="run only these builders")
    args = parser.parse_args()
    reference = args.reference or reference_root()
    EMBEDDED.mkdir(parents=True, exist_ok=True)
    provenance_file = EMBEDDED / "PROVENANCE.csv"
    rows: dict[str, dict[str, str]] = {}
    if provenance_file.exists():
        with provenance_file.open(newline="") as handle:
            rows = {row["file"]: row for row in csv.DictReader(handle)}
    for name, build in builders().items():
        if args.only and name not in args.only:
            continue
        print(f"building {name} …")
        for item in build(reference, EMBEDDED):
            rows[item.file] = item.with_hash(EMBEDDED)
    with provenance_file.open("w", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=["file", "sha256", "derived_from", "method", "licence"], lineterminator="\n"
        )
        writer.writeheader()
        for key in sorted(rows):
            writer.writerow(rows[key])
    print(f"wrote {len(rows)} provenance rows to {provenance_file}")


if __name__ == "__main__":
    main()
