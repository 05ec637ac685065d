"""Adapter from the dashboard and report to the negotiation package (:mod:`tarifflab.negotiation`).

Payoffs are the negotiation package's utilities (utility points: percent of real income plus the
weighted extras of :class:`~tarifflab.negotiation.payoffs.UtilityWeights`). The frontier is that of
the package's built-in lever grid for US–Japan; the disagreement point is the July 2025 letter (25%
from 2025-08-01, no deal) and the actual deal is the package ``july_2025_deal``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tarifflab.errors import InvalidInputError

if TYPE_CHECKING:
    from tarifflab.app.specs import NegotiationOutcome, NegotiationRequest

PAIR = "us-japan"
DISAGREEMENT = "no_deal_july_letter"
ACTUAL = "july_2025_deal"
POINT_NAMES = {
    "nash": "Nash",
    "asymmetric_nash": "Nash (US power α)",
    "kalai_smorodinsky": "Kalai-Smorodinsky",
    "rubinstein": "Rubinstein",
}


class NegotiationBackend:
    """The US–Japan payoff model, lever grid and packages, built once."""

    def __init__(self) -> None:
        from tarifflab.negotiation import analysis, packages, payoffs

        self.packages = packages
        from tarifflab.negotiation.datasets import load_default
        from tarifflab.negotiation.levers import get_pair

        self.analysis = analysis
        self.payoffs = payoffs
        self.pair = get_pair(PAIR)
        self.model = payoffs.OssaPayoffModel(self.pair, load_default())
        self.grid = packages.load_grid(self.pair)
        builtin = packages.builtin_packages(self.pair)
        self.disagreement = builtin[DISAGREEMENT]
        self.actual = builtin[ACTUAL]
        self.defaults = payoffs.weights_for(self.pair)

    # ---------------------------------------------------------------------------------- inputs
    def levers_frame(self) -> pd.DataFrame:
        """``lever, side, unit, low, high, status_quo, deal, description`` of the pair."""
        rows = [
            {
                "lever": name,
                "side": lever.side,
                "unit": lever.unit,
                "low": lever.low,
                "high": lever.high,
                "status_quo": lever.status_quo,
                "deal": float(self.actual.levers.get(name, lever.status_quo)),
                "description": lever.description,
            }
            for name, lever in self.pair.levers.items()
        ]
        return pd.DataFrame(rows)

    def weights_frame(self) -> pd.DataFrame:
        """``key, side, label, default`` of every utility weight (``SIDE:field[:sector]``)."""
        rows = []
        for side, weights in self.defaults.items():
            for name in ("real_income", "balance_usd_bn", "revenue_usd_bn", "cpi"):
                rows.append(
                    {
                        "key": f"{side}:{name}",
                        "side": side,
                        "label": name,
                        "default": float(getattr(weights, name)),
                    }
                )
            for sector, value in weights.sector_output.items():
                rows.append(
                    {
                        "key": f"{side}:sector_output:{sector}",
                        "side": side,
                        "label": f"output of {sector}",
                        "default": float(value),
                    }
                )
        return pd.DataFrame(rows)

    def _weights(self, pairs: tuple[tuple[str, float], ...]) -> dict[str, Any]:
        known = set(self.weights_frame()["key"])
        fields: dict[str, dict[str, Any]] = {side: w.model_dump() for side, w in self.defaults.items()}
        for key, value in pairs:
            if key not in known:
                raise InvalidInputError(f"unknown utility weight {key!r}")
            side, *path = key.split(":")
            if path[0] == "sector_output":
                fields[side]["sector_output"][path[1]] = float(value)
            else:
                fields[side][path[0]] = float(value)
        return {side: self.payoffs.UtilityWeights(**f) for side, f in fields.items()}

    # ---------------------------------------------------------------------------------- analysis
    def analyse(self, request: NegotiationRequest) -> NegotiationOutcome:
        from tarifflab.app.specs import NegotiationOutcome

        report = self.analysis.frontier(
            self.model,
            self.grid,
            self.disagreement,
            self.actual,
            weights=self._weights(request.weights),
            us_weight=request.us_power,
        )
        us, jp = self.pair.players
        payoffs = np.asarray(report.payoffs, dtype=float)
        index = np.asarray(report.frontier_index, dtype=int)
        frontier = pd.DataFrame({"us": payoffs[index, 0], "jpn": payoffs[index, 1]})
        cloud = pd.DataFrame({"us": payoffs[:, 0], "jpn": payoffs[:, 1]})
        rows = [("disagreement", report.disagreement.utility[us], report.disagreement.utility[jp])]
        for key, solution in report.solutions.items():
            if solution.mutually_beneficial:
                rows.append((POINT_NAMES.get(key, key), float(solution.point[0]), float(solution.point[1])))
        if report.actual is not None:
            rows.append(("actual deal", report.actual.utility[us], report.actual.utility[jp]))
        if request.package:
            custom = self.packages.Package(
                name="your package",
                description="levers set in the dashboard",
                levers=self.pair.validate(dict(request.package)),
            )
            mine = self.analysis.evaluate(self.model, custom, self._weights(request.weights))
            rows.append(("your package", mine.utility[us], mine.utility[jp]))
        points = pd.DataFrame(rows, columns=["point", "us", "jpn"])
        position = report.actual_position() or {}
        return NegotiationOutcome(
            frontier=frontier,
            points=points,
            diagnostics={
                "packages_evaluated": len(report.packages),
                "on_frontier": len(index),
                "mutually_beneficial": report.mutually_beneficial,
                "actual_deal_dominated_by": position.get("dominated_by"),
                "actual_deal_us_share_of_surplus": position.get("us_share_of_surplus"),
                "seconds": report.seconds,
            },
            cloud=cloud,
        )


def record_frame() -> pd.DataFrame:
    """The US–Japan negotiation record as rows ``date, event_type, instrument, rule, source_url``."""
    from tarifflab.negotiation.levers import get_pair
    from tarifflab.negotiation.record import load_record

    record = load_record(get_pair(PAIR))
    rows: list[dict[str, Any]] = []
    for r in record.rounds:
        rows.append(
            {
                "date": r.date,
                "event_type": "deal" if r.kind == "deal" else "negotiation",
                "instrument": f"{r.id} ({r.place})",
                "rule": f"{', '.join(r.participants)}: {r.outcome}",
                "source_url": r.source,
            }
        )
    for t in record.threats:
        rows.append(
            {
                "date": t.date,
                "event_type": "statement",
                "instrument": f"threat: {t.instrument} {t.rate_pct:g}% from {t.effective}",
                "rule": t.text,
                "source_url": t.source,
            }
        )
    for c in record.courts:
        rows.append(
            {
                "date": c.date,
                "event_type": "court",
                "instrument": f"{c.court}: {c.case}",
                "rule": c.holding,
                "source_url": "",
            }
        )
    if record.deal_terms is not None:
        deal = record.deal_terms
        rows.append(
            {
                "date": deal.date,
                "event_type": "deal",
                "instrument": f"deal terms ({deal.implemented_by})",
                "rule": "; ".join(deal.terms),
                "source_url": "",
            }
        )
    return pd.DataFrame(rows, columns=["date", "event_type", "instrument", "rule", "source_url"])
