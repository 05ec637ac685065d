"""The built-in measure library: every YAML file in ``policy/measures`` plus the named product scopes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from tarifflab.data.embedded import embedded_path
from tarifflab.errors import MeasureFileError
from tarifflab.nomenclature.countries import EU27, EU_AGGREGATE, to_iso3
from tarifflab.policy.library_cache import load_compiled
from tarifflab.policy.measures import SAFE_LOADER, Measure, Products, load_measure_file

SCOPES_FILE = "scopes.yaml"
SHIPMENT_RULES_FILE = "shipment_rules.yaml"
EMBEDDED_SCOPE_FILES = ("tariff_scopes.parquet", "tariff_scopes_legal.parquet")
METADATA_FILE = "_library.yaml"


@dataclass(frozen=True)
class LibraryMetadata:
    """What the library knows: the first entry date it covers and the date of the last law it encodes."""

    first_covered: dt.date
    law_known_on: dt.date
    law_known_on_source: str


def _read_metadata(path: Path) -> LibraryMetadata:
    try:
        raw: Any = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except (OSError, yaml.YAMLError):
        raise MeasureFileError(f"{path.name}: missing or malformed library metadata") from None
    if not isinstance(raw, dict):
        raise MeasureFileError(f"{path.name}: expected a mapping")
    try:
        return LibraryMetadata(
            raw["first_covered"], raw["law_known_on"], str(raw.get("law_known_on_source", ""))
        )
    except KeyError as missing:
        raise MeasureFileError(f"{path.name}: needs {missing.args[0]}") from None


def _builtin_directory() -> Path:
    return Path(str(resources.files("tarifflab.policy").joinpath("measures")))


METADATA = _read_metadata(_builtin_directory() / METADATA_FILE)
COVERAGE_START = METADATA.first_covered
LAW_KNOWN_ON = METADATA.law_known_on
# The last date the library's law is known; later dates are answered with that law and flagged stale.
COVERAGE_END = LAW_KNOWN_ON


@dataclass(frozen=True)
class ScopeVersion:
    scope: str
    start: dt.date
    end: dt.date | None


@dataclass(frozen=True)
class ScopeDefinition:
    """A named scope from scopes.yaml: prefixes, a union of scopes, or dated versions of scopes."""

    name: str
    legal_basis: str
    prefixes: tuple[str, ...] = ()
    union: tuple[str, ...] = ()
    versions: tuple[ScopeVersion, ...] = ()
    claim: str | None = None  # lines below count only when the shipment makes this claim
    claim_prefixes: tuple[str, ...] = ()
    claim_union: tuple[str, ...] = ()
    # Chapters (two digits) the scope leaves out, whichever member or claim brings their lines in.
    except_chapters: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeMinimisEnd:
    """The date from which duty-free de minimis treatment is no longer available to goods of ``countries``."""

    countries: tuple[str, ...]
    start: dt.date
    known_from: dt.date
    legal_basis: str


@dataclass(frozen=True)
class DeMinimis:
    """The administrative exemption of 19 U.S.C. 1321(a)(2)(C): shipments valued at or under the threshold
    enter free of duty and of any tax imposed on or by reason of importation."""

    threshold_usd: float
    legal_basis: str
    ends: tuple[DeMinimisEnd, ...]
    exempt_layers: tuple[str, ...]

    def end_for(self, origin: str, on: dt.date, known_on: dt.date | None = None) -> DeMinimisEnd | None:
        """The end that bars de minimis for goods of ``origin`` entered on ``on`` (as known on ``known_on``)."""
        for end in sorted(self.ends, key=lambda e: e.start):
            applies = "ALL" in end.countries or country_matches(end.countries, origin)
            known = known_on is None or end.known_from <= known_on
            if applies and known and on >= end.start:
                return end
        return None


@dataclass(frozen=True)
class MeasureLibrary:
    """Validated measures and the product scopes they refer to."""

    measures: tuple[Measure, ...]
    list_prefixes: dict[str, tuple[tuple[str, dt.date | None], ...]] = field(repr=False)
    definitions: dict[str, ScopeDefinition] = field(repr=False)
    metadata: LibraryMetadata = METADATA
    scenario_hash: str | None = None  # content hash of the scenario files applied (None: the law as encoded)

    @property
    def law_known_on(self) -> dt.date:
        return self.metadata.law_known_on

    @cached_property
    def content_hash(self) -> str:
        """SHA-256 of the measures (in order): two libraries with the same hash give the same duties."""
        payload = [m.model_dump(mode="json") for m in self.measures]
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def stale_days(self, on: dt.date) -> int:
        """Days from the library's date to the entry date ``on`` (0 on or before it)."""
        return max(0, (on - self.law_known_on).days)

    def staleness(self, on: dt.date) -> dict[str, Any]:
        """The fields every result carries: law_known_on, stale_days, scenario_hash."""
        return {
            "law_known_on": self.law_known_on.isoformat(),
            "stale_days": self.stale_days(on),
            "scenario_hash": self.scenario_hash,
        }

    def stale_warning(self) -> str:
        """The one-line warning printed under tables for dates after the library's date."""
        return f"law as known on {self.law_known_on}: later actions are not in the library"

    de_minimis: DeMinimis | None = field(default=None, repr=False)

    def by_id(self, measure_id: str) -> Measure:
        for measure in self.measures:
            if measure.id == measure_id:
                return measure
        raise KeyError(measure_id)

    def scope_names(self) -> set[str]:
        return set(self.list_prefixes) | set(self.definitions)

    def change_dates(self) -> list[dt.date]:
        """Every date on which some measure starts or ends: the ETR only changes on these."""
        dates = {self.metadata.first_covered}
        for measure in self.measures:
            dates.add(measure.start)
            if measure.end is not None:
                dates.add(measure.end)
        for definition in self.definitions.values():
            for version in definition.versions:
                dates.add(version.start)
                if version.end is not None:
                    dates.add(version.end)
        for prefixes in self.list_prefixes.values():
            dates.update(d for _, d in prefixes if d is not None)
        # No upper bound: scenario measures may start or end after the library's date.
        return sorted(d for d in dates if d >= self.metadata.first_covered)


