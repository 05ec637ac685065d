"""Sweep result store: one DuckDB file; each task's rows are committed in one transaction with the
task's key (the scenario hash), so a sweep interrupted at any point resumes with no lost or duplicated
rows. :meth:`SweepStore.export_parquet` writes the tables as Parquet files (atomically)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

import duckdb
import pandas as pd

from tarifflab.errors import SweepError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    task_key VARCHAR PRIMARY KEY, sweep VARCHAR, scenario VARCHAR, retaliation VARCHAR, param VARCHAR,
    replicate INTEGER, iterations INTEGER, max_residual DOUBLE, seconds DOUBLE, converged BOOLEAN,
    optimal_us_tariff DOUBLE
);
CREATE TABLE IF NOT EXISTS countries (
    task_key VARCHAR, scenario VARCHAR, retaliation VARCHAR, param VARCHAR, replicate INTEGER,
    iso3 VARCHAR, welfare_pct DOUBLE, welfare_decomp_pct DOUBLE, real_wage_pct DOUBLE,
    price_index_pct DOUBLE, exports_pct DOUBLE, imports_pct DOUBLE, tariff_revenue_musd DOUBLE
);
CREATE TABLE IF NOT EXISTS sectors (
    task_key VARCHAR, scenario VARCHAR, retaliation VARCHAR, param VARCHAR, replicate INTEGER,
    iso3 VARCHAR, sector VARCHAR, output_pct DOUBLE, exports_pct DOUBLE, imports_pct DOUBLE
);
"""
TASK_COLUMNS = [
    "task_key", "sweep", "scenario", "retaliation", "param", "replicate", "iterations", "max_residual",
    "seconds", "converged", "optimal_us_tariff",
]  # fmt: skip
COUNTRY_COLUMNS = [
    "task_key", "scenario", "retaliation", "param", "replicate", "iso3", "welfare_pct", "welfare_decomp_pct",
    "real_wage_pct", "price_index_pct", "exports_pct", "imports_pct", "tariff_revenue_musd",
]  # fmt: skip
SECTOR_COLUMNS = [
    "task_key", "scenario", "retaliation", "param", "replicate", "iso3", "sector", "output_pct",
    "exports_pct", "imports_pct",
]  # fmt: skip


class SweepStore:
    """DuckDB-backed store of sweep results (single writer: the sweep's client process)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path))
            self.con.execute(_SCHEMA)
        except duckdb.Error as err:
            raise SweepError(f"cannot open sweep store {self.path}: {err}") from err

    def __enter__(self) -> SweepStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    def done_keys(self) -> set[str]:
        return {row[0] for row in self.con.execute("SELECT task_key FROM tasks").fetchall()}

    def write(self, task: dict[str, object], countries: pd.DataFrame, sectors: pd.DataFrame | None) -> bool:
        """Commit one task's rows atomically; returns False (and writes nothing) if already stored."""
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            exists = con.execute("SELECT 1 FROM tasks WHERE task_key = ?", [task["task_key"]]).fetchone()
            if exists:
                con.execute("ROLLBACK")
                return False
            con.execute(
                f"INSERT INTO tasks VALUES ({', '.join('?' * len(TASK_COLUMNS))})",
                [task[c] for c in TASK_COLUMNS],
            )
            frame = countries[COUNTRY_COLUMNS]  # noqa: F841 - read by DuckDB's replacement scan
            con.execute("INSERT INTO countries SELECT * FROM frame")
            if sectors is not None and len(sectors):
                sframe = sectors[SECTOR_COLUMNS]  # noqa: F841
                con.execute("INSERT INTO sectors SELECT * FROM sframe")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return True

    def table(self, name: str) -> pd.DataFrame:
        if name not in ("tasks", "countries", "sectors"):
            raise SweepError(f"unknown sweep table {name!r}")
        return self.con.execute(f"SELECT * FROM {name}").fetch_df()

    def summary(self) -> pd.DataFrame:
        """Welfare by scenario, retaliation and country over all stored draws (percent).

        Columns ``scenario, retaliation, iso3, draws, welfare_p05_pct, welfare_median_pct,
        welfare_p95_pct`` (5th percentile, median, 95th percentile of ``welfare_pct``).
        """
        return self.con.execute(
            """
            SELECT scenario, retaliation, iso3, count(*) AS draws,
                   quantile_cont(welfare_pct, 0.05) AS welfare_p05_pct,
                   median(welfare_pct) AS welfare_median_pct,
                   quantile_cont(welfare_pct, 0.95) AS welfare_p95_pct
            FROM countries GROUP BY ALL ORDER BY scenario, retaliation, iso3
            """
        ).fetch_df()

    def export_parquet(
        self, out_dir: Path, tables: Iterable[str] = ("tasks", "countries", "sectors")
    ) -> list[Path]:
        """Write each table to ``out_dir/<table>.parquet`` (temporary file, then atomic rename)."""
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for name in tables:
            target = out_dir / f"{name}.parquet"
            tmp = out_dir / f".{name}.parquet.tmp"
            self.con.execute(
                f"COPY (SELECT * FROM {name} ORDER BY ALL) TO '{tmp.as_posix()}' (FORMAT PARQUET)"
            )
            os.replace(tmp, target)
            written.append(target)
        return written
