"""Equilibrium conditions of the multi-sector CES model with input–output links, in exact hat algebra.

Notation (arrays exporter-first, ``[i, n, s]`` = exporter i, importer n, sector s):

* ``u = ln ŵ`` (N): log wage changes — the only outer unknowns.
* ĉ_is = ŵ_i^{β_is} ∏_k P̂_ik^{(1-β_is) γ_i^{ks}}    (unit cost, Caliendo–Parro eq. 11)
* P̂_ns^{-ε_s} = Σ_i π_ins (κ̂_ins ĉ_is)^{-ε_s}     (sector price index, eq. 12; ε_s = θ_s = σ_s − 1)
* π'_ins = π_ins (κ̂_ins ĉ_is)^{-ε_s} / P̂_ns^{-ε_s}     (trade shares, eq. 13)
* E'_nk = Σ_s γ_n^{ks}(1-β_ns) Q'_ns + α_nk I'_n,  Q'_is = Σ_n π'_ins E'_ns / κ'_ins,
  I'_n = ŵ_n VA_n + Σ_s (1 − F'_ns) E'_ns − S'_n,  F'_ns = Σ_i π'_ins/κ'_ins   (eq. 14, expenditure)
* residual_i = (Σ_s β_is Q'_is − ŵ_i VA_i)/VA_i for i < N;  residual_N = Σ_i VA_i(ŵ_i − 1)/Σ_i VA_i
  (labour-market clearing; the last equation is replaced by the numeraire, world value added fixed).

Without IO (β ≡ 1) the system is exactly the one-factor Armington/CES model of Lashkaripour (2021)
(``ge-multi-sector.md`` Part A, A.5): ĉ = ŵ, P̂ in closed form, E' = α I'.

The Jacobian d residual / d u is analytic: the price block and the expenditure block are linear
fixed points whose derivatives are obtained by implicit differentiation and solved by Neumann
iteration with N right-hand sides at once (``jacobian``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tarifflab.errors import ConvergenceError


@dataclass(frozen=True, eq=False)
class Baseline:
    """Calibrated base-year objects (all money in million USD at base prices).

    pi: π_ins trade shares (buyer prices) [i, n, s]; kappa: κ_ins = 1 + t_ins; eps: ε_s (S);
    beta: β_is; gamma: γ_i^{ks} as [i, k, s]; alpha: α_nk final-demand shares; VA: value added;
    E: sector expenditure E_ns (buyer prices); Q: gross output Q_is (producer prices);
    S: trade surplus S_n; I: national income I_n = VA + tariff revenue − S.
    """

    pi: np.ndarray
    kappa: np.ndarray
    eps: np.ndarray
    beta: np.ndarray
    gamma: np.ndarray
    alpha: np.ndarray
    VA: np.ndarray
    E: np.ndarray
    Q: np.ndarray
    S: np.ndarray
    I: np.ndarray  # noqa: E741

    @property
    def n(self) -> int:
        return int(self.pi.shape[0])

    @property
    def s(self) -> int:
        return int(self.pi.shape[2])

    @property
    def has_io(self) -> bool:
        return bool(np.any(self.beta < 1.0))


@dataclass(frozen=True, eq=False)
class Shock:
    """Counterfactual inputs: κ'_ins = 1 + t'_ins and the counterfactual surplus S'_n."""

    kappa_new: np.ndarray
    surplus: np.ndarray


@dataclass(eq=False)
class State:
    """Everything computed at one ``u``; reused by the Jacobian and the results."""

    u: np.ndarray
    lnP: np.ndarray  # N × S
    lnc: np.ndarray  # N × S
    pi_new: np.ndarray  # N × N × S
    H: np.ndarray  # π'/κ'
    F: np.ndarray  # N × S
    E: np.ndarray  # N × S
    Q: np.ndarray  # N × S
    I: np.ndarray  # noqa: E741  # N
    residual: np.ndarray  # N (numeraire last)
    labour_residual: np.ndarray  # N (all labour-market equations, incl. the one dropped)
    inner_iterations: int


