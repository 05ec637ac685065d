"""Adapter from the dashboard and report to the negotiation package (:mod:`tarifflab.negotiation`).

Money first: :func:`package_money` gives each side's outcome of one package in USD bn a year and % of
GDP from the multi-sector GE model (equivalent variation, balance, sector output), against a reference
package. The frontier map uses the fast Ossa payoff model on the built-in US–Japan lever grid; its
payoffs are USD bn a year (equivalent variation of the model's income, gross absorption, plus the
political weights of :class:`~tarifflab.negotiation.payoffs.UtilityWeights`). The disagreement point is
the July 2025 letter (25% from 2025-08-01, no deal) and the actual deal is the package ``july_2025_deal``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tarifflab.errors import InvalidInputError

if TYPE_CHECKING:
    from tarifflab.app.specs import NegotiationOutcome, NegotiationRequest

PAIR = "us-japan"
#: Pairs offered by the dashboard's plain question (built-in packages exist for us-japan and us-eu).
PAIRS = ("us-japan", "us-eu", "us-korea", "us-uk", "us-china")
DISAGREEMENT = "no_deal_july_letter"
ACTUAL = "july_2025_deal"
POINT_NAMES = {
    "nash": "Nash",
    "asymmetric_nash": "Nash (US power α)",
    "kalai_smorodinsky": "Kalai-Smorodinsky",
    "rubinstein": "Rubinstein",
}


class NegotiationBackend:
    """The US–Japan payoff model, lever grid and packages, built once."""

    def __init__(self) -> None:
        from tarifflab.negotiation import analysis, packages, payoffs

        self.packages = packages
        from tarifflab.negotiation.datasets import load_default
        from tarifflab.negotiation.levers import get_pair

        self.analysis = analysis
        self.payoffs = payoffs
        self.pair = get_pair(PAIR)
        self.model = payoffs.OssaPayoffModel(self.pair, load_default())
        self.grid = packages.load_grid(self.pair)
        builtin = packages.builtin_packages(self.pair)
        self.disagreement = builtin[DISAGREEMENT]
        self.actual = builtin[ACTUAL]
        self.defaults = payoffs.weights_for(self.pair)

    # ---------------------------------------------------------------------------------- inputs
    def levers_frame(self) -> pd.DataFrame:
        """``lever, side, unit, low, high, status_quo, deal, description`` of the pair."""
        rows = [
            {
                "lever": name,
                "side": lever.side,
                "unit": lever.unit,
                "low": lever.low,
                "high": lever.high,
                "status_quo": lever.status_quo,
                "deal": float(self.actual.levers.get(name, lever.status_quo)),
                "description": lever.description,
            }
            for name, lever in self.pair.levers.items()
        ]
        return pd.DataFrame(rows)

    def weights_frame(self) -> pd.DataFrame:
        """``key, side, label, default`` of every political weight (``SIDE:balance`` or
        ``SIDE:sector_output:KEY``), in dollars of national income per dollar."""
        rows = []
        for side, weights in self.defaults.items():
            rows.append(
                {
                    "key": f"{side}:balance",
                    "side": side,
                    "label": "dollars of national income per dollar of bilateral balance",
                    "default": float(weights.balance),
                }
            )
            for sector, value in weights.sector_output.items():
                rows.append(
                    {
                        "key": f"{side}:sector_output:{sector}",
                        "side": side,
                        "label": f"dollars of national income per dollar of {sector.replace('_', ' ')} output",
                        "default": float(value),
                    }
                )
        return pd.DataFrame(rows)

    def _weights(self, pairs: tuple[tuple[str, float], ...]) -> dict[str, Any]:
        known = set(self.weights_frame()["key"])
        fields: dict[str, dict[str, Any]] = {side: w.model_dump() for side, w in self.defaults.items()}
        for key, value in pairs:
            if key not in known:
                raise InvalidInputError(f"unknown political weight {key!r}")
            side, *path = key.split(":")
            if path[0] == "sector_output":
                fields[side]["sector_output"][path[1]] = float(value)
            else:
                fields[side][path[0]] = float(value)
        return {side: self.payoffs.UtilityWeights(**f) for side, f in fields.items()}

    # ---------------------------------------------------------------------------------- analysis
    def analyse(self, request: NegotiationRequest) -> NegotiationOutcome:
        from tarifflab.app.specs import NegotiationOutcome

        report = self.analysis.frontier(
            self.model,
            self.grid,
            self.disagreement,
            self.actual,
            weights=self._weights(request.weights),
            us_weight=request.us_power,
        )
        us, jp = self.pair.players
        payoffs = np.asarray(report.payoffs, dtype=float)
        index = np.asarray(report.frontier_index, dtype=int)
        frontier = pd.DataFrame({"us": payoffs[index, 0], "jpn": payoffs[index, 1]})
        cloud = pd.DataFrame({"us": payoffs[:, 0], "jpn": payoffs[:, 1]})
        rows = [("disagreement", report.disagreement.utility[us], report.disagreement.utility[jp])]
        for key, solution in report.solutions.items():
            if solution.mutually_beneficial:
                rows.append((POINT_NAMES.get(key, key), float(solution.point[0]), float(solution.point[1])))
        if report.actual is not None:
            rows.append(("actual deal", report.actual.utility[us], report.actual.utility[jp]))
        if request.package:
            custom = self.packages.Package(
                name="your package",
                description="levers set in the dashboard",
                levers=self.pair.validate(dict(request.package)),
            )
            mine = self.analysis.evaluate(self.model, custom, self._weights(request.weights))
            rows.append(("your package", mine.utility[us], mine.utility[jp]))
        points = pd.DataFrame(rows, columns=["point", "us", "jpn"])
        position = report.actual_position() or {}
        return NegotiationOutcome(
            frontier=frontier,
            points=points,
            diagnostics={
                "packages_evaluated": len(report.packages),
                "on_frontier": len(index),
                "mutually_beneficial": report.mutually_beneficial,
                "actual_deal_dominated_by": position.get("dominated_by"),
                "actual_deal_us_share_of_surplus": position.get("us_share_of_surplus"),
                "seconds": report.seconds,
            },
            cloud=cloud,
        )


def pair_packages(pair: str) -> list[str]:
    """Built-in package names of ``pair``."""
    from tarifflab.negotiation.levers import get_pair
    from tarifflab.negotiation.packages import builtin_packages

    return list(builtin_packages(get_pair(pair)))


_MONEY_MODELS: dict[str, Any] = {}


def package_money(pair: str, package: str, reference: str) -> pd.DataFrame:
    """Each side's outcome of ``package`` and of ``reference`` and the difference, dollars first.

    Rows ``measure, side, package, reference, difference``; measures: equivalent variation (USD bn a
    year, % of GDP), bilateral balance change (USD bn, purged base), tariff revenue change (USD bn, part
    of the equivalent variation), tracked sector output (USD bn) and jobs (%). Model: multi-sector GE with
    the engine tariff input, as ``tarifflab negotiate evaluate --model multi-sector``: US tariffs on every
    partner are the tariff engine's on :func:`money_tariff_date`, the pair's US levers a package scenario.
    The model is built once per pair; the engine's matrices are cached per US setting
    (``studies.package_scenarios``), and the dashboard caches each table (``app.cache``).
    """
    from tarifflab.negotiation.levers import get_pair
    from tarifflab.negotiation.packages import get_package
    from tarifflab.negotiation.payoffs_ge import MultiSectorPayoffModel
    from tarifflab.negotiation.tariff_inputs import tariff_input

    p = get_pair(pair)
    model = _MONEY_MODELS.get(p.name)
    if model is None:
        model = _MONEY_MODELS[p.name] = MultiSectorPayoffModel(p, tariffs=tariff_input("engine"))
    mine = model.evaluate(get_package(p, package).levers)
    ref = model.evaluate(get_package(p, reference).levers)
    rows: list[dict[str, Any]] = []
    for side in p.players:
        a, b = mine[side], ref[side]
        values = [
            (
                "equivalent variation, USD bn a year",
                a.equivalent_variation_usd_bn,
                b.equivalent_variation_usd_bn,
            ),
            (
                "equivalent variation, % of GDP",
                a.equivalent_variation_pct_gdp,
                b.equivalent_variation_pct_gdp,
            ),
            ("bilateral balance change, USD bn (purged)", a.balance_change_usd_bn, b.balance_change_usd_bn),
            ("tariff revenue change, USD bn (in EV)", a.revenue_change_usd_bn, b.revenue_change_usd_bn),
        ]
        for key, change in a.sector_output_change_usd_bn.items():
            label = key.replace("_", " ")
            values.append((f"{label} output, USD bn", change, b.sector_output_change_usd_bn[key]))
            values.append((f"{label} jobs, %", a.sector_jobs_pct[key], b.sector_jobs_pct[key]))
        rows += [
            {"measure": m, "side": side, "package": x, "reference": y, "difference": x - y}
            for m, x, y in values
        ]
    return pd.DataFrame(rows, columns=["measure", "side", "package", "reference", "difference"])


def money_tariff_date() -> str:
    """The date (ISO) of the engine tariffs behind :func:`package_money`: the library's last known date."""
    from tarifflab.negotiation.tariff_inputs import default_tariff_date

    return default_tariff_date().isoformat()


