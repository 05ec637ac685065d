"""Best responses and Nash tariffs on the embedded default (fast, no reference data)."""

from __future__ import annotations

import numpy as np
import pytest

from tarifflab.errors import InvalidInputError
from tarifflab.negotiation.datasets import load_default
from tarifflab.negotiation.ossa_model import OssaModel
from tarifflab.negotiation.tradewar import best_response, nash_tariffs


@pytest.fixture(scope="module")
def model() -> OssaModel:
    return OssaModel(load_default())


def test_best_response_satisfies_first_order_conditions(model: OssaModel) -> None:
    us = model.data.index("USA")
    column, x = best_response(model, us, model.t0)
    cube = model.t0.copy()
    cube[:, us, :] = column
    _, grad, _ = model.welfare_and_gradient(np.log1p(cube), x, countries=[us])
    g = grad[0][np.arange(model.N) != us, us, :]
    interior = column[np.arange(model.N) != us] > 1e-6
    assert np.max(np.abs(g[interior])) < 1e-6
    # and it beats the factual tariffs and a 10% perturbation of itself
    w_opt = model.solve(cube).welfare_hat[us]
    assert w_opt > model.solve(model.t0).welfare_hat[us]
    worse = cube.copy()
    worse[:, us, :] *= 1.1
    worse[us, us, :] = 0.0
    assert w_opt > model.solve(worse).welfare_hat[us]


def test_bilateral_nash_is_a_fixed_point_of_best_responses(model: OssaModel) -> None:
    us, jp = model.data.index("USA"), model.data.index("JPN")
    res = nash_tariffs(model, players=[us, jp], bilateral=True, tol=1e-6, scheme="gauss-seidel")
    for j, other in ((us, jp), (jp, us)):
        column, _ = best_response(model, j, res.tariffs, partners=[us, jp], start=res.tariffs[:, j, :])
        assert abs(column[other] - res.tariffs[other, j]).max() < 1e-3
    # third countries keep factual tariffs
    cn = model.data.index("CHN")
    np.testing.assert_allclose(res.tariffs[:, cn, :], model.t0[:, cn, :])
    assert set(res.player_tariffs_pct()) == {"USA", "JPN"}


def test_bad_scheme_and_players(model: OssaModel) -> None:
    with pytest.raises(InvalidInputError):
        nash_tariffs(model, scheme="chaotic")
    with pytest.raises(InvalidInputError):
        nash_tariffs(model, players=[99])
