"""The Ossa (2014) model: analytic Jacobian and adjoint gradients against finite differences
(as pyblp does), the factual equilibrium, batching, and named errors."""

from __future__ import annotations

import numpy as np
import pytest

from tarifflab.errors import ConvergenceError, DataError, InvalidInputError
from tarifflab.negotiation.datasets import load_default
from tarifflab.negotiation.ossa_model import OssaModel, TradeWarData


@pytest.fixture(scope="module")
def model() -> OssaModel:
    return OssaModel(load_default())


def test_balancing_purges_imbalances_and_factual_is_a_fixed_point(model: OssaModel) -> None:
    assert np.max(np.abs(model.nx0)) < 1e-6 * model.E.max()
    eq = model.solve()
    assert eq.iterations == 0
    np.testing.assert_allclose(eq.welfare_hat, 1.0, atol=1e-12)
    raw = OssaModel(load_default(), balance=False)
    assert np.max(np.abs(raw.nx0)) > 1.0  # the raw ICIO data are not balanced


def test_analytic_jacobian_matches_finite_differences(model: OssaModel) -> None:
    rng = np.random.default_rng(1)
    theta = np.log1p(model.t0 + 0.2 * rng.random(model.t0.shape))
    x = rng.normal(0.0, 0.05, 2 * model.N)
    nx = np.zeros(model.N)
    st = model._state(x, theta, 0.0, nx)
    J = model._jacobian(st)
    h = 1e-6
    for k in range(2 * model.N):
        up, dn = x.copy(), x.copy()
        up[k] += h
        dn[k] -= h
        fd = (model._state(up, theta, 0.0, nx).F - model._state(dn, theta, 0.0, nx).F) / (2 * h)
        np.testing.assert_allclose(J[:, k], fd, atol=1e-7)


@pytest.mark.parametrize("weighted", [False, True])
def test_adjoint_welfare_gradient_matches_finite_differences(model: OssaModel, weighted: bool) -> None:
    rng = np.random.default_rng(2)
    theta = np.log1p(model.t0 + 0.1 * rng.random(model.t0.shape))
    lam = rng.uniform(0.5, 1.5, (model.N, model.S)) if weighted else None
    _, grad, x = model.welfare_and_gradient(theta, weights=lam)
    h = 1e-6
    for i, j, s in [(1, 0, 7), (0, 1, 7), (2, 3, 0), (4, 0, 5), (0, 0, 1)]:
        up, dn = theta.copy(), theta.copy()
        up[i, j, s] += h
        dn[i, j, s] -= h
        a, _, _ = model.welfare_and_gradient(up, x, weights=lam)
        b, _, _ = model.welfare_and_gradient(dn, x, weights=lam)
        np.testing.assert_allclose(grad[:, i, j, s], (a - b) / (2 * h), atol=1e-8)


def test_batched_solve_equals_single_solves(model: OssaModel) -> None:
    cubes = np.stack([model.t0, model.t0 * 0.5, model.t0 + 0.1])
    batch = model.solve(cubes)
    for b in range(3):
        single = model.solve(cubes[b])
        np.testing.assert_allclose(batch.welfare_hat[b], single.welfare_hat, rtol=1e-10)


def test_free_trade_raises_world_income_and_tariffs_raise_revenue(model: OssaModel) -> None:
    free = model.solve(np.zeros_like(model.t0))
    assert free.welfare_hat.mean() > 1.0
    us = model.data.index("USA")
    cube = model.t0.copy()
    cube[:, us, :] += 0.2
    cube[us, us, :] = 0.0
    eq = model.solve(cube)
    assert eq.revenue[us] > model.revenue0[us]


def test_bad_inputs_are_named_errors(model: OssaModel) -> None:
    with pytest.raises(InvalidInputError):
        model.solve(np.full_like(model.t0, -1.5))
    with pytest.raises(InvalidInputError):
        model.solve(np.zeros((2, 2, 2)))
    with pytest.raises(ConvergenceError):
        model.solve(model.t0 + 0.5, max_iter=0)
    with pytest.raises(DataError):
        TradeWarData(("A", "B"), ("s",), np.ones((2, 2, 1)), np.zeros((2, 2, 1)), np.array([0.5]))
