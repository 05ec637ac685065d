"""The engine against the legal-case table (tests/policy/legal_cases/*.yaml).

Every case's expected duty was written from the legal text it cites (Chapter 99 heading, U.S. note,
proclamation, executive order, FR notice or CSMS message); see docs/cases.md for the rendered table.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tarifflab.errors import MeasureFileError
from tarifflab.policy.engine import TariffEngine
from tarifflab.policy.legal_cases import LegalCase, evaluate_case, load_case_file, load_cases

CASE_DIR = Path(__file__).parent / "legal_cases"
CASES = load_cases(CASE_DIR)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_engine_gives_the_legal_answer(case: LegalCase) -> None:
    outcome = evaluate_case(case, TariffEngine.default)
    assert outcome.agrees, f"{case.id} ({case.citation}): {'; '.join(outcome.mismatches)}"


def test_case_table_spans_partners() -> None:
    assert len({case.origin for case in CASES}) >= 3


def test_a_case_with_an_unknown_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "- id: x\n  hts: '8703.23.01.40'\n  origin: JPN\n  date: 2025-10-01\n"
        "  expected_total_pct: 15\n  citation: 'EO 14345'\n  guards: 'autos'\n  colour: red\n",
        encoding="utf-8",
    )
    with pytest.raises(MeasureFileError, match=r"bad.yaml: case x: colour"):
        load_case_file(path)


def test_a_wrong_expectation_is_reported() -> None:
    wrong = CASES[0].model_copy(update={"expected_total_pct": CASES[0].expected_total_pct + 7})
    outcome = evaluate_case(wrong, TariffEngine.default)
    assert not outcome.agrees
    assert "total" in outcome.mismatches[0]
