"""The stacking precedence graph: which layer gives way to which, each edge with its legal source.

An edge ``upper → lower`` with effect ``excludes`` means that on the share of a good covered by ``upper``
the ``lower`` duty is not charged. Nodes are ``layer`` or ``layer:program`` or ``layer:program@ISO3``.
Anything without an edge stacks (adds). The engine reads these edges; it has no other stacking logic.
"""

from __future__ import annotations

from dataclasses import dataclass

_S232_2025: tuple[str, ...] = (
    "autos",
    "mhdv",
    "auto_parts",
    "mhdv_parts",
    "steel",
    "aluminum",
    "copper",
    "timber",
    "semiconductors",
)
# Proclamation 11020 (patented pharmaceuticals, from 2026-07-31) and Proclamation 11055 (unmanned
# aircraft systems, from 2026-09-03).
S232_PROGRAMS: tuple[str, ...] = (*_S232_2025, "pharma", "drones")
# The s.232 goods that the 2026 actions exempt: U.S. notes 50(a)(vi)(1)-(8), 51(c)(1)-(8) and
# 52(f)(1)-(8) name the metals, vehicles, parts, wood, semiconductor and (from 2026-07-31) patented
# pharmaceutical headings; none names the drone headings 9903.08.20-.26, so drone duties stack.
_S232_EXEMPT_2026: tuple[str, ...] = (*_S232_2025, "pharma")


@dataclass(frozen=True)
class PrecedenceEdge:
    upper: str
    lower: str
    legal_basis: str


_METALS = ("steel", "aluminum", "copper")
_VEHICLES = ("autos", "mhdv", "auto_parts", "mhdv_parts")

EDGES: tuple[PrecedenceEdge, ...] = (
    # Inside s.232 (EO 14289 of 2025-04-29, sec. 3): autos and parts are not also charged the metals duties.
    *(
        PrecedenceEdge(
            f"s232:{v}", f"s232:{m}", "EO 14289 sec. 3(a) (90 FR 18907): no metals s.232 on s.232 autos/parts"
        )
        for v in _VEHICLES
        for m in (*_METALS, "timber")
    ),
    PrecedenceEdge("s232:autos", "s232:auto_parts", "Proclamation 10908: a complete vehicle is not a part"),
    PrecedenceEdge("s232:mhdv", "s232:mhdv_parts", "Proclamation 10984: a complete vehicle is not a part"),
    PrecedenceEdge(
        "s232:autos", "s232:mhdv_parts", "Proclamation 10984 sec. 2: s.232 autos goods are outside MHDV parts"
    ),
    PrecedenceEdge(
        "s232:auto_parts", "s232:mhdv_parts", "Proclamation 10984 sec. 2: parts already under s.232 autos"
    ),
    # s.232 versus the reciprocal tariff and its successor surcharge.
    *(
        PrecedenceEdge(
            f"s232:{p}",
            "reciprocal",
            "EO 14257 sec. 3(b)(ii) (90 FR 15041); Proclamation 11012 (s.122 excludes s.232 goods)",
        )
        for p in S232_PROGRAMS
    ),
    # Canada and Mexico border duties give way to autos and metals s.232 (EO 14289 sec. 2); copper stacks (verify).
    *(
        PrecedenceEdge(f"s232:{p}", f"fentanyl:fentanyl@{c}", "EO 14289 sec. 2(a)-(b) (90 FR 18907)")
        for p in (*_VEHICLES, "steel", "aluminum")
        for c in ("CAN", "MEX")
    ),
    # The 2026 forced-labour s.301 action exempts s.232 goods (USTR final notice, 2026-07-23).
    *(
        PrecedenceEdge(
            f"s232:{p}",
            "s301:forced_labor",
            "USTR Notice of Actions 91 FR 47318; HTSUS subch. III note 52(f)(1)-(8)",
        )
        for p in _S232_EXEMPT_2026
    ),
    # Section 301 on Brazil (from 2026-07-22) exempts s.232 goods (heading 9903.05.07).
    *(
        PrecedenceEdge(
            f"s232:{p}", "s301:brazil", "HTSUS subch. III note 50(a)(vi)(1)-(8), heading 9903.05.07"
        )
        for p in _S232_EXEMPT_2026
    ),
    # Section 338 on Canada: s.232 goods exempt (9903.03.15). From 2026-09-15 only the dairy basket
    # (9903.03.13) keeps the exemption (Proclamations 11064/11065), so baskets (b)(1) and (b)(3) move to
    # the programme canada_stacking, which has no edge.
    *(
        PrecedenceEdge(f"s232:{p}", "s338:canada", "HTSUS subch. III note 51(c)(1)-(8), heading 9903.03.15")
        for p in _S232_EXEMPT_2026
    ),
)


COUNTRY_SPECIFIC_EDGES: tuple[str, ...] = tuple(
    sorted({edge.lower.rsplit("@", 1)[1] for edge in EDGES if "@" in edge.lower})
)


def excluded_by(lower_layer: str, lower_program: str, country: str) -> tuple[str, ...]:
    """The s.232 programmes whose covered share removes the ``lower`` duty for goods of ``country``."""
    names = {lower_layer, f"{lower_layer}:{lower_program}", f"{lower_layer}:{lower_program}@{country}"}
    return tuple(
        edge.upper.split(":", 1)[1]
        for edge in EDGES
        if edge.lower in names and edge.upper.startswith("s232:")
    )


def s232_winners_over(program: str) -> tuple[str, ...]:
    """s.232 programmes that, where they apply, displace ``program``."""
    return tuple(e.upper.split(":", 1)[1] for e in EDGES if e.lower == f"s232:{program}")
