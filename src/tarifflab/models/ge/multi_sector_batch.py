"""Batched solve of many multi-sector counterfactuals at once (a leading package axis ``K``).

At the sizes negotiation grids use (about 20 countries × 10 sectors) one solve spends most of its time
in per-call overhead of small numpy operations, not in arithmetic: the price and expenditure fixed points
take a few hundred tiny steps per solve. Stacking K tariff cubes into ``[K, i, n, s]`` arrays runs the
same steps for all packages in one numpy call each.

The algorithm is the one of :mod:`tarifflab.models.ge.multi_sector_solver`, package by package: the same
damped Newton on log wages with the analytic Jacobian (Broyden updates while the residual at least
halves), the same backtracking line search, the same tolerances and the same inner fixed points (of
:class:`~tarifflab.models.ge.multi_sector_equations.Equations`). Each package has its own convergence
test, step length, Jacobian and counters; a package that has converged is frozen (masks) while the others
go on, so its numbers are those of a one-by-one cold solve up to floating-point summation order. Packages
that fail are returned as failures with their diagnostics, never dropped.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from tarifflab.models.ge.multi_sector_equations import Baseline, State
from tarifflab.models.ge.multi_sector_solver import Diagnostics, SolverOptions


@dataclass(eq=False)
class BatchState:
    """:class:`State` for K packages stacked on a leading axis; ``ok`` marks packages whose inner fixed
    points converged to finite values, ``inner`` their inner iteration counts."""

    u: np.ndarray  # K × N
    lnP: np.ndarray  # K × N × S
    lnc: np.ndarray  # K × N × S
    pi_new: np.ndarray  # K × N × N × S
    H: np.ndarray  # K × N × N × S
    F: np.ndarray  # K × N × S
    E: np.ndarray  # K × N × S
    Q: np.ndarray  # K × N × S
    I: np.ndarray  # noqa: E741  # K × N
    residual: np.ndarray  # K × N
    labour_residual: np.ndarray  # K × N
    inner: np.ndarray  # K (int)
    ok: np.ndarray  # K (bool)

    _FIELDS = (
        "u",
        "lnP",
        "lnc",
        "pi_new",
        "H",
        "F",
        "E",
        "Q",
        "I",
        "residual",
        "labour_residual",
        "inner",
        "ok",
    )

    def take(self, rows: np.ndarray) -> BatchState:
        return BatchState(*(getattr(self, name)[rows] for name in self._FIELDS))

    def put(self, rows: np.ndarray, other: BatchState, which: np.ndarray) -> None:
        """Copy ``other``'s packages ``which`` (a mask over ``other``) into rows ``rows[which]``."""
        for name in self._FIELDS:
            getattr(self, name)[rows[which]] = getattr(other, name)[which]

    def single(self, k: int) -> State:
        return State(
            self.u[k], self.lnP[k], self.lnc[k], self.pi_new[k], self.H[k], self.F[k], self.E[k], self.Q[k],
            self.I[k], self.residual[k], self.labour_residual[k], int(self.inner[k]),
        )  # fmt: skip


@dataclass(frozen=True)
class BatchOutcome:
    """Per-package solver output: ``states[k]`` is None where ``diagnostics[k].converged`` is False
    and ``failures[k]`` then says why (the messages of the one-by-one solver)."""

    states: list[State | None]
    diagnostics: list[Diagnostics]
    failures: list[str | None]


