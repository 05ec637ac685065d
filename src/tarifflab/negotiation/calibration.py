"""Calibration by revealed preference: the parameters that make the recorded 2025–2026 deals the
bargaining outcomes of a fast payoff model; leave-one-out prediction and the back-test.

The fast payoff model (a reduced-form quadratic partial-equilibrium model, stated here because the
calibration does not use the GE models). Per deal j, the US headline rate x (fraction) on goods worth
M_j (US imports 2024), payoffs per dollar of imports and per unit of the deadweight curvature κ
(Harberger: the deadweight loss of a tariff x is ½κx²M):

* US:       U(x) = A·x − ½x² + S·p_j·1[deal]   A = (τ + w_US)/κ, the US ideal rate: terms-of-trade gain
                                               τ plus the US political weight on protection w_US;
* partner:  V(x) = −B·x − ½x² − S·p_j·1[deal]  B = (τ + w_P)/κ, the partner's marginal loss incl. its
                                               political weight on its exporters;
* p_j = pledged investment × 0.5 × 5 % / M_j: the pledge's annual transfer (the lever mapping of
  docs/negotiation.md §3) per dollar of imports; S = the value the US puts on one dollar of that
  transfer, per κ (the partner pays the same, the pledge is a transfer).

Disagreement is the threat T_j (the rate faced or threatened, deal record). The agreed rate is the
asymmetric Nash bargain over x ∈ [0, T_j] with US bargaining power α:
max α ln(U(x) − U(T)) + (1 − α) ln(V(x) − V(T)). If no x < T_j improves both sides, the prediction is
T_j (the threat stands, as for the UK and the Latin American frameworks, which kept their rates).

θ = (α, A, B, S) is estimated by minimising the squared error of the predicted headline rates
(Nelder–Mead from fixed starting points); intervals by a bootstrap over deals. All-in versus additive
headline rates, sector caps and purchases are not modelled (documented limits).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Generic, Protocol, TypeVar

import numpy as np
from scipy.optimize import OptimizeResult, minimize

from tarifflab.errors import InvalidInputError
from tarifflab.negotiation.deals import Deal

PLEDGE_TRANSFER_SHARE = 0.5 * 0.05  # share of the PV given up × discount rate (levers.MappingAssumptions)
PARAMETERS = ("us_power", "us_ideal_rate", "partner_marginal_loss", "pledge_value")
BOUNDS = {
    "us_power": (0.0, 1.0),
    "us_ideal_rate": (0.0, 1.5),
    "partner_marginal_loss": (0.0, 5.0),
    "pledge_value": (0.0, 50.0),
}
BISECTIONS = 40  # interval halvings of the first-order condition: |error| < T·2⁻⁴⁰
STARTS: tuple[tuple[float, float, float, float], ...] = (
    (0.5, 0.15, 0.3, 1.0),
    (0.8, 0.10, 0.1, 3.0),
    (0.3, 0.20, 1.0, 0.5),
    (0.6, 0.12, 0.5, 10.0),
)


@dataclass(frozen=True)
class DealData:
    """What the payoff model needs of a deal: threat T and agreed rate (fractions), pledge per import $."""

    partner: str
    threat: float
    agreed: float
    pledge_per_import: float

    @classmethod
    def from_deal(cls, deal: Deal) -> DealData:
        pledge = 0.0 if deal.investment.value is None else float(deal.investment.value)
        return cls(
            deal.iso3,
            deal.threat_rate_pct / 100.0,
            deal.agreed_rate_pct / 100.0,
            pledge * PLEDGE_TRANSFER_SHARE / deal.us_imports_usd_bn,
        )


@dataclass(frozen=True)
class Parameters:
    us_power: float
    us_ideal_rate: float
    partner_marginal_loss: float
    pledge_value: float

    def as_array(self) -> np.ndarray:
        return np.array([self.us_power, self.us_ideal_rate, self.partner_marginal_loss, self.pledge_value])

    @classmethod
    def from_array(cls, values: Sequence[float] | np.ndarray) -> Parameters:
        clipped = [float(np.clip(v, *BOUNDS[name])) for name, v in zip(PARAMETERS, values, strict=True)]
        return cls(*clipped)

    def to_dict(self) -> dict[str, float]:
        return dict(zip(PARAMETERS, self.as_array().tolist(), strict=True))


def grid_nash_rates(
    params: Parameters, threat: np.ndarray, pledge: np.ndarray, points: int = 20_001
) -> np.ndarray:
    """Reference for :func:`predict_rates`: the same bargain by brute force on ``points`` rates per deal.

    Independent of the closed form (no first-order condition), so tests and benchmarks compare the two.
    """
    a, big_a, big_b, s = params.as_array()
    x = threat[:, None] * np.linspace(0.0, 1.0, points)[None, :]
    t = threat[:, None]
    g_us = big_a * (x - t) - 0.5 * (x**2 - t**2) + s * pledge[:, None]
    g_p = big_b * (t - x) + 0.5 * (t**2 - x**2) - s * pledge[:, None]
    ok = (g_us > 0) & (g_p > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        obj = np.where(
            ok, a * np.log(np.where(ok, g_us, 1)) + (1 - a) * np.log(np.where(ok, g_p, 1)), -np.inf
        )
    return np.where(ok.any(axis=1), x[np.arange(len(threat)), obj.argmax(axis=1)], threat)


def predict_rates(params: Parameters, threat: np.ndarray, pledge: np.ndarray) -> np.ndarray:
    """Asymmetric Nash bargain over x ∈ [0, T] for each deal (fractions), vectorised over deals.

    Both gains are concave quadratics, so the log Nash product is concave on the set where both are
    positive, an interval [lo, hi] with closed-form ends: g_US > 0 on A ± √((T − A)² + 2Sp), g_P > 0
    below −B + √((B + T)² − 2Sp). The maximiser is the root of the first-order condition (a cubic once
    multiplied by g_US·g_P, solved by batched companion-matrix eigenvalues), or the corner x = 0; with an
    empty interval the
    threat stands.
    """
    threat = np.asarray(threat, dtype=float)
    pledge = np.asarray(pledge, dtype=float)
    a, big_a, big_b, s = (float(v) for v in params.as_array())
    sp = s * pledge
    radius = np.sqrt((threat - big_a) ** 2 + 2.0 * sp)
    disc = (big_b + threat) ** 2 - 2.0 * sp
    x_partner = np.where(disc > 0, -big_b + np.sqrt(np.maximum(disc, 0.0)), -np.inf)
    lo = np.maximum(0.0, big_a - radius)
    hi = np.minimum(np.minimum(threat, big_a + radius), x_partner)
    deal = hi - lo > 1e-12
    hi = np.where(deal, hi, lo)

    k_us = 0.5 * threat**2 - big_a * threat + sp
    k_p = big_b * threat + 0.5 * threat**2 - sp

    def condition(x: np.ndarray) -> np.ndarray:
        """The first-order condition times g_US·g_P (same sign inside the interval)."""
        g_us = -0.5 * x**2 + big_a * x + k_us
        g_p = -0.5 * x**2 - big_b * x + k_p
        return a * (big_a - x) * g_p - (1.0 - a) * (big_b + x) * g_us

    # the condition is the cubic ½x³ + c₂x² + c₁x + c₀; its one root inside (lo, hi) is the bargain
    c2 = a * (big_b - 0.5 * big_a) - (1.0 - a) * (big_a - 0.5 * big_b)
    c1 = a * (-big_a * big_b - k_p) - (1.0 - a) * (big_a * big_b + k_us)
    c0 = a * big_a * k_p - (1.0 - a) * big_b * k_us
    roots = _cubic_roots(2.0 * c2, 2.0 * c1, 2.0 * c0)  # [n, 3], NaN where not real
    c1_column = np.broadcast_to(c1, threat.shape)[:, None]
    slope = 1.5 * roots**2 + 2.0 * c2 * roots + c1_column
    margin = 1e-9 * (hi - lo)[:, None]
    inside = (roots > lo[:, None] + margin) & (roots < hi[:, None] - margin) & (slope < 0)
    found: np.ndarray = np.asarray(inside.any(axis=1))
    x = np.where(found, np.max(np.where(inside, roots, -np.inf), axis=1), 0.5 * (lo + hi))
    if not np.all(found[deal]):  # numerically tangent roots: bisection on the rows concerned
        left, right = lo.copy(), hi.copy()
        for _ in range(BISECTIONS):
            mid = 0.5 * (left + right)
            up = condition(mid) > 0
            left = np.where(up, mid, left)
            right = np.where(up, right, mid)
        x = np.where(found, x, 0.5 * (left + right))
    corner = (lo <= 0.0) & (condition(np.zeros_like(threat)) <= 0)
    rates = np.where(corner, 0.0, x)
    return np.where(deal, rates, threat)


def _cubic_roots(b: float | np.ndarray, c: float | np.ndarray, d: float | np.ndarray) -> np.ndarray:
    """Real roots of x³ + b·x² + c·x + d (Cardano / trigonometric form), shape [n, 3], NaN-padded."""
    b, c, d = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (b, c, d))
    p = c - b**2 / 3.0
    q = 2.0 * b**3 / 27.0 - b * c / 3.0 + d
    disc = (q / 2.0) ** 2 + (p / 3.0) ** 3
    with np.errstate(invalid="ignore", divide="ignore"):
        sq = np.sqrt(np.maximum(disc, 0.0))
        one = np.cbrt(-q / 2.0 + sq) + np.cbrt(-q / 2.0 - sq)
        r = 2.0 * np.sqrt(np.maximum(-p / 3.0, 0.0))
        arg = np.clip((3.0 * q / (2.0 * p)) * np.sqrt(np.maximum(-3.0 / p, 0.0)), -1.0, 1.0)
        phi = np.arccos(arg) / 3.0
        three = np.stack([r * np.cos(phi - 2.0 * np.pi * k / 3.0) for k in range(3)], axis=-1)
    single = np.stack([one, np.full_like(one, np.nan), np.full_like(one, np.nan)], axis=-1)
    y = np.where((disc > 0)[:, None] | (p >= 0)[:, None], single, three)
    return y - (b / 3.0)[:, None]


def bounds_penalty(values: Sequence[float] | np.ndarray, bounds: Mapping[str, tuple[float, float]]) -> float:
    """How far ``values`` lie outside their admissible ranges (summed, in parameter units): added to a
    loss so that an unbounded search is pulled back inside."""
    return sum(
        max(0.0, lo - v) + max(0.0, v - hi) for v, (lo, hi) in zip(values, bounds.values(), strict=True)
    )


def best_of_starts(
    search: Callable[[np.ndarray], OptimizeResult], starts: Sequence[Sequence[float]]
) -> tuple[float, np.ndarray]:
    """The lowest (loss, point) of ``search`` run from each starting point (the first on a tie)."""
    best: tuple[float, np.ndarray] | None = None
    for start in starts:
        res = search(np.asarray(start, dtype=float))
        if best is None or res.fun < best[0]:
            best = (float(res.fun), res.x)
    if best is None:
        raise InvalidInputError("the calibration needs at least one starting point")
    return best


def _loss(values: np.ndarray, data: Sequence[DealData]) -> float:
    params = Parameters.from_array(values)
    threat = np.array([d.threat for d in data])
    pledge = np.array([d.pledge_per_import for d in data])
    agreed = np.array([d.agreed for d in data])
    penalty = bounds_penalty(values, BOUNDS)
    return float(np.sum((predict_rates(params, threat, pledge) - agreed) ** 2) + penalty)


def fit(data: Sequence[DealData], starts: Sequence[Sequence[float]] = STARTS) -> Parameters:
    """Least-squares θ over ``data`` (at least two deals), best of the fixed starting points."""
    if len(data) < 2:
        raise InvalidInputError("the calibration needs at least two recorded deals")
    args = (list(data),)
    _, best = best_of_starts(
        lambda start: minimize(
            _loss,
            start,
            args=args,
            method="Nelder-Mead",
            options={"xatol": 1e-4, "fatol": 1e-10, "maxiter": 500},
        ),
        starts,
    )
    return Parameters.from_array(best)


class _ParameterTable(Protocol):
    def to_dict(self) -> dict[str, float]: ...


ParametersT = TypeVar("ParametersT", bound=_ParameterTable)


@dataclass(frozen=True)
class CalibrationSummary(Generic[ParametersT]):
    """θ, the fit and bootstrap intervals of a calibration on ``partners``, shared by :class:`Calibration`
    and the GE calibration's result: in-sample error, bootstrap intervals and the parameters the data do
    not identify. Subclasses name their parameters and admissible ranges."""

    parameter_names: ClassVar[tuple[str, ...]]
    parameter_bounds: ClassVar[Mapping[str, tuple[float, float]]]
    parameters: ParametersT
    partners: tuple[str, ...]
    fitted_pct: dict[str, float]
    actual_pct: dict[str, float]
    bootstrap: np.ndarray = field(repr=False)  # [draws, parameters]

    @property
    def mae_pct(self) -> float:
        return float(np.mean([abs(self.fitted_pct[p] - self.actual_pct[p]) for p in self.partners]))

    def intervals(self, low: float = 5.0, high: float = 95.0) -> dict[str, tuple[float, float]]:
        if len(self.bootstrap) == 0:
            return {}
        q = np.percentile(self.bootstrap, [low, high], axis=0)
        return {name: (float(q[0, k]), float(q[1, k])) for k, name in enumerate(self.parameter_names)}

    def unidentified(self, share: float = 0.5) -> dict[str, str]:
        """Parameters the data do not pin down, with the reason: the estimate sits at a bound of its
        admissible range (the data prefer a limit of the model), or its 90 % bootstrap interval spans
        more than ``share`` of that range."""
        out: dict[str, str] = {}
        values = self.parameters.to_dict()
        for name, (lo, hi) in self.intervals().items():
            low_bound, high_bound = self.parameter_bounds[name]
            span = high_bound - low_bound
            if min(values[name] - low_bound, high_bound - values[name]) < 1e-3 * span:
                out[name] = "at a bound of its range"
            elif hi - lo > share * span:
                out[name] = f"90% bootstrap interval spans {100 * (hi - lo) / span:.0f}% of its range"
        return out


@dataclass(frozen=True)
class Calibration(CalibrationSummary[Parameters]):
    """θ, the fit and bootstrap intervals of a calibration on ``partners`` (the reduced-form model)."""

    parameter_names: ClassVar[tuple[str, ...]] = PARAMETERS
    parameter_bounds: ClassVar[Mapping[str, tuple[float, float]]] = BOUNDS


def calibrate(deals: Sequence[Deal], draws: int = 0, seed: int = 0) -> Calibration:
    """Calibrate on ``deals``; ``draws`` bootstrap replicates (resampling deals) for intervals."""
    data = [DealData.from_deal(d) for d in deals]
    params = fit(data)
    fitted = predict_rates(
        params, np.array([d.threat for d in data]), np.array([d.pledge_per_import for d in data])
    )
    rng = np.random.default_rng(seed)
    boot = []
    start = (tuple(params.as_array()),)
    for _ in range(draws):
        sample = [data[k] for k in rng.integers(0, len(data), len(data))]
        boot.append(fit(sample, start + STARTS[:1]).as_array())
    return Calibration(
        parameters=params,
        partners=tuple(d.partner for d in data),
        fitted_pct={d.partner: 100.0 * float(r) for d, r in zip(data, fitted, strict=True)},
        actual_pct={d.partner: 100.0 * d.agreed for d in data},
        bootstrap=np.array(boot).reshape(-1, len(PARAMETERS)),
    )


@dataclass(frozen=True)
class SectorPrediction:
    """A predicted value with its 90 % interval, the recorded value and how it was identified."""

    predicted: float
    interval: tuple[float, float]
    actual: float | None
    identified_by: str


@dataclass(frozen=True)
class Prediction:
    partner: str
    predicted_rate_pct: float
    interval_pct: tuple[float, float]
    threat_rate_pct: float
    actual_rate_pct: float
    excluded_own_deal: bool
    parameters: Parameters
    deals_used: int
    auto: SectorPrediction | None = None
    pledge: SectorPrediction | None = None
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        auto, pledge = self.auto, self.pledge
        return {
            "partner": self.partner,
            "predicted_rate_pct": self.predicted_rate_pct,
            "interval_pct": list(self.interval_pct),
            "threat_rate_pct": self.threat_rate_pct,
            "actual_rate_pct": self.actual_rate_pct,
            "predicted_auto_rate_pct": None if auto is None else auto.predicted,
            "auto_interval_pct": None if auto is None else list(auto.interval),
            "actual_auto_rate_pct": None if auto is None else auto.actual,
            "auto_identified_by": None if auto is None else auto.identified_by,
            "predicted_pledge_usd_bn": None if pledge is None else pledge.predicted,
            "pledge_interval_usd_bn": None if pledge is None else list(pledge.interval),
            "actual_pledge_usd_bn": None if pledge is None else pledge.actual,
            "pledge_identified_by": None if pledge is None else pledge.identified_by,
            "notes": list(self.notes),
            "excluded_own_deal": self.excluded_own_deal,
            "deals_used": self.deals_used,
            "parameters": self.parameters.to_dict(),
            "payoff_model": "reduced-form quadratic PE bargaining model (tarifflab.negotiation.calibration)",
        }


AUTO_IDENTIFIED_BY = (
    "the calibrated bargain (theta from the headline rates only) with the Section 232 auto rate as the "
    "threat; the recorded auto caps are not used in the calibration"
)
PLEDGE_IDENTIFIED_BY = (
    "ln(pledge) on ln(US imports 2024 x rate cut in pp), least squares on the pledging deals of the "
    "calibration sample (their actual cuts); the cut of this deal is the predicted one (threat - predicted rate)"
)


def predict(
    deal: Deal,
    deals: Sequence[Deal],
    exclude_own: bool = False,
    draws: int = 100,
    seed: int = 0,
    auto_threat: float | None = None,
) -> Prediction:
    """Predicted headline rate of ``deal`` with a 90 % interval (bootstrap over the calibration deals
    plus a resampled residual of the fit); where the deal set an auto cap, the auto rate (the same
    bargain with ``auto_threat``, default the engine's Section 232 auto rate, as the threat); where it
    pledged investment, the pledge (:class:`PledgeRule` on the sample's pledging deals)."""
    sample = [d for d in deals if not (exclude_own and d.iso3 == deal.iso3)]
    data = [DealData.from_deal(d) for d in sample]
    own = DealData.from_deal(deal)
    actual_auto = auto_cap_pct(deal)
    if actual_auto is not None and auto_threat is None:
        auto_threat = auto_threat_rate()
    threats = np.array([own.threat, own.threat if auto_threat is None else auto_threat])
    pledges = np.full(2, own.pledge_per_import)
    params = fit(data)
    point, auto_point = (float(v) for v in predict_rates(params, threats, pledges))
    fitted = predict_rates(
        params, np.array([d.threat for d in data]), np.array([d.pledge_per_import for d in data])
    )
    residuals = np.array([d.agreed for d in data]) - fitted
    rng = np.random.default_rng(seed)
    draws_out, auto_out = [], []
    for _ in range(draws):
        resampled = [data[k] for k in rng.integers(0, len(data), len(data))]
        p = fit(resampled, (tuple(params.as_array()),))
        r, r_auto = (float(v) for v in predict_rates(p, threats, pledges))
        residual = float(rng.choice(residuals))
        draws_out.append(float(np.clip(r + residual, 0.0, threats[0])))
        auto_out.append(float(np.clip(r_auto + residual, 0.0, threats[1])))
    low, high = np.percentile(draws_out, [5, 95]) if draws_out else (point, point)
    notes = []
    auto = None
    if actual_auto is not None:
        a_low, a_high = np.percentile(auto_out, [5, 95]) if auto_out else (auto_point, auto_point)
        auto = SectorPrediction(
            100.0 * auto_point,
            (100.0 * float(a_low), 100.0 * float(a_high)),
            actual_auto,
            AUTO_IDENTIFIED_BY,
        )
    else:
        notes.append("autos not at stake: the recorded deal sets no auto cap")
    pledge = None
    actual_pledge = pledge_usd_bn(deal)
    if actual_pledge is None:
        notes.append("no investment pledge in the recorded deal")
    else:
        pledging = [d for d in sample if pledge_usd_bn(d) is not None]
        rule = fit_pledge_rule(pledging, by=PLEDGE_REGRESSOR)
        scale = pledge_regressor(deal, PLEDGE_REGRESSOR, 100.0 * point)
        if rule is None:
            notes.append(
                f"pledge not predicted: the sample holds {len(pledging)} pledging deals "
                f"(at least {MIN_PLEDGING_DEALS} with different regressors needed)"
            )
        elif scale is None:
            notes.append("pledge not predicted: the predicted rate is no cut from the threat")
        else:
            pledge = SectorPrediction(
                rule.predict(scale),
                _pledge_interval(scale, pledging, rule, rng, draws),
                actual_pledge,
                PLEDGE_IDENTIFIED_BY,
            )
    return Prediction(
        partner=deal.iso3,
        predicted_rate_pct=100.0 * point,
        interval_pct=(100.0 * float(low), 100.0 * float(high)),
        threat_rate_pct=deal.threat_rate_pct,
        actual_rate_pct=deal.agreed_rate_pct,
        excluded_own_deal=exclude_own,
        parameters=params,
        deals_used=len(sample),
        auto=auto,
        pledge=pledge,
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class BacktestRow:
    partner: str
    actual_rate_pct: float
    predicted_rate_pct: float
    threat_rate_pct: float
    best_constant_rate_pct: float
    threat_halved_pct: float
    actual_auto_rate_pct: float | None = None
    predicted_auto_rate_pct: float | None = None
    actual_pledge_usd_bn: float | None = None
    predicted_pledge_usd_bn: float | None = None
    median_pledge_usd_bn: float | None = None
    proportional_pledge_usd_bn: float | None = None
    imports_rule_pledge_usd_bn: float | None = None
    payoff_model: str = "reduced-form"


def _mae(rows: Sequence[BacktestRow], predicted: str, actual: str) -> float | None:
    errors = [
        abs(getattr(r, predicted) - getattr(r, actual))
        for r in rows
        if getattr(r, predicted) is not None and getattr(r, actual) is not None
    ]
    return float(np.mean(errors)) if errors else None


def backtest(
    deals: Sequence[Deal],
    starts: Sequence[Sequence[float]] = STARTS[:2],
    auto_threat: float | None = None,
    headline_pct: Mapping[str, float] | None = None,
    payoff_model: str = "reduced-form",
) -> tuple[list[BacktestRow], dict[str, float | None]]:
    """Leave-one-out: each deal predicted by a calibration on the others. ``headline_pct`` (partner →
    percent) supplies the leave-one-out headline rates of another payoff model (named ``payoff_model``,
    e.g. the GE calibration of :mod:`tarifflab.negotiation.calibration_ge`); the auto rate is then not
    predicted (it is a reduced-form bargain). Baselines: the constant that
    fits the other deals best (their median agreed rate, the MAE-optimal constant) and the threat halved.
    Deals with an auto cap also get the predicted auto rate (the same leave-one-out θ, the Section 232
    auto rate ``auto_threat`` as the threat); pledging deals the pledge of the rule fitted on the other
    pledging deals, beside the baseline of their median pledge. Returns the rows and the mean absolute
    error of each column (None where no deal has the value)."""
    if len(deals) < 3:
        raise InvalidInputError("the back-test needs at least three recorded deals")
    if headline_pct is None and auto_threat is None and any(auto_cap_pct(d) is not None for d in deals):
        auto_threat = auto_threat_rate()
    rows = []
    for deal in deals:
        others = [d for d in deals if d.iso3 != deal.iso3]
        actual_auto = auto_cap_pct(deal)
        pred_auto: float | None
        if headline_pct is None:
            data = [DealData.from_deal(d) for d in others]
            own = DealData.from_deal(deal)
            params = fit(data, starts)
            threats = np.array([own.threat, own.threat if auto_threat is None else auto_threat])
            pred, pred_auto = (
                float(v) for v in predict_rates(params, threats, np.full(2, own.pledge_per_import))
            )
        else:
            if deal.iso3 not in headline_pct:
                raise InvalidInputError(f"no {payoff_model} prediction for {deal.iso3}")
            pred, pred_auto = headline_pct[deal.iso3] / 100.0, None
        constant = float(np.median([d.agreed_rate_pct for d in others]))
        actual_pledge = pledge_usd_bn(deal)
        pledge_pred = median_pledge = proportional = imports_rule = None
        if actual_pledge is not None:
            pledging = [d for d in others if pledge_usd_bn(d) is not None]
            rule = fit_pledge_rule(pledging, by=PLEDGE_REGRESSOR)
            scale = pledge_regressor(deal, PLEDGE_REGRESSOR, 100.0 * pred)
            pledge_pred = None if rule is None or scale is None else rule.predict(scale)
            old_rule = fit_pledge_rule(pledging)
            imports_rule = None if old_rule is None else old_rule.predict(deal.us_imports_usd_bn)
            if pledging:
                median_pledge = float(np.median([pledge_usd_bn(d) for d in pledging]))
                proportional = proportional_pledge(pledging, deal)
        rows.append(
            BacktestRow(
                deal.iso3,
                deal.agreed_rate_pct,
                100.0 * pred,
                deal.threat_rate_pct,
                constant,
                deal.threat_rate_pct / 2,
                actual_auto,
                None if actual_auto is None or pred_auto is None else 100.0 * pred_auto,
                actual_pledge,
                pledge_pred,
                median_pledge,
                proportional,
                imports_rule,
                payoff_model,
            )
        )
    mae = {
        "predicted_rate_pct": _mae(rows, "predicted_rate_pct", "actual_rate_pct"),
        "best_constant_rate_pct": _mae(rows, "best_constant_rate_pct", "actual_rate_pct"),
        "threat_halved_pct": _mae(rows, "threat_halved_pct", "actual_rate_pct"),
        "predicted_auto_rate_pct": _mae(rows, "predicted_auto_rate_pct", "actual_auto_rate_pct"),
        "predicted_pledge_usd_bn": _mae(rows, "predicted_pledge_usd_bn", "actual_pledge_usd_bn"),
        "median_pledge_usd_bn": _mae(rows, "median_pledge_usd_bn", "actual_pledge_usd_bn"),
        "proportional_pledge_usd_bn": _mae(rows, "proportional_pledge_usd_bn", "actual_pledge_usd_bn"),
        "imports_rule_pledge_usd_bn": _mae(rows, "imports_rule_pledge_usd_bn", "actual_pledge_usd_bn"),
    }
    return rows, mae


# --- Sector caps and pledges -------------------------------------------------------------------------

AUTO_THREAT_MEASURE = "s232-autos"  # Proclamation 10908 (90 FR 14705), heading 9903.94.01: the auto threat
MIN_PLEDGING_DEALS = 3  # the log-log pledge rule has two coefficients; three deals leave one residual
PLEDGE_REGRESSOR = "imports_x_cut"  # the rule of the predictions; "imports" is the earlier rule


def auto_threat_rate() -> float:
    """The threatened auto rate (fraction): the Section 232 auto tariff of the tariff engine's library."""
    from tarifflab.policy.library import load_library

    rate = load_library().by_id(AUTO_THREAT_MEASURE).rule.rate
    if rate is None:
        raise InvalidInputError(f"measure {AUTO_THREAT_MEASURE} has no ad valorem rate")
    return float(rate)


def auto_cap_pct(deal: Deal) -> float | None:
    """The deal's agreed auto rate in percent (its ``autos`` sector cap), or None if it set none."""
    for cap in deal.sector_caps:
        if cap.sector == "autos" and cap.rate_pct is not None:
            return float(cap.rate_pct)
    return None


def pledge_usd_bn(deal: Deal) -> float | None:
    """The deal's pledged investment in USD bn, or None if the record has no (known) pledge."""
    value = deal.investment.value
    return None if value is None or value <= 0 else float(value)


def pledge_regressor(deal: Deal, by: str = "imports", rate_pct: float | None = None) -> float | None:
    """What a pledge rule scales with: ``imports`` — US imports M (USD bn, 2024); ``imports_x_cut`` —
    M × the rate cut obtained in pp (threat − ``rate_pct``, default the agreed rate); None without a cut."""
    if by == "imports":
        return deal.us_imports_usd_bn
    if by != "imports_x_cut":
        raise InvalidInputError(f"unknown pledge regressor {by!r} (imports | imports_x_cut)")
    rate = deal.agreed_rate_pct if rate_pct is None else rate_pct
    cut = deal.threat_rate_pct - rate
    return None if cut <= 1e-6 else deal.us_imports_usd_bn * cut


def proportional_pledge(pledging: Sequence[Deal], deal: Deal) -> float | None:
    """Baseline: the pledge proportional to US imports, k·M, with ln k the mean log pledge per import
    dollar of ``pledging`` (None if empty)."""
    ratios = [np.log(p / d.us_imports_usd_bn) for d in pledging if (p := pledge_usd_bn(d)) is not None]
    return float(np.exp(np.mean(ratios)) * deal.us_imports_usd_bn) if ratios else None


@dataclass(frozen=True)
class PledgeRule:
    """ln(pledge) = a + b·ln(z): pledged investment (USD bn) against z (:func:`pledge_regressor`: US
    imports M, USD bn 2024, or M × the rate cut in pp), least squares on the pledging deals;
    ``residuals`` in logs."""

    intercept: float
    elasticity: float
    residuals: np.ndarray = field(repr=False)
    by: str = "imports"

    def predict(self, regressor: float) -> float:
        return float(np.exp(self.intercept + self.elasticity * np.log(regressor)))


def fit_pledge_rule(deals: Sequence[Deal], by: str = "imports") -> PledgeRule | None:
    """The pledge rule on the pledging deals of ``deals``; None with fewer than three of them or with
    a single regressor value (the elasticity is then not identified)."""
    pairs = [
        (z, p)
        for d in deals
        if (p := pledge_usd_bn(d)) is not None and (z := pledge_regressor(d, by)) is not None
    ]
    if len(pairs) < MIN_PLEDGING_DEALS:
        return None
    log_m = np.log([m for m, _ in pairs])
    log_p = np.log([p for _, p in pairs])
    if np.ptp(log_m) < 1e-9:
        return None
    design = np.column_stack([np.ones_like(log_m), log_m])
    coef, *_ = np.linalg.lstsq(design, log_p, rcond=None)
    return PledgeRule(float(coef[0]), float(coef[1]), log_p - design @ coef, by)


def _pledge_interval(
    regressor: float, pledging: Sequence[Deal], rule: PledgeRule, rng: np.random.Generator, draws: int
) -> tuple[float, float]:
    """5–95 % of bootstrap predictions (pledging deals resampled, rule refitted) times a resampled
    log residual; the point itself without draws."""
    out = []
    for _ in range(draws):
        sample = [pledging[k] for k in rng.integers(0, len(pledging), len(pledging))]
        refit = fit_pledge_rule(sample, by=rule.by)
        if refit is None:  # a resample with one regressor value identifies no elasticity
            continue
        out.append(refit.predict(regressor) * float(np.exp(rng.choice(rule.residuals))))
    if not out:
        point = rule.predict(regressor)
        return point, point
    low, high = np.percentile(out, [5, 95])
    return float(low), float(high)
