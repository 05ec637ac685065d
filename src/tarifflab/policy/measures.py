"""Tariff measures as declarative, validated records.

A measure is one legal act's duty on a set of products from a set of countries over a window of entry
dates. Measures live in YAML files (``policy/measures/*.yaml``), loaded with ``yaml.safe_load`` and
validated here; the stacking engine (:mod:`tarifflab.policy.engine`) combines them.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tarifflab.errors import MeasureFileError
from tarifflab.nomenclature.countries import to_iso3

# libyaml's safe loader parses the measure files about 10x faster than the pure-Python one (same safety).
SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Layer(StrEnum):
    """Where a measure sits in the stacking order (see docs/stacking.md)."""

    S232 = "s232"
    RECIPROCAL = "reciprocal"  # IEEPA reciprocal (EO 14257 and successors) and the s.122 surcharge
    FENTANYL = "fentanyl"  # IEEPA border/trafficking duties on China, Canada, Mexico
    S301 = "s301"
    S201 = "s201"  # safeguards (Trade Act of 1974 s.201): cumulative with every other duty
    S338 = "s338"  # Tariff Act of 1930 s.338 duties and import bans (Canada, 2026)


class Authority(StrEnum):
    """Statute a measure rests on. IEEPA duties became refundable with the 2026-02-20 ruling."""

    IEEPA = "IEEPA"
    S232 = "Section 232"
    S122 = "Section 122"
    S301 = "Section 301"
    S201 = "Section 201"
    S338 = "Section 338"
    # a negotiation package's rate after the 2026 ruling (studies.package_scenarios): no statute yet
    PACKAGE = "negotiated package (hypothetical)"


class Confidence(StrEnum):
    """How well a measure's rate and dates are sourced (the tags of ../shared/data/facts/timeline.csv)."""

    FR_CITED = "FR-cited"  # a Federal Register document, cited by one or more public engines
    HTS_TEXT = "HTS-text"  # the Chapter 99 heading and U.S. note text
    SECONDARY = "secondary"  # news, law-firm or docket summaries
    SCHEDULED = "scheduled"  # a future date written into an instrument already in force
    SINGLE_SOURCE = "single-source"  # one source alone supports the rate or the dates


class RuleKind(StrEnum):
    ADD = "add"  # extra duty = rate
    FLOOR = "floor"  # "X% all-in": total = max(MFN, X) → extra = max(0, X − MFN)
    CAP = "cap"  # extra = min(rate, max(0, cap − MFN)): total capped at `cap` unless MFN is higher
    PROHIBIT = "prohibit"  # entry barred: no rate applies, the goods may not be entered at all


