"""Newton solver for the multi-sector model: log wages, analytic Jacobian, backtracking, warm starts."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from tarifflab.errors import ConvergenceError
from tarifflab.models.ge.multi_sector_equations import Equations, State


@dataclass(frozen=True)
class SolverOptions:
    """Solver settings. ``tol`` bounds max |residual| (labour-market gaps relative to value added)."""

    tol: float = 1e-10
    max_iter: int = 50
    jacobian: str = "analytic"  # "analytic" | "fd" (finite differences, the benchmark baseline)
    reuse_jacobian: bool = True  # Broyden-updated steps while the residual at least halves per step


@dataclass(frozen=True)
class Diagnostics:
    """Solver diagnostics carried by every result."""

    iterations: int
    max_residual: float
    seconds: float
    converged: bool
    jacobian_evaluations: int = 0
    inner_iterations: int = 0

    def as_dict(self) -> dict[str, float | int | bool]:
        return {
            "iterations": self.iterations,
            "max_residual": self.max_residual,
            "seconds": self.seconds,
            "converged": self.converged,
            "jacobian_evaluations": self.jacobian_evaluations,
            "inner_iterations": self.inner_iterations,
        }


def solve_equations(
    eq: Equations,
    u0: np.ndarray | None = None,
    warm: State | None = None,
    options: SolverOptions | None = None,
) -> tuple[State, Diagnostics]:
    """Solve residual(u) = 0 by damped Newton. Raises :class:`ConvergenceError` with diagnostics.

    BLAS runs single-threaded inside the solve: the batched 81×81 products are far faster that way,
    and parallelism comes from running scenarios side by side (see :mod:`tarifflab.sweep`).
    """
    with threadpool_limits(limits=1, user_api="blas"):
        return _solve(eq, u0, warm, options)


def _solve(
    eq: Equations,
    u0: np.ndarray | None,
    warm: State | None,
    options: SolverOptions | None,
) -> tuple[State, Diagnostics]:
    opts = options or SolverOptions()
    start = time.perf_counter()
    n = eq.base.n
    u = np.zeros(n) if u0 is None else np.asarray(u0, dtype=float).copy()
    inner = 0
    n_jac = 0

    def fail(message: str, st: State | None, it: int) -> ConvergenceError:
        resid = float(np.max(np.abs(st.labour_residual))) if st is not None else float("nan")
        diag = Diagnostics(it, resid, time.perf_counter() - start, False, n_jac, inner)
        return ConvergenceError(f"multi-sector GE did not converge: {message}", diag)

    try:
        st = eq.evaluate(u, warm)
    except (ConvergenceError, FloatingPointError, np.linalg.LinAlgError) as err:
        raise fail(str(err), None, 0) from err
    inner += st.inner_iterations
    J: np.ndarray | None = None
    norm = float(np.max(np.abs(st.residual)))
    for it in range(1, opts.max_iter + 1):
        if norm < opts.tol and float(np.max(np.abs(st.labour_residual))) < 10 * opts.tol:
            return st, Diagnostics(
                it - 1,
                float(np.max(np.abs(st.labour_residual))),
                time.perf_counter() - start,
                True,
                n_jac,
                inner,
            )
        if J is None:
            J = eq.jacobian(st) if opts.jacobian == "analytic" else eq.jacobian_fd(st.u)
            n_jac += 1
        try:
            step = np.linalg.solve(J, -st.residual)
        except np.linalg.LinAlgError as err:
            raise fail("singular Jacobian", st, it) from err
        lam = 1.0
        accepted = False
        for _ in range(30):
            trial_u = u + lam * step
            try:
                trial = eq.evaluate(trial_u, st)
            except (ConvergenceError, FloatingPointError):
                lam *= 0.5
                continue
            inner += trial.inner_iterations
            tnorm = float(np.max(np.abs(trial.residual)))
            if np.isfinite(tnorm) and tnorm < (1.0 - 1e-4 * lam) * norm:
                accepted = True
                break
            lam *= 0.5
        if not accepted:
            if opts.reuse_jacobian and n_jac > 0 and J is not None and it > 1:
                J = None  # retry once with a fresh Jacobian
                continue
            raise fail("line search failed", st, it)
        fast = tnorm < 0.5 * norm and lam == 1.0
        if opts.reuse_jacobian and fast and J is not None:
            # Broyden's "good" rank-one update keeps the analytic Jacobian current between evaluations
            du = trial_u - u
            J = J + np.outer(trial.residual - st.residual - J @ du, du) / float(du @ du)
        else:
            J = None
        u, st, norm = trial_u, trial, tnorm
    raise fail(f"no convergence in {opts.max_iter} iterations", st, opts.max_iter)