def country_matches(measure_countries: tuple[str, ...], origin: str) -> bool:
    """Whether a measure naming ``measure_countries`` covers goods of ``origin`` (EU members ↔ EUN)."""
    if origin in measure_countries:
        return True
    return EU_AGGREGATE in measure_countries and origin in EU27


def _parse_scopes(path: Path) -> dict[str, ScopeDefinition]:
    try:
        raw: Any = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except yaml.YAMLError:
        raise MeasureFileError(f"{path.name}: malformed YAML") from None
    if not isinstance(raw, dict):
        raise MeasureFileError(f"{path.name}: expected a mapping of scope names")
    definitions = {}
    for name, spec in raw.items():
        if not isinstance(spec, dict) or "legal_basis" not in spec:
            raise MeasureFileError(f"{path.name}: scope {name}: needs a legal_basis")
        versions = tuple(
            ScopeVersion(str(v["scope"]), v["start"], v.get("end")) for v in spec.get("versions", []) or []
        )
        prefixes = tuple(str(p).replace(".", "") for p in spec.get("prefixes", []) or [])
        on_claim = spec.get("on_claim") or {}
        if not isinstance(on_claim, dict) or (on_claim and "claim" not in on_claim):
            raise MeasureFileError(f"{path.name}: scope {name}: on_claim needs a claim name")
        claim_prefixes = tuple(str(p).replace(".", "") for p in on_claim.get("prefixes", []) or [])
        claim_union = tuple(on_claim.get("union", []) or ())
        if not (versions or prefixes or spec.get("union") or claim_prefixes or claim_union):
            raise MeasureFileError(f"{path.name}: scope {name}: give prefixes, union or versions")
        except_chapters = tuple(str(c) for c in spec.get("except_chapters", []) or [])
        if any(not (len(c) == 2 and c.isdigit()) for c in except_chapters):
            raise MeasureFileError(f"{path.name}: scope {name}: except_chapters takes two-digit chapters")
        definitions[str(name)] = ScopeDefinition(
            str(name),
            str(spec["legal_basis"]),
            prefixes,
            tuple(spec.get("union", []) or ()),
            versions,
            str(on_claim["claim"]) if on_claim else None,
            claim_prefixes,
            claim_union,
            except_chapters,
        )
    return definitions


