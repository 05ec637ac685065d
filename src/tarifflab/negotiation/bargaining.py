"""Pareto frontier and two-player bargaining solutions (pure math, no economic model).

Payoffs are utilities ``u`` (any unit, higher is better) of two players, indexed 0 and 1.
A *feasible set* is a finite set of points ``U`` (shape ``(n, 2)``), one per package. The
*frontier* is its undominated subset. Solutions are reported twice:

* on the finite set (``package_index``: which package is chosen), and
* on the piecewise-linear frontier through the undominated points (``point``), which is exact for a
  linear or piecewise-linear frontier and what the theory results (Nash, Kalai–Smorodinsky,
  Rubinstein) are stated for.

Symbols: disagreement point ``d = (d_0, d_1)``; bargaining weight of player 0 ``α`` (asymmetric
Nash maximises ``(u_0-d_0)^α (u_1-d_1)^{1-α}``); discount factors ``δ_0, δ_1`` per round of
alternating offers (Rubinstein 1982), player 0 proposing first.

A set with no point giving both players at least ``d`` and one of them strictly more is *not* an
error: results carry ``mutually_beneficial=False`` and a message.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tarifflab.errors import InvalidInputError

NO_DEAL_MESSAGE = (
    "no mutually beneficial deal: no package gives both sides at least their disagreement payoff"
)

FloatArray = NDArray[np.float64]


def _as_points(points: ArrayLike) -> FloatArray:
    array = np.asarray(points, dtype=float)
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] < 2:
        raise InvalidInputError(f"payoff points must be a non-empty (n, k>=2) array, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise InvalidInputError("payoff points must be finite")
    return array


def pareto_mask(points: ArrayLike) -> NDArray[np.bool_]:
    """Boolean mask of the undominated points (any number of players).

    Point ``a`` is dominated if some ``b`` has ``b >= a`` in every coordinate and ``b > a`` in one.
    Exact duplicates do not dominate each other, so both stay. O(n log n) for two players.
    """
    pts = _as_points(points)
    n, k = pts.shape
    if k == 2:
        # Sort by u0 descending, then u1 descending; a point is undominated iff its u1 exceeds the
        # best u1 of every point with strictly larger u0 (or equal u0 and larger u1).
        order = np.lexsort((-pts[:, 1], -pts[:, 0]))
        mask = np.zeros(n, dtype=bool)
        best_u1 = -np.inf
        i = 0
        while i < n:
            # group of identical u0
            j = i
            u0 = pts[order[i], 0]
            while j < n and pts[order[j], 0] == u0:
                j += 1
            group = order[i:j]
            top = pts[group[0], 1]  # largest u1 within the group (sorted descending)
            if top > best_u1:
                mask[group[pts[group, 1] == top]] = True
            best_u1 = max(best_u1, top)
            i = j
        return mask
    mask = np.ones(n, dtype=bool)
    for idx in range(n):
        geq = np.all(pts >= pts[idx], axis=1)
        gt = np.any(pts > pts[idx], axis=1)
        if np.any(geq & gt):
            mask[idx] = False
    return mask


def pareto_frontier(points: ArrayLike) -> NDArray[np.intp]:
    """Indices of the undominated points, ordered by the first player's payoff (ascending)."""
    pts = _as_points(points)
    idx = np.flatnonzero(pareto_mask(pts))
    return idx[np.lexsort((-pts[idx, 1], pts[idx, 0]))]


