"""Scenario files: what-if overlays on the measure library.

A scenario file is a YAML list. Each record is either a new measure in the library's own schema (see
``policy/measures/*.yaml``) or an edit of a library measure named by its ``id``:

* ``{end: ID, date: DATE}``: the measure stops applying from ``date`` (exclusive end, as in the library); a
  ``date`` after the current end extends it, one on or before its start removes it;
* ``{replace: ID, with: {FIELD: VALUE, ...}, from: DATE}``: the measure with those fields replaced, from
  ``from`` on (without ``from``, over its whole window);
* ``{rescale: ID, factor: X, from: DATE}``: the measure's rate (and all-in level) multiplied by ``X``.

Records apply in order, file after file. The result is a new :class:`MeasureLibrary` carrying the
scenario's content hash, so every result computed on it can be told apart from the law as encoded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tarifflab.errors import MeasureFileError, ScenarioError
from tarifflab.policy.library import MeasureLibrary, check_measures, load_library
from tarifflab.policy.measures import Layer, Measure
from tarifflab.policy.precedence import S232_PROGRAMS

EDIT_KEYS = ("end", "replace", "rescale")


class _ScenarioLoader(yaml.SafeLoader):
    """The safe loader, with dates left as text so that a bad date is reported by field, not by YAML."""


_ScenarioLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class EndMeasure(BaseModel):
    """End (or extend, or remove) a library measure from a date."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    end: str
    date: dt.date = Field(description="first entry date without the measure (exclusive end)")
    known_from: dt.date | None = Field(default=None, description="when the end was published")
    note: str | None = None


class ReplaceMeasure(BaseModel):
    """Replace fields of a library measure, from a date or over its whole window."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, defer_build=True)

    replace: str
    with_: dict[str, Any] = Field(alias="with")
    from_: dt.date | None = Field(default=None, alias="from")
    note: str | None = None


class RescaleMeasure(BaseModel):
    """Multiply a library measure's rate and all-in level by ``factor`` (dimensionless)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, defer_build=True)

    rescale: str
    factor: float = Field(ge=0, le=100)
    from_: dt.date | None = Field(default=None, alias="from")
    note: str | None = None


ScenarioRecord = Measure | EndMeasure | ReplaceMeasure | RescaleMeasure


@dataclass(frozen=True)
class ScenarioFile:
    """One parsed and schema-checked scenario file."""

    name: str
    records: tuple[ScenarioRecord, ...]
    content_hash: str  # SHA-256 of the parsed records: formatting and comments do not change it


def _record_label(index: int, record: Any) -> str:
    if isinstance(record, dict):
        for key in ("id", *EDIT_KEYS):
            if isinstance(record.get(key), str) and not (key == "end" and "id" in record):
                return f"record {index + 1} ({record[key]})"
    return f"record {index + 1}"


def _first_error(error: ValidationError) -> tuple[str, str]:
    first = error.errors()[0]
    field = ".".join(str(p) for p in first["loc"]).replace("with_", "with").replace("from_", "from")
    return field or "record", first["msg"]


def _parse_record(name: str, index: int, record: Any) -> ScenarioRecord:
    label = _record_label(index, record)
    if not isinstance(record, dict):
        raise ScenarioError(f"{name}: {label}: expected a mapping of fields")
    # A record with an id is a new measure (whose own ``end`` is a date); edits name their target instead.
    edits = [] if "id" in record else [key for key in EDIT_KEYS if key in record]
    if len(edits) > 1:
        raise ScenarioError(f"{name}: {label}: {edits[1]}: give one of end, replace or rescale per record")
    models: dict[str, type[BaseModel]] = {
        "end": EndMeasure,
        "replace": ReplaceMeasure,
        "rescale": RescaleMeasure,
    }
    model = models[edits[0]] if edits else Measure
    try:
        parsed = model.model_validate(record)
    except ValidationError as error:
        field, message = _first_error(error)
        raise ScenarioError(f"{name}: {label}: {field}: {message}") from None
    except Exception as error:  # unknown country codes and the like
        raise ScenarioError(f"{name}: {label}: {error}") from None
    return parsed  # type: ignore[return-value]


def parse_scenario(text: str, name: str) -> ScenarioFile:
    """Parse scenario YAML (safe loader only); schema errors name the file, record and field."""
    try:
        data = yaml.load(text, Loader=_ScenarioLoader)  # a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f": line {mark.line + 1}" if mark is not None else ""
        raise ScenarioError(f"{name}{where}: malformed YAML") from None
    if not isinstance(data, list) or not data:
        raise ScenarioError(f"{name}: expected a non-empty YAML list of records at the top level")
    records = tuple(_parse_record(name, i, record) for i, record in enumerate(data))
    canonical = json.dumps(
        [r.model_dump(mode="json", by_alias=True) for r in records], sort_keys=True, separators=(",", ":")
    )
    return ScenarioFile(name, records, hashlib.sha256(canonical.encode()).hexdigest())


