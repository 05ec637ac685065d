"""The record of the 2025–2026 US framework deals (``deals/deals_2025_2026.yaml``), validated.

One record per partner: dates, the rate threatened before the deal (EO 14257 Annex I, the July 2025
letters, the rate in force), the agreed headline rate and whether it is all-in, sector caps, pledged
investment, purchases and market-access commitments. Every value carries its source: a URL, a path in
the tradewartracker reference data (``tariff-lists/...``) or ``engine:<measure id>`` (a measure of the
tariff engine's library). A value that was not found is ``null`` with a note. The YAML is read with
``yaml.safe_load`` and validated by pydantic (``extra="forbid"``); a broken record raises
:class:`~tarifflab.errors.DealRecordError` with one line naming the file, the record and the field.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tarifflab.errors import DealRecordError

SOURCE_PREFIXES = ("https://", "http://", "tariff-lists/", "census/", "engine:")


def _check_source(source: str | None) -> None:
    if source is not None and not source.startswith(SOURCE_PREFIXES):
        raise ValueError(
            f"source {source!r} must be a URL, a tariff-lists/ or census/ path or engine:<measure id>"
        )


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _sourced_or_noted(value: object, source: str | None, note: str, what: str) -> None:
    """A recorded fact names its source; a missing one says in a note why it is missing."""
    _check_source(source)
    if value is not None and source is None:
        raise ValueError(f"a {what} needs a source")
    if value is None and not note:
        raise ValueError(f"a missing {what} needs a note")


class SourcedDate(_Strict):
    """A date with its source, or ``date: null`` with a note saying what is missing."""

    date: dt.date | None
    source: str | None = None
    note: str = ""

    @model_validator(mode="after")
    def _sourced(self) -> SourcedDate:
        _sourced_or_noted(self.date, self.source, self.note, "date")
        return self


class SourcedRate(_Strict):
    """A rate in percent with its source, or ``value: null`` with a note."""

    value: float | None = Field(ge=0.0, le=1000.0)
    source: str | None = None
    note: str = ""
    basis: str = ""

    @model_validator(mode="after")
    def _sourced(self) -> SourcedRate:
        _sourced_or_noted(self.value, self.source, self.note, "value")
        return self


class AgreedRate(_Strict):
    """The deal's headline rate; ``all_in`` = MFN and reciprocal capped together (max(MFN, rate))."""

    value: float = Field(ge=0.0, le=1000.0)
    all_in: bool
    source: str
    detail: str = ""

    @model_validator(mode="after")
    def _sourced(self) -> AgreedRate:
        _check_source(self.source)
        return self


class SourcedAmount(_Strict):
    """An amount in USD bn with its source, or ``value: null`` with a note."""

    value: float | None = Field(ge=0.0)
    source: str | None = None
    note: str = ""

    @model_validator(mode="after")
    def _sourced(self) -> SourcedAmount:
        _sourced_or_noted(self.value, self.source, self.note, "value")
        return self


class SectorCap(_Strict):
    sector: str
    rate_pct: float | None = Field(ge=0.0, le=1000.0)
    all_in: bool
    detail: str = ""
    source: str

    @model_validator(mode="after")
    def _sourced(self) -> SectorCap:
        _check_source(self.source)
        return self


class Purchase(_Strict):
    item: str
    usd_bn: float | None = Field(ge=0.0)
    per_year: bool | None
    source: str

    @model_validator(mode="after")
    def _sourced(self) -> Purchase:
        _check_source(self.source)
        return self


class Commitment(_Strict):
    text: str
    source: str

    @model_validator(mode="after")
    def _sourced(self) -> Commitment:
        _check_source(self.source)
        return self


class Deal(_Strict):
    """One partner's 2025–2026 framework deal with the US."""

    partner: str
    iso3: str = Field(pattern=r"^[A-Z]{3}$")
    us_imports_2024: SourcedAmount
    announced: SourcedDate
    framework: SourcedDate
    implemented: SourcedDate
    annex_i: SourcedRate
    letter: SourcedRate
    rate_before: SourcedRate
    threat: SourcedRate
    agreed: AgreedRate
    sector_caps: list[SectorCap]
    investment: SourcedAmount
    purchases: list[Purchase]
    market_access: list[Commitment]
    engine_measures: list[str]
    note: str = ""

    @model_validator(mode="after")
    def _threat_known(self) -> Deal:
        if self.threat.value is None:
            raise ValueError("the threatened rate must be known (it is the disagreement point)")
        return self

    @property
    def threat_rate_pct(self) -> float:
        assert self.threat.value is not None  # checked by the validator
        return float(self.threat.value)

    @property
    def us_imports_usd_bn(self) -> float:
        if self.us_imports_2024.value is None or self.us_imports_2024.value <= 0:
            raise DealRecordError(f"deal with {self.partner}: US imports unknown")
        return float(self.us_imports_2024.value)

    @property
    def agreed_rate_pct(self) -> float:
        return float(self.agreed.value)

    @property
    def first_date(self) -> dt.date:
        """The earliest known date of the deal (announcement, framework or implementation)."""
        dates = [d.date for d in (self.announced, self.framework, self.implemented) if d.date is not None]
        if not dates:
            raise DealRecordError(f"deal with {self.partner}: no known date")
        return min(dates)


class DealFile(_Strict):
    deals: list[Deal]


def default_path() -> Path:
    return Path(str(resources.files("tarifflab.negotiation").joinpath("deals", "deals_2025_2026.yaml")))


def _message(path: Path, raw: Any, err: ValidationError) -> str:
    first = err.errors()[0]
    loc = list(first["loc"])
    record = "file"
    if len(loc) >= 2 and loc[0] == "deals" and isinstance(loc[1], int):
        index = loc[1]
        try:
            record = f"record {index} ({raw['deals'][index]['partner']})"
        except (KeyError, IndexError, TypeError):
            record = f"record {index}"
        loc = loc[2:]
    field = ".".join(str(p) for p in loc) or "(record)"
    return f"{path}: {record}, field {field}: {first['msg']}"


def load_deals(path: Path | None = None) -> list[Deal]:
    """The deal records of ``path`` (default: the packaged record), validated; one-line errors."""
    path = default_path() if path is None else Path(path)
    return list(_load(str(path)))


@lru_cache(maxsize=4)
def _load(path_text: str) -> tuple[Deal, ...]:
    path = Path(path_text)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise DealRecordError(f"{path}: cannot read the deal record ({err.strerror})") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise DealRecordError(f"{path}: malformed YAML ({str(err).splitlines()[0]})") from None
    try:
        file = DealFile.model_validate(raw)
    except ValidationError as err:
        raise DealRecordError(_message(path, raw, err)) from None
    seen: set[str] = set()
    for deal in file.deals:
        if deal.iso3 in seen:
            raise DealRecordError(f"{path}: record {deal.partner}, field iso3: duplicate partner {deal.iso3}")
        seen.add(deal.iso3)
    return tuple(file.deals)


def get_deal(iso3_or_pair: str, path: Path | None = None) -> Deal:
    """The deal of a partner (ISO3 code, or a pair ``us-<partner>``)."""
    code = iso3_or_pair.strip()
    if code.lower().startswith("us-"):
        from tarifflab.negotiation.levers import get_pair

        code = get_pair(code).partner
    code = code.upper()
    for deal in load_deals(path):
        if deal.iso3 == code:
            return deal
    known = ", ".join(d.iso3 for d in load_deals(path))
    raise DealRecordError(f"no recorded deal with {iso3_or_pair!r}; recorded: {known}")
