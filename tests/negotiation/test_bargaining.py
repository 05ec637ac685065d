"""Frontier and bargaining solutions: theory results that must hold exactly."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tarifflab.errors import InvalidInputError
from tarifflab.negotiation.bargaining import (
    NO_DEAL_MESSAGE,
    cost_of_no_deal,
    discount_factor,
    kalai_smorodinsky,
    nash_bargaining,
    nash_sensitivity,
    pareto_frontier,
    pareto_mask,
    rubinstein,
    rubinstein_linear_share,
    weight_from_discounts,
)


def linear_set(total: float = 10.0, n: int = 101) -> np.ndarray:
    """Points on u0 + u1 = total plus some dominated interior points."""
    s = np.linspace(0.0, total, n)
    frontier = np.column_stack([s, total - s])
    interior = np.column_stack([s * 0.5, (total - s) * 0.5])
    return np.vstack([frontier, interior])


points_strategy = arrays(
    np.float64,
    st.tuples(st.integers(1, 40), st.just(2)),
    elements=st.floats(-100, 100, allow_nan=False, allow_infinity=False),
)


@given(points_strategy)
@settings(max_examples=200, deadline=None)
def test_every_frontier_point_is_undominated_and_every_other_point_is_dominated(pts: np.ndarray) -> None:
    mask = pareto_mask(pts)
    for i in range(len(pts)):
        dominated = np.any(np.all(pts >= pts[i], axis=1) & np.any(pts > pts[i], axis=1))
        assert mask[i] == (not dominated)


@given(arrays(np.float64, st.tuples(st.integers(1, 25), st.just(3)), elements=st.floats(-10, 10)))
@settings(max_examples=100, deadline=None)
def test_frontier_three_players_matches_definition(pts: np.ndarray) -> None:
    mask = pareto_mask(pts)
    for i in range(len(pts)):
        dominated = np.any(np.all(pts >= pts[i], axis=1) & np.any(pts > pts[i], axis=1))
        assert mask[i] == (not dominated)


def test_frontier_small_example() -> None:
    pts = np.array([[0, 3], [1, 2], [1, 1], [2, 0], [0.5, 0.5], [2, 0]])
    idx = pareto_frontier(pts)
    assert sorted(idx.tolist()) == [0, 1, 3, 5]


@pytest.mark.parametrize("alpha", [0.1, 0.25, 0.5, 0.7, 0.9])
def test_asymmetric_nash_share_equals_weight_on_linear_frontier(alpha: float) -> None:
    # Theory: maximising x^α (S-x)^(1-α) gives x = α S.
    sol = nash_bargaining(linear_set(), (0.0, 0.0), alpha)
    assert sol.mutually_beneficial
    assert sol.share_of_surplus_0 == pytest.approx(alpha, abs=1e-9)
    assert sol.point[0] == pytest.approx(10 * alpha, abs=1e-9)
    # On the finite grid (step 0.1) the chosen package is the nearest grid point.
    assert sol.package_point is not None
    assert abs(sol.package_point[0] - 10 * alpha) <= 0.05 + 1e-9


def test_nash_with_nonzero_disagreement_splits_the_surplus() -> None:
    sol = nash_bargaining(linear_set(), (2.0, 4.0), 0.5)
    # Surplus 10 - 6 = 4 split equally: (4, 6).
    assert sol.point == pytest.approx((4.0, 6.0))


@pytest.mark.parametrize(("d0", "d1"), [(0.0, 0.0), (0.2, 0.1), (0.9, 0.3)])
def test_rubinstein_linear_share_formula(d0: float, d1: float) -> None:
    sol = rubinstein(linear_set(), (0.0, 0.0), d0, d1)
    assert sol.share_of_surplus_0 == pytest.approx(rubinstein_linear_share(d0, d1), abs=1e-9)


def test_rubinstein_converges_to_nash_as_discount_factor_tends_to_one() -> None:
    curved = np.array([[x, math.sqrt(100 - x * x)] for x in np.linspace(0, 10, 401)])
    nash = nash_bargaining(curved, (0.0, 0.0), 0.5)
    errors = []
    for delta in (0.9, 0.99, 0.999, 0.9999):
        sol = rubinstein(curved, (0.0, 0.0), delta, delta)
        errors.append(abs(sol.point[0] - nash.point[0]))
    assert errors == sorted(errors, reverse=True)
    assert errors[-1] < 1e-3


def test_rubinstein_converges_to_asymmetric_nash_with_patience_ratio() -> None:
    curved = np.array([[x, math.sqrt(100 - x * x)] for x in np.linspace(0, 10, 2001)])
    r0, r1 = 1.0, 3.0  # player 0 is more patient (in less of a hurry)
    alpha = r1 / (r0 + r1)
    target = nash_bargaining(curved, (0.0, 0.0), alpha)
    step = 1e-4
    sol = rubinstein(curved, (0.0, 0.0), math.exp(-r0 * step), math.exp(-r1 * step))
    assert sol.point[0] == pytest.approx(target.point[0], abs=2e-3)
    assert weight_from_discounts(math.exp(-r0 * step), math.exp(-r1 * step)) == pytest.approx(alpha)


def test_less_hurry_means_larger_share() -> None:
    patient = discount_factor(delay_cost_per_round=0.1, surplus_at_stake=10.0)
    hurried = discount_factor(delay_cost_per_round=1.0, surplus_at_stake=10.0)
    assert patient > hurried
    sol = rubinstein(linear_set(), (0.0, 0.0), patient, hurried)
    assert sol.share_of_surplus_0 is not None and sol.share_of_surplus_0 > 0.5


random_sets = arrays(
    np.float64, st.tuples(st.integers(2, 30), st.just(2)), elements=st.floats(-5, 5, allow_nan=False)
)


@given(random_sets, st.integers(-4, 4), st.integers(-4, 4), st.floats(0.05, 0.95))
@settings(max_examples=150, deadline=None)
def test_solutions_on_frontier_and_individually_rational(
    pts: np.ndarray, d0: int, d1: int, alpha: float
) -> None:
    d = np.array([d0, d1]) / 2.0
    mask = pareto_mask(pts)
    sols = [
        nash_bargaining(pts, d, alpha),
        kalai_smorodinsky(pts, d),
        rubinstein(pts, d, 0.9, 0.8),
    ]
    rational = np.all(pts >= d - 1e-9, axis=1) & np.any(pts > d + 1e-9, axis=1)
    for sol in sols:
        if not rational.any():
            assert not sol.mutually_beneficial
            assert sol.message == NO_DEAL_MESSAGE
            continue
        assert sol.mutually_beneficial
        assert sol.package_index is not None
        assert mask[sol.package_index], f"{sol.name} picked a dominated package"
        assert np.all(pts[sol.package_index] >= d - 1e-9)
        assert sol.point[0] >= d[0] - 1e-9 and sol.point[1] >= d[1] - 1e-9


def test_no_mutually_beneficial_deal_is_a_flag_not_an_error() -> None:
    pts = np.array([[0.0, 1.0], [1.0, 0.0]])
    sol = nash_bargaining(pts, (0.5, 0.5))
    assert not sol.mutually_beneficial
    assert "no mutually beneficial deal" in sol.message
    assert kalai_smorodinsky(pts, (2.0, 2.0)).mutually_beneficial is False


def test_kalai_smorodinsky_on_asymmetric_linear_frontier() -> None:
    # Frontier u1 = 10 - 2 u0 (u0 in [0, 5]); ideal (5, 10); KS point on the diagonal of the box: (2.5, 5).
    s = np.linspace(0, 5, 501)
    pts = np.column_stack([s, 10 - 2 * s])
    sol = kalai_smorodinsky(pts, (0.0, 0.0))
    assert sol.point == pytest.approx((2.5, 5.0))


def test_cost_of_no_deal_names_who_needs_whom() -> None:
    pts = np.array([[1.0, 3.0], [2.0, 1.0]])
    cost = cost_of_no_deal(pts, (0.0, -1.0), status_quo=(0.5, 0.5))
    assert cost.loss_vs_best_deal == (2.0, 4.0)
    assert cost.needs_more == 1
    assert cost.loss_vs_status_quo == (0.5, 1.5)


def test_nash_sensitivity_is_monotone_in_weight() -> None:
    sols = nash_sensitivity(linear_set(), (0.0, 0.0))
    shares = [s.point[0] for s in sols]
    assert shares == sorted(shares)
    assert shares[0] == pytest.approx(0.0) and shares[-1] == pytest.approx(10.0)


@pytest.mark.parametrize("bad", [-0.1, 1.1, float("nan")])
def test_bad_weight_is_named_error(bad: float) -> None:
    with pytest.raises(InvalidInputError):
        nash_bargaining(linear_set(), (0, 0), bad)


def test_bad_inputs() -> None:
    with pytest.raises(InvalidInputError):
        rubinstein(linear_set(), (0, 0), 1.0, 0.5)
    with pytest.raises(InvalidInputError):
        pareto_frontier(np.zeros((0, 2)))
    with pytest.raises(InvalidInputError):
        discount_factor(1.0, 0.0)
