"""Sector concordances of the models.

* ICIO (28) / WIOD (16) sectors → Caliendo–Parro's 40 sectors (to borrow IO coefficients γ and
  value-added shares β where the ICIO/WIOD files carry none);
* ICIO (28) sectors → the 10 negotiation sectors of the embedded ``default`` dataset;
* countries of ICIO → the ~20 economies of ``default`` (EU-27 → ``EUN``, the rest → ``ROW``);
* ICIO countries and sectors → the 9 regions and 11 sectors of the negotiation model's data;
* HS 6-digit codes → ICIO sectors: GTAP sector of the HS6 line (Budget Lab ``hs6_gtap_crosswalk``)
  → ICIO (ISIC rev4 division) by the table ``GTAP_TO_ICIO`` below; codes the crosswalk lacks fall back
  to the HS-chapter rule ``HS_CHAPTER_TO_ICIO`` (a documented ISIC rev4 mapping by chapter).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from tarifflab.errors import InvalidInputError
from tarifflab.nomenclature.countries import EU27

ICIO_SECTORS: tuple[str, ...] = (
    "A01", "A02", "A03", "B05", "B06", "B07", "B08", "B09", "C10T12", "C13T15", "C16", "C17_18", "C19",
    "C20", "C21", "C22", "C23", "C24A", "C24B", "C25", "C26", "C27", "C28", "C29", "C301", "C302T309",
    "C31T33", "Services (aggregate)",
)  # fmt: skip

# ICIO / WIOD sector → Caliendo–Parro sector numbers (1-based, CP_SECTORS order).
_CP_SERVICES = tuple(range(21, 41))
ICIO_TO_CP: dict[str, tuple[int, ...]] = {
    "A01": (1,), "A02": (1,), "A03": (1,), "B05": (2,), "B06": (2,), "B07": (2,), "B08": (2,), "B09": (2,),
    "C10T12": (3,), "C13T15": (4,), "C16": (5,), "C17_18": (6,), "C19": (7,), "C20": (8,), "C21": (8,),
    "C22": (9,), "C23": (10,), "C24A": (11,), "C24B": (11,), "C25": (12,), "C26": (14, 16, 17),
    "C27": (15,), "C28": (13,), "C29": (18,), "C301": (19,), "C302T309": (19,), "C31T33": (20,),
    "Services (aggregate)": _CP_SERVICES,
}  # fmt: skip
WIOD_TO_CP: dict[str, tuple[int, ...]] = {
    "Agriculture, forestry, fishing": (1,),
    "Mining and quarrying": (2,),
    "Food, beverages, tobacco": (3,),
    "Textiles, apparel, leather": (4,),
    "Wood, paper, printing": (5, 6),
    "Coke and refined petroleum": (7,),
    "Chemicals, pharmaceuticals": (8,),
    "Rubber, plastics, non-metallic minerals": (9, 10),
    "Basic metals": (11,),
    "Fabricated metals": (12,),
    "Computer, electronic, optical": (14, 16, 17),
    "Electrical equipment": (15,),
    "Machinery and equipment n.e.c.": (13,),
    "Transport equipment": (18, 19),
    "Other manufacturing; repair": (20,),
    "Services (aggregate)": _CP_SERVICES,
}

# Embedded default: 10 negotiation-relevant sectors built from ICIO sectors.
DEFAULT_SECTORS: dict[str, tuple[str, ...]] = {
    "agri_food": ("A01", "A02", "A03", "C10T12"),
    "energy_mining": ("B05", "B06", "B07", "B08", "B09", "C19"),
    "chemicals_pharma": ("C20", "C21", "C22"),
    "metals": ("C24A", "C24B", "C25"),
    "electronics": ("C26", "C27"),
    "machinery": ("C28",),
    "motor_vehicles": ("C29",),
    "other_transport": ("C301", "C302T309"),
    "other_manufacturing": ("C13T15", "C16", "C17_18", "C23", "C31T33"),
    "services": ("Services (aggregate)",),
}
DEFAULT_ECONOMIES: tuple[str, ...] = (
    "USA", "JPN", "CHN", "EUN", "CAN", "MEX", "KOR", "GBR", "IND", "TWN", "VNM", "CHE", "AUS", "BRA",
    "THA", "SGP", "MYS", "IDN", "TUR", "ROW",
)  # fmt: skip


def default_economy_of(iso3: str) -> str:
    """Economy of the default dataset that ICIO country ``iso3`` belongs to."""
    if iso3 in EU27:
        return "EUN"
    return iso3 if iso3 in DEFAULT_ECONOMIES else "ROW"


def default_sector_of(icio_sector: str) -> str:
    for name, members in DEFAULT_SECTORS.items():
        if icio_sector in members:
            return name
    raise InvalidInputError(f"ICIO sector {icio_sector!r} has no default-dataset sector")


def _cp_map(dataset: str, sectors: tuple[str, ...]) -> dict[str, tuple[int, ...]]:
    if dataset == "wiod":
        table: Mapping[str, tuple[int, ...]] = WIOD_TO_CP
    elif dataset == "default":
        table = {
            name: tuple(sorted({k for m in members for k in ICIO_TO_CP[m]}))
            for name, members in DEFAULT_SECTORS.items()
        }
    else:
        table = ICIO_TO_CP
    missing = [s for s in sectors if s not in table]
    if missing:
        raise InvalidInputError(f"no Caliendo–Parro concordance for sectors {missing}")
    return {s: table[s] for s in sectors}


def cp_sector_weights(dataset: str, sectors: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(use_weights, source_split), both S × 40.

    ``use_weights[s, k] = 1`` if CP sector k represents target sector s (rows normalised later by CP
    gross output); ``source_split[s, k]`` splits CP source sector k's intermediate sales equally among
    the target sectors it maps to (each column sums to 1).
    """
    table = _cp_map(dataset, sectors)
    use = np.zeros((len(sectors), 40))
    for a, s in enumerate(sectors):
        for k in table[s]:
            use[a, k - 1] = 1.0
    counts = use.sum(axis=0)
    if np.any(counts == 0):
        raise InvalidInputError("sector concordance leaves Caliendo–Parro sectors unassigned")
    return use, use / counts[None, :]


