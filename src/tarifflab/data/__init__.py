"""Data layer: reference data discovery, online sources (pooch) and the embedded default dataset."""
