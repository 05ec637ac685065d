"""Legal cases: product lines whose duty on a date is settled by the legal text.

A case names a line, an origin and an entry date, the total duty the law gives (and optionally each layer's
part) and the text that settles it (Chapter 99 heading, U.S. note, proclamation, executive order, Federal
Register notice, CBP CSMS message). The engine is checked against them (``tests/policy/test_legal_cases.py``)
and they are published as the case table (``scripts/render_legal_cases.py`` → ``docs/cases.md``).

The expected values are written from the legal text, never from the engine's output.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tarifflab.errors import MeasureFileError
from tarifflab.policy.engine import DutyResult, MfnBasis, TariffEngine, normalise_hts

DEFAULT_TOLERANCE_PCT = 0.01


class LegalCase(BaseModel):
    """One case of the table. Rates are percent of customs value (MFN included in the total)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    hts: str = Field(pattern=r"^\d{4}\.?\d{2}\.?\d{2}\.?\d{2}$", description="one HTS10 line, dots optional")
    origin: str
    date: dt.date
    options: dict[str, Any] = Field(default_factory=dict)
    mfn_basis: MfnBasis = MfnBasis.APPLIED
    expected_total_pct: float = Field(ge=0, le=1000)
    expected_layers_pct: dict[str, float] = Field(default_factory=dict)
    tolerance_pct: float = Field(default=DEFAULT_TOLERANCE_PCT, gt=0, le=5)
    citation: str = Field(min_length=5)
    guards: str = Field(min_length=3)


@dataclass(frozen=True)
class CaseOutcome:
    """The engine's answer to one case, beside the legal answer."""

    case: LegalCase
    result: DutyResult | None
    error: str | None

    @property
    def layer_totals_pct(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        if self.result is not None:
            for layer in self.result.layers:
                totals[layer.layer] = totals.get(layer.layer, 0.0) + layer.rate_pct
        return totals

    @property
    def mismatches(self) -> list[str]:
        """What differs from the legal answer (empty when the engine agrees)."""
        if self.result is None:
            return [f"error: {self.error}"]
        problems = []
        tolerance = self.case.tolerance_pct
        if abs(self.result.total_rate_pct - self.case.expected_total_pct) > tolerance:
            problems.append(
                f"total {self.result.total_rate_pct:.4g}% against {self.case.expected_total_pct:.4g}%"
            )
        ours = self.layer_totals_pct
        for layer, expected in self.case.expected_layers_pct.items():
            got = ours.get(layer, 0.0)
            if abs(got - expected) > tolerance:
                problems.append(f"{layer} {got:.4g}% against {expected:.4g}%")
        return problems

    @property
    def agrees(self) -> bool:
        return not self.mismatches


def load_case_file(path: Path) -> list[LegalCase]:
    """Parse one YAML list of cases (safe loader; unknown keys refused, one line per problem)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        raise MeasureFileError(f"{path.name}: malformed YAML") from None
    if not isinstance(data, list):
        raise MeasureFileError(f"{path.name}: expected a list of cases at the top level")
    cases = []
    for index, record in enumerate(data):
        ident = record.get("id", f"#{index + 1}") if isinstance(record, dict) else f"#{index + 1}"
        try:
            cases.append(LegalCase.model_validate(record))
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "record"
            raise MeasureFileError(f"{path.name}: case {ident}: {field}: {first['msg']}") from None
    return cases


def load_cases(directory: Path) -> list[LegalCase]:
    """Every case of every ``*.yaml`` file in ``directory``; ids must be unique across files."""
    cases: list[LegalCase] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        for case in load_case_file(path):
            if case.id in seen:
                raise MeasureFileError(f"{path.name}: case {case.id}: id already used in {seen[case.id]}")
            seen[case.id] = path.name
            cases.append(case)
    return cases


def evaluate_case(case: LegalCase, engine_for: Callable[[MfnBasis], TariffEngine]) -> CaseOutcome:
    """Ask the engine for the case's duty; a named error is recorded as the outcome, not raised."""
    from tarifflab.errors import TariffLabError

    engine = engine_for(case.mfn_basis)
    try:
        if len(normalise_hts(case.hts)) < 10:
            # A case on a subheading states the law for every statistical line under it: check them
            # all and report the first that disagrees (the engine never picks one line silently).
            results = engine.duty_all_lines(case.hts, case.origin, case.date, **case.options)
        else:
            results = [engine.duty(case.hts, case.origin, case.date, **case.options)]
    except (TariffLabError, TypeError) as error:
        return CaseOutcome(case, None, str(error))
    outcomes = [CaseOutcome(case, result, None) for result in results]
    return next((outcome for outcome in outcomes if not outcome.agrees), outcomes[0])


def evaluate_cases(cases: Iterable[LegalCase]) -> list[CaseOutcome]:
    """Evaluate cases with the default engines (one per MFN basis)."""
    return [evaluate_case(case, TariffEngine.default) for case in cases]