class BatchEquations:
    """Residuals and analytic Jacobians of K shocks on one baseline (``kappa_new``: K × N × N × S)."""

    def __init__(
        self,
        base: Baseline,
        kappa_new: np.ndarray,
        surplus: np.ndarray,
        *,
        inner_tol: float = 1e-13,
        inner_max: int = 5000,
    ) -> None:
        self.base = base
        self.kappa_new = kappa_new
        self.surplus = surplus
        self.inner_tol = inner_tol
        self.inner_max = inner_max
        eps = base.eps
        self._pik = base.pi[None] * (kappa_new / base.kappa[None]) ** (-eps)
        self._pikT = np.ascontiguousarray(np.transpose(self._pik, (0, 3, 2, 1)))  # K, s, n, i
        self._io = base.has_io
        self._one_minus_beta = 1.0 - base.beta
        self._gb = np.ascontiguousarray(base.gamma * self._one_minus_beta[:, None, :])
        self._gammaT = np.ascontiguousarray(np.transpose(base.gamma, (0, 2, 1)))  # [i, s, k]
        self._va_total = float(base.VA.sum())

    # ---------------------------------------------------------------- helpers
    @staticmethod
    def _matvec(aT: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Σ_j aT[K,s,r,j] b[K,j,s] → [K, r, s] (``aT``: a contiguous sector-first copy)."""
        return np.matmul(aT, np.transpose(b, (0, 2, 1))[..., None])[..., 0].transpose(0, 2, 1)

    def _gamma_dot(self, lnP: np.ndarray) -> np.ndarray:
        """Σ_k γ_i^{ks} lnP_ik → [K, i, s]."""
        return np.matmul(self._gammaT[None], lnP[..., None])[..., 0]

    def _lnP_of(self, pikT: np.ndarray, lnc: np.ndarray) -> np.ndarray:
        """ln P̂ from Σ_i π_ins κ̂^{-ε} ĉ_is^{-ε}; ``pikT`` is π κ̂^{-ε} as [K, s, n, i]."""
        eps = self.base.eps
        with np.errstate(all="ignore"):
            return -np.log(self._matvec(pikT, np.exp(-eps * lnc))) / eps

    # ---------------------------------------------------------------- inner blocks
    def prices(
        self, pikT: np.ndarray, u: np.ndarray, lnP0: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Price fixed point per package. Returns (lnP, lnc, iterations, ok)."""
        base = self.base
        k = u.shape[0]
        wpart = base.beta[None] * u[:, :, None]
        if not self._io:
            lnP = self._lnP_of(pikT, wpart)
            ok = np.isfinite(lnP).all(axis=(1, 2))
            return lnP, wpart, np.ones(k, dtype=int), ok
        lnP = np.zeros((k, base.n, base.s)) if lnP0 is None else lnP0.copy()
        done = np.zeros(k, dtype=bool)
        failed = np.zeros(k, dtype=bool)
        iters = np.zeros(k, dtype=int)
        for it in range(1, self.inner_max + 1):
            lnc = wpart + self._one_minus_beta * self._gamma_dot(lnP)
            new = self._lnP_of(pikT, lnc)
            running = ~(done | failed)
            failed |= running & ~np.isfinite(new).all(axis=(1, 2))
            running &= ~failed
            gap = np.abs(new - lnP).max(axis=(1, 2))
            lnP = np.where(running[:, None, None], new, lnP)
            finished = running & (gap < self.inner_tol)
            iters[finished] = it
            done |= finished
            if (done | failed).all():
                break
        iters[~done] = self.inner_max
        lnc = wpart + self._one_minus_beta * self._gamma_dot(lnP)
        return lnP, lnc, iters, done

    def _apply_A(self, X: np.ndarray, HT: np.ndarray, F: np.ndarray) -> np.ndarray:
        """Linear part of the expenditure map for X: K × N × S (``HT``: H as [K, s, i, n])."""
        rev = np.einsum("kns,kns->kn", 1.0 - F, X)
        out = self.base.alpha[None] * rev[:, :, None]
        if self._io:
            Q = self._matvec(HT, X)
            out = out + np.matmul(self._gb[None], Q[..., None])[..., 0]
        return out

    def expenditure(
        self, u: np.ndarray, HT: np.ndarray, F: np.ndarray, E0: np.ndarray | None, alive: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Expenditure fixed point per package (packages not ``alive`` are skipped). Returns
        (E, iterations, ok)."""
        base = self.base
        k = u.shape[0]
        wage = np.exp(u) * base.VA - self.surplus
        E = np.broadcast_to(base.E, (k, base.n, base.s)).copy() if E0 is None else E0.copy()
        scale = np.maximum(np.abs(E).max(axis=(1, 2)), 1e-300)
        done = np.zeros(k, dtype=bool)
        failed = ~alive
        iters = np.full(k, self.inner_max, dtype=int)
        drive = base.alpha[None] * wage[:, :, None]
        for it in range(1, self.inner_max + 1):
            with np.errstate(all="ignore"):
                new = self._apply_A(E, HT, F) + drive
                gap = np.abs(new - E).max(axis=(1, 2))
            running = ~(done | failed)
            failed |= running & ~np.isfinite(gap)
            running &= ~failed
            E = np.where(running[:, None, None], new, E)
            finished = running & (gap < self.inner_tol * scale)
            iters[finished] = it
            done |= finished
            if (done | failed).all():
                break
        return E, iters, done

    # ---------------------------------------------------------------- residual
    def evaluate(self, rows: np.ndarray, u: np.ndarray, warm: BatchState | None) -> BatchState:
        """State at ``u`` (len(rows) × N) for the packages ``rows``; ``warm`` aligned with ``rows``."""
        base = self.base
        eps = base.eps
        pik = self._pik[rows]
        kappa_new = self.kappa_new[rows]
        lnP, lnc, it_p, ok_p = self.prices(self._pikT[rows], u, None if warm is None else warm.lnP)
        with np.errstate(all="ignore"):
            pi_new = pik * np.exp(-eps * lnc)[:, :, None, :] * np.exp(eps * lnP)[:, None, :, :]
            H = pi_new / kappa_new
            F = H.sum(axis=1)
        HT = np.ascontiguousarray(np.transpose(H, (0, 3, 1, 2)))
        E, it_e, ok_e = self.expenditure(u, HT, F, None if warm is None else warm.E, ok_p)
        with np.errstate(all="ignore"):
            Q = self._matvec(HT, E)
            w = np.exp(u)
            income = w * base.VA + np.einsum("kns,kns->kn", 1.0 - F, E) - self.surplus
            labour = (np.einsum("is,kis->ki", base.beta, Q) - w * base.VA) / base.VA
        residual = labour.copy()
        residual[:, -1] = ((w - 1.0) @ base.VA) / self._va_total
        ok = ok_p & ok_e & np.isfinite(residual).all(axis=1)
        return BatchState(u, lnP, lnc, pi_new, H, F, E, Q, income, residual, labour, it_p + it_e, ok)

    # ---------------------------------------------------------------- Jacobian
    def jacobian(self, st: BatchState) -> np.ndarray:
        """Analytic d residual / d u (K × N × N): the derivatives of ``Equations.jacobian`` (implicit
        differentiation of the price and expenditure blocks), with each block's linear system
        (I − A) x = b solved directly (LU, NS × NS per package) instead of by Neumann iteration — the
        exact solution the iteration converges to, at a fraction of the cost for a batch."""
        base = self.base
        n, s = base.n, base.s
        k = st.u.shape[0]
        eps = base.eps
        w = np.exp(st.u)
        eye = np.eye(n)
        eye_ns = np.eye(n * s)
        Bdu = np.broadcast_to(base.beta[:, :, None] * eye[:, None, :], (k, n, s, n))
        HTs = np.ascontiguousarray(np.transpose(st.H, (0, 3, 1, 2)))  # K, s, i, n
        HTn = np.ascontiguousarray(np.transpose(st.H, (0, 3, 2, 1)))  # K, s, n, i
        piT = np.ascontiguousarray(np.transpose(st.pi_new, (0, 3, 2, 1)))  # K, s, n, i

        def mul(mT: np.ndarray, y: np.ndarray) -> np.ndarray:  # Σ_j m[j→r] y[K,j,s,N] → K, r, s, N
            return np.matmul(mT, y.transpose(0, 2, 1, 3)).transpose(0, 2, 1, 3)

        # --- prices: dlnP[n,s] = Σ_i π'_ins (B du + (1−β_is) Σ_k γ_i^{ks} dlnP_ik)
        rhs = mul(piT, Bdu)
        if self._io:
            A = np.einsum("kins,is,iqs->knsiq", st.pi_new, self._one_minus_beta, base.gamma)
            A = eye_ns - A.reshape(k, n * s, n * s)
            dlnP = np.linalg.solve(A, rhs.reshape(k, n * s, n)).reshape(k, n, s, n)
            dlnc = Bdu + self._one_minus_beta[None, :, :, None] * np.matmul(self._gammaT[None], dlnP)
        else:
            dlnP = rhs
            dlnc = Bdu
        # --- trade-share derivatives: dlnπ'_ins = −ε_s (dlnc_is − dlnP_ns)
        epsK = eps[None, None, :, None]
        HE = st.H * st.E[:, None, :, :]
        HET = np.ascontiguousarray(np.transpose(HE, (0, 3, 1, 2)))
        dF = -epsK * (mul(HTn, dlnc) - st.F[..., None] * dlnP)
        dQa = -epsK * (st.Q[..., None] * dlnc - mul(HET, dlnP))
        # --- expenditure: dE = A dE + b, A[(n,q),(m,s)] = α_nq (1−F_ns) δ_nm + γ(1−β)_n^{qs} H_nms
        b = -np.matmul(st.E[:, :, None, :], dF) * base.alpha[None, :, :, None]
        b = b + base.alpha[None, :, :, None] * (w * base.VA)[:, None, None, :] * eye[None, :, None, :]
        if self._io:
            b = b + np.matmul(self._gb[None], dQa)
            A = np.einsum("nqs,knms->knqms", self._gb, st.H)
        else:
            A = np.zeros((k, n, s, n, s))
        own = base.alpha[None, :, :, None] * (1.0 - st.F)[:, :, None, :]  # K, n, q, s
        idx = np.arange(n)
        A[:, idx, :, idx, :] += np.transpose(own, (1, 0, 2, 3))
        A = eye_ns - A.reshape(k, n * s, n * s)
        dE = np.linalg.solve(A, b.reshape(k, n * s, n)).reshape(k, n, s, n)
        dQ = dQa + mul(HTs, dE)
        J = np.matmul(base.beta[None, :, None, :], dQ)[:, :, 0, :]
        J = (J - w[:, :, None] * base.VA[:, None] * eye[None]) / base.VA[None, :, None]
        J[:, -1, :] = w * base.VA / self._va_total
        return J


def solve_batch_equations(eqs: BatchEquations, options: SolverOptions | None = None) -> BatchOutcome:
    """Damped Newton for every package of ``eqs`` at once, each from a cold start (u = 0)."""
    with threadpool_limits(limits=1, user_api="blas"):
        return _solve(eqs, options or SolverOptions())


def _solve(eqs: BatchEquations, opts: SolverOptions) -> BatchOutcome:
    start = time.perf_counter()
    k = eqs.kappa_new.shape[0]
    n = eqs.base.n
    every = np.arange(k)
    u = np.zeros((k, n))
    st = eqs.evaluate(every, u, None)
    inner = np.where(st.ok, st.inner, 0)
    n_jac = np.zeros(k, dtype=int)
    iterations = np.zeros(k, dtype=int)
    norm = np.abs(st.residual).max(axis=1)
    converged = np.zeros(k, dtype=bool)
    failures: list[str | None] = [None] * k
    failed = ~st.ok
    for j in np.flatnonzero(failed):
        failures[j] = "inner fixed point did not converge at the starting point"
    J = np.zeros((k, n, n))
    have_J = np.zeros(k, dtype=bool)
    for it in range(1, opts.max_iter + 1):
        running = ~(converged | failed)
        labour = np.abs(st.labour_residual).max(axis=1)
        now = running & (norm < opts.tol) & (labour < 10 * opts.tol)
        iterations[now] = it - 1
        converged |= now
        running &= ~now
        if not running.any():
            break
        need = np.flatnonzero(running & ~have_J)
        if need.size:
            J[need] = eqs.jacobian(st.take(need))
            n_jac[need] += 1
            have_J[need] = True
        rows = np.flatnonzero(running)
        try:
            steps = np.linalg.solve(J[rows], -st.residual[rows][..., None])[..., 0]
        except np.linalg.LinAlgError:  # one singular matrix fails the whole call: find it
            steps = np.zeros((rows.size, n))
            for pos, row in enumerate(rows):
                try:
                    steps[pos] = np.linalg.solve(J[row], -st.residual[row])
                except np.linalg.LinAlgError:
                    failures[row] = "singular Jacobian"
                    failed[row] = True
                    iterations[row] = it
        keep = ~failed[rows]
        rows, steps = rows[keep], steps[keep]
        if rows.size == 0:
            continue
        lam = np.ones(rows.size)
        accepted = np.zeros(rows.size, dtype=bool)
        trial_u = np.zeros((rows.size, n))
        trial_state = st.take(rows)
        for _ in range(30):
            pending = np.flatnonzero(~accepted)
            if pending.size == 0:
                break
            tu = u[rows[pending]] + lam[pending, None] * steps[pending]
            trial = eqs.evaluate(rows[pending], tu, st.take(rows[pending]))
            tnorm = np.abs(trial.residual).max(axis=1)
            inner[rows[pending][trial.ok]] += trial.inner[trial.ok]
            good = trial.ok & np.isfinite(tnorm) & (tnorm < (1.0 - 1e-4 * lam[pending]) * norm[rows[pending]])
            trial_state.put(pending, trial, good)
            trial_u[pending[good]] = tu[good]
            accepted[pending[good]] = True
            lam[pending[~good]] *= 0.5
        for row in rows[~accepted]:
            if opts.reuse_jacobian and it > 1:
                have_J[row] = False  # retry once with a fresh Jacobian
            else:
                failures[row] = "line search failed"
                failed[row] = True
                iterations[row] = it
        if not accepted.any():
            continue
        acc_rows = rows[accepted]
        new_u = trial_u[accepted]
        new_state = trial_state.take(np.flatnonzero(accepted))
        new_norm = np.abs(new_state.residual).max(axis=1)
        fast = (new_norm < 0.5 * norm[acc_rows]) & (lam[accepted] == 1.0)
        if opts.reuse_jacobian:
            # Broyden's "good" rank-one update, as in the one-by-one solver
            du = new_u - u[acc_rows]
            Jb = J[acc_rows]
            change = new_state.residual - st.residual[acc_rows] - np.einsum("kij,kj->ki", Jb, du)
            updated = Jb + change[:, :, None] * du[:, None, :] / np.einsum("ki,ki->k", du, du)[:, None, None]
            J[acc_rows[fast]] = updated[fast]
            have_J[acc_rows[~fast]] = False
        else:
            have_J[acc_rows] = False
        u[acc_rows] = new_u
        st.put(acc_rows, new_state, np.ones(acc_rows.size, dtype=bool))
        norm[acc_rows] = new_norm
    for row in np.flatnonzero(~(converged | failed)):
        failures[row] = f"no convergence in {opts.max_iter} iterations"
        iterations[row] = opts.max_iter
    # the batch's wall time is shared equally among its packages
    share = (time.perf_counter() - start) / max(k, 1)
    labour = np.abs(st.labour_residual).max(axis=1)
    diagnostics = [
        Diagnostics(
            int(iterations[j]), float(labour[j]), share, bool(converged[j]), int(n_jac[j]), int(inner[j])
        )
        for j in range(k)
    ]
    states: list[State | None] = [st.single(j) if converged[j] else None for j in range(k)]
    return BatchOutcome(states, diagnostics, failures)
