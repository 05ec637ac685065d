"""Calibration by revealed preference on the multi-sector GE model, with deals signed in sequence.

Per recorded deal j (partner p, signing date d_j = the deal's first known date):

* **Tariffs as they stood** (the environment E_j, partner × sector US additional tariffs, fractions):
  the tariff engine's US tariffs on every partner on the day before d_j
  (:func:`tarifflab.studies.ge_multi_sector.engine_matrix`), plus every *earlier* recorded deal
  (first date before d_j) that the engine does not yet have in force on that day (implemented on or
  after d_j, or not at all): its goods rows move by (agreed − rate in force before it). Later deals are
  not in force. So the order of signature matters (``in_force`` overrides it, for the docs' example).
* **Payoff curves**: the multi-sector model (:class:`~tarifflab.models.ge.multi_sector.MultiSectorModel`,
  CP elasticities, IO links) solved with E_j and p's goods rows moved by x − r_j (r_j: the partner's
  rate in force before the deal) for ``nodes`` headline rates x on [0, T_j] (T_j: the threat). Per node,
  relative to E_j itself, in USD bn a year of the base year: each side's equivalent variation
  (Ŵ − 1)·I (I: national income), US manufacturing gross output, and p's goods exports to the US
  (pre-tariff). A cubic spline through the nodes gives the curves on a fine grid.
* **Partners not in the GE dataset** (Philippines, Cambodia, Argentina, Ecuador, Guatemala,
  El Salvador in the default dataset) are mapped to the model's rest of the world: ROW's row moves,
  and every change is scaled by s_p = p's 2024 US goods imports (deal record, Census) / ROW's base goods
  exports to the US (a first-order share of the effect of taxing all of ROW). Each deal's output says
  which (``payoff_source``: ``GE`` or ``GE via ROW × s``). Never silent.
* **Bargain**: U_US(x) = EV_US + w_US·ΔQ_US + S·π_j·1[deal], U_P(x) = EV_P + w_P·ΔX_P − π_j·1[deal]
  (π_j = pledge × 0.5 × 5 %, the pledge's annual transfer, USD bn; the partner pays a dollar per dollar,
  the US values it at S). The agreed rate is the asymmetric Nash bargain over x ∈ [0, T_j] with US power
  β; the threat stands where no x helps both. θ = (β, w_US, w_P, S) minimises the squared error of the
  headline rates (Nelder–Mead from fixed starts); intervals by a bootstrap over deals.

The GE curves are cached (JSON, user cache folder, name = SHA-256 of every input: the deal record, the
model settings, the nodes and the package's own source files) so the back-test stays interactive.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import ClassVar, cast

import numpy as np
import pandas as pd
from scipy.interpolate import CubicSpline
from scipy.optimize import OptimizeResult, minimize

from tarifflab.errors import ConvergenceError, InvalidInputError
from tarifflab.negotiation.calibration import (
    PLEDGE_TRANSFER_SHARE,
    CalibrationSummary,
    best_of_starts,
    bounds_penalty,
    pledge_usd_bn,
)
from tarifflab.negotiation.deals import Deal

GE_PARAMETERS = ("us_power", "us_output_weight", "us_revenue_weight", "partner_export_weight", "pledge_value")
GE_BOUNDS: dict[str, tuple[float, float]] = {
    "us_power": (0.0, 1.0),
    "us_output_weight": (0.0, 2.0),  # dollars of national income per dollar of US manufacturing output
    "us_revenue_weight": (0.0, 5.0),  # extra dollars per dollar of US tariff revenue (beyond its EV)
    "partner_export_weight": (0.0, 5.0),  # per dollar of the partner's goods exports to the US
    "pledge_value": (0.0, 20.0),  # dollars of US income per dollar of the pledge's annual transfer
}


def _starts(count: int, seed: int = 0) -> tuple[tuple[float, ...], ...]:
    """Fixed, spread starting points of the fit (the objective has several local minima): uniform in
    the ranges, with the output weight in its lower fifth and the pledge value in its lower half."""
    low = np.array([b[0] for b in GE_BOUNDS.values()])
    high = np.array([b[1] for b in GE_BOUNDS.values()])
    draws = low + (high - low) * np.random.default_rng(seed).random((count, len(GE_BOUNDS)))
    draws[:, 1] *= 0.2
    draws[:, 4] *= 0.5
    return tuple(tuple(float(v) for v in row) for row in draws)


GE_STARTS = _starts(8)
LOO_STARTS = GE_STARTS[:4]
DEFAULT_NODES = 9
FINE_POINTS = 201
MANUFACTURING = (
    "chemicals_pharma", "metals", "electronics", "machinery", "motor_vehicles", "other_transport",
    "other_manufacturing",
)  # fmt: skip
REST_OF_WORLD = "ROW"
CACHE_VERSION = 1

EnvironmentSource = Callable[[dt.date], pd.DataFrame]


@dataclass(frozen=True)
class PayoffCurves:
    """One deal's GE payoff curves on ``rates`` (fractions), changes against its environment, USD bn."""

    partner: str
    payoff_source: str
    signing_date: str
    in_force: tuple[str, ...]
    threat: float
    agreed: float
    pledge_transfer_usd_bn: float
    rates: tuple[float, ...]
    us_ev: tuple[float, ...]
    partner_ev: tuple[float, ...]
    us_output: tuple[float, ...]
    us_revenue: tuple[float, ...]
    partner_exports: tuple[float, ...]

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: Mapping[str, object]) -> PayoffCurves:
        values = dict(raw)
        for key in ("in_force", "rates", "us_ev", "partner_ev", "us_output", "us_revenue", "partner_exports"):
            values[key] = tuple(cast(Sequence[object], values[key]))
        return cls(**values)  # type: ignore[arg-type]


