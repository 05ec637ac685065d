"""Multi-sector trade model of Ossa (2014), "Trade Wars and Trade Talks with Data" (AER 104(12)).

Krugman monopolistic competition with a fixed set of firms per country-sector, CES (σ_s) within a
sector and Cobb–Douglas across sectors, tariff revenue rebated. Exact-hat form (notation of the
paper; exporter ``i``, importer ``j``, sector ``s``; arrays are ``[i, j, s]``):

* ``X_ijs`` pre-tariff flows (diagonal = domestic sales), ``t_ijs`` tariffs (fractions), ``σ_s``;
* ``γ_ijs`` buyer-price shares of ``i`` in ``j``'s sector-``s`` spending, ``EB_js`` that spending;
* counterfactual buyer shares ``π_ijs = γ_ijs (ŵ_i d̂_ijs τ̂_ijs)^{1-σ_s} / Σ_k γ_kjs (ŵ_k d̂_kjs τ̂_kjs)^{1-σ_s}``
  with ``τ̂ = (1+t')/(1+t)`` and ``d̂`` an iceberg trade-cost change (1 = none);
* new flows ``X'_ijs = π_ijs EB_js Ê_j / (1+t'_ijs)``, sales ``Y'_is = Σ_j X'_ijs``;
* wage bill ``ŵ_i wL_i = Σ_s (σ_s-1)/σ_s Y'_is`` (one equation dropped; numeraire ``Σ wL_i ŵ_i = Σ wL_i``);
* spending ``Ê_j E_j = ŵ_j wL_j + Σ_s Y'_js/σ_s + R'_j - NX'_j`` with ``R'_j = Σ_{i,s} t'_ijs X'_ijs``;
* price index ``P̂_js = (Σ_i γ_ijs (ŵ_i d̂ τ̂)^{1-σ})^{1/(1-σ)}``, ``P̂_j = Π_s P̂_js^{μ_js}``;
  welfare (real income, λ ≡ 1) ``Ŵ_j = Ê_j / P̂_j``.

Unknowns are ``x = (ln ŵ, ln Ê)`` (2N). The equilibrium is solved by Newton's method with the
analytic Jacobian below, for one tariff cube or a batch of them (leading axes). Gradients of welfare
with respect to log tariff factors ``θ_ijs = ln(1+t'_ijs)`` come from the adjoint of the same Jacobian,
so an optimal tariff needs one linear solve per country, not a finite-difference sweep.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from tarifflab.errors import ConvergenceError, DataError, InvalidInputError

Array = NDArray[np.float64]


@dataclass(frozen=True)
class TradeWarData:
    """Bilateral sector flows and tariffs. ``flows[i, j, s]``: exporter ``i`` to importer ``j``,
    pre-tariff value (any currency unit, e.g. USD million); ``tariffs[i, j, s]``: importer ``j``'s
    ad-valorem tariff on ``i`` (fraction); ``sigma[s]``: elasticity of substitution σ_s."""

    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    flows: Array
    tariffs: Array
    sigma: Array
    name: str = "custom"
    unit: str = "USD million"

    def __post_init__(self) -> None:
        n, s = len(self.countries), len(self.sectors)
        if self.flows.shape != (n, n, s) or self.tariffs.shape != (n, n, s) or self.sigma.shape != (s,):
            raise DataError(
                f"trade-war data shapes do not match {n} countries × {s} sectors: flows {self.flows.shape}, "
                f"tariffs {self.tariffs.shape}, sigma {self.sigma.shape}"
            )
        if np.any(self.flows < 0) or not np.all(np.isfinite(self.flows)):
            raise DataError("trade flows must be finite and non-negative")
        if np.any(self.tariffs <= -1) or not np.all(np.isfinite(self.tariffs)):
            raise DataError("tariffs must be finite and above -100%")
        if np.any(self.sigma <= 1):
            raise DataError("every σ_s must exceed 1")

    def index(self, country: str) -> int:
        try:
            return self.countries.index(country)
        except ValueError:
            raise InvalidInputError(
                f"country {country!r} is not in dataset {self.name} ({', '.join(self.countries)})"
            ) from None

    def sector_index(self, sector: str) -> int:
        try:
            return self.sectors.index(sector)
        except ValueError:
            raise InvalidInputError(f"sector {sector!r} is not in dataset {self.name}") from None


@dataclass(frozen=True)
class Equilibrium:
    """A solved counterfactual (possibly a batch along leading axes).

    ``w_hat`` ŵ_i, ``E_hat`` Ê_j, ``P_hat`` P̂_j, ``welfare_hat`` Ŵ_j = Ê_j/P̂_j, ``flows`` X'_ijs,
    ``revenue`` R'_j, ``tariffs`` t'_ijs; diagnostics ``iterations``, ``max_residual``, ``seconds``,
    ``converged``.
    """

    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    tariffs: Array
    w_hat: Array
    E_hat: Array
    P_hat: Array
    P_hat_sector: Array
    flows: Array
    revenue: Array
    shares: Array
    x: Array
    iterations: int
    max_residual: float
    seconds: float
    converged: bool = True

    @property
    def welfare_hat(self) -> Array:
        return self.E_hat / self.P_hat

    @property
    def welfare_change_pct(self) -> Array:
        return 100.0 * (self.welfare_hat - 1.0)

    def to_frame(self) -> pd.DataFrame:
        if self.w_hat.ndim != 1:
            raise InvalidInputError("to_frame() needs a single equilibrium, not a batch")
        return pd.DataFrame(
            {
                "country": self.countries,
                "w_hat": self.w_hat,
                "E_hat": self.E_hat,
                "P_hat": self.P_hat,
                "welfare_change_pct": self.welfare_change_pct,
                "tariff_revenue": self.revenue,
            }
        )


@dataclass
class _State:
    """Intermediate arrays of one evaluation (batch axes first)."""

    w: Array
    E: Array
    theta: Array  # ln(1+t')
    tnew: Array
    pi: Array
    flows: Array
    sales: Array
    revenue: Array
    logP_js: Array
    F: Array = field(default_factory=lambda: np.zeros(0))


class OssaModel:
    """Ossa (2014) model calibrated to a :class:`TradeWarData`; ``balance=True`` first purges trade
    imbalances (counterfactual at factual tariffs with NX' = 0, as Ossa's ``DATA.mat``)."""

    def __init__(self, data: TradeWarData, balance: bool = True) -> None:
        if balance:
            raw = OssaModel(data, balance=False)
            eq = raw.solve(nx=np.zeros(len(data.countries)))
            data = TradeWarData(
                data.countries, data.sectors, eq.flows, data.tariffs, data.sigma, data.name, data.unit
            )
        self.data = data
        X, t, sig = data.flows, data.tariffs, data.sigma
        self.N, self.S = X.shape[0], X.shape[2]
        self.sigma = sig
        self.t0 = t
        self.theta0 = np.log1p(t)
        buyer = (1.0 + t) * X
        self.EB = buyer.sum(axis=0)  # [j, s]
        with np.errstate(invalid="ignore", divide="ignore"):
            self.gamma = np.where(self.EB[None] > 0, buyer / self.EB[None], 0.0)
        self.E = buyer.sum(axis=(0, 2))
        self.mu = self.EB / self.E[:, None]
        sales = X.sum(axis=1)
        self.sales0 = sales
        self.wagebill_share = (sig - 1.0) / sig  # [s]
        self.wL = (sales * self.wagebill_share).sum(axis=1)
        self.nx0 = sales.sum(axis=1) - X.sum(axis=(0, 2))
        self.revenue0 = (t * X).sum(axis=(0, 2))
        self.gdp = self.E  # buyer-price absorption, the model's income measure

    # ------------------------------------------------------------------ core evaluation
    def _state(self, x: Array, theta: Array, log_d: Array | float, nx: Array) -> _State:
        N = self.N
        lw, lE = x[..., :N], x[..., N:]
        w, E = np.exp(lw), np.exp(lE)
        one_m_sig = 1.0 - self.sigma
        expo = one_m_sig * (lw[..., :, None, None] + log_d + theta - self.theta0)
        A = self.gamma * np.exp(expo)
        Psum = A.sum(axis=-3)  # [..., j, s]
        pi = A / Psum[..., None, :, :]
        tnew = np.expm1(theta)
        flows = pi * (self.EB * E[..., :, None])[..., None, :, :] / (1.0 + tnew)
        sales = flows.sum(axis=-2)  # [..., i, s]
        revenue = (tnew * flows).sum(axis=(-3, -1))
        logP_js = np.log(Psum) / one_m_sig
        F1 = (sales * self.wagebill_share).sum(axis=-1) / self.wL - w
        num = (self.wL * w).sum(axis=-1) / self.wL.sum() - 1.0
        F2 = (self.wL * w + (sales / self.sigma).sum(axis=-1) + revenue - nx) / self.E - E
        F = np.concatenate([num[..., None], F1[..., 1:], F2], axis=-1)
        return _State(w, E, theta, tnew, pi, flows, sales, revenue, logP_js, F)

    def _jacobian(self, st: _State) -> Array:
        """∂F/∂x, analytic (rows as in ``F``: numeraire, wage rows 1..N-1, spending rows)."""
        N = self.N
        one_m_sig = 1.0 - self.sigma
        Xp, pi = st.flows, st.pi
        eye = np.eye(N)
        # dSales'_is/dlw_k = (1-σ_s)(1[i=k] Y'_is - Σ_j X'_ijs π_kjs)       -> G[..., i, k, s]
        cross = np.einsum("...ijs,...kjs->...iks", Xp, pi)
        G = one_m_sig * (eye[:, :, None] * st.sales[..., :, None, :] - cross)
        # dSales'_is/dlE_m = X'_ims                                           -> H[..., i, m, s]
        H = Xp
        T_js = (st.tnew * Xp).sum(axis=-3)  # [..., j, s]
        # dR'_j/dlw_k = Σ_s (1-σ_s)(t'_kjs X'_kjs - π_kjs T_js)
        tX = st.tnew * Xp  # [..., k, j, s]
        dR_dw = np.einsum("s,...kjs->...jk", one_m_sig, tX - pi * T_js[..., None, :, :])
        batch = st.w.shape[:-1]
        J = np.zeros((*batch, 2 * N, 2 * N))
        wl = self.wL
        # numeraire
        J[..., 0, :N] = wl * st.w / wl.sum()
        # wage rows
        dF1_dw = np.einsum("s,...iks->...ik", self.wagebill_share, G) / wl[:, None] - eye * st.w[..., None, :]
        dF1_dE = np.einsum("s,...ims->...im", self.wagebill_share, H) / wl[:, None]
        J[..., 1:N, :N] = dF1_dw[..., 1:, :]
        J[..., 1:N, N:] = dF1_dE[..., 1:, :]
        # spending rows
        inv_sig = 1.0 / self.sigma
        dF2_dw = (
            eye * (wl * st.w)[..., :, None] + np.einsum("s,...jks->...jk", inv_sig, G) + dR_dw
        ) / self.E[:, None]
        dF2_dE = (np.einsum("s,...jms->...jm", inv_sig, H) + eye * st.revenue[..., :, None]) / self.E[
            :, None
        ] - eye * st.E[..., None, :]
        J[..., N:, :N] = dF2_dw
        J[..., N:, N:] = dF2_dE
        return J

    def _check_inputs(
        self, tariffs: Array | None, nx: Array | None, trade_cost_hat: Array | None
    ) -> tuple[Array, Array | float, Array]:
        t = self.t0 if tariffs is None else np.asarray(tariffs, dtype=float)
        if t.shape[-3:] != (self.N, self.N, self.S):
            raise InvalidInputError(
                f"tariff cube must end in shape {(self.N, self.N, self.S)}, got {t.shape}"
            )
        if np.any(t <= -1) or not np.all(np.isfinite(t)):
            raise InvalidInputError("counterfactual tariffs must be finite and above -100%")
        nxv = np.zeros(self.N) if nx is None else np.asarray(nx, dtype=float)
        if trade_cost_hat is None:
            log_d: Array | float = 0.0
        else:
            d = np.asarray(trade_cost_hat, dtype=float)
            if np.any(d <= 0):
                raise InvalidInputError("trade-cost changes d̂ must be positive")
            log_d = np.log(d)
        return np.log1p(t), log_d, nxv

    def solve(
        self,
        tariffs: Array | None = None,
        nx: Array | None = None,
        trade_cost_hat: Array | None = None,
        x0: Array | None = None,
        tol: float = 1e-11,
        max_iter: int = 60,
    ) -> Equilibrium:
        """Counterfactual equilibrium for tariffs ``t'`` (shape ``(..., N, N, S)``), net exports
        ``NX'`` (default 0 = balanced) and iceberg changes ``d̂``. Raises :class:`ConvergenceError`."""
        theta, log_d, nxv = self._check_inputs(tariffs, nx, trade_cost_hat)
        start = time.perf_counter()
        batch = np.broadcast_shapes(theta.shape[:-3], nxv.shape[:-1], np.shape(log_d)[:-3])
        x = np.zeros((*batch, 2 * self.N)) if x0 is None else np.broadcast_to(x0, (*batch, 2 * self.N)).copy()
        st, it, res = self._newton(x, theta, log_d, nxv, tol, max_iter)
        seconds = time.perf_counter() - start
        return self._equilibrium(st, it, res, seconds)

    def _newton(
        self, x: Array, theta: Array, log_d: Array | float, nx: Array, tol: float, max_iter: int
    ) -> tuple[_State, int, float]:
        st = self._state(x, theta, log_d, nx)
        norm = np.max(np.abs(st.F), axis=-1)
        it = 0
        while np.max(norm) > tol:
            if it >= max_iter:
                raise ConvergenceError(
                    f"Ossa-model equilibrium did not converge in {max_iter} Newton steps "
                    f"(max residual {float(np.max(norm)):.2e})",
                    {"iterations": it, "max_residual": float(np.max(norm))},
                )
            J = self._jacobian(st)
            try:
                step = np.linalg.solve(J, -st.F[..., None])[..., 0]
            except np.linalg.LinAlgError as err:
                raise ConvergenceError(
                    "singular Jacobian in the Ossa-model equilibrium", {"iterations": it}
                ) from err
            scale = np.ones(norm.shape)
            for _ in range(30):
                trial = x + scale[..., None] * step
                st_new = self._state(trial, theta, log_d, nx)
                new_norm = np.max(np.abs(st_new.F), axis=-1)
                bad = ~(new_norm < norm) & (norm > tol) & (scale > 1e-6)
                bad |= ~np.isfinite(new_norm)
                if not np.any(bad):
                    break
                scale = np.where(bad, scale * 0.5, scale)
            x = trial
            st, norm = st_new, new_norm
            it += 1
        return st, it, float(np.max(norm)) if norm.size else 0.0

    def _equilibrium(self, st: _State, it: int, res: float, seconds: float) -> Equilibrium:
        logP = (self.mu * st.logP_js).sum(axis=-1)
        x = np.concatenate([np.log(st.w), np.log(st.E)], axis=-1)
        return Equilibrium(
            countries=self.data.countries,
            sectors=self.data.sectors,
            tariffs=st.tnew,
            w_hat=st.w,
            E_hat=st.E,
            P_hat=np.exp(logP),
            P_hat_sector=np.exp(st.logP_js),
            flows=st.flows,
            revenue=st.revenue,
            shares=st.pi,
            x=x,
            iterations=it,
            max_residual=res,
            seconds=seconds,
        )

    # ------------------------------------------------------------------ derivatives
    def _dx_parts(self, st: _State) -> tuple[Array, Array, Array]:
        """Derivatives of sales and revenue with respect to x = (ln ŵ, ln Ê):
        ``dY[i, k, s]`` (w.r.t. ln ŵ_k), ``X'`` (w.r.t. ln Ê_m is ``X'[i, m, s]``), ``dR[j, k]`` (w.r.t. ln ŵ_k)."""
        one_m_sig = 1.0 - self.sigma
        cross = np.einsum("ijs,kjs->iks", st.flows, st.pi)
        dY = one_m_sig * (np.eye(self.N)[:, :, None] * st.sales[:, None, :] - cross)
        T_js = (st.tnew * st.flows).sum(axis=0)
        dR = np.einsum("s,kjs->jk", one_m_sig, st.tnew * st.flows - st.pi * T_js[None])
        return dY, st.flows, dR

    def _functional_theta(self, st: _State, A: Array, B: Array) -> Array:
        """Σ_{i',s} A[c,i',s] ∂Y'_{i's}/∂θ_ijs + Σ_j B[c,j] ∂R'_j/∂θ_ijs  ->  [c, i, j, s]."""
        one_m_sig = 1.0 - self.sigma
        Xp, pi = st.flows, st.pi
        tX = st.tnew * Xp
        T_js = tX.sum(axis=0)
        aX = np.einsum("cis,ijs->cijs", A, Xp)
        sum_aX = aX.sum(axis=1)
        sales_term = one_m_sig * (aX - pi[None] * sum_aX[:, None]) - aX
        dR = (1.0 + st.tnew) * Xp + one_m_sig * (tX - pi * T_js[None]) - tX
        return np.asarray(sales_term + B[:, None, :, None] * dR[None])

    def total_derivatives(self, st: _State, A: Array, B: Array, Pw: Array) -> Array:
        """Total derivative w.r.t. θ_ijs = ln(1+t'_ijs), through the equilibrium, of the objectives
        ``f_c = Σ A[c,i,s] Y'_is + Σ B[c,j] R'_j + Σ Pw[c,j,s] ln P̂_js`` (their linearisation at ``st``).
        Returns ``[c, i, j, s]``. One adjoint solve with the analytic Jacobian for all objectives."""
        N = self.N
        dY, dYdE, dR = self._dx_parts(st)
        # partial derivatives w.r.t. x
        fx = np.zeros((A.shape[0], 2 * N))
        fx[:, :N] = np.einsum("cis,iks->ck", A, dY) + B @ dR + np.einsum("cjs,kjs->ck", Pw, st.pi)
        fx[:, N:] = np.einsum("cis,ims->cm", A, dYdE) + B * st.revenue[None, :]
        J = self._jacobian(st)
        lam = np.linalg.solve(J.T, fx.T).T
        lam_wage = np.zeros((A.shape[0], N))
        lam_wage[:, 1:] = lam[:, 1:N]
        lam_spend = lam[:, N:]
        A_res = lam_wage[:, :, None] * (self.wagebill_share / self.wL[:, None])[None] + lam_spend[
            :, :, None
        ] / (self.sigma[None, None, :] * self.E[None, :, None])
        B_res = lam_spend / self.E[None, :]
        out = self._functional_theta(st, A - A_res, B - B_res)
        out += Pw[:, None, :, :] * st.pi[None]
        return out

    def government_objective(self, st: _State, lam: Array) -> tuple[Array, Array, Array, Array]:
        """ln Ĝ_c (Ossa's government welfare with political-economy weights λ_cs) and its
        linearisation coefficients (A, B, Pw) for :meth:`total_derivatives`.

        ``Ĝ_c = [Σ_s λ_cs (Y'_cs + δ'_cs R'_c)] / [Σ_s λ_cs (Y_cs + δ_cs R_c)] / P̂_c`` with
        ``δ'_cs`` the sector's share of the counterfactual wage bill. With λ ≡ 1 and balanced trade
        ``Ĝ_c = Ê_c / P̂_c`` (real income).
        """
        N, S = self.N, self.S
        Y, R = st.sales, st.revenue
        wb = self.wagebill_share[None, :] * Y
        WB = wb.sum(axis=1)
        Lam = (lam * wb).sum(axis=1) / WB
        Z = (lam * Y).sum(axis=1) + R * Lam
        wb0 = self.wagebill_share[None, :] * self.sales0
        Z0 = (lam * self.sales0).sum(axis=1) + self.revenue0 * (lam * wb0).sum(axis=1) / wb0.sum(axis=1)
        logG = np.log(Z) - np.log(Z0) - (self.mu * st.logP_js).sum(axis=1)
        A = np.zeros((N, N, S))
        B = np.zeros((N, N))
        Pw = np.zeros((N, N, S))
        for c in range(N):
            A[c, c] = (lam[c] + R[c] * self.wagebill_share * (lam[c] - Lam[c]) / WB[c]) / Z[c]
            B[c, c] = Lam[c] / Z[c]
            Pw[c, c] = -self.mu[c]
        return logG, A, B, Pw

    def state(self, theta: Array, x0: Array | None = None, nx: Array | None = None) -> _State:
        """Solved equilibrium state for log tariff factors θ (single cube), for derivative work."""
        nxv = np.zeros(self.N) if nx is None else nx
        x = np.zeros(2 * self.N) if x0 is None else x0.copy()
        st, _, _ = self._newton(x, theta, 0.0, nxv, 1e-12, 60)
        return st

    def welfare_and_gradient(
        self,
        theta: Array,
        x0: Array | None = None,
        nx: Array | None = None,
        countries: list[int] | None = None,
        weights: Array | None = None,
    ) -> tuple[Array, Array, Array]:
        """ln Ĝ_c and d ln Ĝ_c / d θ_ijs (θ = ln(1+t'); total derivative through the equilibrium).

        ``weights``: political-economy weights λ (N × S; default ones, i.e. real income).
        Returns ``(log_welfare[N], gradient[len(countries), N, N, S], x)`` for a single cube.
        """
        st = self.state(theta, x0, nx)
        x = np.concatenate([np.log(st.w), np.log(st.E)])
        lam = np.ones((self.N, self.S)) if weights is None else weights
        logG, A, B, Pw = self.government_objective(st, lam)
        cs = list(range(self.N)) if countries is None else countries
        grad = self.total_derivatives(st, A[cs], B[cs], Pw[cs])
        return logG, grad, x
