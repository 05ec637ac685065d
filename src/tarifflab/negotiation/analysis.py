"""Negotiation analysis: evaluate packages, map the frontier of a lever grid, locate the
disagreement point, the bargaining solutions and the actual deal, and price each concession."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tarifflab.errors import InvalidInputError
from tarifflab.negotiation import bargaining as bg
from tarifflab.negotiation.levers import Pair
from tarifflab.negotiation.packages import EmptyGridError, Package
from tarifflab.negotiation.payoffs import Outcomes, PayoffModel, UtilityWeights, utilities, weights_for

PAYOFF_UNITS = "USD bn a year: equivalent variation plus the political layer (payoffs.UtilityWeights)"


@dataclass(frozen=True)
class Evaluation:
    """Outcomes and utilities of one package."""

    package: Package | None
    levers: dict[str, float]
    outcomes: dict[str, Outcomes]
    utility: dict[str, float]

    def to_dict(self, pair: Pair, weights: dict[str, UtilityWeights] | None = None) -> dict[str, object]:
        sq = pair.status_quo()
        w = weights or weights_for(pair)
        return {
            "package": None if self.package is None else self.package.name,
            "description": None if self.package is None else self.package.description,
            "levers": {k: v for k, v in self.levers.items() if v != sq[k]},
            "outcomes": {c: o.to_dict() for c, o in self.outcomes.items()},
            "utility": dict(self.utility),
            "utility_units": PAYOFF_UNITS,
            "political_weights": {c: w[c].describe() for c in pair.players},
        }


def evaluate(
    model: PayoffModel, package: Package, weights: dict[str, UtilityWeights] | None = None
) -> Evaluation:
    pair = model.pair
    out = model.evaluate(package.levers)
    u = utilities(out, pair, weights or weights_for(pair))
    return Evaluation(package, package.levers, out, {pair.us: u[0], pair.partner: u[1]})


def concession_values(
    model: PayoffModel,
    deal: Package,
    reference: Package,
    weights: dict[str, UtilityWeights] | None = None,
) -> dict[str, dict[str, float]]:
    """What each concession of ``deal`` was worth: for every lever the deal sets differently from
    ``reference``, the change in each side's utility when that lever alone is reset to its
    reference value (a negative number = the lever helps that side in the deal)."""
    pair = model.pair
    w = weights or weights_for(pair)
    changed = [k for k in deal.levers if deal.levers[k] != reference.levers[k]]
    settings = [deal.levers] + [{**deal.levers, k: reference.levers[k]} for k in changed]
    outs = model.evaluate_many(settings)
    base = utilities(outs[0], pair, w)
    values: dict[str, dict[str, float]] = {}
    for k, out in zip(changed, outs[1:], strict=True):
        u = utilities(out, pair, w)
        values[k] = {
            pair.us: base[0] - u[0],
            pair.partner: base[1] - u[1],
            "deal_value": deal.levers[k],
            "reference_value": reference.levers[k],
        }
    return values


@dataclass(frozen=True)
class FrontierReport:
    """Frontier of a lever grid with the bargaining solutions and the actual deal's position."""

    pair: Pair
    packages: list[dict[str, float]]
    payoffs: np.ndarray  # [n, 2] utilities (US, partner)
    frontier_index: np.ndarray
    disagreement: Evaluation
    actual: Evaluation | None
    solutions: dict[str, bg.Solution]
    cost_of_no_deal: bg.NoDealCost
    sensitivity: list[bg.Solution]
    seconds: float

    @property
    def mutually_beneficial(self) -> bool:
        return any(s.mutually_beneficial for s in self.solutions.values())

    def _package_dict(self, k: int) -> dict[str, float]:
        sq = self.pair.status_quo()
        return {name: v for name, v in self.packages[k].items() if v != sq[name]}

    def actual_position(self) -> dict[str, object] | None:
        if self.actual is None:
            return None
        ua = np.array([self.actual.utility[self.pair.us], self.actual.utility[self.pair.partner]])
        better = np.all(self.payoffs >= ua, axis=1) & np.any(self.payoffs > ua + 1e-12, axis=1)
        d = np.array([self.disagreement.utility[c] for c in self.pair.players])
        nash = self.solutions["nash"]
        surplus = ua - d
        total = float(surplus.sum())
        return {
            "payoffs": {self.pair.us: float(ua[0]), self.pair.partner: float(ua[1])},
            "levers": self.actual.to_dict(self.pair)["levers"],
            "dominated_by": int(better.sum()),
            "on_frontier": bool(better.sum() == 0),
            "individually_rational": bool(np.all(surplus >= -bg.TOLERANCE)),
            "us_share_of_surplus": float(surplus[0] / total) if total > 0 and np.all(surplus >= 0) else None,
            "distance_to_nash": float(np.hypot(*(ua - np.array(nash.point))))
            if nash.mutually_beneficial
            else None,
            "outcomes": {c: o.to_dict() for c, o in self.actual.outcomes.items()},
        }

    def solution_dict(self, sol: bg.Solution) -> dict[str, object]:
        out = sol.to_dict()
        us, partner = self.pair.players
        out["payoffs"] = {us: sol.point[0], partner: sol.point[1]}
        if sol.package_index is not None:
            out["package"] = self._package_dict(sol.package_index)
            out["package_payoffs"] = {
                us: float(self.payoffs[sol.package_index, 0]),
                partner: float(self.payoffs[sol.package_index, 1]),
            }
        return out

    def to_dict(self, max_frontier: int | None = None) -> dict[str, object]:
        us, partner = self.pair.players
        idx = self.frontier_index if max_frontier is None else self.frontier_index[:max_frontier]
        result: dict[str, object] = {
            "pair": self.pair.name,
            "payoff_units": PAYOFF_UNITS,
            "packages_evaluated": len(self.packages),
            "seconds": self.seconds,
            "disagreement": {c: self.disagreement.utility[c] for c in (us, partner)},
            "disagreement_package": None
            if self.disagreement.package is None
            else self.disagreement.package.name,
            "frontier": [
                {
                    "package": self._package_dict(int(k)),
                    "payoffs": {us: float(self.payoffs[k, 0]), partner: float(self.payoffs[k, 1])},
                }
                for k in idx
            ],
            "solutions": {name: self.solution_dict(sol) for name, sol in self.solutions.items()},
            "mutually_beneficial": self.mutually_beneficial,
            "message": "" if self.mutually_beneficial else bg.NO_DEAL_MESSAGE,
            "cost_of_no_deal": {
                "loss_vs_best_deal": dict(
                    zip((us, partner), self.cost_of_no_deal.loss_vs_best_deal, strict=True)
                ),
                "needs_deal_more": None
                if self.cost_of_no_deal.needs_more is None
                else self.pair.players[self.cost_of_no_deal.needs_more],
            },
            "nash_sensitivity": [
                {"us_weight": s.parameters["alpha"], "payoffs": {us: s.point[0], partner: s.point[1]}}
                for s in self.sensitivity
            ],
            "actual_deal": self.actual_position(),
        }
        return result


