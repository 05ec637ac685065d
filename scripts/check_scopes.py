"""Report every measure-scope entry that matches no HTS10 line (issues 12 and 17).

Usage: python scripts/check_scopes.py [--all] [--out FILE.csv]
Lines are the 2025 HTSUS (hts_products.parquet) and the 2024 import lines. By default only scopes that
some measure uses are listed; --all lists the unused embedded lists too. Exit code 1 when a used scope has
an 8-digit code padded to 10 digits (it would match one line instead of the whole subheading).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from tarifflab._io import atomic_write
from tarifflab.data.embedded import embedded_path
from tarifflab.policy.library import load_library
from tarifflab.policy.scope_check import unmatched_table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--all", action="store_true", help="include scopes no measure uses")
    parser.add_argument("--out", type=Path, default=None, help="write the table as CSV")
    args = parser.parse_args()
    lines = pd.concat(
        [
            pd.read_parquet(embedded_path("hts_products.parquet"), columns=["hs10"])["hs10"],
            pd.read_parquet(embedded_path("us_imports_2024.parquet"), columns=["hs10"])["hs10"],
        ]
    )
    table = unmatched_table(load_library(), lines.to_numpy(dtype=str))
    if not args.all:
        table = table[table["used_by"] != ""]
    print(f"{len(table)} scope entries match no HTS10 line")
    if len(table):
        summary = table.groupby("scope").agg(entries=("prefix", "size"), padded_hs8=("padded_hs8", "sum"))
        print(summary.to_string())
    if args.out is not None:
        with atomic_write(args.out) as handle:
            table.to_csv(handle, index=False)
    return 1 if bool(table["padded_hs8"].any()) else 0


if __name__ == "__main__":
    sys.exit(main())
