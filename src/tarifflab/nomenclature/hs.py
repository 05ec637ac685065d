"""HS nomenclature helpers: the 21 sections of the Harmonized System by chapter."""

from __future__ import annotations

# (first chapter, last chapter, section number, short title)
_SECTIONS: tuple[tuple[int, int, str, str], ...] = (
    (1, 5, "I", "Live animals; animal products"),
    (6, 14, "II", "Vegetable products"),
    (15, 15, "III", "Fats and oils"),
    (16, 24, "IV", "Prepared foodstuffs, beverages, tobacco"),
    (25, 27, "V", "Mineral products"),
    (28, 38, "VI", "Chemical products"),
    (39, 40, "VII", "Plastics and rubber"),
    (41, 43, "VIII", "Hides, leather, furskins"),
    (44, 46, "IX", "Wood and articles of wood"),
    (47, 49, "X", "Pulp, paper, printed matter"),
    (50, 63, "XI", "Textiles and apparel"),
    (64, 67, "XII", "Footwear, headgear"),
    (68, 70, "XIII", "Stone, ceramics, glass"),
    (71, 71, "XIV", "Precious stones and metals"),
    (72, 83, "XV", "Base metals and articles"),
    (84, 85, "XVI", "Machinery and electrical equipment"),
    (86, 89, "XVII", "Vehicles, aircraft, vessels"),
    (90, 92, "XVIII", "Instruments, clocks, musical instruments"),
    (93, 93, "XIX", "Arms and ammunition"),
    (94, 96, "XX", "Miscellaneous manufactured articles"),
    (97, 99, "XXI", "Works of art; special classification"),
)

CHAPTER_TO_SECTION: dict[str, str] = {
    f"{chapter:02d}": f"{number} {title}"
    for first, last, number, title in _SECTIONS
    for chapter in range(first, last + 1)
}


def hs_section(code: str) -> str:
    """HS section label ("XVII Vehicles, aircraft, vessels") of an HS/HTS code."""
    return CHAPTER_TO_SECTION.get(str(code)[:2], "unknown")
