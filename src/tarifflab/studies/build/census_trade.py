"""Builder of the Census country tables of the embedded dataset.

Writes two compact files:

- ``census_iso3.csv`` — Census Schedule C country code → ISO3 (cty_code as 4-digit text, iso3, name).
  The EU aggregate ``0003`` maps to ``EUN``; other aggregates (codes ``00xx``) and "Unidentified
  Countries" (8220) are left out.
- ``census_trade.csv`` — US goods trade by partner and year, 2015–2024 (partner ISO3, year,
  imports_usd, exports_usd; general imports at customs value, total exports FAS, Census basis, the
  February-2025 vintage USTR used). The EU aggregate is the row ``EUN`` (``is_aggregate`` = 1); never add
  it to its members.

ISO3 codes come from the Federal Reserve Bank of Atlanta mapping shipped with tradewartracker, then the
Yale Budget Lab table, then a short list of territories neither covers (below).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tarifflab.studies.build import Provenance

FIRST_YEAR, LAST_YEAR = 2015, 2024
COUNTRY_CSV = ("census", "djhshih__tariff", "data", "country.csv")
FRB_MAP = (
    "tariffs",
    "tradewartracker__trade-war-redux-2025",
    "data",
    "CensusCountryMapping_FRBAtl_short.csv",
)
YALE_MAP = ("tariffs", "Budget-Lab-Yale__Tariff-ETRs", "resources", "census_to_iso3.csv")

# Census codes that neither mapping file covers (ISO 3166-1 alpha-3; Kosovo uses the common XKX).
EXTRA_ISO3: dict[str, str] = {
    "0003": "EUN",
    "1610": "SPM",
    "4803": "XKX",
    "5082": "PSE",
    "5083": "PSE",
    "6029": "HMD",
    "6413": "WLF",
    "7370": "ESH",
    "7810": "IOT",
    "7905": "ATF",
}
UNMAPPED = {"8220"}  # Unidentified Countries


def census_iso3_table(reference: Path) -> pd.DataFrame:
    """cty_code → iso3, name for every Census partner code seen in 2015–2024 and in the mapping files."""
    country = pd.read_csv(reference.joinpath(*COUNTRY_CSV), dtype={"CTY_CODE": str})
    country["CTY_CODE"] = country["CTY_CODE"].str.zfill(4)
    recent = country.loc[country["year"].between(FIRST_YEAR, LAST_YEAR)]
    names = recent.sort_values("year").drop_duplicates("CTY_CODE", keep="last")[["CTY_CODE", "CTYNAME"]]
    frb = pd.read_csv(reference.joinpath(*FRB_MAP), dtype=str).dropna(subset=["CTY_CODE", "ISO3"])
    frb["CTY_CODE"] = frb["CTY_CODE"].str.zfill(4)
    yale = pd.read_csv(reference.joinpath(*YALE_MAP), dtype=str)
    yale = yale.dropna(subset=["cty_code", "iso3"])
    yale["cty_code"] = yale["cty_code"].str.zfill(4)
    iso3 = dict(zip(yale["cty_code"], yale["iso3"], strict=True))
    iso3.update(dict(zip(frb["CTY_CODE"], frb["ISO3"], strict=True)))
    iso3.update(EXTRA_ISO3)
    frb_names = dict(zip(frb["CTY_CODE"], frb["country"], strict=True))
    name = dict(zip(names["CTY_CODE"], names["CTYNAME"], strict=True))
    codes = sorted((set(name) | set(frb_names)) - UNMAPPED)
    rows = []
    for code in codes:
        if code.startswith("00") and code != "0003":
            continue
        if code not in iso3 or code == "1000":  # 1000 = the United States itself (Yale table)
            if code == "1000":
                continue
            raise ValueError(f"Census code {code} ({name.get(code)}) has no ISO3 mapping: extend EXTRA_ISO3")
        rows.append({"cty_code": code, "iso3": iso3[code], "name": name.get(code) or frb_names.get(code, "")})
    return pd.DataFrame(rows)


def census_trade_table(reference: Path, mapping: pd.DataFrame) -> pd.DataFrame:
    """partner × year goods imports and exports (USD) for 2015–2024, ISO3 partners plus the EU (EUN)."""
    country = pd.read_csv(reference.joinpath(*COUNTRY_CSV), dtype={"CTY_CODE": str})
    country["CTY_CODE"] = country["CTY_CODE"].str.zfill(4)
    country = country.loc[country["year"].between(FIRST_YEAR, LAST_YEAR)]
    to_iso = dict(zip(mapping["cty_code"], mapping["iso3"], strict=True))
    country = country.loc[country["CTY_CODE"].isin(to_iso)].copy()
    country["partner"] = country["CTY_CODE"].map(to_iso)
    grouped = country.groupby(["partner", "year"], as_index=False)[["IYR", "EYR"]].sum()
    out = pd.DataFrame(
        {
            "partner": grouped["partner"],
            "year": grouped["year"].astype(int),
            "imports_usd": (grouped["IYR"] * 1e6).round(0).astype("int64"),
            "exports_usd": (grouped["EYR"] * 1e6).round(0).astype("int64"),
            "is_aggregate": (grouped["partner"] == "EUN").astype(int),
        }
    )
    return out.sort_values(["year", "partner"], ignore_index=True)


def build(reference: Path, out_dir: Path) -> list[Provenance]:
    mapping = census_iso3_table(reference)
    mapping.to_csv(out_dir / "census_iso3.csv", index=False)
    trade = census_trade_table(reference, mapping)
    trade.to_csv(out_dir / "census_trade.csv", index=False)
    return [
        Provenance(
            file="census_iso3.csv",
            derived_from=f"{'/'.join(FRB_MAP)}; {'/'.join(YALE_MAP)}; {'/'.join(COUNTRY_CSV)} (names)",
            method="Census code → ISO3 union of the FRB Atlanta and Yale tables plus 9 territories; EU 0003 → EUN",
            licence="US Census public domain; mapping tables MIT (tradewartracker) / cite Budget Lab at Yale",
        ),
        Provenance(
            file="census_trade.csv",
            derived_from="/".join(COUNTRY_CSV),
            method=f"annual IYR/EYR {FIRST_YEAR}-{LAST_YEAR}, millions → USD, partners mapped to ISO3 "
            "(codes sharing an ISO3 summed), aggregates dropped except EU 0003 (EUN)",
            licence="US Census Bureau, public domain",
        ),
    ]
