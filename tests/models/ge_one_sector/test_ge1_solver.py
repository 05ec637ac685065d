"""The generic Newton/chord solver with LM fallback (tarifflab.models.ge.solver)."""

from __future__ import annotations

import numpy as np
import pytest

from tarifflab.errors import ConvergenceError
from tarifflab.models.ge.solver import SolverDiagnostics, SolverOptions, solve


def rosen_system(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    f = np.array([10.0 * (x[1] - x[0] ** 2), 1.0 - x[0]])
    jac = np.array([[-20.0 * x[0], 10.0], [-1.0, 0.0]])
    return f, jac


def test_solves_a_small_system_with_its_jacobian() -> None:
    x, diag = solve(lambda z: rosen_system(z)[0], rosen_system, np.array([-1.2, 1.0]))
    np.testing.assert_allclose(x, [1.0, 1.0], atol=1e-10)
    assert diag.converged and diag.max_residual <= 1e-10 and diag.factorizations >= 1


def test_no_root_falls_back_to_lm_then_raises() -> None:
    def fun_jac(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.array([x[0] ** 2 + 1.0]), np.array([[2.0 * x[0]]])

    with pytest.raises(ConvergenceError) as caught:
        solve(lambda z: fun_jac(z)[0], fun_jac, np.array([0.5]), SolverOptions(max_iter=20))
    diag = caught.value.diagnostics
    assert isinstance(diag, SolverDiagnostics)
    assert not diag.converged and diag.method == "newton+lm"
    assert diag.max_residual == pytest.approx(1.0, abs=1e-6)


def test_combine_diagnostics() -> None:
    a = SolverDiagnostics(iterations=3, max_residual=1e-12, seconds=0.01, converged=True, factorizations=1)
    b = SolverDiagnostics(iterations=5, max_residual=1e-11, seconds=0.02, converged=True, factorizations=2)
    both = a.combine(b)
    assert both.iterations == 8 and both.max_residual == 1e-11 and both.factorizations == 3
    assert both.seconds == pytest.approx(0.03) and both.converged