def pair_lever_names(pair: str) -> list[str]:
    """Lever names of ``pair`` (for the "what would it take" question)."""
    from tarifflab.negotiation.levers import get_pair

    return list(get_pair(pair).levers)


_FAST_MODELS: dict[str, Any] = {}


def what_it_takes(pair: str, lever: str, value: float) -> pd.DataFrame:
    """The partner's best package of the pair's grid with ``lever = value`` that the US accepts.

    Rows ``side, reservation_usd_bn, payoff_usd_bn, package``: each side's no-deal payoff, its payoff
    under that package (USD bn a year, equivalent variation + default political weights; fast Ossa
    model) and the package's levers; no package row values when nothing is acceptable.
    """
    from tarifflab.negotiation.analysis import what_would_it_take
    from tarifflab.negotiation.datasets import load_default
    from tarifflab.negotiation.levers import get_pair
    from tarifflab.negotiation.packages import builtin_packages, default_disagreement, load_grid
    from tarifflab.negotiation.payoffs import OssaPayoffModel

    p = get_pair(pair)
    model = _FAST_MODELS.get(p.name)
    if model is None:
        model = _FAST_MODELS[p.name] = OssaPayoffModel(p, load_default())
    builtin = builtin_packages(p)
    name = default_disagreement(builtin)
    result = what_would_it_take(model, load_grid(p), {lever: float(value)}, builtin[name])
    sq = p.status_quo()
    text = (
        "no package of the grid with this lever value leaves the US at least its no-deal payoff"
        if result.best is None
        else ", ".join(f"{k}={v:g}" for k, v in result.best.levers.items() if v != sq[k])
    )
    rows = [
        {
            "side": side,
            "reservation_usd_bn": result.reservation[side],
            "payoff_usd_bn": None if result.best is None else result.best.utility[side],
            "package": text,
        }
        for side in p.players
    ]
    return pd.DataFrame(rows, columns=["side", "reservation_usd_bn", "payoff_usd_bn", "package"])