def signing_date(deal: Deal) -> dt.date:
    """The date a deal's terms became known (its first date: announcement, framework or in force)."""
    return deal.first_date


def rate_in_force_before(deal: Deal) -> float:
    """The partner's headline rate (fraction) in force just before its deal (record; else the threat)."""
    value = deal.rate_before.value
    return (deal.threat_rate_pct if value is None else float(value)) / 100.0


def deals_in_force(deal: Deal, deals: Sequence[Deal]) -> tuple[str, ...]:
    """Recorded deals signed strictly before ``deal`` that the engine does not yet apply on the day
    before its signing (implemented on or after it, or not at all): they enter as announced."""
    day = signing_date(deal)
    out = []
    for other in deals:
        if other.iso3 == deal.iso3 or signing_date(other) >= day:
            continue
        implemented = other.implemented.date
        if implemented is None or implemented >= day:
            out.append(other.iso3)
    return tuple(out)


def coverage(current: np.ndarray, before: float) -> np.ndarray:
    """Share of each sector's trade that the headline rate reaches: the sector's additional tariff in
    force over the headline rate in force, at most 1 (energy and other exempt goods carry little of it;
    with no headline in force, every sector). A headline change Δ moves a sector by coverage × Δ, so a
    sector never falls below zero and the curves have no kinks."""
    if before <= 0.0:
        return np.ones_like(current)
    return np.clip(current / before, 0.0, 1.0)