class Rule(BaseModel):
    """The rate rule. Rates are fractions (0.15 = 15%)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    kind: RuleKind
    rate: float | None = Field(default=None, ge=0, le=5)
    all_in: float | None = Field(default=None, ge=0, le=5, description="X of 'X% all-in' (floor and cap)")

    @model_validator(mode="after")
    def _complete(self) -> Rule:
        if self.kind is RuleKind.ADD and self.rate is None:
            raise ValueError("an 'add' rule needs rate")
        if self.kind is RuleKind.FLOOR and self.all_in is None:
            raise ValueError("a 'floor' rule needs all_in")
        if self.kind is RuleKind.CAP and (self.rate is None or self.all_in is None):
            raise ValueError("a 'cap' rule needs rate and all_in")
        return self


class Products(BaseModel):
    """Product scope: everything, or the union of named lists and HTS prefixes."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    all: bool = False
    lists: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    chapters: tuple[str, ...] = ()

    @field_validator("prefixes", "chapters", mode="before")
    @classmethod
    def _digits(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            cleaned = []
            for item in value:
                text = str(item).replace(".", "").strip()
                if not text.isdigit():
                    raise ValueError(f"HTS prefix must be digits: {item!r}")
                cleaned.append(text)
            return tuple(cleaned)
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Products:
        if not (self.all or self.lists or self.prefixes or self.chapters):
            raise ValueError("product scope is empty: give all: true, lists, prefixes or chapters")
        return self


class InTransit(BaseModel):
    """An in-transit clause: goods loaded on the vessel before ``loaded_before`` and entered before
    ``entered_before`` (None: no entry deadline) keep the rate that applied before the measure."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    loaded_before: dt.date
    entered_before: dt.date | None = None
    legal_basis: str = Field(min_length=3)

    def relieves(self, loaded_on: dt.date | None, entered_on: dt.date) -> bool:
        """Whether goods loaded on ``loaded_on`` and entered on ``entered_on`` fall under the clause."""
        if loaded_on is None or loaded_on >= self.loaded_before:
            return False
        return self.entered_before is None or entered_on < self.entered_before


class Quota(BaseModel):
    """A quantity limit on a preferential rate: within ``units`` a year the measure applies; above it the
    goods pay what applies without the measure (the all-country rate of the programme)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    units: int = Field(gt=0)
    unit: str = "vehicles"
    products: Products
    legal_basis: str = Field(min_length=3)


class Measure(BaseModel):
    """One tariff measure.

    Time: ``start``/``end`` bound the entry dates the measure covers in its final legal form (``end`` is
    exclusive; None = open). ``known_from`` is when it was published; ``end_known_from`` when its end was.
    ``void_from_known`` marks a measure later replaced retroactively (e.g. Japan's additive 15% of EO 14326,
    replaced by EO 14345's all-in rule back to 2025-08-07): it is absent from the in-force view but was
    the law as known between ``known_from`` and that date.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    title: str
    layer: Layer
    authority: Authority
    program: str = Field(
        description="within a layer, measures of one program override each other by specificity"
    )
    legal_basis: str = Field(min_length=3, description="EO / proclamation / FR notice")
    heading: str | None = Field(default=None, description="HTSUS Chapter 99 heading")
    countries: tuple[str, ...] = ("ALL",)
    exclude_countries: tuple[str, ...] = ()
    products: Products
    exclusions: Products | None = None
    rule: Rule
    content: str | None = Field(default=None, description="metal whose content share the duty applies to")
    usmca_exempt: bool = False
    in_transit: InTransit | None = None
    quota: Quota | None = None
    us_content_credit: bool = Field(
        default=False,
        description="USMCA vehicles pay only on non-U.S. content where the importer declares it (U.S. note 33(d))",
    )
    start: dt.date
    end: dt.date | None = None
    known_from: dt.date
    end_known_from: dt.date | None = None
    void_from_known: dt.date | None = None
    note: str | None = None
    confidence: tuple[Confidence, ...] = Field(
        default=(), description="source tags; 'single-source' when one source alone supports the rate"
    )
    sources: tuple[str, ...] = Field(default=(), description="documents the rate and dates rest on")
    covers_s232_good: bool | None = Field(
        default=None,
        description="s.232 layer only: whether goods under this measure count as s.232 goods for the "
        "precedence edges (default: yes unless the rule is a zero 'add', i.e. an exemption)",
    )

    @field_validator("confidence", "sources", mode="before")
    @classmethod
    def _as_tuple(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @property
    def single_source(self) -> bool:
        return Confidence.SINGLE_SOURCE in self.confidence

    @field_validator("countries", "exclude_countries", mode="before")
    @classmethod
    def _iso3(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        return tuple(to_iso3(v) for v in value)

    @model_validator(mode="after")
    def _dates(self) -> Measure:
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"end {self.end} is not after start {self.start}")
        if self.content not in (None, "steel", "aluminum", "copper"):
            raise ValueError(f"content must be steel, aluminum or copper, not {self.content!r}")
        return self

    @property
    def is_country_specific(self) -> bool:
        return "ALL" not in self.countries

    def covers_date_in_force(self, on: dt.date) -> bool:
        return self.void_from_known is None and self.start <= on and (self.end is None or on < self.end)

    def covers_date_as_known(self, on: dt.date, known_on: dt.date) -> bool:
        if known_on < self.known_from:
            return False
        if self.void_from_known is not None and known_on >= self.void_from_known:
            return False
        end_known = self.end is not None and (self.end_known_from or self.known_from) <= known_on
        return self.start <= on and (not end_known or on < self.end)  # type: ignore[operator]


def load_measure_file(path: Path) -> list[Measure]:
    """Parse and validate one YAML file of measures (a list of mappings)."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise MeasureFileError(f"{path.name}{where}: malformed YAML") from None
    if not isinstance(data, list):
        raise MeasureFileError(f"{path.name}: expected a list of measures at the top level")
    measures = []
    for index, record in enumerate(data):
        try:
            measures.append(Measure.model_validate(record))
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "record"
            ident = record.get("id", f"#{index + 1}") if isinstance(record, dict) else f"#{index + 1}"
            raise MeasureFileError(f"{path.name}: measure {ident}: {field}: {first['msg']}") from None
        except Exception as error:  # unknown country codes and the like surface as our own errors
            ident = record.get("id", f"#{index + 1}") if isinstance(record, dict) else f"#{index + 1}"
            raise MeasureFileError(f"{path.name}: measure {ident}: {error}") from None
    return measures