@dataclass(frozen=True)
class Frontier:
    """The undominated payoffs of a finite two-player set, as a decreasing piecewise-linear curve.

    ``u`` has shape ``(m, 2)``, sorted by ``u[:, 0]`` ascending (so ``u[:, 1]`` is descending);
    ``index`` maps each frontier point back to the package it came from.
    """

    u: FloatArray
    index: NDArray[np.intp]

    @classmethod
    def from_points(cls, points: ArrayLike) -> Frontier:
        pts = _as_points(points)[:, :2]
        idx = pareto_frontier(pts)
        # Drop duplicate payoff pairs for the curve (keep the first package).
        u = pts[idx]
        # Drop points within 1e-12 (relative) in u0 of the previous kept point: they are
        # dominated up to rounding and would make the curve's slopes overflow.
        scale = 1e-12 * (1.0 + float(np.max(np.abs(u))))
        keep = [0]
        for k in range(1, len(u)):
            if u[k, 0] - u[keep[-1], 0] > scale:
                keep.append(k)
        return cls(u=u[keep], index=idx[keep])

    def u1_of(self, u0: float) -> float:
        """Player 1's payoff on the curve at player 0's payoff ``u0`` (within the curve's range)."""
        return float(np.interp(u0, self.u[:, 0], self.u[:, 1]))

    def u0_of(self, u1: float) -> float:
        """Inverse of :meth:`u1_of` (``u[:, 1]`` is decreasing)."""
        return float(np.interp(u1, self.u[::-1, 1], self.u[::-1, 0]))


@dataclass(frozen=True)
class Solution:
    """A bargaining outcome.

    ``point``: payoffs on the piecewise-linear frontier; ``package_index``: the package (row of the
    original payoff array) whose payoffs are best by the same criterion on the finite set;
    ``share_of_surplus_0``: player 0's share of the total gain over disagreement at ``point``.
    """

    name: str
    point: tuple[float, float]
    package_index: int | None
    package_point: tuple[float, float] | None
    share_of_surplus_0: float | None
    mutually_beneficial: bool
    message: str = ""
    parameters: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "point": list(self.point),
            "package_index": self.package_index,
            "package_point": None if self.package_point is None else list(self.package_point),
            "share_of_surplus_0": self.share_of_surplus_0,
            "mutually_beneficial": self.mutually_beneficial,
            "message": self.message,
            "parameters": dict(self.parameters),
        }


def _validate_weight(alpha: float) -> None:
    if not (0.0 <= alpha <= 1.0) or math.isnan(alpha):
        raise InvalidInputError(f"bargaining weight must be in [0, 1], got {alpha}")


def _validate_discount(delta: float, name: str) -> None:
    if not (0.0 <= delta < 1.0):
        raise InvalidInputError(f"discount factor {name} must be in [0, 1), got {delta}")


def _rational_frontier(frontier: Frontier, d: FloatArray) -> FloatArray | None:
    """The part of the curve with ``u >= d`` (clipped at both ends), or None if it is empty or
    gives nobody strictly more than ``d``."""
    u = frontier.u
    d = d - TOLERANCE
    u0_lo = max(float(d[0]), float(u[0, 0]))
    if u0_lo > u[-1, 0]:
        return None
    if u[-1, 1] >= d[1]:
        u0_hi = float(u[-1, 0])
    elif u[0, 1] < d[1]:
        return None
    else:
        u0_hi = frontier.u0_of(float(d[1]))
    if u0_hi < u0_lo:
        return None
    inner = u[(u[:, 0] > u0_lo) & (u[:, 0] < u0_hi)]
    start = np.array([[u0_lo, frontier.u1_of(u0_lo)]])
    end = np.array([[u0_hi, frontier.u1_of(u0_hi)]])
    curve = np.vstack([start, inner, end])
    surplus = curve - d
    if not np.any(np.all(surplus >= 0, axis=1) & np.any(surplus > 2 * TOLERANCE, axis=1)):
        return None
    return curve


TOLERANCE = 1e-9


def individually_rational(points: ArrayLike, disagreement: ArrayLike) -> NDArray[np.bool_]:
    """Packages giving both sides at least ``d`` and one of them more (up to ``TOLERANCE``)."""
    pts = _as_points(points)[:, :2]
    d = np.asarray(disagreement, dtype=float)[:2]
    return np.all(pts >= d - TOLERANCE, axis=1) & np.any(pts > d + TOLERANCE, axis=1)


def _feasible_rational(points: FloatArray, d: FloatArray) -> NDArray[np.bool_]:
    return individually_rational(points, d)


def _pick(score: FloatArray, candidates: NDArray[np.bool_], pts: FloatArray, d: FloatArray) -> int:
    """Best candidate by ``score``; ties and all-(-inf) scores are broken by the total gain."""
    score = np.where(candidates, score, -np.inf)
    best = np.max(score)
    tie = candidates if not np.isfinite(best) else candidates & (score >= best - 1e-12 * (1.0 + abs(best)))
    total = np.where(tie, (pts[:, :2] - d).sum(axis=1), -np.inf)
    return int(np.argmax(total))