class GePayoffCurves:
    """Builds :class:`PayoffCurves` for recorded deals on the multi-sector model.

    ``us_tariffs_on`` gives the US additional tariffs (partner × sector, fractions) on a date; default
    the tariff engine through :func:`~tarifflab.studies.ge_multi_sector.engine_matrix` (needs the
    reference data for the HS6 → sector map). Tests pass a fixed frame.
    """

    def __init__(
        self,
        dataset: str = "default",
        elasticities: str = "CP",
        io: bool = True,
        nodes: int = DEFAULT_NODES,
        us_tariffs_on: EnvironmentSource | None = None,
    ) -> None:
        from tarifflab.models.ge.multi_sector import MultiSectorModel

        if nodes < 4:
            raise InvalidInputError(f"the payoff curves need at least 4 nodes, got {nodes}")
        self.config = {"dataset": dataset, "elasticities": elasticities, "io": io, "nodes": nodes}
        self.nodes = nodes
        self.model = MultiSectorModel(dataset, elasticities=elasticities, io=io)
        base = self.model.solve()
        self.countries = tuple(self.model.countries)
        self.sectors = tuple(self.model.sectors)
        if "USA" not in self.countries:
            raise InvalidInputError(f"dataset {dataset!r} has no USA: no US payoffs")
        self.us = self.countries.index("USA")
        self.tariffs_base = np.asarray(base.tariffs_base, dtype=float)
        self.flows_base = np.asarray(base.flows_pre_base, dtype=float)
        self.income_base = np.asarray(base.income_base, dtype=float)
        self.goods = np.array([s not in ("services", "Services (aggregate)") for s in self.sectors])
        self.manufacturing = np.array([s in MANUFACTURING for s in self.sectors])
        self._sales_base = self.flows_base.sum(axis=1)  # [i, s], million USD
        self._custom_source = us_tariffs_on is not None
        self._us_tariffs_on = us_tariffs_on or self._engine
        self._environments: dict[dt.date, pd.DataFrame] = {}

    def _engine(self, on: dt.date) -> pd.DataFrame:
        from tarifflab.studies.ge_multi_sector import engine_matrix

        return engine_matrix(self.model.data, on)

    def proxy(self, deal: Deal) -> tuple[str, float]:
        """The model country standing for the partner and the scale of its effects (1 if itself)."""
        if deal.iso3 in self.countries and deal.iso3 != "USA":
            return deal.iso3, 1.0
        if REST_OF_WORLD not in self.countries:
            raise InvalidInputError(
                f"partner {deal.iso3} is not in the GE dataset and the dataset has no {REST_OF_WORLD}"
            )
        row = self.countries.index(REST_OF_WORLD)
        row_exports = float(self.flows_base[row, self.us, self.goods].sum()) / 1000.0
        return REST_OF_WORLD, min(1.0, deal.us_imports_usd_bn / row_exports)

    def environment(
        self, deal: Deal, deals: Sequence[Deal], in_force: Iterable[str] | None = None
    ) -> tuple[pd.DataFrame, tuple[str, ...]]:
        """US additional tariffs (partner × sector) as they stood when ``deal`` was signed, and the
        earlier deals added to the engine's state (``in_force`` overrides :func:`deals_in_force`)."""
        day = signing_date(deal) - dt.timedelta(days=1)
        if day not in self._environments:
            frame = self._us_tariffs_on(day)
            self._environments[day] = frame.reindex(
                index=[c for c in self.countries if c != "USA"], columns=list(self.sectors)
            ).fillna(0.0)
        env = self._environments[day].copy()
        chosen = deals_in_force(deal, deals) if in_force is None else tuple(in_force)
        by_code = {d.iso3: d for d in deals}
        goods = [s for s, g in zip(self.sectors, self.goods, strict=True) if g]
        for code in chosen:
            if code not in by_code:
                raise InvalidInputError(f"deal in force {code!r} is not in the deal record")
            other = by_code[code]
            row, scale = self.proxy(other)
            before = rate_in_force_before(other)
            shift = other.agreed_rate_pct / 100.0 - before
            current = env.loc[row, goods].to_numpy(dtype=float)
            env.loc[row, goods] = current + scale * coverage(current, before) * shift
        return env, chosen

    def _cube(self, env: pd.DataFrame) -> np.ndarray:
        cube = self.tariffs_base.copy()
        for code in env.index:
            i = self.countries.index(str(code))
            cube[i, self.us, :] += env.loc[code].to_numpy(dtype=float)
        return cube

    def _measure(self, cube: np.ndarray, partner: int) -> np.ndarray:
        """(EV US, EV partner, US manufacturing output, US tariff revenue, partner's goods exports to
        the US), USD bn a year."""
        from tarifflab.models.ge.multi_sector import MultiSectorScenario

        res = self.model.solve(MultiSectorScenario(name="calibration"), tariffs=cube)
        if not res.diagnostics.converged:
            raise ConvergenceError("multi-sector model did not converge for a calibration payoff curve")
        welfare = np.asarray(res.welfare_hat, dtype=float)
        us, p = self.us, partner
        output = np.asarray(res.output_hat, dtype=float)
        flows = np.asarray(res.flows_pre, dtype=float)
        return np.array(
            [
                (welfare[us] - 1.0) * self.income_base[us] / 1000.0,
                (welfare[p] - 1.0) * self.income_base[p] / 1000.0,
                float(np.sum(self._sales_base[us, self.manufacturing] * output[us, self.manufacturing]))
                / 1000.0,
                float(res.tariff_revenue[us]) / 1000.0,
                float(flows[p, us, self.goods].sum()) / 1000.0,
            ]
        )

    def curves(
        self, deal: Deal, deals: Sequence[Deal], in_force: Iterable[str] | None = None
    ) -> PayoffCurves:
        env, chosen = self.environment(deal, deals, in_force)
        row, scale = self.proxy(deal)
        p = self.countries.index(row)
        goods = [s for s, g in zip(self.sectors, self.goods, strict=True) if g]
        reference = self._measure(self._cube(env), p)
        threat = deal.threat_rate_pct / 100.0
        before = rate_in_force_before(deal)
        rates = np.linspace(0.0, threat, self.nodes)
        current = env.loc[row, goods].to_numpy(dtype=float)
        covered = coverage(current, before)
        values = []
        for x in rates:
            moved = env.copy()
            moved.loc[row, goods] = current + covered * (x - before)
            values.append(scale * (self._measure(self._cube(moved), p) - reference))
        table = np.array(values)
        pledge = pledge_usd_bn(deal) or 0.0
        return PayoffCurves(
            partner=deal.iso3,
            payoff_source="GE" if scale == 1.0 and row == deal.iso3 else f"GE via {row} x {scale:.4f}",
            signing_date=signing_date(deal).isoformat(),
            in_force=chosen,
            threat=threat,
            agreed=deal.agreed_rate_pct / 100.0,
            pledge_transfer_usd_bn=pledge * PLEDGE_TRANSFER_SHARE,
            rates=tuple(float(v) for v in rates),
            us_ev=tuple(float(v) for v in table[:, 0]),
            partner_ev=tuple(float(v) for v in table[:, 1]),
            us_output=tuple(float(v) for v in table[:, 2]),
            us_revenue=tuple(float(v) for v in table[:, 3]),
            partner_exports=tuple(float(v) for v in table[:, 4]),
        )

    def all_curves(self, deals: Sequence[Deal], use_cache: bool = True) -> list[PayoffCurves]:
        """Curves of every deal (in record order), from the user cache when an identical run exists."""
        path = None if (self._custom_source or not use_cache) else _cache_path(deals, self.config)
        if path is not None and path.is_file():
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
                cached = [PayoffCurves.from_json(r) for r in raw["curves"]]
                if [c.partner for c in cached] == [d.iso3 for d in deals]:
                    return cached
            except (OSError, ValueError, KeyError, TypeError):
                pass  # unreadable or from other code: recompute below
        out = [self.curves(d, deals) for d in deals]
        if path is not None:
            _save(path, out)
        return out


