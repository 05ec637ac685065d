"""Calibration of the one-sector Liberation Day model (spec ``ge-one-sector.md`` §2, §3, §9, §11).

Order (§2): load the zero-diagonal ``X_ji`` → calibrate ν on the 2-region (ROW, US) aggregate →
deficits ``T⁰`` and the diagonal ``X_ii = max(0, E⁰_i − M_i)`` → recompute ``E, Y, T, λ`` from the
filled matrix. Variants: EK/Krugman (ν = 0, φ = 1, ``Y = Σ_n X_in``), roundabout production (IO,
β = 0.49, GDP kept for weights) and the Ossa-style balanced-trade transfers of Table 10.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.optimize import least_squares

from tarifflab.errors import ConvergenceError
from tarifflab.models.ge.one_sector_data import FloatArray, GEData

Variant = Literal["baseline", "ek", "io"]

#: Sales-weighted destination ν faced by ROW producers and by US producers (spec §2.2).
NU_TARGETS = (0.12, 0.26)
#: Value-added share of gross output in the one-sector IO variant (spec §9).
IO_BETA = 0.49


@dataclass(frozen=True)
class OneSectorParams:
    """Structural parameters (spec §3).

    Attributes:
        eps: trade elasticity ε used in the equilibrium (4; 8 in Table 9 alt. 3).
        kappa: labour-supply elasticity κ.
        phi_tilde: firm-level pass-through φ̃ (1 baseline, 0.25 Table 9 alt. 2, 0.5 multi-sector IO).
        eps_calib: ε used for ψ = 0.67/ε and θ = ε/0.67 (always 4 in the paper, also when ε = 8).
        scale: the 0.67 of ψ = 0.67/ε.
    """

    eps: float = 4.0
    kappa: float = 0.5
    phi_tilde: float = 1.0
    eps_calib: float = 4.0
    scale: float = 0.67

    @property
    def psi(self) -> float:
        """Scale-economy elasticity ψ = 0.67/ε (ε of calibration)."""
        return self.scale / self.eps_calib

    @property
    def theta(self) -> float:
        """θ = ε/0.67 = 1/ψ."""
        return self.eps_calib / self.scale

    def phi(self, nu: FloatArray) -> FloatArray:
        """Tariff exponent φ_i = φ̃ + (1+θ)/((1−ν_i)θ) − 1/θ − 1 (importer-specific)."""
        theta = self.theta
        return self.phi_tilde + (1.0 + theta) / ((1.0 - nu) * theta) - 1.0 / theta - 1.0


@dataclass(frozen=True, eq=False)
class Baseline:
    """A calibrated baseline (the tariff-free initial equilibrium).

    Attributes:
        iso3: country codes (model order).
        us: 0-based index of the USA.
        trade: ``X_ji`` baseline flows (N×N, thousand USD, filled diagonal; for IO: ``X^IO``).
        lam: ``λ_ji = X_ji / E_i`` expenditure shares (columns sum to 1).
        expenditure: ``E_i`` gross expenditure (thousand USD).
        income: ``Y_i`` model (factor) income (thousand USD).
        transfers: ``T_i`` transfers received (deficit), thousand USD.
        nu: ``ν_i`` share of purchases that is income of the buyer.
        phi: ``φ_i`` tariff exponent in consumer prices (importer).
        gdp: ``Y^GDP_i`` = GDP/1000 (thousand USD).
        weights: weights of the non-US/EU/RoW averages (``E_i``; GDP/1000 in the IO variant).
        params: structural parameters.
        variant: ``"baseline"``, ``"ek"`` or ``"io"``.
        beta: value-added share β (IO variant only; 1 otherwise).
        nu_regions: (ν_ROW, ν_US) from the 2-region calibration.
    """

    iso3: tuple[str, ...]
    us: int
    trade: FloatArray
    lam: FloatArray
    expenditure: FloatArray
    income: FloatArray
    transfers: FloatArray
    nu: FloatArray
    phi: FloatArray
    gdp: FloatArray
    weights: FloatArray
    params: OneSectorParams
    variant: Variant
    beta: float
    nu_regions: tuple[float, float]

    @property
    def n(self) -> int:
        return len(self.iso3)

    def with_params(self, params: OneSectorParams) -> Baseline:
        """Same data with other parameters (φ recomputed from ν unless the EK variant)."""
        phi = np.ones_like(self.nu) if self.variant == "ek" else params.phi(self.nu)
        return dataclasses.replace(self, params=params, phi=phi)

    def with_transfers(self, transfers: FloatArray) -> Baseline:
        """Same baseline with another transfer vector ``T`` (Ossa-style balanced trade, §11)."""
        return dataclasses.replace(self, transfers=np.asarray(transfers, dtype=np.float64))


def region_matrix(n: int, us: int) -> FloatArray:
    """2×N aggregation matrix A: row 0 = rest of world (all non-US), row 1 = US."""
    agg = np.zeros((2, n))
    agg[0, :] = 1.0
    agg[0, us] = 0.0
    agg[1, us] = 1.0
    return agg


def _nu_equations(nu: FloatArray, xbar: FloatArray, ybar: FloatArray) -> FloatArray:
    ebar = ybar + (1.0 - nu) * (xbar.sum(axis=0) - xbar @ (1.0 - nu))
    r11 = (ebar[0] - xbar[1, 0]) / (ebar[0] - xbar[1, 0] + xbar[0, 1])
    r22 = (ebar[1] - xbar[0, 1]) / (ebar[1] - xbar[0, 1] + xbar[1, 0])
    return np.array(
        [
            r11 * nu[0] + (1.0 - r11) * nu[1] - NU_TARGETS[0],
            (1.0 - r22) * nu[0] + r22 * nu[1] - NU_TARGETS[1],
        ]
    )


def calibrate_nu(trade_zero_diag: FloatArray, gdp: FloatArray, us: int) -> tuple[float, float]:
    """Solve (ν_ROW, ν_US) on the 2-region aggregate of the zero-diagonal matrix (spec §2.2).

    Levenberg–Marquardt from (0.10, 0.24); negative values are set to 0.
    """
    agg = region_matrix(len(gdp), us)
    xbar = agg @ trade_zero_diag @ agg.T
    ybar = agg @ gdp
    fit = least_squares(
        _nu_equations, np.array([0.10, 0.24]), args=(xbar, ybar), method="lm", xtol=1e-14, ftol=1e-14
    )
    if not fit.success or np.max(np.abs(fit.fun)) > 1e-10:
        raise ConvergenceError("ν calibration did not converge", {"residual": fit.fun.tolist()})
    nu = np.maximum(fit.x, 0.0)
    return float(nu[0]), float(nu[1])


def nu_vector(n: int, us: int, nu_regions: tuple[float, float]) -> FloatArray:
    """ν_i = ν_ROW for every non-US country and ν_US for the US."""
    nu = np.full(n, nu_regions[0])
    nu[us] = nu_regions[1]
    return nu


def fill_diagonal(
    trade_zero_diag: FloatArray, gdp: FloatArray, nu: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Deficits T⁰ and the domestic diagonal (spec §2.3).

    Returns ``(X, E⁰)``: the filled matrix with ``X_ii = max(0, E⁰_i − M_i)`` and ``E⁰ = Y^GDP + T⁰``.
    """
    imports = trade_zero_diag.sum(axis=0)
    t0 = (1.0 - nu) * (imports - trade_zero_diag @ (1.0 - nu))
    e0 = gdp + t0
    filled = trade_zero_diag.copy()
    np.fill_diagonal(filled, np.maximum(0.0, e0 - imports))
    return filled, e0