def frontier(
    model: PayoffModel,
    packages: Sequence[dict[str, float]],
    disagreement: Package,
    actual: Package | None = None,
    weights: dict[str, UtilityWeights] | None = None,
    us_weight: float = 0.5,
    delta_us: float = 0.95,
    delta_partner: float = 0.95,
) -> FrontierReport:
    """Evaluate a grid, find its frontier, the disagreement point, the solutions and the deal.

    ``us_weight``: the US bargaining weight α of the asymmetric Nash solution; ``delta_*``: Rubinstein
    discount factors per round (the US proposes first).
    """
    if len(packages) == 0:
        raise EmptyGridError("empty lever grid: nothing to evaluate")
    bg._validate_weight(us_weight)
    start = time.perf_counter()
    pair = model.pair
    w = weights or weights_for(pair)
    outs = model.evaluate_many(list(packages))
    payoffs = np.array([utilities(o, pair, w) for o in outs])
    if not np.all(np.isfinite(payoffs)):
        raise InvalidInputError("non-finite payoffs in the grid")
    d_eval = evaluate(model, disagreement, w)
    d = (d_eval.utility[pair.us], d_eval.utility[pair.partner])
    actual_eval = evaluate(model, actual, w) if actual is not None else None
    sols = {
        "nash": bg.nash_bargaining(payoffs, d, 0.5),
        "asymmetric_nash": bg.nash_bargaining(payoffs, d, us_weight),
        "kalai_smorodinsky": bg.kalai_smorodinsky(payoffs, d),
        "rubinstein": bg.rubinstein(payoffs, d, delta_us, delta_partner),
    }
    return FrontierReport(
        pair=pair,
        packages=list(packages),
        payoffs=payoffs,
        frontier_index=bg.pareto_frontier(payoffs),
        disagreement=d_eval,
        actual=actual_eval,
        solutions=sols,
        cost_of_no_deal=bg.cost_of_no_deal(payoffs, d),
        sensitivity=bg.nash_sensitivity(payoffs, d, np.linspace(0.0, 1.0, 11)),
        seconds=time.perf_counter() - start,
    )


