"""Negotiation levers as tariff-engine scenarios, and the engine's US tariffs by model country × sector.

The inverse of :mod:`tarifflab.studies.negotiation_levers`: a package's US lever settings for one partner
on one entry date become a scenario file (records in the measure library's schema, policy/scenario.py), so
that the duties behind a package are the duties ``tarifflab duty --scenario`` reports.

Three groups of measures follow the levers (fractions of customs value; "in force" = on the date, for the
partner, not a zero-rate exemption):

* reciprocal (``us_reciprocal_rate``, ``us_all_in_rule``, ``us_exempt_aircraft``,
  ``us_exempt_generic_pharma``): every headline measure on all of the partner's goods that
  :func:`us_levers_on` sums (IEEPA reciprocal to 2026-02-20, the s.122 surcharge to 2026-07-23, the s.301
  forced-labour action of HTSUS U.S. note 52 from 2026-07-24, and other all-goods reciprocal-layer
  programmes) gives way to one reciprocal-layer measure at the lever's level: ``add`` (MFN + rate) or, with
  the all-in rule, ``floor`` (max(MFN, rate), EO 14345), so that a package's 15% all-in is 15% in total and
  not 15% on top of the forced-labour action. Its product exclusions are those of the reciprocal-layer
  measure it replaces (or of the library's latest general IEEPA reciprocal measure when none is in force,
  as when the forced-labour action is the headline) with the civil-aircraft and pharma
  lists switched by the exemption levers (the partner's own aircraft list when the library has one, else
  the EU's; the EU's pharmaceutical list, the only published one);
* autos (``us_auto_rate`` with ``us_auto_all_in_rule``: ``floor`` max(MFN, rate) as in EO 14345's 15% for
  Japan or the UK's 10% in-quota rate, else ``add`` MFN + rate as in Proclamation 10908): the s.232
  ``autos`` and ``auto_parts`` programmes; a copied measure drops the quota of the measure it copies (the
  package states one rate for every car);
* steel (``us_steel_rate``, always on top of MFN): the s.232 ``steel`` and ``aluminum`` measures at the
  headline level that :func:`us_levers_on` reads. Only that tier moves: lower tiers (the 2026 annex 1B and
  3 tiers, derivatives at other rates), metal content rules and exemptions keep the law's rules. The lever
  is one number for the programme's headline, and the deals of 2025-2026 negotiated the headline (the UK's
  quota promise, the EU's tariff-rate-quota talks) without restating the tiers, so moving the tiers in
  proportion would invent rates no text states.

A reciprocal-layer measure written for a date on or after the Supreme Court's ruling of 2026-02-20
(Learning Resources, Inc. v. Trump: IEEPA authorises no tariffs) carries the authority "negotiated package
(hypothetical)" instead of the IEEPA or s.122 authority of the measure it copies: the package's rate needs
a legal basis the law does not yet give, and its duty is due, not refundable.

A group whose reading already equals the package is left alone (no record). Otherwise the partner's own
measures of the group end on the date (or lose the partner from their country list) and a partner-specific
copy of each measure that set the partner's duty (same products, exclusions, metal content) takes the
lever's rule from the date on. A partner-specific measure owns its lines within its programme
(policy/engine.py), so the general measures stay untouched and no other partner's duties move. A lever at 0
gives a zero-rate measure: an exemption, under which the goods are not s.232 goods.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from tarifflab.errors import InvalidInputError
from tarifflab.nomenclature.countries import to_iso3
from tarifflab.policy.engine import RULING_DATE
from tarifflab.policy.library import MeasureLibrary
from tarifflab.policy.measures import Authority, Layer, Measure, RuleKind
from tarifflab.policy.scenario import apply_scenarios, library_with_scenarios, parse_scenario
from tarifflab.studies.engine_cache import load_matrix, matrix_key, store_matrix
from tarifflab.studies.negotiation_levers import _applies_to, _level, is_headline, us_levers_on

US_LEVERS: tuple[str, ...] = (
    "us_reciprocal_rate",
    "us_all_in_rule",
    "us_auto_rate",
    "us_auto_all_in_rule",
    "us_exempt_aircraft",
    "us_exempt_generic_pharma",
    "us_steel_rate",
)
AUTO_PROGRAMS: tuple[str, ...] = ("autos", "auto_parts")
STEEL_PROGRAMS: tuple[str, ...] = ("steel", "aluminum")
PHARMA_LIST = "floor_exempt_pharma_eu"
AIRCRAFT_FALLBACK = "civil_aircraft_eun"
_AIRCRAFT_BY_PARTNER = {"KOR": "floor_exempt_civil_aircraft_korea"}
_TOLERANCE = 1e-9


def _is_exemption(measure: Measure) -> bool:
    return measure.rule.kind is RuleKind.ADD and (measure.rule.rate or 0.0) == 0.0


def _in_group(measure: Measure, group: str) -> bool:
    if group == "reciprocal":
        return is_headline(measure)
    programs = AUTO_PROGRAMS if group == "autos" else STEEL_PROGRAMS
    return measure.layer is Layer.S232 and measure.program in programs


def _in_force(library: MeasureLibrary, partner: str, on: dt.date, group: str) -> list[Measure]:
    return [
        m
        for m in library.measures
        if _in_group(m, group)
        and m.covers_date_in_force(on)
        and _applies_to(m, partner)
        and not _is_exemption(m)
    ]


def _effective(measures: list[Measure]) -> list[Measure]:
    """The measures that set the partner's duty: its own, then general ones whose product lists its own
    measures of the same programme do not cover (a partner-specific measure owns its lines within its
    programme only)."""
    own = [m for m in measures if m.is_country_specific]
    general = []
    for m in measures:
        if m.is_country_specific:
            continue
        mine = [o for o in own if o.program == m.program]
        lists = {name for o in mine for name in o.products.lists}
        if m.products.all and any(o.products.all for o in mine):
            continue
        if m.products.lists and set(m.products.lists) <= lists:
            continue
        general.append(m)
    return own + general


def _template(library: MeasureLibrary, on: dt.date, group: str) -> Measure:
    """The latest general measure of the group starting on or before ``on`` (when nothing is in force)."""
    candidates = [
        m
        for m in library.measures
        if _in_group(m, group) and not m.is_country_specific and not _is_exemption(m) and m.start <= on
    ]
    if group == "reciprocal":
        candidates = [m for m in candidates if m.layer is Layer.RECIPROCAL]
        candidates = [m for m in candidates if m.program == "reciprocal"] or candidates
    if not candidates:
        raise InvalidInputError(f"no {group} measure in the library to build a package scenario from")
    return max(candidates, key=lambda m: m.start)


def _aircraft_list(library: MeasureLibrary, partner: str) -> str:
    names = library.scope_names()
    own = _AIRCRAFT_BY_PARTNER.get(partner, f"civil_aircraft_{partner.lower()}")
    return own if own in names else AIRCRAFT_FALLBACK


def _rule(level: float, all_in: bool) -> dict[str, Any]:
    if all_in and level > 0:
        return {"kind": "floor", "all_in": round(level, 10)}
    return {"kind": "add", "rate": round(level, 10)}


def _copy(
    measure: Measure,
    partner: str,
    on: dt.date,
    rule: dict[str, Any],
    lever_text: str,
    exclusions: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    record = measure.model_dump(mode="json", exclude_none=True)
    for key in ("end", "end_known_from", "void_from_known", "in_transit", "quota", "heading", "sources"):
        record.pop(key, None)
    record.update(
        id=f"pkg-{partner.lower()}-{measure.id}"[:120],
        title=f"Negotiation package: {lever_text} for {partner} (scope of {measure.id})",
        legal_basis=f"scenario: negotiation package lever ({lever_text}); measure modelled on {measure.id}",
        countries=[partner],
        exclude_countries=[],
        rule=rule,
        start=on.isoformat(),
        known_from=on.isoformat(),
        note=f"written by tarifflab negotiate scenario from {measure.id} ({measure.legal_basis})",
    )
    if measure.layer is Layer.RECIPROCAL and on >= RULING_DATE:
        record["authority"] = Authority.PACKAGE.value
        record["legal_basis"] += (
            "; IEEPA authorises no tariffs after Learning Resources, Inc. v. Trump (2026-02-20): "
            "hypothetical authority"
        )
    if exclusions is not None:
        record["exclusions"] = {"lists": list(exclusions)} if exclusions else None
        if not exclusions:
            record.pop("exclusions")
    return record


def _retire(
    library: MeasureLibrary, partner: str, on: dt.date, group: str, level: float | None = None
) -> list[dict[str, Any]]:
    """Records taking the partner's own measures of a group (in force on ``on`` or starting later; those at
    ``level`` only, when given) out from ``on``: the package holds from the date on."""
    out: list[dict[str, Any]] = []
    for m in library.measures:
        if not (_in_group(m, group) and m.is_country_specific and _applies_to(m, partner)):
            continue
        if _is_exemption(m) or not (m.covers_date_in_force(on) or m.start > on):
            continue
        if level is not None and abs(_level(m) - level) > _TOLERANCE:
            continue
        others = [c for c in m.countries if c != partner]
        note = f"negotiation package: replaced for {partner}"
        if not others:
            out.append({"end": m.id, "date": on.isoformat(), "note": note})
        elif m.start > on:
            out.append({"replace": m.id, "with": {"countries": others}, "note": note})
        else:
            out.append({"replace": m.id, "with": {"countries": others}, "from": on.isoformat(), "note": note})
    return out


def package_scenario_records(
    library: MeasureLibrary,
    partner: str,
    levers: Mapping[str, float],
    on: dt.date,
) -> list[dict[str, Any]]:
    """Scenario records (library schema) that put ``levers`` (the seven US levers, fractions / 0-1
    switches) in force for ``partner`` on entry date ``on``; see the module docstring. Empty when the law
    already says what the package says."""
    iso3 = to_iso3(partner)
    missing = [name for name in US_LEVERS if name not in levers]
    if missing:
        raise InvalidInputError(f"package scenario needs the US levers {', '.join(missing)}")
    current = us_levers_on(library, iso3, on)
    all_in = levers["us_all_in_rule"] >= 0.5
    records: list[dict[str, Any]] = []

    # reciprocal layer
    wanted = {
        k: float(levers[k])
        for k in US_LEVERS
        if k not in ("us_auto_rate", "us_auto_all_in_rule", "us_steel_rate")
    }
    wanted_all_in = all_in and wanted["us_reciprocal_rate"] > 0
    now_reciprocal = _in_force(library, iso3, on, "reciprocal")
    same = (
        abs(current["us_reciprocal_rate"] - wanted["us_reciprocal_rate"]) < _TOLERANCE
        and (current["us_all_in_rule"] >= 0.5 and current["us_reciprocal_rate"] > 0) == wanted_all_in
        and (
            wanted["us_reciprocal_rate"] == 0 or current["us_exempt_aircraft"] == wanted["us_exempt_aircraft"]
        )
        and (
            wanted["us_reciprocal_rate"] == 0
            or current["us_exempt_generic_pharma"] == wanted["us_exempt_generic_pharma"]
        )
    )
    if not same:
        records += _retire(library, iso3, on, "reciprocal")
        effective = _effective(now_reciprocal)
        # the package's measure sits in the reciprocal layer (its authority is the package's, not s.301):
        # a forced-labour action in force ends for the partner and lends the copy nothing
        reciprocal_layer = [m for m in effective if m.layer is Layer.RECIPROCAL]
        model = next((m for m in reciprocal_layer if m.program == "reciprocal"), None) or (
            reciprocal_layer[0] if reciprocal_layer else _template(library, on, "reciprocal")
        )
        base = [n for n in (model.exclusions.lists if model.exclusions else ()) if "civil_aircraft" not in n]
        base = [n for n in base if "pharma" not in n]
        if wanted["us_exempt_aircraft"] >= 0.5:
            base.append(_aircraft_list(library, iso3))
        if wanted["us_exempt_generic_pharma"] >= 0.5:
            base.append(PHARMA_LIST)
        rate = wanted["us_reciprocal_rate"]
        text = f"reciprocal {100 * rate:g}%" + (" all-in" if wanted_all_in else "")
        records.append(_copy(model, iso3, on, _rule(rate, all_in), text, tuple(base)))

    # s.232 autos and parts
    autos = _in_force(library, iso3, on, "autos")
    auto_rate = float(levers["us_auto_rate"])
    auto_all_in = levers["us_auto_all_in_rule"] >= 0.5
    now_floor = current["us_auto_all_in_rule"] >= 0.5
    if abs(current["us_auto_rate"] - auto_rate) > _TOLERANCE or (auto_rate > 0 and now_floor != auto_all_in):
        records += _retire(library, iso3, on, "autos")
        effective = _effective(autos) or [_template(library, on, "autos")]
        text = f"autos {100 * auto_rate:g}%" + (" all-in" if auto_all_in and auto_rate > 0 else "")
        records += [_copy(m, iso3, on, _rule(auto_rate, auto_all_in), text) for m in effective]

    # s.232 steel and aluminium at the headline level
    steel_rate = float(levers["us_steel_rate"])
    headline = current["us_steel_rate"]
    if abs(headline - steel_rate) > _TOLERANCE:
        metals = _in_force(library, iso3, on, "steel")
        top = [m for m in metals if abs(_level(m) - headline) < _TOLERANCE and m.rule.kind is RuleKind.ADD]
        records += _retire(library, iso3, on, "steel", headline if top else None)
        effective = _effective(top) or [_template(library, on, "steel")]
        text = f"steel/aluminium {100 * steel_rate:g}%"
        records += [_copy(m, iso3, on, _rule(steel_rate, False), text) for m in effective]
    return records


def scenario_yaml(records: Sequence[Mapping[str, Any]], header: str = "") -> str:
    """The records as a scenario file's YAML text (a commented ``header`` first)."""
    comment = "".join(f"# {line}\n" for line in header.splitlines())
    if not records:
        return comment + "[]\n"
    return comment + yaml.safe_dump(list(records), sort_keys=False, allow_unicode=True, width=110)