def _recomputed(trade: FloatArray, nu: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    expenditure = trade.sum(axis=0)
    income = trade @ (1.0 - nu) + nu * expenditure
    return expenditure, income, expenditure - income, trade / expenditure[None, :]


def calibrate(data: GEData, params: OneSectorParams | None = None) -> Baseline:
    """Baseline calibration of §2.4 (used by every scenario of Tables 1–3, 8, 9, 10)."""
    params = params or OneSectorParams()
    gdp = data.gdp_usd / 1000.0
    nu_regions = calibrate_nu(data.trade, gdp, data.us)
    nu = nu_vector(data.n, data.us, nu_regions)
    filled, _ = fill_diagonal(data.trade, gdp, nu)
    expenditure, income, transfers, lam = _recomputed(filled, nu)
    return Baseline(
        iso3=data.iso3,
        us=data.us,
        trade=filled,
        lam=lam,
        expenditure=expenditure,
        income=income,
        transfers=transfers,
        nu=nu,
        phi=params.phi(nu),
        gdp=gdp,
        weights=expenditure,
        params=params,
        variant="baseline",
        beta=1.0,
        nu_regions=nu_regions,
    )


def calibrate_ek(base: Baseline) -> Baseline:
    """EK/Krugman variant (Table 9 alt. 4, Table 10 (1),(3)): ν = 0, φ = 1, ``Y^EK_i = Σ_n X_in``.

    Same ``E`` and ``λ`` as the baseline; ``T^EK = E − Y^EK``.
    """
    income = base.trade.sum(axis=1)
    return dataclasses.replace(
        base,
        income=income,
        transfers=base.expenditure - income,
        nu=np.zeros(base.n),
        phi=np.ones(base.n),
        variant="ek",
    )


def calibrate_io(data: GEData, params: OneSectorParams | None = None, beta: float = IO_BETA) -> Baseline:
    """Roundabout-production variant of §9 (``main_io.m``): ``X^IO_ii = X_ii/β``; GDP kept as weights.

    Starts from the filled matrix of §2.3 (not from the recomputed ``E, Y`` of §2.4):
    ``E^IO = Σ_j X^IO_ji``, ``Y^IO = β Σ_n (1−ν_n) X^IO_in + ν E^IO``,
    ``T^IO = E^IO − (Y^IO + (1−β) Σ_n (1−ν_n) X^IO_in)``.
    """
    base = calibrate(data, params)
    trade_io = base.trade.copy()
    np.fill_diagonal(trade_io, np.diag(base.trade) / beta)
    expenditure = trade_io.sum(axis=0)
    sales_net = trade_io @ (1.0 - base.nu)
    income = beta * sales_net + base.nu * expenditure
    return dataclasses.replace(
        base,
        trade=trade_io,
        lam=trade_io / expenditure[None, :],
        expenditure=expenditure,
        income=income,
        transfers=expenditure - (income + (1.0 - beta) * sales_net),
        weights=base.gdp,
        variant="io",
        beta=beta,
    )


def balanced_trade_transfers(base: Baseline) -> FloatArray:
    """Ossa-style transfers of Table 10 (2),(4): ``T^b_i = T_i − (X_US,i − X_i,US)``, ``T^b_US = 0``."""
    us = base.us
    transfers = base.transfers - (base.trade[us, :] - base.trade[:, us])
    transfers[us] = 0.0
    return transfers
