"""Census country codes and US goods trade by partner, from the embedded dataset."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from tarifflab.data.embedded import embedded_path
from tarifflab.errors import UnknownCountryError


@lru_cache(maxsize=1)
def _census_iso3() -> pd.DataFrame:
    return pd.read_csv(embedded_path("census_iso3.csv"), dtype={"cty_code": str, "iso3": str, "name": str})


def census_iso3_table() -> pd.DataFrame:
    """Census Schedule C code (4-digit text) → ISO3 and Census name; ``0003`` (EU) → ``EUN``."""
    return _census_iso3().copy()


def census_to_iso3() -> dict[str, str]:
    """Mapping from 4-digit Census code to ISO3."""
    table = _census_iso3()
    return dict(zip(table["cty_code"], table["iso3"], strict=True))


def census_code_to_iso3(code: str | int) -> str:
    """One Census code → ISO3; raises :class:`UnknownCountryError` when it is unknown."""
    key = str(code).strip().zfill(4)
    mapping = census_to_iso3()
    if key not in mapping:
        raise UnknownCountryError(f"unknown Census country code {code!r}")
    return mapping[key]


@lru_cache(maxsize=1)
def _census_trade() -> pd.DataFrame:
    return pd.read_csv(embedded_path("census_trade.csv"), dtype={"partner": str})


def census_trade() -> pd.DataFrame:
    """US goods trade by partner and year (partner ISO3, year, imports_usd, exports_usd, is_aggregate).

    Census basis, 2015–2024, February-2025 vintage. ``EUN`` is the EU aggregate (``is_aggregate`` = 1).
    """
    return _census_trade().copy()