# ------------------------------------------------------------------------------- HS6 → ICIO sectors

# GTAP (v10/v11, 65-sector list as used by the Budget Lab crosswalk) → ICIO 2023 sector (ISIC rev4).
GTAP_TO_ICIO: dict[str, str] = {
    **dict.fromkeys(
        ["pdr", "wht", "gro", "v_f", "osd", "c_b", "pfb", "ocr", "ctl", "oap", "rmk", "wol"], "A01"
    ),
    "frs": "A02",
    "fsh": "A03",
    "coa": "B05",
    "oil": "B06",
    "gas": "B06",
    "oxt": "B07",
    "omn": "B07",
    **dict.fromkeys(["cmt", "omt", "vol", "mil", "pcr", "sgr", "ofd", "b_t"], "C10T12"),
    **dict.fromkeys(["tex", "wap", "lea"], "C13T15"),
    "lum": "C16",
    "ppp": "C17_18",
    "p_c": "C19",
    "chm": "C20",
    "bph": "C21",
    "rpp": "C22",
    "nmm": "C23",
    "i_s": "C24A",
    "nfm": "C24B",
    "fmp": "C25",
    "ele": "C26",
    "eeq": "C27",
    "ome": "C28",
    "mvh": "C29",
    "otn": "C302T309",
    "omf": "C31T33",
}
# GTAP ``ely`` (HS 2716 electrical energy) and ``gdt`` (gas distribution) are services in ICIO's
# aggregate; they are left out of the HS6 concordance so that no goods tariff lands on the
# services sector (their US imports are small next to traded services).
_EXCLUDED_GTAP = frozenset({"ely", "gdt"})

# HS chapter (2 digits) → ICIO sector (ISIC rev4 division of the typical product of the chapter).
HS_CHAPTER_TO_ICIO: dict[int, str] = {
    **dict.fromkeys([1, 6, 7, 8, 9, 10, 12, 13, 14], "A01"),
    3: "A03",
    **dict.fromkeys([2, 4, 5, 11, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24], "C10T12"),
    **dict.fromkeys([25, 26], "B07"),
    27: "C19",
    **dict.fromkeys([28, 29, 31, 32, 33, 34, 35, 36, 38], "C20"),
    30: "C21",
    **dict.fromkeys([39, 40], "C22"),
    **dict.fromkeys(
        [41, 42, 43, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 67], "C13T15"
    ),
    **dict.fromkeys([44, 45, 46], "C16"),
    **dict.fromkeys([47, 48, 49], "C17_18"),
    **dict.fromkeys([68, 69, 70], "C23"),
    71: "C31T33",
    72: "C24A",
    **dict.fromkeys([74, 75, 76, 78, 79, 80, 81], "C24B"),
    **dict.fromkeys([73, 82, 83, 93], "C25"),
    84: "C28",
    85: "C27",
    86: "C302T309",
    87: "C29",
    **dict.fromkeys([88, 89], "C302T309"),
    90: "C26",
    91: "C26",
    **dict.fromkeys([66, 92, 94, 95, 96, 97, 98, 99], "C31T33"),
}
# HS headings whose ICIO sector differs from their chapter's (electronics in chapter 85, computers in 84).
_HS4_OVERRIDES: dict[str, str] = {
    "8471": "C26",
    "8473": "C26",
    **dict.fromkeys(
        ["8517", "8518", "8519", "8521", "8522", "8523", "8525", "8526", "8527", "8528", "8529"], "C26"
    ),
    **dict.fromkeys(["8532", "8533", "8534", "8540", "8541", "8542"], "C26"),
    "8901": "C302T309",
    "8711": "C302T309",
    "8714": "C302T309",
    "8712": "C302T309",
}