def load_scenario(path: Path | str) -> ScenarioFile:
    """Read and parse one scenario file."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(f"{file}: cannot read scenario file ({type(error).__name__})") from None
    return parse_scenario(text, file.name)


def combined_hash(files: list[ScenarioFile]) -> str | None:
    """One hash for scenario files applied in order (None without any)."""
    if not files:
        return None
    joined = "\n".join(f.content_hash for f in files)
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def _rebuild(measure: Measure, changes: dict[str, Any]) -> Measure:
    return Measure.model_validate({**measure.model_dump(), **changes})


def _split(measure: Measure, start: dt.date | None, changes: dict[str, Any]) -> list[Measure]:
    """``measure`` with ``changes`` from ``start`` (the original keeps the window before it)."""
    if start is None or start <= measure.start:
        return [_rebuild(measure, changes)]
    if measure.end is not None and start >= measure.end:
        raise ValueError(f"from {start} is not before the measure's end {measure.end}")
    before = _rebuild(measure, {"end": start, "end_known_from": None})
    after = _rebuild(measure, {"id": f"{measure.id}-from-{start.isoformat()}", "start": start, **changes})
    return [before, after]


def _target(record: EndMeasure | ReplaceMeasure | RescaleMeasure) -> str:
    if isinstance(record, EndMeasure):
        return record.end
    return record.replace if isinstance(record, ReplaceMeasure) else record.rescale


def _apply(measures: list[Measure], record: ScenarioRecord) -> list[Measure]:
    if isinstance(record, Measure):
        return [*measures, record]
    target = _target(record)
    position = next((i for i, m in enumerate(measures) if m.id == target), None)
    if position is None:
        raise LookupError(target)
    measure = measures[position]
    out: list[Measure]
    if isinstance(record, EndMeasure):
        out = (
            []
            if record.date <= measure.start
            else [_rebuild(measure, {"end": record.date, "end_known_from": record.known_from})]
        )
    elif isinstance(record, ReplaceMeasure):
        if "id" in record.with_:
            raise ValueError("with.id: a replacement keeps the measure's id")
        out = _split(measure, record.from_, dict(record.with_))
    else:
        rule = measure.rule.model_dump()
        for key in ("rate", "all_in"):
            if rule[key] is not None:
                rule[key] = rule[key] * record.factor
        out = _split(measure, record.from_, {"rule": rule})
    return [*measures[:position], *out, *measures[position + 1 :]]


def apply_scenarios(library: MeasureLibrary, files: list[ScenarioFile]) -> MeasureLibrary:
    """The library with each file's records applied in order; every error names file, record and field."""
    if not files:
        return library
    measures = list(library.measures)
    names = library.scope_names()
    for file in files:
        for index, record in enumerate(file.records):
            ident = record.id if isinstance(record, Measure) else _target(record)
            label = f"record {index + 1} ({ident})"
            try:
                measures = _apply(measures, record)
            except LookupError:
                key = next(k for k in EDIT_KEYS if hasattr(record, k) and not isinstance(record, Measure))
                raise ScenarioError(f"{file.name}: {label}: {key}: unknown measure id {ident!r}") from None
            except ValidationError as error:
                field, message = _first_error(error)
                if isinstance(record, RescaleMeasure) and field.startswith("rule"):
                    field = "factor"
                elif isinstance(record, ReplaceMeasure):
                    field = f"with.{field}"
                raise ScenarioError(f"{file.name}: {label}: {field}: {message}") from None
            except ValueError as error:
                text = str(error)
                field = text.split(":", 1)[0] if ":" in text else "from"
                raise ScenarioError(f"{file.name}: {label}: {field}: {text.split(': ', 1)[-1]}") from None
            _check_record(file.name, label, record, measures, names)
    return replace(
        library,
        measures=tuple(measures),
        scenario_hash=combined_hash(files),
    )


def _check_record(
    name: str, label: str, record: ScenarioRecord, measures: list[Measure], names: set[str]
) -> None:
    if isinstance(record, Measure) and record.layer is Layer.S232 and record.program not in S232_PROGRAMS:
        known = ", ".join(S232_PROGRAMS)
        raise ScenarioError(f"{name}: {label}: program: unknown s.232 programme {record.program!r} ({known})")
    try:
        check_measures(measures, names)
    except MeasureFileError as error:
        field = "countries/start/end" if "contradictory" in str(error) else "products"
        raise ScenarioError(f"{name}: {label}: {field}: {error}") from None


def library_with_scenarios(paths: list[Path] | list[str] | None) -> MeasureLibrary:
    """The built-in library with the scenario files at ``paths`` applied in order."""
    base = load_library()
    if not paths:
        return base
    return apply_scenarios(base, [load_scenario(p) for p in paths])
