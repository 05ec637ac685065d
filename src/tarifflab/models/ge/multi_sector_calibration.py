"""Calibration of the multi-sector model (Caliendo–Parro 2015 `script.m`; Lashkaripour 2021 pipeline).

Steps:
1. base-year objects from the data (π, Q, VA, S, α) — ``raw_baseline``;
2. re-baseline: solve the model at unchanged tariffs with the target surplus S' (0 = "balanced",
   the data's S = "fixed") and rebuild every object from that equilibrium — ``calibrate``.
   With balanced trade this is Lashkaripour's ``balance_trade.m`` / CP's
   ``script_eliminating_trade_surplus.m``; with fixed deficits it makes the base year an exact model
   equilibrium (it is already one without IO links; with borrowed IO tables the final-demand shares
   clipped at 0 make it differ slightly), so a zero shock returns every hat = 1.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from tarifflab.errors import ConvergenceError, InvalidElasticityError, InvalidInputError
from tarifflab.models.ge.multi_sector_data import MultiSectorData
from tarifflab.models.ge.multi_sector_equations import Baseline, Equations, Shock
from tarifflab.models.ge.multi_sector_solver import SolverOptions, solve_equations

Deficits = Literal["balanced", "fixed"]
_TINY = np.finfo(float).eps


def raw_baseline(data: MultiSectorData, eps: np.ndarray, io: bool) -> Baseline:
    """Base-year objects straight from the data (may be inconsistent with the model; see module doc)."""
    if eps.shape != (data.n_sectors,):
        raise InvalidInputError(f"elasticity vector has shape {eps.shape}, expected ({data.n_sectors},)")
    if not np.all(np.isfinite(eps)):
        raise InvalidElasticityError("elasticities contain NaN")
    if np.any(eps <= 0):
        raise InvalidElasticityError("trade elasticities ε must be positive (σ = ε + 1 > 1)")
    if io and not data.has_io:
        raise InvalidInputError(f"dataset {data.name} has no input–output data; run without --io")
    n, s = data.n_countries, data.n_sectors
    kappa = 1.0 + data.tariffs
    Xb = data.flows
    E = np.maximum(Xb.sum(axis=0), _TINY)  # n × s
    pi = Xb / E[None, :, :]
    Xp = Xb / kappa
    Q = Xp.sum(axis=1)  # i × s
    if io:
        assert data.va_share is not None and data.io_coef is not None
        beta = np.asarray(data.va_share, dtype=float)
        gamma = np.asarray(data.io_coef, dtype=float)
    else:
        beta = np.ones((n, s))
        gamma = np.zeros((n, s, s))
    VA = (beta * Q).sum(axis=1)
    if np.any(VA <= 0):
        raise InvalidInputError(f"dataset {data.name}: a country has no value added (all flows zero)")
    F = (pi / kappa).sum(axis=0)
    revenue = ((1.0 - F) * E).sum(axis=1)
    surplus = Q.sum(axis=1) - Xp.sum(axis=0).sum(axis=1)
    income = VA + revenue - surplus
    inter = np.einsum("nks,ns->nk", gamma * (1.0 - beta)[:, None, :], Q)
    final = np.maximum(E - inter, 0.0)
    tot = final.sum(axis=1, keepdims=True)
    alpha = np.where(tot > 0, final / np.where(tot > 0, tot, 1.0), 1.0 / s)
    return Baseline(pi, kappa, eps, beta, gamma, alpha, VA, E, Q, surplus, income)


def calibrate(
    data: MultiSectorData,
    eps: np.ndarray,
    io: bool,
    deficits: Deficits = "balanced",
    options: SolverOptions | None = None,
) -> Baseline:
    """Model-consistent baseline with surplus 0 (``balanced``) or the data's surplus (``fixed``)."""
    if deficits not in ("balanced", "fixed"):
        raise InvalidInputError(f"deficits must be 'balanced' or 'fixed', not {deficits!r}")
    raw = raw_baseline(data, eps, io)
    target = np.zeros(raw.n) if deficits == "balanced" else raw.S.copy()
    eq = Equations(raw, Shock(kappa_new=raw.kappa, surplus=target))
    try:
        st, _ = solve_equations(eq, options=options)
    except ConvergenceError as err:
        raise ConvergenceError(f"calibration ({deficits} trade) failed: {err}", err.diagnostics) from err
    w = np.exp(st.u)
    return Baseline(
        pi=st.pi_new,
        kappa=raw.kappa,
        eps=raw.eps,
        beta=raw.beta,
        gamma=raw.gamma,
        alpha=raw.alpha,
        VA=w * raw.VA,
        E=st.E,
        Q=st.Q,
        S=target,
        I=st.I,
    )
