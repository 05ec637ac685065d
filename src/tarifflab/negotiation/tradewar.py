"""Optimal, Nash (trade-war) and cooperative (trade-talks) tariffs in the Ossa (2014) model.

* Best response (optimal tariff) of importer ``j``: its bilateral sector tariffs ``t_ijs`` (``i≠j``)
  maximising ``ln Ŵ_j`` given everybody else's tariffs (Ossa's ``myoptimaltariffj.m``, λ ≡ 1).
  Solved by L-BFGS-B on ``θ = ln(1+t)`` with the exact gradient from the model's adjoint
  (:meth:`OssaModel.welfare_and_gradient`) and warm starts — instead of Ossa's MPEC in ``fmincon``.
* Nash tariffs: best-response iteration (Jacobi, as ``mynashtariff.m``, or Gauss–Seidel), globally
  (all regions) or between a subset of players with the others' tariffs held at factual values.
* Cooperative tariffs: the efficient point with equal welfare gains for all players
  (``mycooperativetariff.m``): maximise ``Σ ω_c ln Ŵ_c`` and update ω until the gains are equal.
  ``liberalisation_only=True`` bounds tariffs by their starting values (Ossa's ``LIBONLY``: trade talks).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from tarifflab.errors import ConvergenceError, InvalidInputError
from tarifflab.negotiation.ossa_model import Array, OssaModel

DEFAULT_UPPER = 10.0  # tariff upper bound (1000%); Ossa bounds tariffs in a transformed space


@dataclass(frozen=True)
class TariffGameResult:
    """Tariff cube ``t[i, j, s]`` (fractions) of a trade-war or trade-talks solution with diagnostics.

    ``welfare_change_pct``: Ĝ_j − 1 in percent relative to the factual (balanced) equilibrium
    (real income Ŵ_j when no political-economy weights are used). ``players``: indices of the
    countries choosing tariffs. ``average_tariff_pct``: mean over players of each player's *median*
    tariff over partners and sectors (the statistic behind Ossa's "average 62/63 percent").
    """

    kind: str
    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    players: tuple[int, ...]
    tariffs: Array
    welfare_change_pct: Array
    rounds: int
    max_change: float
    seconds: float
    converged: bool
    bilateral: bool = False

    def player_tariffs_pct(self) -> dict[str, float]:
        """Mean tariff of each player over its partners (i≠j) and sectors, percent."""
        out: dict[str, float] = {}
        for j in self.players:
            out[self.countries[j]] = float(100.0 * self._player_values(j).mean())
        return out

    def _player_values(self, j: int) -> Array:
        mask = np.ones(len(self.countries), dtype=bool)
        if self.bilateral:
            mask[:] = False
            mask[list(self.players)] = True
        mask[j] = False
        return np.asarray(self.tariffs[mask, j, :])

    def player_median_tariffs_pct(self) -> dict[str, float]:
        """Median tariff of each player over partners and sectors, percent — the statistic of
        Ossa's Tables 3 and 4 (and, averaged over countries, of his abstract's 62% and 63%)."""
        return {self.countries[j]: float(100.0 * np.median(self._player_values(j))) for j in self.players}

    @property
    def average_tariff_pct(self) -> float:
        """Mean over players of their median tariffs (Ossa's convention), percent."""
        return float(np.mean(list(self.player_median_tariffs_pct().values())))

    @property
    def mean_tariff_pct(self) -> float:
        """Mean over players of their simple mean tariffs, percent."""
        return float(np.mean(list(self.player_tariffs_pct().values())))

    def welfare_pct(self) -> dict[str, float]:
        return {c: float(v) for c, v in zip(self.countries, self.welfare_change_pct, strict=True)}

    def to_frame(self) -> pd.DataFrame:
        rows = []
        for j in self.players:
            for i in range(len(self.countries)):
                if i == j or (self.bilateral and i not in self.players):
                    continue
                for s, name in enumerate(self.sectors):
                    rows.append(
                        {
                            "importer": self.countries[j],
                            "exporter": self.countries[i],
                            "sector": name,
                            "tariff_pct": 100.0 * self.tariffs[i, j, s],
                        }
                    )
        return pd.DataFrame(rows)


def government_welfare_pct(model: OssaModel, cube: Array, weights: Array | None = None) -> Array:
    """Ĝ_c − 1 in percent for a tariff cube (real income when ``weights`` is None)."""
    lam = np.ones((model.N, model.S)) if weights is None else weights
    st = model.state(np.log1p(cube))
    logG, _, _, _ = model.government_objective(st, lam)
    return np.asarray(100.0 * np.expm1(logG))


def _offdiag(n: int, j: int) -> np.ndarray:
    mask = np.ones(n, dtype=bool)
    mask[j] = False
    return mask


def best_response(
    model: OssaModel,
    importer: int,
    tariffs: Array,
    upper: float = DEFAULT_UPPER,
    start: Array | None = None,
    x0: Array | None = None,
    tol: float = 1e-12,
    partners: Sequence[int] | None = None,
    weights: Array | None = None,
    mfn: bool = False,
) -> tuple[Array, Array]:
    """Optimal tariffs of ``importer`` against the cube ``tariffs``.

    Returns ``(column, x)``: the importer's new tariff column ``t[:, importer, :]`` and the solved
    equilibrium unknowns (for warm starts). ``partners`` limits the choice to tariffs on those
    exporters (the rest stay as in ``tariffs``). ``weights``: political-economy weights λ (N × S).
    ``mfn=True``: one tariff per sector applied to every partner (Ossa's ``mymfnoptimaltariffj.m``).
    """
    N, S = model.N, model.S
    choose = _offdiag(N, importer)
    if partners is not None:
        sel = np.zeros(N, dtype=bool)
        sel[list(partners)] = True
        choose &= sel
    theta = np.log1p(np.array(tariffs, dtype=float))
    rows = 1 if mfn else int(choose.sum())
    if start is None:
        guess = np.broadcast_to(1.0 / (model.sigma - 1.0), (rows, S))
        v0 = np.log1p(np.minimum(guess, upper)).ravel()
    else:
        st0 = start[choose].mean(axis=0, keepdims=True) if mfn else start[choose]
        v0 = np.log1p(np.clip(st0, 0.0, upper)).ravel()
    state = {"x": np.zeros(2 * N) if x0 is None else x0.copy()}
    scale = 100.0  # objective in percent: keeps L-BFGS-B's absolute tolerances meaningful

    def fun(v: np.ndarray) -> tuple[float, np.ndarray]:
        theta[choose, importer, :] = v.reshape(-1, S)
        try:
            logW, grad, x = model.welfare_and_gradient(
                theta, state["x"], countries=[importer], weights=weights
            )
        except ConvergenceError:
            logW, grad, x = model.welfare_and_gradient(theta, None, countries=[importer], weights=weights)
        state["x"] = x
        g = grad[0][choose, importer, :]
        g = g.sum(axis=0) if mfn else g.ravel()
        return -scale * float(logW[importer]), -scale * g

    bounds = [(0.0, float(np.log1p(upper)))] * v0.size
    res = minimize(
        fun, v0, jac=True, method="L-BFGS-B", bounds=bounds,
        options={"ftol": tol, "gtol": 1e-8, "maxiter": 5000, "maxcor": 30},
    )  # fmt: skip
    theta[choose, importer, :] = res.x.reshape(-1, S)
    return np.expm1(theta[:, importer, :]), state["x"]


def optimal_tariffs(
    model: OssaModel,
    players: Sequence[int] | None = None,
    upper: float = DEFAULT_UPPER,
    weights: Array | None = None,
    mfn: bool = False,
) -> TariffGameResult:
    """Each player's unilateral optimal tariffs against factual tariffs (no retaliation)."""
    start_time = time.perf_counter()
    N = model.N
    players = tuple(range(N)) if players is None else tuple(players)
    cube = model.t0.copy()
    welfare = np.zeros(N)
    for j in players:
        column, _ = best_response(model, j, model.t0, upper, weights=weights, mfn=mfn)
        cube[:, j, :] = column
        trial = model.t0.copy()
        trial[:, j, :] = column
        welfare[j] = government_welfare_pct(model, trial, weights)[j]
    return TariffGameResult(
        "optimal", model.data.countries, model.data.sectors, players, cube, welfare, 1, 0.0,
        time.perf_counter() - start_time, True,
    )  # fmt: skip


def nash_tariffs(
    model: OssaModel,
    players: Sequence[int] | None = None,
    start: Array | None = None,
    scheme: str = "jacobi",
    tol: float = 1e-4,
    max_rounds: int = 50,
    upper: float = DEFAULT_UPPER,
    bilateral: bool = False,
    weights: Array | None = None,
    mfn: bool = False,
) -> TariffGameResult:
    """Nash equilibrium in tariffs by best-response iteration.

    ``players``: indices of countries that retaliate (default all); the others keep factual tariffs.
    ``bilateral=True``: players only choose tariffs on each other (a bilateral trade war, e.g. US vs
    Japan), everything else stays factual. Stops when the mean absolute change of the players'
    tariffs over one round is below ``tol`` (Ossa: 0.01 with at most 24 rounds).
    """
    if scheme not in ("jacobi", "gauss-seidel"):
        raise InvalidInputError(f"unknown best-response scheme {scheme!r} (jacobi or gauss-seidel)")
    start_time = time.perf_counter()
    N = model.N
    players = tuple(range(N)) if players is None else tuple(players)
    if len(players) < 1 or any(p < 0 or p >= N for p in players):
        raise InvalidInputError(f"players must be indices below {N}, got {players}")
    cube = model.t0.copy() if start is None else np.array(start, dtype=float)
    xs: dict[int, Array | None] = dict.fromkeys(players)
    partners = players if bilateral else None
    change = np.inf
    rounds = 0
    while rounds < max_rounds:
        rounds += 1
        new = cube.copy()
        changes = []
        for j in players:
            against = cube if scheme == "jacobi" else new
            column, xs[j] = best_response(
                model, j, against, upper, start=against[:, j, :], x0=xs[j], partners=partners,
                weights=weights, mfn=mfn,
            )  # fmt: skip
            mask = _offdiag(N, j)
            if partners is not None:
                sel = np.zeros(N, dtype=bool)
                sel[list(partners)] = True
                mask &= sel
            changes.append(np.abs(column[mask] - cube[mask, j, :]).ravel())
            new[:, j, :] = column
        cube = new
        change = float(np.mean(np.concatenate(changes)))
        if change <= tol:
            break
    converged = change <= tol
    if not converged:
        raise ConvergenceError(
            f"Nash tariffs did not converge in {max_rounds} rounds (mean abs change {change:.2e})",
            {"rounds": rounds, "max_change": change},
        )
    return TariffGameResult(
        "nash", model.data.countries, model.data.sectors, players, cube,
        government_welfare_pct(model, cube, weights), rounds,
        change, time.perf_counter() - start_time, converged, bilateral,
    )  # fmt: skip


def cooperative_tariffs(
    model: OssaModel,
    start: Array | None = None,
    liberalisation_only: bool = True,
    lower: float = 0.0,
    weights: Array | None = None,
    sharpness: Sequence[float] = (300.0, 3000.0, 30000.0),
    max_iter: int = 4000,
) -> TariffGameResult:
    """Efficient tariffs with (approximately) equal welfare gains for all countries — Ossa's
    cooperative tariffs (``mycooperativetariff.m``), the point of the governments' utility frontier
    on the 45° line.

    We maximise the smooth minimum ``-(1/κ) ln Σ_c exp(-κ ln Ĝ_c)`` of the log welfare changes over
    all bilateral sector tariffs with L-BFGS-B and exact adjoint gradients, raising κ in steps
    (continuation); at the max-min point of a frontier the gains are equal. ``start``: starting cube
    (default factual). ``liberalisation_only``: tariffs may only fall from ``start`` (trade talks,
    Ossa's ``LIBONLY``); otherwise they range over ``[lower, DEFAULT_UPPER]``. ``max_change`` of the
    result is the spread ``max_c |ln Ĝ_c − mean|`` left at the end.
    """
    start_time = time.perf_counter()
    N, S = model.N, model.S
    base = model.t0.copy() if start is None else np.array(start, dtype=float)
    off = ~np.eye(N, dtype=bool)
    hi = np.log1p(base[off]) if liberalisation_only else np.full(base[off].shape, np.log1p(DEFAULT_UPPER))
    lo = np.minimum(np.full(hi.shape, np.log1p(lower)), hi)
    bounds = list(zip(lo.ravel(), hi.ravel(), strict=True))
    theta = np.log1p(base)
    v = theta[off].ravel().copy()
    state = {"x": np.zeros(2 * N)}
    kappa = {"k": 1.0}

    def fun(vec: np.ndarray) -> tuple[float, np.ndarray]:
        theta[off] = vec.reshape(-1, S)
        logW, grad, x = model.welfare_and_gradient(theta, state["x"], weights=weights)
        state["x"] = x
        k = kappa["k"]
        z = -k * logW
        zmax = z.max()
        ez = np.exp(z - zmax)
        soft = -(zmax + np.log(ez.sum())) / k
        omega = ez / ez.sum()
        g = np.einsum("c,cijs->ijs", omega, grad)
        return -100.0 * soft, -100.0 * g[off].ravel()

    total_iter = 0
    for k in sharpness:
        kappa["k"] = k
        res = minimize(
            fun, v, jac=True, method="L-BFGS-B", bounds=bounds,
            options={"ftol": 1e-15, "gtol": 1e-9, "maxiter": max_iter, "maxcor": 30},
        )  # fmt: skip
        v = res.x
        total_iter += int(res.nit)
    theta[off] = v.reshape(-1, S)
    cube = np.expm1(theta)
    for c in range(N):
        cube[c, c, :] = 0.0
    welfare = government_welfare_pct(model, cube, weights)
    logW = np.log1p(welfare / 100.0)
    spread = float(np.max(np.abs(logW - logW.mean())))
    return TariffGameResult(
        "cooperative", model.data.countries, model.data.sectors, tuple(range(N)), cube,
        welfare, total_iter, spread, time.perf_counter() - start_time, True,
    )  # fmt: skip


PROHIBITIVE = 2.25  # Ossa's mylambdaj.m: targets above this are treated as prohibitive


def calibrate_weights(model: OssaModel, targets: Array, calibrate: Sequence[int] | None = None) -> Array:
    """Political-economy weights λ (N × S, mean 1 per country) rationalising MFN target tariffs.

    ``targets[s, j]``: country ``j``'s empirical non-cooperative (MFN) tariff in sector ``s``
    (Ossa's ``tariff_noncoop.csv``). Countries whose targets are all zero keep λ ≡ 1.
    Instead of Ossa's heuristic search (``mylambdaj.m``) we use that the first-order conditions of
    j's MFN optimal tariff, evaluated at the targets (others at factual tariffs), are *linear and
    homogeneous in λ_j*: ``Σ_s λ_s (dV'_s/dθ_k − V'_s d ln P̂_j/dθ_k) = 0`` with
    ``V'_s = Y'_js + δ'_js R'_j``. λ_j is the non-negative least-squares solution of these conditions
    for sectors with interior targets (0 < t ≤ 2.25), normalised to mean 1.
    """
    from scipy.optimize import nnls

    N, S = model.N, model.S
    lam = np.ones((N, S))
    targets = np.asarray(targets, dtype=float)
    js = [j for j in range(N) if np.any(targets[:, j] > 0)] if calibrate is None else list(calibrate)
    for j in js:
        target = np.minimum(targets[:, j], PROHIBITIVE + 0.03)
        cube = model.t0.copy()
        mask = _offdiag(N, j)
        cube[mask, j, :] = target[None, :]
        st = model.state(np.log1p(cube))
        Y, R = st.sales[j], st.revenue[j]
        wbs = model.wagebill_share
        WB = float((wbs * Y).sum())
        # V'_s = Y_s + R wbs_s Y_s / WB ; linearisation coefficients on Y'_j· and R'_j per objective s.
        A = np.zeros((S + 1, N, S))
        B = np.zeros((S + 1, N))
        Pw = np.zeros((S + 1, N, S))
        for k in range(S):
            A[k, j, :] = -R * wbs[k] * Y[k] * wbs / WB**2
            A[k, j, k] += 1.0 + R * wbs[k] / WB
            B[k, j] = wbs[k] * Y[k] / WB
        Pw[S, j, :] = model.mu[j]  # ln P̂_j
        total = self_total = model.total_derivatives(st, A, B, Pw)
        del self_total
        d_mfn = total[:, mask, j, :].sum(axis=1)  # [objective, sector k]
        V = Y + R * wbs * Y / WB
        M = d_mfn[:S].T - np.outer(d_mfn[S], V)  # [k, s]
        interior = (targets[:, j] > 0) & (targets[:, j] <= PROHIBITIVE)
        rows = M[interior]
        rows = rows / np.maximum(np.abs(rows).max(axis=1, keepdims=True), 1e-300)
        penalty = 10.0 * np.ones((1, S))
        sol, _ = nnls(np.vstack([rows, penalty]), np.concatenate([np.zeros(rows.shape[0]), [10.0 * S]]))
        lam[j] = sol * S / sol.sum()
    return lam
