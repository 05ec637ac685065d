"""Equilibrium of the one-sector Liberation Day model (spec ``ge-one-sector.md`` §4, §5, §6, §9).

Unknowns are logs: ``x = (log ŵ, log Ê, log L̂)`` (3N) and, in the IO variant, ``log P̂`` (4N).
Residuals are the authors' equations scaled by ``E_i`` (income and budget rows), the labour-supply
condition in logs, and the numeraire row (E-weighted CPI; Y-weighted wage in the IO variant)
divided by the sum of weights, so every row is O(1). Same roots as the authors' system.

The Jacobian is analytic. With ``z_j = log((ĉ_j / (m_j L̂_j)^ψ)^{-ε})`` the exporter cost shifter
(``z_j = −ε ŵ_j + εψ L̂_j`` in logs for the baseline), ``a_ji = λ_ji e^{z_j}(1+t_ji)^{−εφ_i}`` and
``λ'_ji = a_ji / S_i``:

* ∂X'_ji/∂z_k = X'_ji(δ_jk − λ'_ki),  ∂X'_ji/∂log Ê_k = X'_ji δ_ik,
* ∂log S_i/∂z_k = λ'_ki,
* chain rule through ``z`` for ŵ, L̂ (and P̂ in the IO variant).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import numpy as np

from tarifflab.errors import InvalidInputError
from tarifflab.models.ge.one_sector_calibration import Baseline
from tarifflab.models.ge.one_sector_data import FloatArray
from tarifflab.models.ge.results import GEResult
from tarifflab.models.ge.solver import SolverDiagnostics, SolverOptions, solve

Fiscal = Literal["income-tax", "lump-sum"]
#: Share of US tariff revenue in the federal budget denominator used by Table 3 (revenue/0.23).
FEDERAL_BUDGET_SHARE_OF_GDP = 0.23


@dataclass(frozen=True, eq=False)
class _Shock:
    """Per-tariff-matrix constants: t, 1/(1+t), λ_ji(1+t_ji)^(−εφ_i)."""

    t: FloatArray
    g: FloatArray
    lam_t: FloatArray


@dataclass(frozen=True, eq=False)
class _State:
    """Equilibrium quantities at a point x."""

    w: FloatArray
    e: FloatArray
    l: FloatArray  # noqa: E741
    p: FloatArray  # log P̂
    lam_new: FloatArray
    x_new: FloatArray
    log_s: FloatArray
    a_net: FloatArray  # A_i = Σ_n (1−ν_n) X'_in
    b_imp: FloatArray  # B_i = Σ_j X'_ji
    revenue: FloatArray
    y_new: FloatArray
    e_new: FloatArray
    tau: FloatArray


class OneSectorModel:
    """The one-sector model on a calibrated :class:`Baseline` (baseline, EK or IO variant).

    ``solve(tariffs)`` returns a :class:`GEResult`; the last solution is kept as a warm start.
    """

    def __init__(self, baseline: Baseline, fiscal: Fiscal = "income-tax") -> None:
        if fiscal not in ("income-tax", "lump-sum"):
            raise InvalidInputError(f"unknown fiscal regime {fiscal!r} (income-tax or lump-sum)")
        if baseline.variant == "io" and fiscal != "income-tax":
            raise InvalidInputError("the IO variant always uses income-tax relief (spec §9.2)")
        self.baseline = baseline
        self.fiscal: Fiscal = fiscal
        self.n = baseline.n
        self.io = baseline.variant == "io"
        self.size = (4 if self.io else 3) * self.n
        self._warm: FloatArray | None = None
        params = baseline.params
        beta = baseline.beta
        self.eps = params.eps
        self.psi = params.psi
        self.kappa = params.kappa
        # d z_j / d log ŵ_j, d log P̂_j, d log L̂_j
        self.dz_w = -self.eps * (beta - self.psi * (1.0 - beta))
        self.dz_p = -self.eps * (1.0 - beta) * (1.0 + self.psi)
        self.dz_l = self.eps * self.psi
        self.one_minus_nu = 1.0 - baseline.nu
        # log Σ_j λ_ji (= 0 up to rounding); subtracting it makes P̂ exactly 1 at the baseline.
        self._log_s0 = np.log(baseline.lam.sum(axis=0))

    @property
    def last_solution(self) -> FloatArray | None:
        """The last converged unknowns (logs), used as the next warm start; ``None`` before any solve."""
        return self._warm

    # ------------------------------------------------------------------ tariffs
    def shock(self, tariffs: FloatArray) -> _Shock:
        """Validate a tariff matrix ``t_ji`` (N×N, exporter × importer, fraction) and precompute."""
        t = np.asarray(tariffs, dtype=np.float64)
        if t.shape != (self.n, self.n):
            raise InvalidInputError(f"tariff matrix must be {self.n}×{self.n}, got {t.shape}")
        if not np.all(np.isfinite(t)):
            raise InvalidInputError("tariff matrix has NaN or infinite entries")
        if np.any(t <= -1.0):
            raise InvalidInputError("tariff matrix has rates ≤ −100 %")
        t = t.copy()
        np.fill_diagonal(t, 0.0)
        g = 1.0 / (1.0 + t)
        lam_t = self.baseline.lam * np.exp(-self.eps * self.baseline.phi[None, :] * np.log1p(t))
        return _Shock(t=t, g=g, lam_t=lam_t)

    # ------------------------------------------------------------------ equations
    def _state(self, x: FloatArray, shock: _Shock) -> _State:
        n = self.n
        base = self.baseline
        w, e, l = x[:n], x[n : 2 * n], x[2 * n : 3 * n]  # noqa: E741
        if self.io:
            p = x[3 * n :]
            z = self.dz_w * w + self.dz_p * p + self.dz_l * l
        else:
            z = self.dz_w * w + self.dz_l * l
        zmax = float(np.max(z))
        a = shock.lam_t * np.exp(z - zmax)[:, None]
        s = a.sum(axis=0)
        lam_new = a / s[None, :]
        log_s = np.log(s) + zmax - self._log_s0
        if not self.io:
            p = (1.0 - base.phi) * (e - w) - log_s / self.eps
        e_new = base.expenditure * np.exp(e)
        x_new = lam_new * (shock.g * e_new[None, :])
        revenue = (shock.t * x_new).sum(axis=0)
        y_new = base.income * np.exp(w + l)
        tau = revenue / y_new if self.fiscal == "income-tax" else np.zeros(n)
        return _State(
            w=w,
            e=e,
            l=l,
            p=p,
            lam_new=lam_new,
            x_new=x_new,
            log_s=log_s,
            a_net=x_new @ self.one_minus_nu,
            b_imp=x_new.sum(axis=0),
            revenue=revenue,
            y_new=y_new,
            e_new=e_new,
            tau=tau,
        )

    def _residual_from_state(self, st: _State) -> FloatArray:
        base = self.baseline
        n = self.n
        beta = base.beta
        expenditure = base.expenditure
        f1 = (beta * st.a_net + base.nu * st.b_imp - st.y_new) / expenditure
        if self.io:
            f1[n - 1] = float(base.income @ (np.exp(st.w) - 1.0)) / base.income.sum()
        else:
            f1[n - 1] = float(expenditure @ (np.exp(st.p) - 1.0)) / expenditure.sum()
        growth = st.y_new.sum() / base.income.sum()
        f2 = (
            st.revenue + st.y_new + (1.0 - beta) * st.a_net + base.transfers * growth - st.e_new
        ) / expenditure
        tax = -np.log1p(-st.tau)
        f3 = st.l - self.kappa * (tax + st.w - st.p)
        parts = [f1, f2, f3]
        if self.io:
            parts.append(st.p - (1.0 - base.phi) * (st.e - st.w) + st.log_s / self.eps)
        return np.concatenate(parts)

    def market_gaps(self, x: FloatArray, tariffs: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Unscaled income (§4.4 eq. 1, all N rows, none replaced) and budget (eq. 2) gaps, thousand USD.

        Walras' law: ``income_gap.sum() == -budget_gap.sum()`` at any ``x``.
        """
        base = self.baseline
        st = self._state(np.asarray(x, dtype=np.float64), self.shock(tariffs))
        income_gap = base.beta * st.a_net + base.nu * st.b_imp - st.y_new
        growth = st.y_new.sum() / base.income.sum()
        budget_gap = st.revenue + st.y_new + (1.0 - base.beta) * st.a_net + base.transfers * growth - st.e_new
        return income_gap, budget_gap

    def state(self, x: FloatArray, shock: _Shock) -> _State:
        """Equilibrium quantities (λ'_ji, X'_ji, R_i, Y'_i, τ_i, log P̂_i ...) at the unknowns ``x``."""
        return self._state(np.asarray(x, dtype=np.float64), shock)

    def residual(self, x: FloatArray, shock: _Shock) -> FloatArray:
        """Scaled residuals F(x) (length 3N, or 4N in the IO variant)."""
        return self._residual_from_state(self._state(x, shock))

    def residual_jacobian(self, x: FloatArray, shock: _Shock) -> tuple[FloatArray, FloatArray]:
        """Residuals and the analytic Jacobian ∂F/∂x."""
        st = self._state(x, shock)
        f = self._residual_from_state(st)
        base = self.baseline
        n = self.n
        beta = base.beta
        kappa = self.kappa
        inv_e = 1.0 / base.expenditure
        xp = st.x_new
        lp_t = st.lam_new.T  # [i, k] = λ'_ki
        one_nu = self.one_minus_nu
        xp_nu = xp * one_nu[None, :]
        d_a_z = np.diag(st.a_net) - xp_nu @ lp_t
        d_a_e = xp_nu
        d_b_z = xp.T - lp_t * st.b_imp[:, None]
        d_r_z = (shock.t * xp).T - lp_t * st.revenue[:, None]
        eye = np.eye(n)
        jac = np.zeros((self.size, self.size))
        cols = {"w": slice(0, n), "e": slice(n, 2 * n), "l": slice(2 * n, 3 * n), "p": slice(3 * n, 4 * n)}
        dz = {"w": self.dz_w, "l": self.dz_l, "p": self.dz_p}

        def put(row: slice, j_z: FloatArray, j_e: FloatArray, direct: dict[str, FloatArray]) -> None:
            jac[row, cols["e"]] = j_e
            for var in ("w", "l", "p") if self.io else ("w", "l"):
                block = j_z * dz[var]
                if var in direct:
                    block = block + direct[var]
                jac[row, cols[var]] = block

        y_over_e = np.diag(st.y_new * inv_e)
        # (1) income = sales
        r1 = slice(0, n)
        j1_z = (beta * d_a_z + base.nu[:, None] * d_b_z) * inv_e[:, None]
        j1_e = (beta * d_a_e + np.diag(base.nu * st.b_imp)) * inv_e[:, None]
        put(r1, j1_z, j1_e, {"w": -y_over_e, "l": -y_over_e})
        last = n - 1
        jac[last, :] = 0.0
        if self.io:
            jac[last, cols["w"]] = base.income * np.exp(st.w) / base.income.sum()
        else:
            c = base.expenditure * np.exp(st.p) / base.expenditure.sum()
            one_phi = 1.0 - base.phi
            jac[last, cols["e"]] = c * one_phi
            num_z = -(c @ lp_t) / self.eps
            jac[last, cols["w"]] = num_z * self.dz_w - c * one_phi
            jac[last, cols["l"]] = num_z * self.dz_l
        # (2) budget
        r2 = slice(n, 2 * n)
        total_y = base.income.sum()
        j2_z = (d_r_z + (1.0 - beta) * d_a_z) * inv_e[:, None]
        j2_e = (np.diag(st.revenue - st.e_new) + (1.0 - beta) * d_a_e) * inv_e[:, None]
        d_y = (np.diag(st.y_new) + np.outer(base.transfers, st.y_new) / total_y) * inv_e[:, None]
        put(r2, j2_z, j2_e, {"w": d_y, "l": d_y})
        # (3) labour supply: l − κ(−log(1−τ) + w − log P̂)
        r3 = slice(2 * n, 3 * n)
        if self.fiscal == "income-tax":
            q = 1.0 / (st.y_new * (1.0 - st.tau))
            tau_ratio = st.tau / (1.0 - st.tau)
        else:
            q = np.zeros(n)
            tau_ratio = np.zeros(n)
        j3_z = -kappa * q[:, None] * d_r_z
        j3_e = -kappa * np.diag(q * st.revenue)
        direct3: dict[str, FloatArray] = {
            "w": np.diag(-kappa * (1.0 - tau_ratio)),
            "l": np.diag(1.0 + kappa * tau_ratio),
        }
        if self.io:
            direct3["p"] = kappa * eye
        else:
            # − κ(−log P̂) with log P̂ = (1−φ)(e − w) − log S/ε
            one_phi = 1.0 - base.phi
            j3_z = j3_z - kappa * lp_t / self.eps
            j3_e = j3_e + kappa * np.diag(one_phi)
            direct3["w"] = direct3["w"] - kappa * np.diag(one_phi)
        put(r3, j3_z, j3_e, direct3)
        if self.io:
            r4 = slice(3 * n, 4 * n)
            one_phi = 1.0 - base.phi
            put(r4, lp_t / self.eps, -np.diag(one_phi), {"w": np.diag(one_phi), "p": eye})
        return f, jac

    # ------------------------------------------------------------------ solving
    def solve(
        self,
        tariffs: FloatArray,
        *,
        scenario: str = "custom",
        description: str = "",
        options: SolverOptions | None = None,
        x0: FloatArray | None = None,
        warm_start: bool = True,
    ) -> GEResult:
        """Solve the counterfactual equilibrium for the tariff matrix ``t_ji``.

        Starts from ``x0`` (logs), else the last solution of this model (warm start), else zeros
        (all hats 1). Falls back to a cold start when a warm start fails.
        """
        shock = self.shock(tariffs)
        start = time.perf_counter()
        cold = np.zeros(self.size)
        if x0 is not None:
            guess = np.asarray(x0, dtype=np.float64)
        elif warm_start and self._warm is not None:
            guess = self._warm
        else:
            guess = cold
        options = options or SolverOptions()

        def fun(x: FloatArray) -> FloatArray:
            return self.residual(x, shock)

        def fun_jac(x: FloatArray) -> tuple[FloatArray, FloatArray]:
            return self.residual_jacobian(x, shock)

        # A warm start is better only if its residual is smaller than the cold start's.
        if guess is not cold and np.max(np.abs(fun(guess))) > np.max(np.abs(fun(cold))):
            guess = cold
        x, diag = solve(fun, fun_jac, guess, options)
        diag = SolverDiagnostics(
            iterations=diag.iterations,
            max_residual=diag.max_residual,
            seconds=time.perf_counter() - start,
            converged=diag.converged,
            method=diag.method,
            message=diag.message,
            factorizations=diag.factorizations,
        )
        self._warm = x
        return self.result(x, shock, diag, scenario=scenario, description=description)

    # ------------------------------------------------------------------ statistics
    def result(
        self,
        x: FloatArray,
        shock: _Shock,
        diagnostics: SolverDiagnostics,
        *,
        scenario: str,
        description: str = "",
    ) -> GEResult:
        """Welfare (§5, §9.2) and the statistics of §6 at the solution ``x``."""
        st = self._state(x, shock)
        base = self.baseline
        kappa = self.kappa
        w_hat, e_hat, l_hat, p_hat = np.exp(st.w), np.exp(st.e), np.exp(st.l), np.exp(st.p)
        growth = st.y_new.sum() / base.income.sum()
        if self.io:
            e_cons = base.income + base.transfers
            e_cons_hat = (st.revenue + st.y_new + base.transfers * growth) / e_cons
            delta = e_cons / (e_cons - kappa * (1.0 - st.tau) * base.income / (1.0 + kappa))
            real_spending = e_cons_hat / p_hat
        else:
            delta = base.expenditure / (
                base.expenditure - kappa * (1.0 - st.tau) * base.income / (1.0 + kappa)
            )
            real_spending = e_hat / p_hat
        # Ŵ − 1 = δ(real spending − 1) + (1 − δ)(real income − 1): exact 0 at the baseline.
        welfare_change = delta * (real_spending - 1.0) + (1.0 - delta) * (w_hat * l_hat / p_hat - 1.0)
        flows = base.lam * base.expenditure[None, :]
        off = 1.0 - np.eye(self.n)
        deficit = flows.sum(axis=0) - flows.sum(axis=1)
        deficit_new = st.x_new.sum(axis=0) - st.x_new.sum(axis=1)
        exports = (flows * off).sum(axis=1)
        imports = (flows * off).sum(axis=0)
        exports_new = (st.x_new * off).sum(axis=1)
        imports_new = (st.x_new * off).sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            table = np.column_stack(
                [
                    100.0 * welfare_change,
                    100.0 * (deficit_new - deficit) / np.abs(deficit),
                    100.0 * ((exports_new / st.y_new) / (exports / base.income) - 1.0),
                    100.0 * ((imports_new / st.y_new) / (imports / base.income) - 1.0),
                    100.0 * (l_hat - 1.0),
                    100.0 * (p_hat - 1.0),
                    100.0 * st.revenue / base.expenditure,
                ]
            )
        trade_new = (st.x_new * (1.0 + shock.t) * off).sum()
        us = base.us
        scalars = {
            "global_trade_to_gdp_pct": float(100.0 * ((trade_new / (flows * off).sum()) / growth - 1.0)),
            "global_employment_pct": float(base.income @ table[:, 4] / base.income.sum()),
            "us_revenue_gdp_pct": float(table[us, 6]),
            "us_revenue_federal_budget_pct": float(table[us, 6] / FEDERAL_BUDGET_SHARE_OF_GDP),
        }
        return GEResult(
            scenario=scenario,
            iso3=base.iso3,
            table=table,
            hats={"w_hat": w_hat, "E_hat": e_hat, "L_hat": l_hat, "P_hat": p_hat},
            weights=base.weights,
            diagnostics=diagnostics,
            scalars=scalars,
            tariffs=shock.t,
            description=description,
        )