def _no_deal(name: str, d: FloatArray, params: dict[str, float]) -> Solution:
    return Solution(
        name=name,
        point=(float(d[0]), float(d[1])),
        package_index=None,
        package_point=None,
        share_of_surplus_0=None,
        mutually_beneficial=False,
        message=NO_DEAL_MESSAGE,
        parameters=params,
    )


def _solution(
    name: str, point: ArrayLike, idx: int, pts: FloatArray, d: FloatArray, params: dict[str, float]
) -> Solution:
    """A mutually beneficial solution at ``point`` whose finite-set choice is package ``idx``."""
    pt = np.asarray(point, dtype=float)
    return Solution(
        name=name,
        point=(float(pt[0]), float(pt[1])),
        package_index=idx,
        package_point=(float(pts[idx, 0]), float(pts[idx, 1])),
        share_of_surplus_0=_share(pt, d),
        mutually_beneficial=True,
        parameters=params,
    )


def _share(point: FloatArray, d: FloatArray) -> float | None:
    gain = point - d
    total = float(gain.sum())
    return float(gain[0] / total) if total > 0 else None


def _nash_on_curve(curve: FloatArray, d: FloatArray, alpha: float) -> FloatArray:
    """Maximise α log(u0-d0) + (1-α) log(u1-d1) over a piecewise-linear curve (closed form per segment)."""
    if alpha == 1.0:
        return curve[np.argmax(curve[:, 0])]
    if alpha == 0.0:
        return curve[np.argmax(curve[:, 1])]
    best = curve[0]
    best_val = -np.inf
    for a, b in itertools.pairwise(curve):
        p, r = a - d
        q, v = b - a
        candidates = [0.0, 1.0]
        if q != 0 and v != 0:
            with np.errstate(all="ignore"):
                s = -(alpha * q * r + (1 - alpha) * v * p) / (q * v)
            if np.isfinite(s) and 0.0 < s < 1.0:
                candidates.append(float(s))
        for s in candidates:
            x = np.array([p + q * s, r + v * s])
            if np.all(x > 0):
                val = alpha * math.log(x[0]) + (1 - alpha) * math.log(x[1])
                if val > best_val:
                    best_val, best = val, a + s * (b - a)
    return np.asarray(best, dtype=float)


def nash_bargaining(points: ArrayLike, disagreement: Sequence[float], alpha: float = 0.5) -> Solution:
    """(Asymmetric) Nash bargaining solution: maximise ``(u0-d0)^α (u1-d1)^(1-α)``.

    ``alpha`` is player 0's bargaining weight (0.5 = symmetric Nash 1950; Kalai 1977 for α≠0.5).
    """
    _validate_weight(alpha)
    pts = _as_points(points)
    d = np.asarray(disagreement, dtype=float)[:2]
    params = {"alpha": alpha}
    name = "nash" if alpha == 0.5 else "asymmetric_nash"
    frontier = Frontier.from_points(pts)
    curve = _rational_frontier(frontier, d)
    rational = _feasible_rational(pts, d)
    if curve is None or not rational.any():
        return _no_deal(name, d, params)
    point = _nash_on_curve(curve, d, alpha)
    gains = np.clip(pts[:, :2] - d, 0.0, None)
    if alpha in (0.0, 1.0):
        score = gains[:, 0] if alpha == 1.0 else gains[:, 1]
    else:
        with np.errstate(divide="ignore"):
            score = alpha * np.log(gains[:, 0]) + (1 - alpha) * np.log(gains[:, 1])
    idx = _pick(score, rational & pareto_mask(pts), pts, d)
    return _solution(name, point, idx, pts, d, params)


