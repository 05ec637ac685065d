"""Country-specific optimal retaliation in the IO one-sector model (spec ``ge-one-sector.md`` §9.3).

Table 4 post (2): every country ``i ≠ US`` chooses its tariff on US goods ``θ_i = t_{US,i}`` in
``[0, 0.5]`` to maximise, jointly, the ``Y^IO``-weighted average welfare of the non-US countries

    J(θ) = 100 Σ_{i≠US} Y_i (Ŵ_i − 1) / Σ_{i≠US} Y_i,     (percent; ``Y = Y^IO``)

given the US tariffs (USTR). The authors solve an MPEC with ``fmincon``; here the equilibrium
``F(x, θ) = 0`` is solved inside the objective (warm-started Newton), and the gradient is exact by
the adjoint method::

    dJ/dθ = ∂J/∂θ − λᵀ ∂F/∂θ,    (∂F/∂x)ᵀ λ = (∂J/∂x)ᵀ,

one extra LU factorisation per gradient. ``scipy.optimize.minimize(method="L-BFGS-B")`` does the
bounded search.

Derivatives used (``h_i = −εφ_i/(1+θ_i)``, ``X'_ji`` the counterfactual flows at producer prices):

* ∂X'_ji/∂θ_i = X'_ji(δ_{j,US} − λ'_{US,i}) h_i − δ_{j,US} X'_{US,i}/(1+θ_i) (only column i moves),
* ∂R_i/∂θ_i = Σ_j t_ji ∂X'_ji/∂θ_i + X'_{US,i},  ∂log S_i/∂θ_i = λ'_{US,i} h_i,
* Ŵ_i = (δ_i Ê^c_i + (1−δ_i) ŵ_iL̂_i)/P̂_i with Ê^c_i = (R_i + Y'_i + T_i G)/E^c_i,
  δ_i = E^c_i/(E^c_i − κ(1−τ_i)Y_i/(1+κ)), τ_i = R_i/Y'_i, G = ΣY'/ΣY.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.linalg
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from tarifflab.errors import ConvergenceError, InvalidInputError
from tarifflab.models.ge.one_sector import OneSectorModel, _Shock, _State
from tarifflab.models.ge.one_sector_data import FloatArray
from tarifflab.models.ge.solver import SolverDiagnostics, SolverOptions


@dataclass(frozen=True, eq=False)
class Barrier:
    """Log-barrier terms of an interior-point method, added to ``J`` (the authors' fmincon subproblem).

    ``μ [Σ_i log(θ_i − lo) + log(hi − θ_i) + Σ_k log(h_k − h^lo_k) + log(h^hi_k − h_k)]`` where ``h``
    are the 4N equilibrium hats (ŵ, Ê, L̂, P̂ levels) and ``[h^lo, h^hi]`` the MPEC's bounds on them
    (``[0.75, 1.5] ×`` the USTR solution in ``main_io.m``).

    Attributes:
        mu: barrier parameter μ (percent units, like ``J``).
        hat_lower: lower bounds of the hats (4N).
        hat_upper: upper bounds of the hats (4N).
        tariff_bounds: bounds of every θ_i.
    """

    mu: float
    hat_lower: FloatArray
    hat_upper: FloatArray
    tariff_bounds: tuple[float, float] = (0.0, 0.5)


@dataclass(frozen=True)
class RetaliationOptimum:
    """Result of the country-specific retaliation search.

    Attributes:
        rates: ``θ_i = t_{US,i}`` for every country (fraction; 0 for the USA itself).
        objective_pct: ``J`` at the optimum, the ``Y^IO``-weighted non-US mean of 100(Ŵ_i − 1).
        start_objective_pct: ``J`` at the start (the USTR rates mirrored).
        projected_gradient: largest |projected gradient| at the optimum (percent per unit tariff).
        iterations: L-BFGS-B iterations.
        evaluations: equilibrium solves (objective + gradient evaluations).
        seconds: wall-clock time of the search.
        converged: scipy's success flag.
        message: scipy's message.
    """

    rates: FloatArray
    objective_pct: float
    start_objective_pct: float
    projected_gradient: float
    iterations: int
    evaluations: int
    seconds: float
    converged: bool
    message: str


class RetaliationProblem:
    """``J(θ)`` and its exact gradient on an IO :class:`OneSectorModel`.

    Args:
        model: the IO-variant model (its last solution is the warm start of every solve).
        base_tariffs: ``t_ji`` with the US import tariffs (N×N, fraction); row ``US`` is replaced.
        options: equilibrium solver options.
    """

    def __init__(
        self,
        model: OneSectorModel,
        base_tariffs: FloatArray,
        options: SolverOptions | None = None,
        *,
        barrier: Barrier | None = None,
    ) -> None:
        if not model.io:
            raise InvalidInputError("country-specific optimal retaliation is defined for the IO variant")
        self.model = model
        self.barrier = barrier
        self.base_tariffs = np.asarray(base_tariffs, dtype=np.float64)
        self.options = options or SolverOptions()
        base = model.baseline
        self.us = base.us
        self.others = np.array([i for i in range(model.n) if i != base.us])
        weights = np.zeros(model.n)
        weights[self.others] = base.income[self.others]
        #: c_i = 100 Y_i / Σ_{i≠US} Y_i (0 for the USA): J = Σ c_i (Ŵ_i − 1).
        self.coef = 100.0 * weights / weights.sum()
        self.evaluations = 0

    def tariffs(self, theta: FloatArray) -> FloatArray:
        """Tariff matrix with ``t_{US,i} = θ_i`` for the non-US countries (``theta`` has N−1 entries)."""
        t = self.base_tariffs.copy()
        t[self.us, self.others] = theta
        t[self.us, self.us] = 0.0
        return t

    def value_and_gradient(self, theta: FloatArray) -> tuple[float, FloatArray]:
        """``J(θ)`` (percent) and ``dJ/dθ`` (N−1 entries), after solving the equilibrium."""
        model = self.model
        tariffs = self.tariffs(np.asarray(theta, dtype=np.float64))
        model.solve(tariffs, options=self.options)
        x = model.last_solution
        if x is None:  # pragma: no cover - solve() always stores its solution
            raise ConvergenceError("no equilibrium solution", SolverDiagnostics(0, np.inf, 0.0, False))
        self.evaluations += 1
        return self.at_solution(x, tariffs)

    def at_solution(
        self, x: FloatArray, tariffs: FloatArray, *, include_barrier: bool = True
    ) -> tuple[float, FloatArray]:
        """``J`` (plus the barrier terms, if any) and its gradient at an equilibrium ``x`` of ``tariffs``."""
        model = self.model
        base = model.baseline
        kappa = model.kappa
        shock = model.shock(tariffs)
        st = model.state(x, shock)
        # ---------------------------------------------------------------- welfare and ∂J/∂(R, Y', G, p)
        y0 = base.income
        transfers = base.transfers
        e_cons = y0 + transfers
        growth = st.y_new.sum() / y0.sum()
        y_hat = st.y_new / y0
        p_hat = np.exp(st.p)
        a_hat = (st.revenue + st.y_new + transfers * growth) / e_cons
        k = kappa * y0 / (1.0 + kappa)
        delta = e_cons / (e_cons - k * (1.0 - st.tau))
        w_hat = (delta * a_hat + (1.0 - delta) * y_hat) / p_hat
        value = float(self.coef @ (w_hat - 1.0))
        d_delta_tau = -(delta**2) * k / e_cons
        gap = (a_hat - y_hat) / p_hat
        g_r = self.coef * (delta / (e_cons * p_hat) + gap * d_delta_tau / st.y_new)
        g_y = self.coef * (
            (delta / e_cons + (1.0 - delta) / y0) / p_hat - gap * d_delta_tau * st.revenue / st.y_new**2
        )
        g_growth = float(self.coef @ (delta * transfers / (e_cons * p_hat)))
        g_p = -self.coef * w_hat
        # ---------------------------------------------------------------- ∂J/∂x
        lp_t = st.lam_new.T  # [i, k] = λ'_ki
        d_r_z = (shock.t * st.x_new).T - lp_t * st.revenue[:, None]
        g_z = g_r @ d_r_z
        dy = g_y * st.y_new + g_growth * st.y_new / y0.sum()
        grad_x = np.concatenate(
            [
                dy + g_z * model.dz_w,
                g_r * st.revenue,
                dy + g_z * model.dz_l,
                g_p + g_z * model.dz_p,
            ]
        )
        grad_theta = g_r * self.tariff_jacobian(st, shock)[1]
        if self.barrier is not None and include_barrier:
            bar = self.barrier
            theta = shock.t[self.us, :]
            hats = np.exp(x)
            low, high = theta[self.others] - bar.tariff_bounds[0], bar.tariff_bounds[1] - theta[self.others]
            hat_low, hat_high = hats - bar.hat_lower, bar.hat_upper - hats
            if min(low.min(), high.min(), hat_low.min(), hat_high.min()) <= 0.0:
                raise InvalidInputError("barrier objective evaluated outside its bounds")
            value += bar.mu * float(np.log(low).sum() + np.log(high).sum())
            value += bar.mu * float(np.log(hat_low).sum() + np.log(hat_high).sum())
            grad_theta[self.others] += bar.mu * (1.0 / low - 1.0 / high)
            grad_x = grad_x + bar.mu * hats * (1.0 / hat_low - 1.0 / hat_high)
        f_theta, _ = self.tariff_jacobian(st, shock)
        _, jac = model.residual_jacobian(x, shock)
        adjoint = scipy.linalg.solve(jac.T, grad_x, check_finite=False)
        grad = grad_theta - adjoint @ f_theta
        return value, grad[self.others]

    def tariff_jacobian(self, st: _State, shock: _Shock) -> tuple[FloatArray, FloatArray]:
        """``∂F/∂θ`` (size × N, column i = θ_i = t_{US,i}) and ``∂R_i/∂θ_i`` at fixed unknowns."""
        model = self.model
        base = model.baseline
        n, us = model.n, self.us
        eps, kappa = model.eps, model.kappa
        theta = shock.t[us, :]
        h = -eps * base.phi / (1.0 + theta)
        lam_us = st.lam_new[us, :]
        xp = st.x_new
        d_x = -xp * (lam_us * h)[None, :]
        d_x[us, :] += xp[us, :] * h - xp[us, :] / (1.0 + theta)
        d_r = (shock.t * d_x).sum(axis=0) + xp[us, :]
        d_b = d_x.sum(axis=0)
        inv_e = 1.0 / base.expenditure
        net = d_x * model.one_minus_nu[None, :]
        f_theta = np.zeros((model.size, n))
        f1 = (base.beta * net + np.diag(base.nu * d_b)) * inv_e[:, None]
        f1[n - 1, :] = 0.0  # numeraire row
        f_theta[:n] = f1
        f_theta[n : 2 * n] = (np.diag(d_r) + (1.0 - base.beta) * net) * inv_e[:, None]
        f_theta[2 * n : 3 * n] = np.diag(-kappa * d_r / (st.y_new * (1.0 - st.tau)))
        f_theta[3 * n :] = np.diag(lam_us * h / eps)
        return f_theta, d_r

    def welfare_objective(self, theta: FloatArray) -> float:
        """``J(θ)`` without barrier terms (solves the equilibrium)."""
        model = self.model
        tariffs = self.tariffs(np.asarray(theta, dtype=np.float64))
        result = model.solve(tariffs, options=self.options)
        return float(self.coef @ (result.table[:, 0] / 100.0))


def optimise_retaliation(
    problem: RetaliationProblem,
    start: FloatArray,
    bounds: tuple[float, float] = (0.0, 0.5),
    *,
    gtol: float = 1e-5,
    max_iter: int = 1000,
) -> RetaliationOptimum:
    """Maximise ``J(θ)`` over ``θ ∈ [lo, hi]^{N−1}`` with L-BFGS-B and adjoint gradients.

    Args:
        problem: objective and gradient.
        start: N−1 starting rates (the authors start from the USTR rate on each country).
        bounds: common bounds of every θ_i (fraction).
        gtol: stop when the largest projected gradient is below this (percent per unit tariff).
        max_iter: L-BFGS-B iteration cap.
    """
    lo, hi = bounds
    theta0 = np.clip(np.asarray(start, dtype=np.float64), lo, hi)
    if theta0.shape != problem.others.shape:
        raise InvalidInputError(f"start must have {problem.others.size} entries, got {theta0.shape}")
    begin = time.perf_counter()
    problem.evaluations = 0

    def fun(theta: FloatArray) -> tuple[float, FloatArray]:
        value, grad = problem.value_and_gradient(theta)
        return -value, -grad

    if problem.barrier is not None:
        # Interior-point subproblem: stay strictly inside the tariff bounds.
        margin = 1e-9 * (hi - lo)
        lo, hi = lo + margin, hi - margin
        theta0 = np.clip(theta0, lo + 1e-3 * (hi - lo), hi - 1e-3 * (hi - lo))
    with threadpool_limits(limits=1, user_api="blas"):
        start_value = problem.welfare_objective(theta0)
        found = minimize(
            fun,
            theta0,
            jac=True,
            method="L-BFGS-B",
            bounds=[(lo, hi)] * theta0.size,
            options={"maxiter": max_iter, "gtol": gtol, "ftol": 1e-15, "maxcor": 20},
        )
        rates_other = np.asarray(found.x, dtype=np.float64)
        _, grad = problem.value_and_gradient(rates_other)
        value = problem.welfare_objective(rates_other)
    projected = np.where((rates_other <= lo) & (grad < 0) | (rates_other >= hi) & (grad > 0), 0.0, grad)
    rates = np.zeros(problem.model.n)
    rates[problem.others] = rates_other
    return RetaliationOptimum(
        rates=rates,
        objective_pct=value,
        start_objective_pct=start_value,
        projected_gradient=float(np.max(np.abs(projected))),
        iterations=int(found.nit),
        evaluations=problem.evaluations,
        seconds=time.perf_counter() - begin,
        converged=bool(found.success),
        message=str(found.message),
    )