def icio_sector_of_hs(code: str) -> str:
    """ICIO sector of an HS code by the chapter/heading rule (no crosswalk file needed)."""
    digits = "".join(ch for ch in str(code) if ch.isdigit())
    if len(digits) < 2:
        raise InvalidInputError(f"malformed HS code {code!r}")
    if digits[:4] in _HS4_OVERRIDES:
        return _HS4_OVERRIDES[digits[:4]]
    chapter = int(digits[:2])
    if chapter not in HS_CHAPTER_TO_ICIO:
        raise InvalidInputError(f"HS chapter {chapter:02d} has no ICIO sector")
    return HS_CHAPTER_TO_ICIO[chapter]


@lru_cache(maxsize=2)
def _hs6_gtap(reference: Path | None) -> pd.DataFrame:
    """HS6 → GTAP crosswalk: the Budget Lab file when reference data exist, else the embedded HTS table
    (built from the Budget Lab HS10 → GTAP crosswalk), so the model runs on a fresh machine."""
    from tarifflab.data.embedded import embedded_path
    from tarifflab.data.reference import reference_root
    from tarifflab.errors import ReferenceDataMissingError

    try:
        root = reference if reference is not None else reference_root()
        path = root / "tariffs" / "Budget-Lab-Yale__Tariff-ETRs" / "resources" / "hs6_gtap_crosswalk.csv.gz"
        if path.exists():
            return pd.read_csv(path, dtype=str, usecols=["hs6_code", "gtap_code"])
    except ReferenceDataMissingError:
        pass
    products = pd.read_parquet(embedded_path("hts_products.parquet"), columns=["hs10", "gtap_code"]).dropna()
    products["hs6_code"] = products["hs10"].str[:6]
    return products.drop_duplicates("hs6_code")[["hs6_code", "gtap_code"]]


def hs6_to_icio(reference: Path | None = None) -> dict[str, str]:
    """HS6 → ICIO sector for every HS6 code in the Budget Lab HS6→GTAP crosswalk.

    The GTAP sector decides (``GTAP_TO_ICIO``), except where the HS4 override table is more specific
    (GTAP ``ele`` lumps computers/electronics; ``mvh``/``otn`` split by heading).
    """
    table = _hs6_gtap(reference)
    out: dict[str, str] = {}
    for hs6, gtap in zip(table["hs6_code"], table["gtap_code"], strict=True):
        code = str(hs6).zfill(6)
        gtap = str(gtap).strip().lower()
        if gtap in _EXCLUDED_GTAP or code[:4] == "2716":
            continue
        if code[:4] in _HS4_OVERRIDES:
            out[code] = _HS4_OVERRIDES[code[:4]]
        elif gtap in GTAP_TO_ICIO:
            out[code] = GTAP_TO_ICIO[gtap]
        else:
            out[code] = icio_sector_of_hs(code)
    return out


def sector_of_hs6(dataset_sectors: tuple[str, ...], reference: Path | None = None) -> dict[str, str]:
    """HS6 → sector label of a dataset (ICIO labels, or the default dataset's 10 sectors)."""
    base = hs6_to_icio(reference)
    if set(dataset_sectors) <= set(ICIO_SECTORS):
        return dict(base)
    if set(dataset_sectors) <= set(DEFAULT_SECTORS):
        return {hs: default_sector_of(sec) for hs, sec in base.items()}
    raise InvalidInputError("HS6 concordance exists for ICIO and default-dataset sectors only")


# ------------------------------------------------------------------ negotiation model (Ossa-type)
#: Regions and sectors of the negotiation model's embedded ICIO 2022 data (studies/build/negotiation.py).
NEGOTIATION_REGIONS: tuple[str, ...] = ("USA", "JPN", "CHN", "EUN", "KOR", "GBR", "CAN", "MEX", "ROW")
NEGOTIATION_SECTORS: dict[str, tuple[str, ...]] = {
    "agriculture": ("A01", "A02", "A03"),
    "energy_mining": ("B05", "B06", "B07", "B08", "B09", "C19"),
    "food": ("C10T12",),
    "chemicals": ("C20", "C22"),
    "pharma": ("C21",),
    "metals": ("C24A", "C24B", "C25"),
    "machinery_electronics": ("C26", "C27", "C28"),
    "motor_vehicles": ("C29",),
    "other_transport": ("C301", "C302T309"),
    "other_manufacturing": ("C13T15", "C16", "C17_18", "C23", "C31T33"),
    "services": ("Services (aggregate)",),
}


def negotiation_region_of(code: str) -> str:
    """Negotiation region of an ICIO country: itself if listed, EU-27 → ``EUN``, else ``ROW``."""
    if code in EU27:
        return "EUN"
    return code if code in NEGOTIATION_REGIONS else "ROW"
