"""Facts about one shipment that the law keys on but trade aggregates cannot see.

A duty lookup may state when the goods were loaded on the vessel (in-transit clauses), whether they are
entered above a quota, and claims the importer makes at entry (civil-aircraft end use under General
Note 6, a Section 301 product exclusion whose description the goods match). The ETR aggregates weight
whole HTS10 lines: they take goods as loaded on the entry date, above $800 and within quota, and make no
claim, like a duty lookup that is told nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from tarifflab.errors import InvalidInputError, UnknownClaimError

CIVIL_AIRCRAFT = "civil_aircraft"  # HTSUS General Note 6 / U.S. note 35 end-use claim
S301_EXCLUSION = "s301_exclusion"  # goods match a described s.301 exclusion (headings 9903.88.69/.70)
OVER_QUOTA = "over_quota"  # made by --over-quota: also prices the quartz safeguard's over-quota heading
# Facts of the 2026 measures that no HTS line shows (see y2026.yaml):
GENERIC_PHARMACEUTICAL = "generic_pharmaceutical"  # U.S. note 40(c)(iii), heading 9903.04.67 (free)
ANNEX_III_COMPANY = (
    "annex_iii_company"  # Proclamation 11020 Annex III firm: pays from 2026-07-31 (note 40(e))
)
THERMAL_IMAGING = "thermal_imaging"  # a drone with thermal imaging, U.S. note 43(c)(3): 9903.08.21 (100%)
# An article of a U.S. note 33(g) provision that is not a part of a passenger vehicle or light truck (a
# forklift battery, a pump motor): heading 9903.94.06 under note 33(h)(ii), no s.232 auto-parts duty.
NOT_VEHICLE_PART = "not_vehicle_part"
# An article outside chapters 72, 73, 74 and 76 whose listed metal weighs under 15% of the article: heading
# 9903.82.03 under U.S. note 16(c) (from 2026-04-06), none of the 9903.82 metals duties.
METAL_UNDER_15PCT = "metal_under_15pct"
CLAIMS = frozenset(
    {CIVIL_AIRCRAFT, S301_EXCLUSION, OVER_QUOTA, GENERIC_PHARMACEUTICAL, ANNEX_III_COMPANY, THERMAL_IMAGING,
     NOT_VEHICLE_PART, METAL_UNDER_15PCT}
)  # fmt: skip


@dataclass(frozen=True)
class ShipmentTerms:
    """Loading date, quota position and entry claims of one shipment."""

    loaded_on: dt.date | None = None
    over_quota: bool = False
    claims: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        unknown = set(self.claims) - CLAIMS
        if unknown:
            raise UnknownClaimError(
                f"unknown entry claim {sorted(unknown)[0]!r} (choose {', '.join(sorted(CLAIMS))})"
            )

    def check_against(self, entered_on: dt.date) -> None:
        if self.loaded_on is not None and self.loaded_on > entered_on:
            raise InvalidInputError(f"loading date {self.loaded_on} is after the entry date {entered_on}")


# The aggregates make no claim: a listed subheading counts as civil aircraft only where the line itself says
# so (chapter 88, "for use in civil aircraft" statistical lines), as in a lookup without --civil-aircraft.
AGGREGATE_TERMS = ShipmentTerms()


# What each claim assumes when the all-lines aggregates take it as made for every eligible line.
CLAIM_HELP = {
    CIVIL_AIRCRAFT: "civil-aircraft end use of every line on a civil-aircraft list (General Note 6)",
    S301_EXCLUSION: "every line under a described s.301 exclusion matches it (9903.88.69/.70)",
    OVER_QUOTA: "every quota good entered above its quota",
    GENERIC_PHARMACEUTICAL: "every pharmaceutical line generic (U.S. note 40(c)(iii), 9903.04.67)",
    ANNEX_III_COMPANY: "every pharmaceutical from an Annex III company (U.S. note 40(e))",
    THERMAL_IMAGING: "every drone with thermal imaging (U.S. note 43(c)(3), 9903.08.21)",
    NOT_VEHICLE_PART: "every note 33(g) article not a vehicle part (9903.94.06, note 33(h)(ii))",
    METAL_UNDER_15PCT: "every eligible article under 15% listed metal by weight (9903.82.03, note 16(c))",
}


def aggregate_terms(claims: Iterable[str]) -> ShipmentTerms:
    """Terms of the all-lines aggregates with ``claims`` made for every line eligible for them
    (an unknown name is an InvalidInputError); ``over_quota`` also prices quota goods above the quota."""
    if isinstance(claims, str):  # one name, not its letters
        claims = (claims,)
    made = frozenset(claims)
    if not made:
        return AGGREGATE_TERMS
    return ShipmentTerms(over_quota=OVER_QUOTA in made, claims=made)
