"""Write docs/cases.md: every legal case with the engine's layers beside the legal answer and its citation.

Run: python scripts/render_legal_cases.py   (after changing the engine, the library or a case file)
"""

from __future__ import annotations

from pathlib import Path

from tarifflab._io import atomic_write
from tarifflab.policy.legal_cases import CaseOutcome, evaluate_cases, load_cases

ROOT = Path(__file__).resolve().parents[1]
CASE_DIR = ROOT / "tests" / "policy" / "legal_cases"
OUT = ROOT / "docs" / "cases.md"


def _layers(outcome: CaseOutcome) -> str:
    if outcome.result is None:
        return f"error: {outcome.error}"
    parts = [
        f"{layer} {rate:.4g}" for layer, rate in outcome.layer_totals_pct.items() if rate or layer == "mfn"
    ]
    return " + ".join(parts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    outcomes = evaluate_cases(load_cases(CASE_DIR))
    agree = sum(outcome.agrees for outcome in outcomes)
    partners = sorted({outcome.case.origin for outcome in outcomes})
    lines = [
        "# Legal cases",
        "",
        "Each row is a product line, origin and entry date whose duty the cited legal text settles. The legal",
        "answer was written from the text; the engine's layers (percent of customs value) stand beside it.",
        "The cases live in `tests/policy/legal_cases/*.yaml` and run in the test suite",
        "(`tests/policy/test_legal_cases.py`); this page is written by `python scripts/render_legal_cases.py`.",
        "",
        f"{len(outcomes)} cases, {len(partners)} origins ({', '.join(partners)}); the engine agrees on {agree}.",
        "",
        "| case | line | origin | date | our layers (%) | our total | legal answer | citation | guards |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for outcome in outcomes:
        case = outcome.case
        ours = "—" if outcome.result is None else f"{outcome.result.total_rate_pct:.4g}"
        mark = "" if outcome.agrees else " ✗"
        options = f" ({', '.join(f'{k}={v}' for k, v in case.options.items())})" if case.options else ""
        lines.append(
            f"| {case.id}{mark} | {case.hts}{_cell(options)} | {case.origin} | {case.date} | "
            f"{_cell(_layers(outcome))} | {ours} | {case.expected_total_pct:.4g} | {_cell(case.citation)} | "
            f"{_cell(case.guards)} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    text = render()
    with atomic_write(OUT) as handle:
        handle.write(text)
    print(f"wrote {OUT}")