def apply_package(
    library: MeasureLibrary, records: Sequence[Mapping[str, Any]], name: str = "package scenario"
) -> MeasureLibrary:
    """``library`` with the records applied (checked like any scenario file); unchanged without records."""
    if not records:
        return library
    file = parse_scenario(scenario_yaml(records), name)
    return apply_scenarios(library, [file])


# ----------------------------------------------------------------- engine tariffs for the payoff model
def _lever_key(levers: Mapping[str, float]) -> tuple[float, ...]:
    return tuple(round(float(levers[name]), 10) for name in US_LEVERS)


@dataclass(frozen=True)
class EngineUsTariffs:
    """US additional tariffs (fraction over MFN, trade-weighted with 2024 US imports) by model country ×
    sector from the tariff engine on ``on``, with one partner's US levers applied as a package scenario.

    ``countries`` and ``sectors`` are the model's (sectors of the default multi-sector dataset or ICIO);
    ``scenarios`` are scenario files applied to the law first. The rows of every other country (and ROW,
    the rest-of-world proxy) are the law's on the date; only the partner's row follows its levers.
    Results are cached per (partner, date, US-lever tuple, base scenario hash), in memory and on disk
    (:mod:`tarifflab.studies.engine_cache`), so a frontier grid that varies a few US levers runs the engine
    once per unique US setting, and a second run (or a fresh process) not at all.
    """

    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    on: dt.date
    scenarios: tuple[Path, ...] = ()

    def _library(self) -> MeasureLibrary:
        return _base_library(tuple(str(p) for p in self.scenarios))

    @property
    def base_scenario_hash(self) -> str | None:
        return self._library().scenario_hash

    def mapping(self) -> dict[str, str]:
        """HS6 → model sector (the full concordance of :func:`sector_of_hs6`)."""
        return _mapping(self.sectors)

    def law(self) -> pd.DataFrame:
        """The law's matrix on the date (partner × sector, every non-US model country)."""
        key = ("law", self.countries, self.sectors, self.on, self.base_scenario_hash)
        if key not in _CACHE:
            disk_key = self._disk_key("law")
            stored = load_matrix(disk_key)
            if stored is None:
                from tarifflab.metrics.etr import us_tariff_matrix
                from tarifflab.policy.engine import TariffEngine

                engine = TariffEngine.for_library(self._library())
                partners = [c for c in self.countries if c != "USA"]
                frame = us_tariff_matrix(self.on, partners, self.mapping(), engine=engine)
                stored = (_clean(frame, partners, self.sectors), None)
                store_matrix(disk_key, *stored)
            _remember(key, stored)
        return _CACHE[key][0].copy()

    def _disk_key(self, kind: str, partner: str | None = None, levers: tuple[float, ...] = ()) -> str:
        """The name of the matrix's disk copy (studies/engine_cache.py): everything the matrix depends on."""
        library = self._library()
        return matrix_key(
            kind,
            library_content_hash=library.content_hash,
            base_scenario_hash=library.scenario_hash,
            countries=list(self.countries),
            sectors=list(self.sectors),
            hs6_to_sector=_mapping_digest(self.sectors),  # the crosswalk may come from reference data
            on=self.on.isoformat(),
            partner=partner,
            us_levers=list(levers),
            lever_names=list(US_LEVERS),
            mfn_basis="applied",
            view="in_force",
        )

    def matrix(self, partner: str, levers: Mapping[str, float]) -> pd.DataFrame:
        """Partner × sector additional US tariffs with ``partner``'s US ``levers`` in force."""
        frame, _ = self.matrix_and_hash(partner, levers)
        return frame

    def matrix_and_hash(self, partner: str, levers: Mapping[str, float]) -> tuple[pd.DataFrame, str | None]:
        """:meth:`matrix` and the hash of the package's scenario (as ``tarifflab duty --scenario`` shows it
        for the file ``negotiate scenario`` writes; None when the law already says what the package says)."""
        iso3 = to_iso3(partner)
        if iso3 not in self.countries or iso3 == "USA":
            raise InvalidInputError(f"partner {partner} is not a non-US country of the model")
        key = (
            "pkg",
            self.countries,
            self.sectors,
            self.on,
            self.base_scenario_hash,
            iso3,
            _lever_key(levers),
        )
        if key not in _CACHE:
            disk_key = self._disk_key("pkg", iso3, _lever_key(levers))
            stored = load_matrix(disk_key)
            if stored is None:
                stored = self._package_matrix(iso3, levers)
                store_matrix(disk_key, *stored)
            _remember(key, stored)
        out, digest = _CACHE[key]
        return out.copy(), digest

    def _package_matrix(self, iso3: str, levers: Mapping[str, float]) -> tuple[pd.DataFrame, str | None]:
        """The engine's matrix with the package in force, and the package scenario's hash."""
        from tarifflab.metrics.etr import us_tariff_matrix
        from tarifflab.policy.engine import TariffEngine

        base = self._library()
        records = package_scenario_records(base, iso3, levers, self.on)
        frame = self.law()
        digest = None
        if records:
            library = apply_package(base, records)
            digest = library.scenario_hash
            engine = TariffEngine.for_library(library, cache=False)
            row = us_tariff_matrix(self.on, [iso3], self.mapping(), engine=engine)
            frame.loc[iso3] = _clean(row, [iso3], self.sectors).loc[iso3]
        return frame, digest

    def package_hash(self, partner: str, levers: Mapping[str, float]) -> str | None:
        """The hash of the package's scenario without running the engine (None: nothing to change)."""
        iso3 = to_iso3(partner)
        key = ("hash", self.on, self.base_scenario_hash, iso3, _lever_key(levers))
        if key not in _HASHES:
            base = self._library()
            records = package_scenario_records(base, iso3, levers, self.on)
            _HASHES[key] = apply_package(base, records).scenario_hash if records else None
        return _HASHES[key]


