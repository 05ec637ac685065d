"""HS sections: the 21 sections of the Harmonized System, by chapter (HS 2022 nomenclature).

US chapters 98 and 99 (special classification provisions, temporary legislation) belong to no HS
section; they are reported as section ``XXII``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# (section, first chapter, last chapter, short title)
SECTIONS: tuple[tuple[str, int, int, str], ...] = (
    ("I", 1, 5, "Live animals; animal products"),
    ("II", 6, 14, "Vegetable products"),
    ("III", 15, 15, "Animal or vegetable fats and oils"),
    ("IV", 16, 24, "Prepared foodstuffs; beverages; tobacco"),
    ("V", 25, 27, "Mineral products"),
    ("VI", 28, 38, "Products of the chemical industries"),
    ("VII", 39, 40, "Plastics and rubber"),
    ("VIII", 41, 43, "Hides, skins, leather, furskins"),
    ("IX", 44, 46, "Wood, cork, plaiting materials"),
    ("X", 47, 49, "Pulp, paper and paperboard"),
    ("XI", 50, 63, "Textiles and textile articles"),
    ("XII", 64, 67, "Footwear, headgear, umbrellas"),
    ("XIII", 68, 70, "Stone, ceramic and glass articles"),
    ("XIV", 71, 71, "Pearls, precious stones and metals"),
    ("XV", 72, 83, "Base metals and articles"),
    ("XVI", 84, 85, "Machinery and electrical equipment"),
    ("XVII", 86, 89, "Vehicles, aircraft, vessels"),
    ("XVIII", 90, 92, "Optical, medical, precision instruments; clocks; musical instruments"),
    ("XIX", 93, 93, "Arms and ammunition"),
    ("XX", 94, 96, "Miscellaneous manufactured articles"),
    ("XXI", 97, 97, "Works of art, antiques"),
    ("XXII", 98, 99, "US special classification provisions (chapters 98-99)"),
)

_SECTION_OF_CHAPTER = np.full(100, "", dtype=object)
_TITLE: dict[str, str] = {}
for _section, _first, _last, _title in SECTIONS:
    _SECTION_OF_CHAPTER[_first : _last + 1] = _section
    _TITLE[_section] = _title


def section_of(hs: pd.Series) -> pd.Series:
    """HS section (Roman numeral) of each HS code (any length ≥ 2); "" for chapter 77 or 00."""
    chapters = pd.to_numeric(hs.astype(str).str.slice(0, 2), errors="coerce").fillna(0).astype(int)
    return pd.Series(_SECTION_OF_CHAPTER[chapters.to_numpy()], index=hs.index, dtype=object)


def section_title(section: str) -> str:
    """Short title of a section ("XVII" → "Vehicles, aircraft, vessels")."""
    return _TITLE.get(section, "")
