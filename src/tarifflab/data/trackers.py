"""Readers of the public US tariff trackers: their published ETRs and their product scopes and line rates.

Sources (files under ``tariffs/`` of the reference data; see its README for commits and licences):

* tradewartracker/trade-war-redux-2025: ``country-by-time.csv`` (per partner, additional pp over the
  2024 applied rate) and ``daily-tariff-latest-data.csv`` (national additional rate plus a flat 2.3 pp
  MFN baseline); product lists in ``tariff-lists/``.
* Budget-Lab-Yale/Tariff-Model: ``treasury_revenue.csv``, the realised monthly rate (duties / imports).
* Budget-Lab-Yale/tariff-rate-tracker: Section 232 derivative list, IEEPA-exempt HS10 list.
* global-trade-alert/us-tariff-barrier-estimates: the 15% floor table and the Section 301 line rates.
* The Budget Lab's published ETRs, typed from their reports into ``published/etr_figures.csv`` (one
  source URL per row); this file ships with the package and needs no reference data.

Every rate returned is in percent. Codes are digit strings (HS prefixes of 4 to 10 digits).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from tarifflab.data.reference import reference_path
from tarifflab.errors import DataError

TRADEWARTRACKER = "tradewartracker__trade-war-redux-2025"
YALE_MODEL = "Budget-Lab-Yale__Tariff-Model"
YALE_TRACKER = "Budget-Lab-Yale__tariff-rate-tracker"
GTA = "global-trade-alert__us-tariff-barrier-estimates"

# tradewartracker's national series adds a flat MFN baseline instead of the 2024 applied rate
# (its README and the README of our reference folder, section 1(e)).
TRADEWARTRACKER_FLAT_BASELINE_PP = 2.3

# Product scopes the trackers publish, by name: (tracker, file, code column, what the list is).
SCOPES: dict[str, tuple[str, str, str, str]] = {
    "twt-annex-ii-2025-04": (
        TRADEWARTRACKER,
        "tariff-lists/annex-II-exemptions.csv",
        "HTSUS",
        "EO 14257 Annex II exemptions from the reciprocal duty (April 2025)",
    ),
    "twt-annex-ii-2025-11": (
        TRADEWARTRACKER,
        "tariff-lists/annex-II-exemptions-nov14.csv",
        "HTSUS",
        "revised Annex II incl. EO 14360 agricultural exemptions (2025-11-14)",
    ),
    "yale-ieepa-exempt": (
        YALE_TRACKER,
        "resources/ieepa_exempt_products.csv",
        "hts10",
        "HS10 exempt from the IEEPA reciprocal duty at the tracker's latest revision",
    ),
    "twt-steel": (TRADEWARTRACKER, "tariff-lists/steel-tariffs.csv", "HTSUS", "Section 232 steel list"),
    "twt-aluminum": (TRADEWARTRACKER, "tariff-lists/alu-tariffs.csv", "HTSUS", "Section 232 aluminium list"),
    "twt-copper": (TRADEWARTRACKER, "tariff-lists/copper-list.csv", "HTSUS", "Section 232 copper list"),
    "twt-auto": (
        TRADEWARTRACKER,
        "tariff-lists/auto-tariffs.csv",
        "HTSUS",
        "Section 232 autos and parts list",
    ),
    "yale-s232-derivatives": (
        YALE_TRACKER,
        "resources/s232_derivative_products.csv",
        "hts_prefix",
        "Section 232 steel and aluminium derivatives (incl. 2025-08-18 inclusions)",
    ),
    "yale-s232-copper": (YALE_TRACKER, "resources/s232_copper_products.csv", "hts10", "Section 232 copper"),
}


def _tracker_file(tracker: str, relative: str) -> Path:
    return reference_path("tariffs", tracker, *relative.split("/"))


def tradewartracker_by_partner() -> pd.DataFrame:
    """tradewartracker's ETR per partner on each policy-change date, on our definition.

    Columns: date, country_name (the tracker's, upper case), imports_usd (2024), base_2024_pct (2024
    calculated duty / imports), additional_pp (as published), etr_pct (= base_2024_pct + additional_pp:
    the total rate incl. MFN at 2024 weights). Slovakia, listed beside the EU aggregate, is dropped
    (its trade is inside the aggregate).
    """
    raw = pd.read_csv(_tracker_file(TRADEWARTRACKER, "country-by-time.csv"))
    raw = raw[raw["country_name"].str.upper() != "SLOVAKIA"]
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(raw["date"]).dt.date,
            "country_name": raw["country_name"].str.upper(),
            "imports_usd": raw["total imports"].astype(float),
            "base_2024_pct": raw["2024 tariff"].astype(float),
            "additional_pp": raw["effective tariff"].astype(float),
        }
    )
    frame["etr_pct"] = frame["base_2024_pct"] + frame["additional_pp"]
    return frame.sort_values(["date", "country_name"]).reset_index(drop=True)


def tradewartracker_national() -> pd.DataFrame:
    """tradewartracker's national daily series, converted to the total rate at 2024 applied duties.

    Columns: date, published_pct (additional + flat 2.3 pp), base_2024_pct (import-weighted 2024 applied
    rate of its 51 partners), etr_pct (= published_pct − 2.3 + base_2024_pct).
    """
    raw = pd.read_csv(_tracker_file(TRADEWARTRACKER, "daily-tariff-latest-data.csv"))
    partners = tradewartracker_by_partner()
    first = partners[partners["date"] == partners["date"].min()]
    base = float((first["base_2024_pct"] * first["imports_usd"]).sum() / first["imports_usd"].sum())
    published = raw["import_weighted_avg_tariff"].astype(float)
    return pd.DataFrame(
        {
            "date": pd.to_datetime(raw["date"]).dt.date,
            "published_pct": published,
            "base_2024_pct": base,
            "etr_pct": published - TRADEWARTRACKER_FLAT_BASELINE_PP + base,
        }
    )


def yale_realised_monthly() -> pd.DataFrame:
    """Realised customs duties / imports by month (Budget Lab's Treasury and Census series).

    Columns: month (first day), duties_musd, imports_musd, etr_pct.
    """
    raw = pd.read_csv(_tracker_file(YALE_MODEL, "resources/calibration/treasury_revenue.csv"))
    return pd.DataFrame(
        {
            "month": pd.to_datetime(raw["date"]).dt.date,
            "duties_musd": raw["customs_duties"].astype(float),
            "imports_musd": raw["imports_value"].astype(float),
            "etr_pct": raw["effective_rate"].astype(float),
        }
    )


def published_etr_figures() -> pd.DataFrame:
    """ETRs the trackers published in their reports, typed in with a source URL per row.

    Columns: source, policy_date, partner, etr_pct, view (our view that matches it), definition, url, note.
    """
    path = Path(str(resources.files("tarifflab.data").joinpath("published", "etr_figures.csv")))
    if not path.exists():
        raise DataError("published ETR figures missing from the package (data/published/etr_figures.csv)")
    frame = pd.read_csv(path, dtype={"partner": str})
    frame["policy_date"] = pd.to_datetime(frame["policy_date"]).dt.date
    return frame


def scope_prefixes(name: str) -> tuple[str, ...]:
    """HS prefixes of a tracker's product list (see :data:`SCOPES`).

    tradewartracker's ten-digit codes ending in ``00`` are HTS8 entries it padded; they are returned as the
    HTS8 prefix so that they match every HS10 under them, as the legal lists (which name HTS8 codes) do.
    """
    if name not in SCOPES:
        raise DataError(f"unknown tracker scope {name!r} (known: {', '.join(SCOPES)})")
    tracker, relative, column, _ = SCOPES[name]
    raw = pd.read_csv(_tracker_file(tracker, relative), dtype=str, comment="#")
    codes = raw[column].dropna().str.replace(".", "", regex=False).str.strip()
    codes = codes[codes.str.fullmatch(r"\d{4,10}")]
    if tracker == TRADEWARTRACKER:
        codes = codes.where(~((codes.str.len() == 10) & codes.str.endswith("00")), codes.str[:8])
    return tuple(sorted(set(codes)))


def gta_floor_rates() -> pd.DataFrame:
    """GTA's table of the 15% all-in floor (EU and Japan deals). Columns: hts8, mfn_pct, floor_total_pct."""
    raw = pd.read_csv(
        _tracker_file(GTA, "data/tariff_floor_rates.csv"), sep=";", dtype={"hts8": str}, encoding="utf-8-sig"
    )
    return pd.DataFrame(
        {
            "hts8": raw["hts8"].str.zfill(8),
            "mfn_pct": pd.to_numeric(raw["mfn_ad_val_rate"], errors="coerce"),
            "floor_total_pct": pd.to_numeric(raw["new_eu_rate"], errors="coerce"),
        }
    ).dropna(subset=["floor_total_pct"])


def gta_section_301() -> pd.DataFrame:
    """GTA's Section 301 line rates on China. Columns: hts8, list, rate_pct (highest list rate per line)."""
    raw = pd.read_csv(
        _tracker_file(GTA, "data/sec301.csv"), sep=";", dtype={"hs_8digit": str}, encoding="utf-8-sig"
    )
    frame = pd.DataFrame(
        {
            "hts8": raw["hs_8digit"].str.zfill(8),
            "list": raw["origin"],
            "rate_pct": pd.to_numeric(raw["rate"], errors="coerce"),
        }
    ).dropna(subset=["rate_pct"])
    return frame.sort_values("rate_pct").drop_duplicates("hts8", keep="last").reset_index(drop=True)


def published_post_ruling_estimates() -> pd.DataFrame:
    """Overall ETRs published after the IEEPA ruling of 2026-02-20, typed in with a source URL per row.

    Columns: source, published_on (blank where the page gives no date), figure_low, figure_high, unit
    (``level_pct``: the overall rate; ``change_pp``: its rise since the start of 2025; ``drop_pp``: its fall
    from the IEEPA regime), s122_rate_pct (the Section 122 surcharge assumed; blank: none or not stated),
    assumption, url.
    """
    path = Path(str(resources.files("tarifflab.data").joinpath("published", "post_ruling_estimates.csv")))
    if not path.exists():
        raise DataError("published post-ruling estimates missing (data/published/post_ruling_estimates.csv)")
    return pd.read_csv(path, dtype={"source": str, "unit": str, "assumption": str, "url": str})