def _source_digest() -> str:
    """SHA-256 of the package's own files (code and embedded data): any change gives a new cache name."""
    from tarifflab._version import __version__

    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode())
            info = path.stat()
            if path.suffix in (".py", ".yaml", ".yml", ".csv"):
                digest.update(path.read_bytes())
            else:
                digest.update(f"{info.st_size}:{info.st_mtime_ns}".encode())
    digest.update(os.environ.get("TARIFFLAB_REFERENCE_DATA", "").encode())
    return digest.hexdigest()


def _cache_path(deals: Sequence[Deal], config: Mapping[str, object]) -> Path | None:
    from tarifflab.policy.library_cache import cache_dir

    folder = cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256(f"{CACHE_VERSION}|{json.dumps(dict(config), sort_keys=True)}".encode())
    for deal in deals:
        digest.update(deal.model_dump_json().encode())
    digest.update(_source_digest().encode())
    return folder / f"calibration-ge-{digest.hexdigest()}.json"


def _save(path: Path, curves: Sequence[PayoffCurves]) -> None:
    _save_json(path, {"curves": [c.to_json() for c in curves]})


def _save_json(path: Path, payload: object) -> None:
    from tarifflab._io import atomic_write

    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with atomic_write(path, "w", encoding="utf-8") as handle:
            json.dump(payload, handle)
        path.chmod(0o600)
    except OSError:
        pass  # a read-only home: the calibration still works, just recomputed each time