class Equations:
    """Residuals and analytic Jacobian for one baseline × shock."""

    def __init__(
        self,
        base: Baseline,
        shock: Shock,
        *,
        inner_tol: float = 1e-13,
        inner_max: int = 5000,
    ) -> None:
        self.base = base
        self.shock = shock
        self.inner_tol = inner_tol
        self.inner_max = inner_max
        eps = base.eps
        kappa_hat = shock.kappa_new / base.kappa
        # π_ins κ̂_ins^{-ε_s}, transposed to [s, n, i] for batched mat-vec over sectors
        pik = base.pi * kappa_hat ** (-eps[None, None, :])
        self._pik = pik
        self._pikT = np.ascontiguousarray(np.transpose(pik, (2, 1, 0)))
        self._io = base.has_io
        self._one_minus_beta = 1.0 - base.beta  # N × S
        # γ(1-β) as [n, k, s]
        self._gb = np.ascontiguousarray(base.gamma * self._one_minus_beta[:, None, :])
        self._gammaT = np.ascontiguousarray(np.transpose(base.gamma, (0, 2, 1)))  # [i, s, k]
        self._va_total = float(base.VA.sum())

    # ---------------------------------------------------------------- inner blocks

    def prices(self, u: np.ndarray, lnP0: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, int]:
        """Fixed point for ln P̂ given ln ŵ = u. Returns (lnP, lnc, iterations)."""
        base = self.base
        wpart = base.beta * u[:, None]
        if not self._io:
            lnc = wpart
            lnP = self._lnP_of(lnc)
            return lnP, lnc, 1
        lnP = np.zeros((base.n, base.s)) if lnP0 is None else lnP0.copy()
        for it in range(1, self.inner_max + 1):  # noqa: B007 - ``it`` is returned
            lnc = wpart + self._one_minus_beta * self._gamma_dot(lnP)
            new = self._lnP_of(lnc)
            if not np.all(np.isfinite(new)):
                raise ConvergenceError("multi-sector price fixed point produced non-finite prices")
            gap = float(np.max(np.abs(new - lnP)))
            lnP = new
            if gap < self.inner_tol:
                break
        else:
            raise ConvergenceError(f"price fixed point did not converge in {self.inner_max} iterations")
        lnc = wpart + self._one_minus_beta * self._gamma_dot(lnP)
        return lnP, lnc, it

    def _gamma_dot(self, lnP: np.ndarray) -> np.ndarray:
        """Σ_k γ_i^{ks} lnP_ik → [i, s] (batched mat-vec over countries)."""
        return np.matmul(self._gammaT, lnP[:, :, None])[:, :, 0]

    def _lnP_of(self, lnc: np.ndarray) -> np.ndarray:
        eps = self.base.eps
        cpow = np.exp(-eps[None, :] * lnc)  # i × s
        # D[n,s] = Σ_i pik[i,n,s] cpow[i,s]
        D = np.matmul(self._pikT, cpow.T[:, :, None])[:, :, 0].T
        return -np.log(D) / eps[None, :]

    def expenditure(
        self, u: np.ndarray, H: np.ndarray, F: np.ndarray, E0: np.ndarray | None
    ) -> tuple[np.ndarray, int]:
        """Solve E' = Σ γ(1-β) Q'(E') + α I'(E') (linear) by fixed-point iteration."""
        base = self.base
        wage = np.exp(u) * base.VA - self.shock.surplus
        E = base.E.copy() if E0 is None else E0.copy()
        scale = max(float(np.max(np.abs(E))), 1e-300)
        for it in range(1, self.inner_max + 1):
            new = self._apply_A(E, H, F) + base.alpha * wage[:, None]
            gap = float(np.max(np.abs(new - E)))
            E = new
            if gap < self.inner_tol * scale:
                return E, it
        raise ConvergenceError(f"expenditure system did not converge in {self.inner_max} iterations")

    def _apply_A(
        self, X: np.ndarray, H: np.ndarray, F: np.ndarray, HT: np.ndarray | None = None
    ) -> np.ndarray:
        """Linear part of the expenditure map; X is N × S or N × S × K."""
        base = self.base
        if X.ndim == 2:
            rev = np.einsum("ns,ns->n", 1.0 - F, X)
            out = base.alpha * rev[:, None]
            if self._io:
                Q = np.einsum("ins,ns->is", H, X)
                out = out + np.einsum("iks,is->ik", self._gb, Q)
            return out
        rev = np.matmul((1.0 - F)[:, None, :], X)  # n, 1, K
        out = base.alpha[:, :, None] * rev
        if self._io:
            HT = HT if HT is not None else np.ascontiguousarray(np.transpose(H, (2, 0, 1)))
            out = out + np.matmul(self._gb, self._H_times(HT, X))
        return out

    @staticmethod
    def _H_times(HT: np.ndarray, X: np.ndarray) -> np.ndarray:
        """Σ_n H[i,n,s] X[n,s,K] → [i, s, K]; ``HT`` is H as a contiguous [s, i, n] array."""
        XT = np.ascontiguousarray(np.transpose(X, (1, 0, 2)))  # s, n, K
        return np.ascontiguousarray(np.transpose(np.matmul(HT, XT), (1, 0, 2)))

    # ---------------------------------------------------------------- residual

    def evaluate(self, u: np.ndarray, warm: State | None = None) -> State:
        base = self.base
        lnP, lnc, it_p = self.prices(u, None if warm is None else warm.lnP)
        eps = base.eps
        cpow = np.exp(-eps[None, :] * lnc)
        pi_new = self._pik * cpow[:, None, :] * np.exp(eps[None, :] * lnP)[None, :, :]
        H = pi_new / self.shock.kappa_new
        F = H.sum(axis=0)
        E, it_e = self.expenditure(u, H, F, None if warm is None else warm.E)
        Q = np.einsum("ins,ns->is", H, E)
        income = np.exp(u) * base.VA + np.einsum("ns,ns->n", 1.0 - F, E) - self.shock.surplus
        labour = (np.einsum("is,is->i", base.beta, Q) - np.exp(u) * base.VA) / base.VA
        residual = labour.copy()
        residual[-1] = float(base.VA @ (np.exp(u) - 1.0)) / self._va_total
        return State(u, lnP, lnc, pi_new, H, F, E, Q, income, residual, labour, it_p + it_e)

    # ---------------------------------------------------------------- Jacobian

    def jacobian(self, st: State) -> np.ndarray:
        """Analytic d residual / d u (N × N) by implicit differentiation of the inner blocks."""
        base = self.base
        n = base.n
        eps = base.eps
        w = np.exp(st.u)
        eye = np.eye(n)
        # --- prices: (I − G M) dlnP = G B du, G[n,s ← i,s] = π'_ins, M = (1-β)γ, B = β
        Bdu = base.beta[:, :, None] * eye[:, None, :]  # i, s, K
        piT = np.ascontiguousarray(np.transpose(st.pi_new, (2, 1, 0)))  # s, n, i
        HTs = np.ascontiguousarray(np.transpose(st.H, (2, 0, 1)))  # s, i, n

        def G(y: np.ndarray) -> np.ndarray:  # y: i, s, K → n, s, K
            yT = np.ascontiguousarray(np.transpose(y, (1, 0, 2)))
            return np.ascontiguousarray(np.transpose(np.matmul(piT, yT), (1, 0, 2)))

        def M(z: np.ndarray) -> np.ndarray:  # z: i, k, K → i, s, K
            return self._one_minus_beta[:, :, None] * np.matmul(self._gammaT, z)

        rhs = G(Bdu)
        dlnP = rhs.copy()
        if self._io:
            for _ in range(self.inner_max):
                new = rhs + G(M(dlnP))
                gap = float(np.max(np.abs(new - dlnP)))
                dlnP = new
                if gap < 1e-11:
                    break
            else:
                raise ConvergenceError("Jacobian price block did not converge")
        dlnc = Bdu + (M(dlnP) if self._io else 0.0)
        # --- trade-share derivatives: dlnπ'_ins = −ε_s (dlnc_is − dlnP_ns)
        epsK = eps[None, :, None]
        HE = st.H * st.E[None, :, :]  # pre-tariff flows X'_ins
        HTn = np.ascontiguousarray(np.transpose(st.H, (2, 1, 0)))  # s, n, i
        dlncT = np.ascontiguousarray(np.transpose(dlnc, (1, 0, 2)))
        HtC = np.transpose(np.matmul(HTn, dlncT), (1, 0, 2))  # n, s, K
        dF = -epsK * (HtC - st.F[:, :, None] * dlnP)
        HET = np.ascontiguousarray(np.transpose(HE, (2, 0, 1)))
        dQa = -epsK * (st.Q[:, :, None] * dlnc - self._H_times(HET, dlnP))
        # --- expenditure: dE = A dE + b
        b = -np.matmul(st.E[:, None, :], dF) * base.alpha[:, :, None]
        b = b + base.alpha[:, :, None] * (w * base.VA)[None, None, :] * eye[:, None, :]
        if self._io:
            b = b + np.matmul(self._gb, dQa)
        dE = b.copy()
        for _ in range(self.inner_max):
            new = b + self._apply_A(dE, st.H, st.F, HTs)
            gap = float(np.max(np.abs(new - dE)))
            dE = new
            if gap < 1e-11 * max(1.0, float(np.max(np.abs(b)))):
                break
        else:
            raise ConvergenceError("Jacobian expenditure block did not converge")
        dQ = dQa + self._H_times(HTs, dE)
        J = (np.matmul(base.beta[:, None, :], dQ)[:, 0, :] - np.diag(w * base.VA)) / base.VA[:, None]
        J[-1, :] = w * base.VA / self._va_total
        return J

    def jacobian_fd(self, u: np.ndarray, step: float = 1e-6) -> np.ndarray:
        """Forward finite-difference Jacobian (reference for tests and benchmarks)."""
        st0 = self.evaluate(u)
        J = np.empty((u.size, u.size))
        for k in range(u.size):
            up = u.copy()
            up[k] += step
            J[:, k] = (self.evaluate(up, warm=st0).residual - st0.residual) / step
        return J