def record_frame() -> pd.DataFrame:
    """The US–Japan negotiation record as rows ``date, event_type, instrument, rule, source_url``."""
    from tarifflab.negotiation.levers import get_pair
    from tarifflab.negotiation.record import load_record

    record = load_record(get_pair(PAIR))
    rows: list[dict[str, Any]] = []
    for r in record.rounds:
        rows.append(
            {
                "date": r.date,
                "event_type": "deal" if r.kind == "deal" else "negotiation",
                "instrument": f"{r.id} ({r.place})",
                "rule": f"{', '.join(r.participants)}: {r.outcome}",
                "source_url": r.source,
            }
        )
    for t in record.threats:
        rows.append(
            {
                "date": t.date,
                "event_type": "statement",
                "instrument": f"threat: {t.instrument} {t.rate_pct:g}% from {t.effective}",
                "rule": t.text,
                "source_url": t.source,
            }
        )
    for c in record.courts:
        rows.append(
            {
                "date": c.date,
                "event_type": "court",
                "instrument": f"{c.court}: {c.case}",
                "rule": c.holding,
                "source_url": "",
            }
        )
    if record.deal_terms is not None:
        deal = record.deal_terms
        rows.append(
            {
                "date": deal.date,
                "event_type": "deal",
                "instrument": f"deal terms ({deal.implemented_by})",
                "rule": "; ".join(deal.terms),
                "source_url": "",
            }
        )
    return pd.DataFrame(rows, columns=["date", "event_type", "instrument", "rule", "source_url"])