# --- The bargain on the curves -------------------------------------------------------------------


@dataclass(frozen=True)
class GeParameters:
    us_power: float
    us_output_weight: float
    us_revenue_weight: float
    partner_export_weight: float
    pledge_value: float

    def as_array(self) -> np.ndarray:
        return np.array(
            [
                self.us_power,
                self.us_output_weight,
                self.us_revenue_weight,
                self.partner_export_weight,
                self.pledge_value,
            ]
        )

    @classmethod
    def from_array(cls, values: Sequence[float] | np.ndarray) -> GeParameters:
        clipped = [float(np.clip(v, *GE_BOUNDS[n])) for n, v in zip(GE_PARAMETERS, values, strict=True)]
        return cls(*clipped)

    def to_dict(self) -> dict[str, float]:
        return dict(zip(GE_PARAMETERS, self.as_array().tolist(), strict=True))


@dataclass(frozen=True)
class FineCurves:
    """The splines of a set of deals on a common fine grid: arrays [deals, FINE_POINTS]."""

    partners: tuple[str, ...]
    x: np.ndarray
    us_ev: np.ndarray
    partner_ev: np.ndarray
    us_output: np.ndarray
    us_revenue: np.ndarray
    partner_exports: np.ndarray
    threat: np.ndarray
    agreed: np.ndarray
    transfer: np.ndarray

    @classmethod
    def from_curves(cls, curves: Sequence[PayoffCurves], points: int = FINE_POINTS) -> FineCurves:
        share = np.linspace(0.0, 1.0, points)
        rows: dict[str, list[np.ndarray]] = {k: [] for k in ("x", "ue", "pe", "uo", "ur", "px")}
        for c in curves:
            nodes = np.asarray(c.rates)
            x = c.threat * share
            rows["x"].append(x)
            for key, values in (
                ("ue", c.us_ev),
                ("pe", c.partner_ev),
                ("uo", c.us_output),
                ("ur", c.us_revenue),
                ("px", c.partner_exports),
            ):
                if c.threat <= 0.0:
                    rows[key].append(np.zeros_like(x))
                else:
                    rows[key].append(CubicSpline(nodes, np.asarray(values))(x))
        return cls(
            partners=tuple(c.partner for c in curves),
            x=np.array(rows["x"]),
            us_ev=np.array(rows["ue"]),
            partner_ev=np.array(rows["pe"]),
            us_output=np.array(rows["uo"]),
            us_revenue=np.array(rows["ur"]),
            partner_exports=np.array(rows["px"]),
            threat=np.array([c.threat for c in curves]),
            agreed=np.array([c.agreed for c in curves]),
            transfer=np.array([c.pledge_transfer_usd_bn for c in curves]),
        )

    def subset(self, index: Sequence[int] | np.ndarray) -> FineCurves:
        idx = np.asarray(index, dtype=int)
        return FineCurves(
            tuple(self.partners[k] for k in idx),
            self.x[idx],
            self.us_ev[idx],
            self.partner_ev[idx],
            self.us_output[idx],
            self.us_revenue[idx],
            self.partner_exports[idx],
            self.threat[idx],
            self.agreed[idx],
            self.transfer[idx],
        )


def gains(params: GeParameters, fine: FineCurves) -> tuple[np.ndarray, np.ndarray]:
    """Each side's gain of a deal at each rate over no deal (the threat), USD bn a year."""
    u_us = fine.us_ev + params.us_output_weight * fine.us_output + params.us_revenue_weight * fine.us_revenue
    u_p = fine.partner_ev + params.partner_export_weight * fine.partner_exports
    g_us = u_us - u_us[:, -1:] + params.pledge_value * fine.transfer[:, None]
    g_p = u_p - u_p[:, -1:] - fine.transfer[:, None]
    return g_us, g_p


