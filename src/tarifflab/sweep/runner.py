"""Run a sweep (scenarios × elasticity draws) on Dask distributed and store results in DuckDB.

The client builds every task (scenario objects and elasticity vectors), skips those whose key is
already in the store, and ships chunks of tasks to the workers (a :class:`distributed.LocalCluster`
by default, or the scheduler at ``tcp://host:port``). Each finished chunk is committed task by task
(:class:`tarifflab.sweep.store.SweepStore`), so an interrupted sweep resumes exactly where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tarifflab.errors import SchedulerUnreachableError, SweepError, TariffLabError
from tarifflab.models.ge.multi_sector import MultiSectorScenario
from tarifflab.sweep.spec import ModelSpec, SweepSpec
from tarifflab.sweep.store import SweepStore


@dataclass(frozen=True)
class SweepTask:
    """One solve: a scenario under one elasticity vector (``param`` = source code or ``draw-NNNN``)."""

    key: str
    sweep: str
    scenario_name: str
    retaliation: str
    param: str
    replicate: int
    eps: tuple[float, ...]
    scenario: MultiSectorScenario
    model: ModelSpec
    countries: tuple[str, ...] | None
    sectors: bool


@dataclass(frozen=True)
class SweepReport:
    total: int
    skipped: int
    ran: int
    stored: int
    seconds: float
    store: Path


ChunkResult = list[tuple[dict[str, object], pd.DataFrame, pd.DataFrame | None]]


def task_key(
    model: ModelSpec, scenario: MultiSectorScenario, eps: Sequence[float], replicate: int, outputs: Any
) -> str:
    payload = json.dumps(
        {
            "model": model.model_dump(mode="json"),
            "scenario": scenario.scenario_hash(),
            "eps": [round(float(e), 12) for e in eps],
            "replicate": replicate,
            "outputs": outputs,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def build_tasks(
    spec: SweepSpec, us_tariff_matrix: Callable[..., pd.DataFrame] | None = None
) -> list[SweepTask]:
    """All tasks of ``spec`` in a deterministic order (parameters outer, scenarios inner)."""
    from tarifflab.models.ge.elasticities import draw_elasticities, source
    from tarifflab.models.ge.multi_sector_data import load_dataset
    from tarifflab.studies.ge_multi_sector import build_scenario

    data = load_dataset(spec.model.dataset, spec.model.year)
    params: list[tuple[str, np.ndarray]] = [
        (source(c).code, data.epsilon(source(c).code)) for c in spec.elasticities.sources
    ]
    if spec.elasticities.draws:
        draws = draw_elasticities(
            data, spec.elasticities.draws, seed=spec.elasticities.seed, method=spec.elasticities.method
        )
        params += [(f"draw-{k:05d}", eps) for k, eps in enumerate(draws)]
    scenarios = [
        (
            s,
            build_scenario(
                s.name,
                data,
                retaliation=s.retaliation,
                japan_schedule=s.japan_schedule,
                us_tariff_matrix=us_tariff_matrix,
            ),
        )
        for s in spec.scenarios
    ]
    outputs = spec.outputs.model_dump(mode="json")
    tasks = []
    for rep in range(spec.repeat):
        for label, eps in params:
            for s, scen in scenarios:
                eps_t = tuple(float(e) for e in eps)
                tasks.append(
                    SweepTask(
                        key=task_key(spec.model, scen, eps_t, rep, outputs),
                        sweep=spec.name,
                        scenario_name=s.name + ("+japan" if s.japan_schedule else ""),
                        retaliation=s.retaliation,
                        param=label,
                        replicate=rep,
                        eps=eps_t,
                        scenario=scen,
                        model=spec.model,
                        countries=spec.outputs.countries,
                        sectors=spec.outputs.sectors,
                    )
                )
    keys = [t.key for t in tasks]
    if len(set(keys)) != len(keys):
        raise SweepError("sweep spec produces duplicate tasks (identical scenario and parameters)")
    return tasks


_MODELS: dict[tuple[object, ...], Any] = {}


def run_chunk(tasks: Sequence[SweepTask]) -> ChunkResult:
    """Worker function: solve each task; models are cached per process by (model spec, ε)."""
    from tarifflab.models.ge.multi_sector import MultiSectorModel

    out: ChunkResult = []
    for task in tasks:
        cache_key = (task.model.model_dump_json(), task.eps)
        model = _MODELS.get(cache_key)
        if model is None:
            if len(_MODELS) > 16:
                _MODELS.clear()
            model = MultiSectorModel(
                task.model.dataset,
                year=task.model.year,
                elasticities=np.asarray(task.eps),
                io=task.model.io,
                deficits=task.model.deficits,
            )
            _MODELS[cache_key] = model
        res = model.solve(task.scenario)
        ident: dict[str, str | int] = {
            "task_key": task.key,
            "scenario": task.scenario_name,
            "retaliation": task.retaliation,
            "param": task.param,
            "replicate": task.replicate,
        }
        countries = _tagged(res.countries_frame(), task.countries, ident)
        sectors = _tagged(res.sectors_frame(), task.countries, ident) if task.sectors else None
        d = res.diagnostics
        meta = {
            **ident,
            "sweep": task.sweep,
            "iterations": d.iterations,
            "max_residual": d.max_residual,
            "seconds": d.seconds,
            "converged": d.converged,
            "optimal_us_tariff": res.optimal_us_tariff,
        }
        out.append(
            (
                meta,
                countries.reset_index(drop=True),
                None if sectors is None else sectors.reset_index(drop=True),
            )
        )
    return out


def _tagged(
    frame: pd.DataFrame, countries: tuple[str, ...] | None, ident: dict[str, str | int]
) -> pd.DataFrame:
    """Rows of ``countries`` (all if None), with the task's identifying columns added."""
    if countries is not None:
        frame = frame[frame["iso3"].isin(countries)]
    frame = frame.copy()
    for col, value in ident.items():
        frame[col] = value
    return frame


