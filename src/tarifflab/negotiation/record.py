"""The negotiation record (rounds, threats, measures, court rulings, deal terms) and the question
"what was in force and what was on the table on a given date"."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from tarifflab.errors import DataError, InvalidDateError
from tarifflab.negotiation.levers import Pair, UnknownPairError


class Round(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    date: dt.date
    kind: str
    place: str
    participants: list[str]
    duration_min: int | None = None
    on_agenda: list[str] = []
    off_agenda: list[str] = []
    outcome: str = ""
    source: str = ""


class Threat(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    date: dt.date
    effective: dt.date
    instrument: str
    rate_pct: float
    text: str
    source: str = ""


class MeasureEvent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    date: dt.date
    instrument: str
    rate_pct: float
    rule: str
    scope: str


class Ruling(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    date: dt.date
    court: str
    case: str
    holding: str


class DealTerms(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    date: dt.date
    implemented_by: str
    package: str
    terms: list[str]
    not_covered: list[str] = []


class Record(BaseModel):
    """A pair's negotiation record (see ``record_us_japan.yaml``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    pair: str
    rounds: list[Round]
    threats: list[Threat] = []
    measures: list[MeasureEvent] = []
    courts: list[Ruling] = []
    deal_terms: DealTerms | None = None

    @property
    def first_date(self) -> dt.date:
        return min(r.date for r in self.rounds)

    def in_force_from_record(self, day: dt.date) -> list[dict[str, Any]]:
        """Latest measure event per instrument on or before ``day`` (rates that are not zero)."""
        latest: dict[str, MeasureEvent] = {}
        for event in sorted(self.measures, key=lambda m: m.date):
            if event.date <= day:
                latest[event.instrument] = event
        return [
            {**m.model_dump(mode="json"), "source": "negotiation record"}
            for m in latest.values()
            if m.rate_pct > 0
        ]

    def state_on(self, day: dt.date, country: str = "JPN") -> dict[str, Any]:
        """What was in force and what was on the table on ``day``."""
        if day < dt.date(2025, 1, 1) or day > dt.date(2026, 12, 31):
            raise InvalidDateError(f"{day} is outside the record (2025-01-01 to 2026-12-31)")
        in_force, source = _measures_in_force(day, country)
        summary = self.in_force_from_record(day)
        if in_force is None:
            in_force = summary
            source = "negotiation record (tarifflab.policy.library.measures_in_force not available)"
        past = [r for r in self.rounds if r.date <= day]
        last = past[-1] if past else None
        pending = [t for t in self.threats if t.date <= day < t.effective]
        deal_struck = self.deal_terms is not None and self.deal_terms.date <= day
        rulings = [c for c in self.courts if c.date <= day]
        on_table: list[str] = []
        if last is not None and not (deal_struck and last.kind == "deal"):
            on_table = list(last.on_agenda)
        return {
            "date": day.isoformat(),
            "in_force": in_force,
            "in_force_source": source,
            "in_force_summary": summary,
            "last_meeting": None if last is None else last.model_dump(mode="json"),
            "on_the_table": on_table,
            "off_the_table": [] if last is None else list(last.off_agenda),
            "pending_threats": [t.model_dump(mode="json") for t in pending],
            "deal_in_place": deal_struck,
            "latest_ruling": None if not rulings else rulings[-1].model_dump(mode="json"),
        }


def _measures_in_force(day: dt.date, country: str) -> tuple[list[dict[str, Any]] | None, str]:
    """Ask the tariff engine, if this installation has it."""
    try:
        from tarifflab.policy import library  # type: ignore[attr-defined, unused-ignore]
    except ImportError:
        return None, ""
    func = getattr(library, "measures_in_force", None)
    if func is None:
        return None, ""
    measures = func(on=day, country=country)
    rows: list[dict[str, Any]] = []
    keep = ("id", "title", "program", "legal_basis", "rule", "start", "end")
    for m in measures:
        record = m.model_dump(mode="json") if hasattr(m, "model_dump") else dict(m)
        rows.append({k: record[k] for k in keep if k in record})
    return rows, "tarifflab.policy.library.measures_in_force"


def load_record(pair: Pair, path: Path | None = None) -> Record:
    if path is None:
        name = pair.name.replace("-", "_")
        path = Path(str(resources.files("tarifflab.negotiation").joinpath(f"record_{name}.yaml")))
        if not path.exists():
            raise UnknownPairError(f"no negotiation record for {pair.name} (only us-japan is recorded)")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Record.model_validate(raw)
    except (yaml.YAMLError, ValidationError) as err:
        raise DataError(f"negotiation record {path.name} is malformed: {str(err).splitlines()[0]}") from None


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidDateError(f"not a date (YYYY-MM-DD): {text!r}") from None