def kalai_smorodinsky(points: ArrayLike, disagreement: Sequence[float]) -> Solution:
    """Kalai–Smorodinsky (1975): the frontier point on the segment from ``d`` to the ideal point
    ``I_i = max{u_i : u feasible, u >= d}``; on the finite set, the package maximising
    ``min_i (u_i-d_i)/(I_i-d_i)``."""
    pts = _as_points(points)
    d = np.asarray(disagreement, dtype=float)[:2]
    frontier = Frontier.from_points(pts)
    curve = _rational_frontier(frontier, d)
    rational = _feasible_rational(pts, d)
    if curve is None or not rational.any():
        return _no_deal("kalai_smorodinsky", d, {})
    ideal = curve.max(axis=0)
    span = ideal - d
    span = np.where(span > 0, span, 1.0)
    # Normalised curve: find where (u0-d0)/span0 == (u1-d1)/span1 (the first minus the second is increasing).
    g = (curve[:, 0] - d[0]) / span[0] - (curve[:, 1] - d[1]) / span[1]
    k = int(np.searchsorted(g, 0.0))
    if k == 0:
        point = curve[0]
    elif k >= len(curve):
        point = curve[-1]
    else:
        g0, g1 = g[k - 1], g[k]
        s = 0.0 if g1 == g0 else -g0 / (g1 - g0)
        point = curve[k - 1] + s * (curve[k] - curve[k - 1])
    ratio = np.min((pts[:, :2] - d) / span, axis=1)
    idx = _pick(ratio, rational & pareto_mask(pts), pts, d)
    return _solution(
        "kalai_smorodinsky", point, idx, pts, d, {"ideal_0": float(ideal[0]), "ideal_1": float(ideal[1])}
    )


def rubinstein(
    points: ArrayLike,
    disagreement: Sequence[float],
    delta_0: float,
    delta_1: float,
    first_proposer: int = 0,
) -> Solution:
    """Subgame-perfect outcome of Rubinstein's (1982) alternating-offers game on the frontier.

    Stationary offers ``x`` (by player 0) and ``y`` (by player 1) satisfy, in gains over ``d``,
    ``x_1 - d_1 = δ_1 (y_1 - d_1)`` and ``y_0 - d_0 = δ_0 (x_0 - d_0)`` with both on the frontier;
    the first proposer's offer is accepted at once. On a linear frontier player 0 (proposing) gets
    the share ``(1-δ_1)/(1-δ_0 δ_1)`` of the surplus. As ``δ_i = exp(-r_i Δ)`` with ``Δ → 0`` the outcome
    tends to the asymmetric Nash solution with ``α = r_1/(r_0+r_1)`` (Binmore–Rubinstein–Wolinsky 1986).
    """
    _validate_discount(delta_0, "delta_0")
    _validate_discount(delta_1, "delta_1")
    if first_proposer not in (0, 1):
        raise InvalidInputError(f"first_proposer must be 0 or 1, got {first_proposer}")
    pts = _as_points(points)
    d = np.asarray(disagreement, dtype=float)[:2]
    params = {"delta_0": delta_0, "delta_1": delta_1, "first_proposer": float(first_proposer)}
    frontier = Frontier.from_points(pts)
    curve = _rational_frontier(frontier, d)
    rational = _feasible_rational(pts, d)
    if curve is None or not rational.any():
        return _no_deal("rubinstein", d, params)
    lo, hi = float(curve[0, 0]), float(curve[-1, 0])

    def f(u0: float) -> float:
        return float(np.interp(u0, curve[:, 0], curve[:, 1]))

    def f_inv(u1: float) -> float:
        return float(np.interp(u1, curve[::-1, 1], curve[::-1, 0]))

    # Unknown x0 (player 0's proposal). y0 = d0 + δ0 (x0-d0); y1 = f(y0); need f(x0) = d1 + δ1 (y1 - d1).
    def residual(x0: float) -> float:
        y0 = d[0] + delta_0 * (x0 - d[0])
        y1 = f(max(lo, min(hi, y0)))
        return f(x0) - (d[1] + delta_1 * (y1 - d[1]))

    a, b = lo, hi
    ra, rb = residual(a), residual(b)
    if ra <= 0:
        x0 = a
    elif rb >= 0:
        x0 = b
    else:
        for _ in range(200):
            mid = 0.5 * (a + b)
            rm = residual(mid)
            if rm > 0:
                a = mid
            else:
                b = mid
            if b - a <= 1e-13 * max(1.0, abs(hi - lo)):
                break
        x0 = 0.5 * (a + b)
    x = np.array([x0, f(x0)])
    if first_proposer == 1:
        # Player 1 proposes first: its offer y is accepted.
        y0 = d[0] + delta_0 * (x0 - d[0])
        x = np.array([y0, f(y0)])
    point = x
    dist = np.hypot(pts[:, 0] - point[0], pts[:, 1] - point[1])
    idx = _pick(-dist, rational & pareto_mask(pts), pts, d)
    return _solution("rubinstein", point, idx, pts, d, params)