def _parse_shipment_rules(path: Path) -> DeMinimis | None:
    """The de minimis provision of ``shipment_rules.yaml`` (None if the file is absent)."""
    if not path.exists():
        return None
    try:
        raw: Any = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
        spec = raw["de_minimis"]
        ends = tuple(
            DeMinimisEnd(
                tuple(to_iso3(c) if c != "ALL" else "ALL" for c in end["countries"]),
                _as_date(end["start"]),
                _as_date(end["known_from"]),
                str(end["legal_basis"]),
            )
            for end in spec["ends"]
        )
        return DeMinimis(
            float(spec["threshold_usd"]), str(spec["legal_basis"]), ends, tuple(spec["exempt_layers"])
        )
    except yaml.YAMLError:
        raise MeasureFileError(f"{path.name}: malformed YAML") from None
    except (KeyError, TypeError, ValueError) as error:
        raise MeasureFileError(f"{path.name}: de_minimis: missing or invalid {error}") from None


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _embedded_lists() -> dict[str, tuple[tuple[str, dt.date | None], ...]]:
    import pyarrow.parquet as pq  # read straight to Python lists: no DataFrame needed

    dates: dict[str, dt.date] = {}
    grouped: dict[str, list[tuple[str, dt.date | None]]] = defaultdict(list)
    for name in EMBEDDED_SCOPE_FILES:
        columns = pq.read_table(embedded_path(name)).to_pydict()
        for scope, prefix, effective in zip(*(columns[c] for c in list(columns)[:3]), strict=True):
            when = None
            if isinstance(effective, str) and effective:
                when = dates.get(effective) or dates.setdefault(effective, dt.date.fromisoformat(effective))
            grouped[scope].append((prefix, when))
    return {k: tuple(v) for k, v in grouped.items()}


def _referenced(products: Products | None) -> tuple[str, ...]:
    return products.lists if products is not None else ()


def _windows_overlap(a: Measure, b: Measure) -> bool:
    a_end = a.end or dt.date.max
    b_end = b.end or dt.date.max
    return a.start < b_end and b.start < a_end


def _carved_out(broad: Measure, narrow: Measure) -> bool:
    """Whether ``narrow``'s products are exactly lists that ``broad`` excludes."""
    excluded = set(_referenced(broad.exclusions))
    return (
        bool(narrow.products.lists)
        and not narrow.products.prefixes
        and set(narrow.products.lists) <= excluded
    )


def _products_overlap(first: Measure, second: Measure) -> bool:
    if _carved_out(first, second) or _carved_out(second, first):
        return False
    return (
        first.products == second.products
        or first.products.all
        or second.products.all
        or bool(set(first.products.lists) & set(second.products.lists))
    )