def predict_rates_ge(params: GeParameters, fine: FineCurves) -> np.ndarray:
    """Asymmetric Nash bargain (US power β) over the fine grid of each deal, refined by a parabola
    through the best point and its neighbours; the threat where no rate helps both sides."""
    g_us, g_p = gains(params, fine)
    ok = (g_us > 0) & (g_p > 0)
    beta = params.us_power
    with np.errstate(divide="ignore", invalid="ignore"):
        obj = np.where(
            ok, beta * np.log(np.where(ok, g_us, 1.0)) + (1 - beta) * np.log(np.where(ok, g_p, 1.0)), -np.inf
        )
    k = np.argmax(obj, axis=1)
    rows = np.arange(len(k))
    x = fine.x[rows, k]
    step = fine.x[:, 1] - fine.x[:, 0]
    inner = (k > 0) & (k < fine.x.shape[1] - 1)
    left = obj[rows, np.clip(k - 1, 0, None)]
    mid = obj[rows, k]
    right = obj[rows, np.clip(k + 1, None, fine.x.shape[1] - 1)]
    with np.errstate(divide="ignore", invalid="ignore"):
        curvature = left - 2 * mid + right
        usable = inner & np.isfinite(left) & np.isfinite(right) & (curvature < 0)
        offset = np.where(usable, 0.5 * (left - right) / np.where(usable, curvature, 1.0), 0.0)
    x = x + np.clip(offset, -0.5, 0.5) * step
    return np.where(ok.any(axis=1), x, fine.threat)


def _loss(values: np.ndarray, fine: FineCurves) -> float:
    params = GeParameters.from_array(values)
    penalty = bounds_penalty(values, GE_BOUNDS)
    return float(np.sum((predict_rates_ge(params, fine) - fine.agreed) ** 2) + penalty)


def fit_ge(fine: FineCurves, starts: Sequence[Sequence[float]] = GE_STARTS) -> GeParameters:
    """Least-squares θ over the deals of ``fine`` (at least two), best of the starting points."""
    if len(fine.partners) < 2:
        raise InvalidInputError("the calibration needs at least two recorded deals")

    def powell_then_nelder_mead(start: np.ndarray) -> OptimizeResult:
        # Powell within the bounds, then a Nelder–Mead polish: either alone stalls on the kinks that
        # the feasibility of the bargain puts into the objective
        res = minimize(
            _loss,
            start,
            args=(fine,),
            method="Powell",
            bounds=list(GE_BOUNDS.values()),
            options={"xtol": 1e-6, "ftol": 1e-12, "maxfev": 4000},
        )
        return minimize(
            _loss,
            res.x,
            args=(fine,),
            method="Nelder-Mead",
            options={"xatol": 1e-6, "fatol": 1e-14, "maxiter": 800},
        )

    best = best_of_starts(powell_then_nelder_mead, starts)
    if len(starts) > 1:  # a restarted polish of the best point (Powell's fresh directions)
        res = minimize(
            _loss,
            best[1],
            args=(fine,),
            method="Powell",
            bounds=list(GE_BOUNDS.values()),
            options={"xtol": 1e-7, "ftol": 1e-14, "maxfev": 4000},
        )
        if res.fun < best[0]:
            best = (float(res.fun), res.x)
    return GeParameters.from_array(best[1])


@dataclass(frozen=True)
class GeCalibration(CalibrationSummary[GeParameters]):
    """θ, the fit, bootstrap intervals and each deal's payoff source, of a GE calibration
    (:meth:`~CalibrationSummary.unidentified` on the GE ranges)."""

    parameter_names: ClassVar[tuple[str, ...]] = GE_PARAMETERS
    parameter_bounds: ClassVar[Mapping[str, tuple[float, float]]] = GE_BOUNDS
    payoff_source: dict[str, str] = field(kw_only=True)
    in_force: dict[str, list[str]] = field(kw_only=True)