def connect(scheduler: str | None, workers: int, processes: bool) -> Any:
    """A Dask client: to ``scheduler`` (tcp://host:port) or to a new LocalCluster."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout="5s")
        except (OSError, TimeoutError, ValueError) as err:
            raise SchedulerUnreachableError(f"cannot reach Dask scheduler {scheduler}: {err}") from err
    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=processes, dashboard_address=None, silence_logs=50
    )
    return Client(cluster)


def run_sweep(
    spec: SweepSpec,
    store_path: Path,
    *,
    scheduler: str | None = None,
    workers: int = 2,
    processes: bool = True,
    limit: int | None = None,
    chunk_size: int = 8,
    progress: bool = True,
    task_fn: Callable[[Sequence[SweepTask]], ChunkResult] = run_chunk,
    us_tariff_matrix: Callable[..., pd.DataFrame] | None = None,
) -> SweepReport:
    """Run (or resume) ``spec``; ``limit`` caps how many pending tasks this call runs."""
    from distributed import as_completed

    start = time.perf_counter()
    tasks = build_tasks(spec, us_tariff_matrix)
    with SweepStore(store_path) as store:
        done = store.done_keys()
        todo = [t for t in tasks if t.key not in done]
        skipped = len(tasks) - len(todo)
        if limit is not None:
            todo = todo[: max(limit, 0)]
        stored = 0
        if todo or scheduler:
            chunks = [todo[i : i + chunk_size] for i in range(0, len(todo), chunk_size)]
            client = connect(scheduler, workers, processes)
            try:
                futures = client.map(task_fn, chunks, pure=False) if chunks else []
                stored = _collect(as_completed(futures), futures, store, len(todo), progress)
            finally:
                cluster = getattr(client, "cluster", None)
                client.close()
                if cluster is not None and not scheduler:
                    cluster.close()
    return SweepReport(len(tasks), skipped, len(todo), stored, time.perf_counter() - start, Path(store_path))


def _collect(completed: Any, futures: list[Any], store: SweepStore, total: int, show: bool) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    stored = 0
    with Progress(
        TextColumn("sweep"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        disable=not show,
        transient=False,
    ) as bar:
        job = bar.add_task("solve", total=total)
        for fut in completed:
            try:
                results = fut.result()
            except TariffLabError as err:
                for other in futures:
                    other.cancel()
                raise SweepError(
                    f"a sweep task failed ({type(err).__name__}: {err}); completed tasks are stored, rerun to resume"
                ) from err
            except Exception as err:
                for other in futures:
                    other.cancel()
                raise SweepError(
                    f"a sweep task failed ({type(err).__name__}: {err}); completed tasks are stored, rerun to resume"
                ) from err
            for meta, countries, sectors in results:
                stored += int(store.write(meta, countries, sectors))
            bar.advance(job, len(results))
    return stored
