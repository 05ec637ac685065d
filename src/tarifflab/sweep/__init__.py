"""Sweeps: many scenarios × parameter draws on Dask, results in DuckDB/Parquet."""
