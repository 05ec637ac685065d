"""U.S. note 2(aa) (s.122 surcharge, HTSUS 2026 Rev 6) parsed into its subdivisions: the product exemptions
of (ii) and (iii) apart from the civil-aircraft list of (iv). Expected entries read off the note's text."""

from __future__ import annotations

from pathlib import Path

from tarifflab.studies.build.tariff_scopes_legal import _chapter99_lines, s122_exemption_provisions


def test_note_2aa_subdivisions_are_kept_apart(reference_data: Path) -> None:
    provisions = s122_exemption_provisions(_chapter99_lines(reference_data))
    # (ii), heading 9903.03.03: subheadings and one statistical number, e.g. 8471.30.01, 0901.11.00 and
    # 8505.11.0070; (iii), heading 9903.03.04: eleven particular articles, (1) etrogs of 0805.90.01 to
    # (11) essential oils of 3301.29.51; (iv), heading 9903.03.05: civil-aircraft provisions, e.g.
    # 8411.91.90 and 8802.40.01, which (ii) does not name.
    assert {"84713001", "09011100", "8505110070"} <= set(provisions["ii"])
    assert len(provisions["iii"]) == 11
    assert provisions["iii"][0] == "08059001" and provisions["iii"][-1] == "33012951"
    assert {"84119190", "88024001", "88073000"} <= set(provisions["iv"])
    assert "84119190" not in provisions["ii"]
    # Each subdivision stops where the next begins: (v)'s articles of note 16 are not in (iv).
    assert not any(code.startswith("9903") for code in provisions["iv"])