def calibrate_ge(
    curves: Sequence[PayoffCurves],
    draws: int = 0,
    seed: int = 0,
    starts: Sequence[Sequence[float]] = GE_STARTS,
) -> GeCalibration:
    """Calibrate θ on the deals' GE curves; ``draws`` bootstrap replicates (deals resampled)."""
    fine = FineCurves.from_curves(curves)
    params = fit_ge(fine, starts)
    fitted = predict_rates_ge(params, fine)
    rng = np.random.default_rng(seed)
    boot = []
    for _ in range(draws):
        sample = fine.subset(rng.integers(0, len(curves), len(curves)))
        boot.append(fit_ge(sample, (tuple(params.as_array()),)).as_array())
    return GeCalibration(
        parameters=params,
        partners=fine.partners,
        fitted_pct={p: 100.0 * float(r) for p, r in zip(fine.partners, fitted, strict=True)},
        actual_pct={p: 100.0 * float(a) for p, a in zip(fine.partners, fine.agreed, strict=True)},
        payoff_source={c.partner: c.payoff_source for c in curves},
        in_force={c.partner: list(c.in_force) for c in curves},
        bootstrap=np.array(boot).reshape(-1, len(GE_PARAMETERS)),
    )


def backtest_ge(
    curves: Sequence[PayoffCurves], starts: Sequence[Sequence[float]] = LOO_STARTS, use_cache: bool = True
) -> dict[str, float]:
    """Leave-one-out predicted headline rate (percent) of each deal: θ fitted on the other deals' curves
    (the environments stay as recorded: the other deals' tariffs are facts, not calibration targets)."""
    if len(curves) < 3:
        raise InvalidInputError("the back-test needs at least three recorded deals")
    path = _backtest_cache_path(curves, starts) if use_cache else None
    if path is not None and path.is_file():
        try:
            cached = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(cached, dict) and set(cached) == {c.partner for c in curves}:
                return {str(k): float(v) for k, v in cached.items()}
        except (OSError, ValueError, TypeError):
            pass  # unreadable: recompute below
    fine = FineCurves.from_curves(curves)
    out = {}
    for k, partner in enumerate(fine.partners):
        others = [j for j in range(len(curves)) if j != k]
        params = fit_ge(fine.subset(others), starts)
        out[partner] = 100.0 * float(predict_rates_ge(params, fine.subset([k]))[0])
    if path is not None:
        _save_json(path, out)
    return out


def _backtest_cache_path(curves: Sequence[PayoffCurves], starts: Sequence[Sequence[float]]) -> Path | None:
    """The leave-one-out rates are a function of the curves, the starts and this code: cached too."""
    from tarifflab.policy.library_cache import cache_dir

    folder = cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256(f"{CACHE_VERSION}|{FINE_POINTS}|{json.dumps([list(s) for s in starts])}".encode())
    digest.update(json.dumps([c.to_json() for c in curves], sort_keys=True).encode())
    digest.update(_source_digest().encode())
    return folder / f"calibration-ge-backtest-{digest.hexdigest()}.json"


def predict_ge(
    deal: Deal,
    curves: Sequence[PayoffCurves],
    exclude_own: bool = False,
    draws: int = 20,
    seed: int = 0,
    starts: Sequence[Sequence[float]] = GE_STARTS,
) -> tuple[float, tuple[float, float], GeParameters, int]:
    """Predicted headline rate of ``deal`` (percent), its 90 % interval (bootstrap over the calibration
    deals plus a resampled residual), θ and the number of deals used."""
    fine = FineCurves.from_curves(curves)
    own = [k for k, p in enumerate(fine.partners) if p == deal.iso3]
    if not own:
        raise InvalidInputError(f"no payoff curves for {deal.iso3}")
    sample = [k for k in range(len(curves)) if not (exclude_own and k == own[0])]
    data = fine.subset(sample)
    target = fine.subset(own)
    params = fit_ge(data, starts)
    point = float(predict_rates_ge(params, target)[0])
    residuals = data.agreed - predict_rates_ge(params, data)
    rng = np.random.default_rng(seed)
    draws_out = []
    for _ in range(draws):
        resampled = data.subset(rng.integers(0, len(sample), len(sample)))
        p = fit_ge(resampled, (tuple(params.as_array()),))
        r = float(predict_rates_ge(p, target)[0]) + float(rng.choice(residuals))
        draws_out.append(float(np.clip(r, 0.0, target.threat[0])))
    low, high = np.percentile(draws_out, [5, 95]) if draws_out else (point, point)
    return 100.0 * point, (100.0 * float(low), 100.0 * float(high)), params, len(sample)


