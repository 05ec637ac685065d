"""The US negotiation levers read from the law: what the measure library says on a date for one partner.

The levers (``negotiation.levers``) summarise US tariffs on a partner with four numbers and three switches;
this study reads them from the measures in force (a scenario applied or not), so that a negotiation can start
from the law of any date: ``tarifflab negotiate evaluate us-japan --package law:2027-01-04 --scenario FILE``.

Mapping (fractions of customs value):

* ``us_reciprocal_rate``: the headline duty on all goods of the partner, the partner's own measure before
  the general one; its all-in level for a floor rule. Which measure that is depends on the date: the IEEPA
  reciprocal rate to the Supreme Court's ruling (2026-02-20), the s.122 surcharge (Proclamation 11012,
  2026-02-24 to 2026-07-23), then the Section 301 forced-labour action (91 FR 47318, HTSUS U.S. note 52,
  from 2026-07-24: 10% or 12.5%, "inclusive of the column 1 rate" for the EU, Japan, Korea, Switzerland
  and Taiwan under note 52(k)). Each succeeded the last as the duty on every good of the partner, so a
  package's headline rate replaces whichever is in force (a package's 15% does not stack on the action);
* ``us_all_in_rule``: 1 when that headline measure is an "X% all-in" floor (EO 14345, note 52(k)), else 0;
* ``us_auto_rate``: the s.232 autos programme for the partner (all-in level for a floor rule);
* ``us_auto_all_in_rule``: 1 when that autos measure is an "X% all-in" floor (Japan, Korea, EU 15%; the UK's
  10% in-quota rate), else 0 (the s.232 25% on top of MFN);
* ``us_steel_rate``: the s.232 steel programme for the partner;
* ``us_exempt_aircraft`` / ``us_exempt_generic_pharma``: 1 when the headline measure names a civil-aircraft
  / pharmaceutical list among its exclusions. The forced-labour action's own exemptions (note 52(b)-(d),
  the civil-aircraft list included, under the one scope ``forced_labor_exempt``) are not read as these
  switches: they read 0 on dates where the action is the headline measure.

Not represented by any lever (so not read): s.301 actions other than the forced-labour action (the China
lists), s.232 programmes other than autos and steel.
"""

from __future__ import annotations

import datetime as dt

from tarifflab.nomenclature.countries import to_iso3
from tarifflab.policy.library import MeasureLibrary, country_matches
from tarifflab.policy.measures import Layer, Measure, RuleKind

HEADLINE_S301_PROGRAMS: tuple[str, ...] = ("forced_labor",)
"""Section 301 programmes on all of a partner's goods that succeeded the reciprocal layer as its headline
duty (the forced-labour action of 2026-07-24, HTSUS U.S. note 52)."""


def is_headline(measure: Measure) -> bool:
    """A measure on all goods of its countries that the ``us_reciprocal_rate`` lever reads and replaces: a
    reciprocal-layer measure (IEEPA reciprocal, s.122 surcharge) or the s.301 forced-labour action."""
    if not measure.products.all:
        return False
    if measure.layer is Layer.RECIPROCAL:
        return True
    return measure.layer is Layer.S301 and measure.program in HEADLINE_S301_PROGRAMS


def _applies_to(measure: Measure, partner: str) -> bool:
    if country_matches(measure.exclude_countries, partner):
        return False
    return "ALL" in measure.countries or country_matches(measure.countries, partner)


def _chosen(
    library: MeasureLibrary, on: dt.date, partner: str, layer: Layer, program: str | None
) -> list[Measure]:
    """Per programme, the partner's own measure where it covers the general one's products, else the general."""
    general: dict[str, Measure] = {}
    specific: dict[str, list[Measure]] = {}
    for measure in library.measures:
        if measure.layer is not layer or (program is not None and measure.program != program):
            continue
        if not measure.covers_date_in_force(on) or not _applies_to(measure, partner):
            continue
        if layer is Layer.RECIPROCAL and not measure.products.all:
            continue  # product-specific reciprocal measures (exemptions) are not the partner's rate
        if measure.is_country_specific:
            specific.setdefault(measure.program, []).append(measure)
        else:
            general.setdefault(measure.program, measure)
    chosen = []
    for name in sorted(set(general) | set(specific)):
        base = general.get(name)
        wide = [
            m
            for m in specific.get(name, [])
            if m.products.all or base is None or set(base.products.lists) <= set(m.products.lists)
        ]
        chosen.append(wide[0] if wide else base)
    return [m for m in chosen if m is not None]


def _level(measure: Measure) -> float:
    if measure.rule.kind is RuleKind.ADD:
        return float(measure.rule.rate or 0.0)
    return float(measure.rule.all_in or 0.0)


def us_levers_on(library: MeasureLibrary, partner: str, on: dt.date) -> dict[str, float]:
    """The US levers on goods of ``partner`` entered on ``on`` (see the module docstring for the mapping)."""
    iso3 = to_iso3(partner)
    reciprocal = _chosen(library, on, iso3, Layer.RECIPROCAL, None) + [
        m
        for program in HEADLINE_S301_PROGRAMS
        for m in _chosen(library, on, iso3, Layer.S301, program)
        if is_headline(m)
    ]
    autos = _chosen(library, on, iso3, Layer.S232, "autos")
    steel = _chosen(library, on, iso3, Layer.S232, "steel")
    excluded = {name for m in reciprocal for name in (m.exclusions.lists if m.exclusions else ())}
    return {
        "us_reciprocal_rate": float(sum(_level(m) for m in reciprocal)),
        "us_all_in_rule": float(any(m.rule.kind is RuleKind.FLOOR for m in reciprocal)),
        "us_auto_rate": max((_level(m) for m in autos), default=0.0),
        "us_auto_all_in_rule": float(any(m.rule.kind is RuleKind.FLOOR for m in autos)),
        "us_exempt_aircraft": float(any("civil_aircraft" in name for name in excluded)),
        "us_exempt_generic_pharma": float(any("pharma" in name for name in excluded)),
        "us_steel_rate": max((_level(m) for m in steel), default=0.0),
    }