def check_measures(measures: list[Measure], names: set[str]) -> None:
    seen: set[str] = set()
    for measure in measures:
        if measure.id in seen:
            raise MeasureFileError(f"duplicate measure id: {measure.id}")
        seen.add(measure.id)
        quota_lists = _referenced(measure.quota.products) if measure.quota is not None else ()
        for scope in (*_referenced(measure.products), *_referenced(measure.exclusions), *quota_lists):
            if scope not in names:
                raise MeasureFileError(f"measure {measure.id}: unknown product scope {scope!r}")
    # Contradiction: two measures that would both claim the same lines of the same programme, at the same
    # specificity, for the same country, on the same day, in the final (in-force) law.
    groups: dict[tuple[str, str, bool], list[Measure]] = defaultdict(list)
    for measure in measures:
        if measure.void_from_known is None:
            groups[(measure.layer, measure.program, measure.is_country_specific)].append(measure)
    for group in groups.values():
        for i, first in enumerate(group):
            for second in group[i + 1 :]:
                shared = set(first.countries) & set(second.countries)
                same_products = _products_overlap(first, second)
                if (
                    shared
                    and same_products
                    and _windows_overlap(first, second)
                    and first.content == second.content
                ):
                    raise MeasureFileError(
                        f"contradictory measures {first.id} and {second.id}: both set programme "
                        f"{first.program} for {sorted(shared)} on overlapping dates"
                    )


def _is_scope_file(path: Path) -> bool:
    return path.name == SCOPES_FILE or path.name.startswith("scopes_")


def load_library_from(directory: Path) -> MeasureLibrary:
    """Load every ``*.yaml`` measure file of ``directory`` (scopes.yaml holds the named scopes)."""
    if not directory.is_dir():
        raise MeasureFileError(f"measure directory not found: {directory}")
    # scopes.yaml and any scopes_*.yaml (one file per topic, so parallel edits do not collide)
    scope_files = [p for p in sorted(directory.glob("*.yaml")) if _is_scope_file(p)]
    definitions: dict[str, ScopeDefinition] = {}
    for scope_file in scope_files:
        parsed = _parse_scopes(scope_file)
        clash = set(parsed) & set(definitions)
        if clash:
            raise MeasureFileError(f"{scope_file.name}: scope {sorted(clash)[0]} is defined twice")
        definitions.update(parsed)
    metadata_file = directory / METADATA_FILE
    metadata = _read_metadata(metadata_file) if metadata_file.exists() else METADATA
    lists = _embedded_lists()
    measures: list[Measure] = []
    for path in sorted(directory.glob("*.yaml")):
        if not _is_scope_file(path) and path.name != SHIPMENT_RULES_FILE and not path.name.startswith("_"):
            measures.extend(load_measure_file(path))
    names = set(lists) | set(definitions)
    check_measures(measures, names)
    for definition in definitions.values():
        for member in (*definition.union, *definition.claim_union, *(v.scope for v in definition.versions)):
            if member not in names:
                raise MeasureFileError(f"scope {definition.name}: unknown member scope {member!r}")
    de_minimis = _parse_shipment_rules(directory / SHIPMENT_RULES_FILE)
    return MeasureLibrary(tuple(measures), lists, definitions, metadata, de_minimis=de_minimis)


def load_compiled_library(directory: Path) -> MeasureLibrary:
    """The library of ``directory`` through its compiled copy in the user cache (see ``library_cache``)."""
    sources = [
        *sorted(directory.glob("*.yaml")),
        *(embedded_path(name) for name in EMBEDDED_SCOPE_FILES),
        *sorted(Path(__file__).parent.glob("*.py")),  # every class a library object may hold
    ]
    return load_compiled(directory, load_library_from, MeasureLibrary, sources)


@lru_cache(maxsize=1)
def load_library() -> MeasureLibrary:
    """The built-in library shipped with the package (from its compiled copy when one is current)."""
    return load_compiled_library(_builtin_directory())


def measures_in_force(on: dt.date, country: str) -> list[Measure]:
    """Measures of the built-in library in force on ``on`` (entry date) for goods of ``country``."""
    origin = to_iso3(country)
    return [
        m
        for m in load_library().measures
        if m.covers_date_in_force(on)
        and (country_matches(m.countries, origin) or "ALL" in m.countries)
        and not country_matches(m.exclude_countries, origin)
    ]