_HASHES: dict[tuple[Any, ...], str | None] = {}


def _clean(frame: pd.DataFrame, partners: list[str], sectors: tuple[str, ...]) -> pd.DataFrame:
    out = frame.reindex(index=partners, columns=list(sectors)).fillna(0.0).astype(float)
    for services in ("Services (aggregate)", "services"):
        if services in out.columns:  # goods tariffs never apply to the services aggregate
            out[services] = 0.0
    return out


_CACHE: OrderedDict[tuple[Any, ...], tuple[pd.DataFrame, str | None]] = OrderedDict()
_CACHE_SIZE = 512


def _remember(key: tuple[Any, ...], value: tuple[pd.DataFrame, str | None]) -> None:
    _CACHE[key] = value
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)


_LIBRARIES: dict[tuple[str, ...], MeasureLibrary] = {}
_MAPPINGS: dict[tuple[str, ...], dict[str, str]] = {}


def _base_library(paths: tuple[str, ...]) -> MeasureLibrary:
    """The law with the scenario files applied, cached by the files' bytes (an edited file is re-read)."""
    key = paths + tuple(_file_digest(p) for p in paths)
    if key not in _LIBRARIES:
        _LIBRARIES[key] = library_with_scenarios(list(paths))
    return _LIBRARIES[key]