PAYOFF_MODEL = "multi-sector GE model (tarifflab.negotiation.calibration_ge), deals in sequence"
MODELS = ("ge", "reduced-form")


def check_model(model: str) -> str:
    if model not in MODELS:
        raise InvalidInputError(f"unknown calibration model {model!r} (choose from {', '.join(MODELS)})")
    return model


def curves_for(deals: Sequence[Deal], nodes: int = DEFAULT_NODES) -> list[PayoffCurves]:
    """The GE payoff curves of ``deals`` on the default dataset (user cache when available)."""
    return GePayoffCurves(nodes=nodes).all_curves(deals)


def prediction_payload(
    deal: Deal,
    deals: Sequence[Deal],
    curves: Sequence[PayoffCurves],
    exclude_own: bool = False,
    draws: int = 20,
    seed: int = 0,
    starts: Sequence[Sequence[float]] = GE_STARTS,
) -> dict[str, object]:
    """``negotiate predict --model ge``: the headline rate of the GE calibration with its interval, the
    pledge of :data:`~tarifflab.negotiation.calibration.PLEDGE_REGRESSOR`'s rule at the predicted cut;
    the auto rate is left to the reduced form (said in ``notes``)."""
    from tarifflab.negotiation.calibration import (
        MIN_PLEDGING_DEALS,
        PLEDGE_IDENTIFIED_BY,
        PLEDGE_REGRESSOR,
        auto_cap_pct,
        fit_pledge_rule,
        pledge_regressor,
    )

    point, interval, params, used = predict_ge(deal, curves, exclude_own, draws, seed, starts)
    own = next(c for c in curves if c.partner == deal.iso3)
    notes = []
    if auto_cap_pct(deal) is not None:
        notes.append("auto rate: predicted by the reduced-form bargain only (--model reduced-form)")
    pledge: float | None = None
    actual_pledge = pledge_usd_bn(deal)
    if actual_pledge is None:
        notes.append("no investment pledge in the recorded deal")
    else:
        sample = [d for d in deals if not (exclude_own and d.iso3 == deal.iso3)]
        pledging = [d for d in sample if pledge_usd_bn(d) is not None]
        rule = fit_pledge_rule(pledging, by=PLEDGE_REGRESSOR)
        scale = pledge_regressor(deal, PLEDGE_REGRESSOR, point)
        if rule is None:
            notes.append(
                f"pledge not predicted: the sample holds {len(pledging)} pledging deals "
                f"(at least {MIN_PLEDGING_DEALS} needed)"
            )
        elif scale is None:
            notes.append("pledge not predicted: the predicted rate is no cut from the threat")
        else:
            pledge = rule.predict(scale)
    return {
        "partner": deal.iso3,
        "predicted_rate_pct": point,
        "interval_pct": list(interval),
        "threat_rate_pct": deal.threat_rate_pct,
        "actual_rate_pct": deal.agreed_rate_pct,
        "predicted_auto_rate_pct": None,
        "actual_auto_rate_pct": auto_cap_pct(deal),
        "predicted_pledge_usd_bn": pledge,
        "actual_pledge_usd_bn": actual_pledge,
        "pledge_identified_by": None if pledge is None else PLEDGE_IDENTIFIED_BY,
        "notes": notes,
        "excluded_own_deal": exclude_own,
        "deals_used": used,
        "parameters": params.to_dict(),
        "payoff_model": PAYOFF_MODEL,
        "payoff_source": own.payoff_source,
        "signing_date": own.signing_date,
        "deals_in_force": list(own.in_force),
    }