def rubinstein_linear_share(delta_0: float, delta_1: float) -> float:
    """Proposer 0's share of a linear surplus in Rubinstein's game: ``(1-δ_1)/(1-δ_0 δ_1)``."""
    _validate_discount(delta_0, "delta_0")
    _validate_discount(delta_1, "delta_1")
    return (1.0 - delta_1) / (1.0 - delta_0 * delta_1)


def discount_factor(delay_cost_per_round: float, surplus_at_stake: float) -> float:
    """Turn "how much one more round of talks costs me" into a discount factor.

    ``δ = 1 - c/S``: a side that loses ``c`` (utility units per round, e.g. the per-round cost of the
    disagreement tariffs) out of a surplus ``S`` at stake discounts the future by that fraction. The
    side in *less of a hurry* (smaller ``c/S``) has the larger δ and the larger Rubinstein share.
    """
    if surplus_at_stake <= 0:
        raise InvalidInputError(f"surplus at stake must be positive, got {surplus_at_stake}")
    if delay_cost_per_round < 0:
        raise InvalidInputError(f"delay cost must be non-negative, got {delay_cost_per_round}")
    return float(min(max(1.0 - delay_cost_per_round / surplus_at_stake, 0.0), 1.0 - 1e-12))


def weight_from_discounts(delta_0: float, delta_1: float) -> float:
    """Limit bargaining weight of player 0 implied by discount factors: ``ln δ_1 / (ln δ_0 + ln δ_1)``."""
    _validate_discount(delta_0, "delta_0")
    _validate_discount(delta_1, "delta_1")
    l0, l1 = math.log(delta_0), math.log(delta_1)
    return l1 / (l0 + l1)


@dataclass(frozen=True)
class NoDealCost:
    """Who needs whom: each side's loss from no deal, relative to its best deal and to the status quo."""

    loss_vs_best_deal: tuple[float, float]
    loss_vs_status_quo: tuple[float, float] | None
    needs_more: int | None  # index of the side with the larger loss vs its best deal (None if equal)

    def to_dict(self) -> dict[str, object]:
        return {
            "loss_vs_best_deal": list(self.loss_vs_best_deal),
            "loss_vs_status_quo": None if self.loss_vs_status_quo is None else list(self.loss_vs_status_quo),
            "needs_more": self.needs_more,
        }


def cost_of_no_deal(
    points: ArrayLike, disagreement: Sequence[float], status_quo: Sequence[float] | None = None
) -> NoDealCost:
    """Each side's cost of no deal: best feasible payoff minus disagreement (and status quo minus
    disagreement when given). The side that loses more "needs" the deal more."""
    pts = _as_points(points)
    d = np.asarray(disagreement, dtype=float)[:2]
    best = pts[:, :2].max(axis=0)
    loss = best - d
    sq = None
    if status_quo is not None:
        s = np.asarray(status_quo, dtype=float)[:2]
        sq = (float(s[0] - d[0]), float(s[1] - d[1]))
    needs = None if loss[0] == loss[1] else int(np.argmax(loss))
    return NoDealCost((float(loss[0]), float(loss[1])), sq, needs)


def nash_sensitivity(
    points: ArrayLike, disagreement: Sequence[float], alphas: ArrayLike | None = None
) -> list[Solution]:
    """Asymmetric Nash solutions over a range of bargaining weights (default 0, 0.05, …, 1)."""
    grid = np.linspace(0.0, 1.0, 21) if alphas is None else np.asarray(alphas, dtype=float)
    return [nash_bargaining(points, disagreement, float(a)) for a in grid]