def _file_digest(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""  # library_with_scenarios reports the unreadable file by name


def _mapping(sectors: tuple[str, ...]) -> dict[str, str]:
    if sectors not in _MAPPINGS:
        from tarifflab.nomenclature.sectors import sector_of_hs6

        _MAPPINGS[sectors] = sector_of_hs6(sectors)
    return _MAPPINGS[sectors]


_MAPPING_DIGESTS: dict[tuple[str, ...], str] = {}


def _mapping_digest(sectors: tuple[str, ...]) -> str:
    """SHA-256 of the HS6 → sector concordance actually used (embedded or reference crosswalk)."""
    if sectors not in _MAPPING_DIGESTS:
        text = json.dumps(sorted(_mapping(sectors).items()), separators=(",", ":"))
        _MAPPING_DIGESTS[sectors] = hashlib.sha256(text.encode()).hexdigest()
    return _MAPPING_DIGESTS[sectors]


def engine_cache_size() -> int:
    """Entries in the engine-tariff cache (law matrices and package matrices)."""
    return len(_CACHE)


def as_cube(
    frame: pd.DataFrame, countries: Sequence[str], sectors: Sequence[str], importer: str = "USA"
) -> np.ndarray:
    """Partner × sector matrix → ``[exporter, sector]`` array in the model's country order (importer 0)."""
    out = np.zeros((len(countries), len(sectors)))
    for i, country in enumerate(countries):
        if country != importer and country in frame.index:
            out[i] = frame.loc[country, list(sectors)].to_numpy(dtype=float)
    return out
