"""Nonlinear equation solver for GE models: damped Newton with an analytic Jacobian, LM fallback.

The model supplies ``F(x)`` (scaled residuals) and ``J(x) = ∂F/∂x``. Newton steps are solved with a
dense LU (``scipy.linalg.lu_factor``); a backtracking line search on ``½‖F‖²`` guards the first
iterations. If Newton stalls, ``scipy.optimize.least_squares(method="lm")`` with the same analytic
Jacobian takes over. Convergence means ``max |F_i| ≤ tol``; otherwise :class:`ConvergenceError`
carries the diagnostics.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.linalg
from scipy.optimize import least_squares
from threadpoolctl import ThreadpoolController

from tarifflab.errors import ConvergenceError

FloatArray = npt.NDArray[np.float64]
ResidualFn = Callable[[FloatArray], FloatArray]
ResidualJacobianFn = Callable[[FloatArray], tuple[FloatArray, FloatArray]]


@dataclass(frozen=True)
class SolverOptions:
    """Solver settings.

    Attributes:
        tol: convergence when the largest scaled residual is at most this (residuals are relative to
            each country's expenditure ``E_i``, so 1e-10 is ~1e-10 of a country's spending).
        max_iter: Newton iterations (LM fallback gets the same budget in function evaluations × 10).
        fallback_lm: try Levenberg–Marquardt when Newton fails.
        reuse_jacobian: after a full Newton step, keep the LU factors for further (chord) steps as
            long as each one shrinks ‖F‖ by at least ``chord_ratio``; refactorise otherwise.
        chord_ratio: required contraction of a chord step.
        blas_threads: BLAS threads during the solve (1: the 582×582 LU is faster single-threaded,
            and does not collapse when other processes share the cores); ``None`` leaves BLAS alone.
    """

    tol: float = 1e-10
    max_iter: int = 50
    fallback_lm: bool = True
    reuse_jacobian: bool = True
    chord_ratio: float = 0.25
    blas_threads: int | None = 1


@dataclass(frozen=True)
class SolverDiagnostics:
    """What the solver did: iterations, the largest scaled residual, seconds, convergence flag."""

    iterations: int
    max_residual: float
    seconds: float
    converged: bool
    method: str = "newton"
    message: str = ""
    factorizations: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def combine(self, other: SolverDiagnostics) -> SolverDiagnostics:
        """Diagnostics of two solves reported as one (differences of two equilibria)."""
        return SolverDiagnostics(
            iterations=self.iterations + other.iterations,
            max_residual=max(self.max_residual, other.max_residual),
            seconds=self.seconds + other.seconds,
            converged=self.converged and other.converged,
            method=self.method if self.method == other.method else f"{self.method}+{other.method}",
            message="; ".join(m for m in (self.message, other.message) if m),
            factorizations=self.factorizations + other.factorizations,
        )


def _max_abs(values: FloatArray) -> float:
    return float(np.max(np.abs(values))) if values.size else 0.0


_CONTROLLER: ThreadpoolController | None = None


def _blas_limit(threads: int | None) -> AbstractContextManager[object]:
    global _CONTROLLER
    if threads is None:
        return nullcontext()
    if _CONTROLLER is None:
        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=threads, user_api="blas")


def solve(
    residual: ResidualFn,
    residual_jacobian: ResidualJacobianFn,
    x0: FloatArray,
    options: SolverOptions | None = None,
) -> tuple[FloatArray, SolverDiagnostics]:
    """Solve ``F(x) = 0`` from ``x0``.

    Returns ``(x, diagnostics)``; raises :class:`ConvergenceError` (with the diagnostics) when the
    largest residual stays above ``options.tol``.
    """
    options = options or SolverOptions()
    with _blas_limit(options.blas_threads):
        return _solve(residual, residual_jacobian, x0, options)


def _solve(
    residual: ResidualFn,
    residual_jacobian: ResidualJacobianFn,
    x0: FloatArray,
    options: SolverOptions,
) -> tuple[FloatArray, SolverDiagnostics]:
    start = time.perf_counter()
    x = np.array(x0, dtype=np.float64, copy=True)
    f = residual(x)
    worst = _max_abs(f)
    iterations = 0
    message = ""
    lu: tuple[FloatArray, FloatArray] | None = None
    fresh = False
    factorizations = 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        while worst > options.tol and iterations < options.max_iter:
            iterations += 1
            if lu is None:
                f, jac = residual_jacobian(x)
                try:
                    lu = scipy.linalg.lu_factor(jac, check_finite=True)
                except (ValueError, np.linalg.LinAlgError) as failure:
                    message = f"Newton step failed: {failure}"
                    break
                fresh = True
                factorizations += 1
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
                step = -scipy.linalg.lu_solve(lu, f)
            merit = 0.5 * float(f @ f)
            if not fresh:
                # Chord step with a reused factorisation: keep it only if it contracts fast.
                trial = x + step
                f_trial = residual(trial)
                if (
                    np.all(np.isfinite(f_trial))
                    and float(f_trial @ f_trial) <= options.chord_ratio**2 * 2.0 * merit
                ):
                    x, f = trial, f_trial
                    worst = _max_abs(f)
                    continue
                lu = None
                iterations -= 1
                continue
            alpha = 1.0
            accepted = False
            for _ in range(30):
                trial = x + alpha * step
                f_trial = residual(trial)
                if (
                    np.all(np.isfinite(f_trial))
                    and 0.5 * float(f_trial @ f_trial) <= (1.0 - 1e-4 * alpha) * merit
                ):
                    accepted = True
                    break
                alpha *= 0.5
            if not accepted:
                message = "Newton line search failed"
                break
            x, f = trial, f_trial
            worst = _max_abs(f)
            fresh = False
            if not options.reuse_jacobian or alpha < 1.0:
                lu = None
    method = "newton"
    if worst > options.tol and options.fallback_lm and options.max_iter > 1:
        method = "newton+lm"

        def jac_only(z: FloatArray) -> FloatArray:
            return residual_jacobian(z)[1]

        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            fit = least_squares(
                residual,
                x,
                jac=jac_only,
                method="lm",
                xtol=1e-15,
                ftol=1e-15,
                gtol=1e-15,
                max_nfev=10 * options.max_iter,
            )
        if np.all(np.isfinite(fit.fun)) and _max_abs(fit.fun) < worst:
            x, f = fit.x, fit.fun
            worst = _max_abs(f)
        iterations += int(fit.nfev)
        message = (message + "; " if message else "") + f"LM: {fit.message}"
    diagnostics = SolverDiagnostics(
        iterations=iterations,
        max_residual=worst,
        seconds=time.perf_counter() - start,
        converged=bool(worst <= options.tol),
        method=method,
        message=message,
        factorizations=factorizations,
    )
    if not diagnostics.converged:
        raise ConvergenceError(
            f"equilibrium did not converge after {iterations} iterations "
            f"(max scaled residual {worst:.3g} > tol {options.tol:.1g})",
            diagnostics,
        )
    return x, diagnostics
