"""Payoffs from the multi-sector GE model (``tarifflab.models.ge.multi_sector``, CES with
input–output links) through the :class:`~tarifflab.negotiation.payoffs.PayoffModel` protocol.

The tariffs come from a pluggable :class:`~tarifflab.negotiation.tariff_inputs.TariffInput`: the
tariff engine on a date (US tariffs on every partner, the pair's US levers as a package scenario;
``EngineTariffs``, the default of ``tarifflab.negotiate.payoff_model``) or the stylised mapping of
:func:`tarifflab.negotiation.levers.model_inputs` (``StylisedTariffs``, this class's default), on the
model's own base flows, tariffs and σ_s = ε_s + 1. Two adaptations (the GE model takes a tariff cube only):

* the certification lever's iceberg cut d̂ enters as a tariff equivalent, t′ = (1+t)·d̂ − 1;
* the investment pledge's annual transfer T enters real income to first order, ±100·T/I_n
  (I_n: base national income), not through the model's deficits — so it moves each side's equivalent
  variation by exactly ∓T dollars.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tarifflab.errors import InvalidInputError
from tarifflab.negotiation.levers import GOODS_EXCLUDED, MappingAssumptions, Pair
from tarifflab.negotiation.ossa_model import Array, TradeWarData
from tarifflab.negotiation.payoff_store import PayoffStore, digest
from tarifflab.negotiation.payoffs import Outcomes
from tarifflab.negotiation.tariff_inputs import StylisedTariffs, TariffInput

if TYPE_CHECKING:
    from tarifflab.models.ge.multi_sector import MultiSectorResults

BATCH_SIZE = 100  # packages solved together: fastest per package here; about 140 MB at the peak (tracemalloc)

MANUFACTURING_GE = (
    "chemicals_pharma", "metals", "electronics", "machinery", "motor_vehicles", "other_transport",
    "other_manufacturing",
)  # fmt: skip


class MultiSectorPayoffModel:
    """Payoffs of lever packages from :class:`~tarifflab.models.ge.multi_sector.MultiSectorModel`."""

    def __init__(
        self,
        pair: Pair,
        dataset: str = "default",
        elasticities: str = "CP",
        io: bool = True,
        assumptions: MappingAssumptions | None = None,
        workers: int = 1,
        tariffs: TariffInput | None = None,
        result_store: bool = True,
    ) -> None:
        from tarifflab.models.ge.multi_sector import MultiSectorModel

        if workers < 1:
            raise InvalidInputError(f"workers must be at least 1, got {workers}")
        self.pair = pair
        self.workers = workers
        # where the tariff cube comes from (negotiation.tariff_inputs): the engine or the stylised mapping
        self.tariffs: TariffInput = tariffs or StylisedTariffs()
        self._config = (pair.name, dataset, elasticities, io, assumptions, self.tariffs)
        self.model = MultiSectorModel(dataset, elasticities=elasticities, io=io)
        self.assumptions = assumptions or MappingAssumptions()
        base = self.model.solve()
        self.view = TradeWarData(
            countries=tuple(self.model.countries),
            sectors=tuple(self.model.sectors),
            flows=np.asarray(base.flows_pre_base, dtype=float),
            tariffs=np.asarray(base.tariffs_base, dtype=float),
            sigma=np.asarray(self.model.eps, dtype=float) + 1.0,
            name=f"multi-sector {dataset}",
            unit="USD million",
        )
        self.us = self.view.index(pair.us)
        self.partner = self.view.index(pair.partner)
        self.goods = np.array([s not in GOODS_EXCLUDED for s in self.view.sectors])
        self.income_base = np.asarray(base.income_base, dtype=float)
        self.value_added_base = np.asarray(base.value_added_base, dtype=float)
        self.sales_base = self.view.flows.sum(axis=1)  # [i, s], million USD
        self.fingerprint = self._fingerprint()
        self.store = (
            PayoffStore.for_fingerprint(self.fingerprint)
            if result_store
            else PayoffStore(self.fingerprint, None)
        )

    def _fingerprint(self) -> str:
        """Hash of everything an outcome depends on besides the package (see :mod:`payoff_store`)."""
        import tarifflab.models.ge as ge_package
        import tarifflab.negotiation as negotiation_package
        from tarifflab._version import __version__

        base, model = self.model.base, self.model
        ge_dir = Path(ge_package.__file__).parent
        sources = [p.read_bytes() for p in sorted(ge_dir.glob("multi_sector*.py"))]
        neg_dir = Path(negotiation_package.__file__).parent
        names = ("payoffs.py", "payoffs_ge.py", "levers.py", "tariff_inputs.py", "payoff_store.py")
        sources += [(neg_dir / name).read_bytes() for name in names]
        return digest(
            __version__,
            [self.pair.name, self.pair.us, self.pair.partner],
            [model.data.name, model.data.year, model.elasticity_source, model.io, model.deficits],
            repr(model.options),
            repr(self.assumptions),
            repr(self.tariffs),  # the tariff source and its settings (engine: date, scenario files)
            model.eps, base.pi, base.kappa, base.beta, base.gamma, base.alpha,
            base.VA, base.E, base.Q, base.S, base.I,
            *sources,
        )  # fmt: skip

    def package_key(self, settings: dict[str, float], tariffs: Array, transfers: Array) -> str:
        """Store key of one package: the model's fingerprint, the lever settings and the exact model
        inputs they map to (tariff cube t'_ins and transfers), whatever the tariff source."""
        return digest(self.fingerprint, {k: float(v) for k, v in settings.items()}, tariffs, transfers)

    def inputs(self, settings: dict[str, float]) -> tuple[Array, Array]:
        t, d, nx = self.tariffs.inputs(self.view, self.pair, settings, self.assumptions)
        t = np.where(d != 1.0, (1.0 + t) * d - 1.0, t)
        return t, nx

    def tariff_provenance(self, settings: dict[str, float]) -> dict[str, object]:
        """Which tariff input a setting was evaluated with (engine: date and scenario hashes)."""
        return self.tariffs.provenance(self.pair, settings)

    def _sector_base_usd_bn(self, country: int, names: tuple[str, ...]) -> float:
        idx = [k for k, s in enumerate(self.view.sectors) if s in names]
        return float(self.sales_base[country, idx].sum()) / 1000.0

    def _sector_pct(self, values: Array, country: int, names: tuple[str, ...]) -> float:
        idx = [k for k, s in enumerate(self.view.sectors) if s in names]
        weights = self.sales_base[country, idx]
        return float(100.0 * (np.dot(weights, values[country, idx]) / weights.sum() - 1.0))

    def evaluate(self, settings: dict[str, float]) -> dict[str, Outcomes]:
        return self.evaluate_many([settings])[0]

    def _outcomes(self, res: MultiSectorResults, nx: Array) -> dict[str, Outcomes]:
        """Each player's outcomes of one solved package (``nx``: the pledge's transfers)."""
        X, X0 = res.flows_pre, res.flows_pre_base
        us, p = self.us, self.partner
        balance = float(X[us, p, self.goods].sum() - X[p, us, self.goods].sum()) / 1000.0
        balance0 = float(X0[us, p, self.goods].sum() - X0[p, us, self.goods].sum()) / 1000.0
        jobs_hat = np.asarray(res.output_nominal_hat) / np.asarray(res.w_hat)[:, None]
        out: dict[str, Outcomes] = {}
        for role, c in (("us", us), ("partner", p)):
            sign = 1.0 if role == "us" else -1.0
            if role == "us":
                groups = {"us_agriculture": ("agri_food",), "us_manufacturing": MANUFACTURING_GE}
            else:
                groups = {"partner_motor_vehicles": ("motor_vehicles",)}
            outputs = {k: self._sector_pct(np.asarray(res.output_hat), c, v) for k, v in groups.items()}
            bases = {k: self._sector_base_usd_bn(c, v) for k, v in groups.items()}
            jobs = {k: self._sector_pct(jobs_hat, c, v) for k, v in groups.items()}
            transfer_pct = -100.0 * float(nx[c]) / float(self.income_base[c])
            welfare = float(res.welfare_hat[c])
            name = self.view.countries[c]
            out[name] = Outcomes(
                country=name,
                real_income_pct=100.0 * (welfare - 1.0) + transfer_pct,
                cpi_pct=100.0 * (float(res.income_hat[c]) / welfare - 1.0),
                bilateral_balance_usd_bn=sign * balance,
                balance_change_usd_bn=sign * (balance - balance0),
                tariff_revenue_usd_bn=float(res.tariff_revenue[c]) / 1000.0,
                revenue_change_usd_bn=float(res.tariff_revenue[c] - res.tariff_revenue_base[c]) / 1000.0,
                sector_output_pct=outputs,
                sector_jobs_pct=jobs,
                national_income_usd_bn=float(self.income_base[c]) / 1000.0,
                gdp_usd_bn=float(self.value_added_base[c]) / 1000.0,
                sector_output_base_usd_bn=bases,
                income_concept="national income: value added + tariff revenue - surplus (base year)",
            )
        return out

    def third_countries(self, settings: dict[str, float]) -> list[dict[str, float | str]]:
        """Effects of a package on every other economy of the model (the package changes only the two
        players' tariffs; the others are hit through trade diversion and prices): equivalent variation
        (USD bn a year, % of GDP) and the change of their goods exports to the US (USD bn, pre-tariff)."""
        from tarifflab.models.ge.multi_sector import MultiSectorScenario

        t, _ = self.inputs(settings)
        res = self.model.solve(MultiSectorScenario(name="negotiation package"), tariffs=t)
        X, X0 = res.flows_pre, res.flows_pre_base
        out: list[dict[str, float | str]] = []
        for c, name in enumerate(self.view.countries):
            if c in (self.us, self.partner):
                continue
            ev = (float(res.welfare_hat[c]) - 1.0) * float(self.income_base[c]) / 1000.0
            exports = float(X[c, self.us, self.goods].sum() - X0[c, self.us, self.goods].sum()) / 1000.0
            out.append(
                {
                    "country": name,
                    "equivalent_variation_usd_bn": ev,
                    "equivalent_variation_pct_gdp": 100.0 * ev / (float(self.value_added_base[c]) / 1000.0),
                    "exports_to_us_change_usd_bn": exports,
                }
            )
        return out

    def evaluate_many(self, settings: Sequence[dict[str, float]]) -> list[dict[str, Outcomes]]:
        """Packages in order. Stored outcomes are read from the result store; the others are solved
        together (:meth:`MultiSectorModel.solve_batch`) in chunks of :data:`BATCH_SIZE` packages — with
        ``workers > 1``, on a Dask distributed cluster of that many worker processes, each solving its share
        in batches — and stored. On a busy 2-core machine the processes gain nothing
        (docs/performance.md); the default is one."""
        inputs = [self.inputs(s) for s in settings]
        keys = [self.package_key(s, t, nx) for s, (t, nx) in zip(settings, inputs, strict=True)]
        found: dict[str, dict[str, Outcomes]] = self.store.get_many(keys)
        todo: dict[str, int] = {}
        for k, key in enumerate(keys):
            if key not in found and key not in todo:
                todo[key] = k
        missing = list(todo.values())
        chunks = [missing[begin : begin + BATCH_SIZE] for begin in range(0, len(missing), BATCH_SIZE)]
        if self.workers > 1 and len(missing) >= 2 * self.workers:
            solved = self._evaluate_in_processes([[settings[k] for k in chunk] for chunk in chunks])
        else:
            solved = (self._solve([inputs[k] for k in chunk]) for chunk in chunks)
        for chunk, outs in zip(chunks, solved, strict=True):  # stored chunk by chunk, as they finish
            found.update(zip((keys[k] for k in chunk), outs, strict=True))
            self.store.put_many((keys[k], out) for k, out in zip(chunk, outs, strict=True))
        return [found[key] for key in keys]

    def _solve(self, inputs: Sequence[tuple[Array, Array]]) -> list[dict[str, Outcomes]]:
        """Solve packages (no store): one alone warm-starts from the last solve, several are batched."""
        from tarifflab.models.ge.multi_sector import MultiSectorScenario

        scenario = MultiSectorScenario(name="negotiation package")
        if len(inputs) == 1:
            t, nx = inputs[0]
            return [self._outcomes(self.model.solve(scenario, tariffs=t), nx)]
        results = self.model.solve_batch(np.stack([t for t, _ in inputs]), [scenario] * len(inputs))
        return [self._outcomes(res, nx) for res, (_, nx) in zip(results, inputs, strict=True)]

    def _evaluate_in_processes(
        self, chunks: Sequence[Sequence[dict[str, float]]]
    ) -> Iterator[list[dict[str, Outcomes]]]:
        """Chunks on a Dask distributed cluster of ``workers`` local processes, one thread each (each
        process builds its own model once and keeps it for later chunks; no store there), in order. The
        parent stores each chunk as it comes back, so an interrupted grid keeps what was solved."""
        from distributed import Client, LocalCluster

        # processes, not threads: the solver holds the GIL between its numpy calls
        cluster = LocalCluster(
            n_workers=self.workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=50,
        )
        with cluster, Client(cluster) as client:
            futures = client.map(
                _evaluate_chunk,
                [(self._config, list(chunk)) for chunk in chunks],
                pure=False,
            )
            for future in futures:
                yield future.result()


_WORKER_MODELS: dict[tuple[object, ...], MultiSectorPayoffModel] = {}


def _evaluate_chunk(
    job: tuple[tuple[str, str, str, bool, MappingAssumptions | None, TariffInput], list[dict[str, float]]],
) -> list[dict[str, Outcomes]]:
    config, chunk = job
    model = _WORKER_MODELS.get(config)
    if model is None:
        from tarifflab.negotiation.levers import get_pair

        name, dataset, elasticities, io, assumptions, tariffs = config
        model = MultiSectorPayoffModel(
            get_pair(name), dataset, elasticities, io, assumptions, tariffs=tariffs, result_store=False
        )
        _WORKER_MODELS[config] = model
    return model.evaluate_many(chunk)