@dataclass(frozen=True)
class WhatItTakes:
    """The partner's best package (in its payoff) among those that give ``target`` and that the US
    accepts (US payoff ≥ its reservation value, the disagreement payoff). Payoffs in USD bn a year."""

    target: dict[str, float]
    reservation: dict[str, float]
    best: Evaluation | None
    packages_considered: int
    packages_accepted: int

    def to_dict(self, pair: Pair) -> dict[str, object]:
        return {
            "target": dict(self.target),
            "reservation_value_usd_bn": dict(self.reservation),
            "packages_considered": self.packages_considered,
            "packages_accepted_by_us": self.packages_accepted,
            "feasible": self.best is not None,
            "package": None if self.best is None else self.best.to_dict(pair),
            "payoffs_usd_bn": None if self.best is None else dict(self.best.utility),
            "surplus_over_reservation_usd_bn": None
            if self.best is None
            else {c: self.best.utility[c] - self.reservation[c] for c in pair.players},
        }


def what_would_it_take(
    model: PayoffModel,
    packages: Sequence[dict[str, float]],
    target: dict[str, float],
    disagreement: Package,
    weights: dict[str, UtilityWeights] | None = None,
) -> WhatItTakes:
    """Fix the ``target`` levers in every grid package (duplicates dropped), evaluate, keep the
    packages the US accepts and return the one the partner likes best."""
    pair = model.pair
    w = weights or weights_for(pair)
    for name, value in target.items():
        pair.lever(name).check(value)
    unique: dict[tuple[tuple[str, float], ...], dict[str, float]] = {}
    for levers in packages:
        fixed = {**levers, **target}
        unique.setdefault(tuple(sorted(fixed.items())), fixed)
    candidates = list(unique.values())
    if not candidates:
        raise EmptyGridError("empty lever grid: nothing to evaluate")
    d_eval = evaluate(model, disagreement, w)
    reservation = {c: d_eval.utility[c] for c in pair.players}
    outs = model.evaluate_many(candidates)
    best: Evaluation | None = None
    accepted = 0
    for levers, out in zip(candidates, outs, strict=True):
        u_us, u_p = utilities(out, pair, w)
        if u_us < reservation[pair.us] - bg.TOLERANCE:
            continue
        accepted += 1
        if best is None or u_p > best.utility[pair.partner]:
            package = Package("what it would take", f"best for {pair.partner} with {target}", levers)
            best = Evaluation(package, levers, out, {pair.us: u_us, pair.partner: u_p})
    return WhatItTakes(dict(target), reservation, best, len(candidates), accepted)


@dataclass(frozen=True)
class WhatItTakesBands:
    """:func:`what_would_it_take` under each of several payoff models (one per elasticity source), and
    the band (min, max) across them of each side's reservation value and of the best package's payoffs
    (USD bn a year)."""

    by_source: dict[str, WhatItTakes]

    def band(self, pair: Pair) -> dict[str, dict[str, tuple[float, float] | None]]:
        def span(values: list[float]) -> tuple[float, float] | None:
            return (min(values), max(values)) if values else None

        feasible = [r.best for r in self.by_source.values() if r.best is not None]
        return {
            "reservation_value_usd_bn": {
                c: span([r.reservation[c] for r in self.by_source.values()]) for c in pair.players
            },
            "payoffs_usd_bn": {c: span([b.utility[c] for b in feasible]) for c in pair.players},
        }

    def to_dict(self, pair: Pair) -> dict[str, object]:
        band = self.band(pair)
        packages = {
            tuple(sorted(r.best.levers.items())) for r in self.by_source.values() if r.best is not None
        }
        return {
            "sources": list(self.by_source),
            "feasible_in": [s for s, r in self.by_source.items() if r.best is not None],
            "same_package_in_all": len(packages) == 1
            and all(r.best is not None for r in self.by_source.values()),
            "band_reservation_value_usd_bn": {
                c: None if v is None else list(v) for c, v in band["reservation_value_usd_bn"].items()
            },
            "band_payoffs_usd_bn": {
                c: None if v is None else list(v) for c, v in band["payoffs_usd_bn"].items()
            },
            "by_source": {s: r.to_dict(pair) for s, r in self.by_source.items()},
        }


def what_would_it_take_bands(
    models: dict[str, PayoffModel],
    packages: Sequence[dict[str, float]],
    target: dict[str, float],
    disagreement: Package,
    weights: dict[str, UtilityWeights] | None = None,
) -> WhatItTakesBands:
    """:func:`what_would_it_take` once per model of ``models`` (keyed by elasticity source)."""
    if not models:
        raise InvalidInputError("elasticity bands need at least one payoff model")
    return WhatItTakesBands(
        {
            source: what_would_it_take(model, packages, target, disagreement, weights)
            for source, model in models.items()
        }
    )
