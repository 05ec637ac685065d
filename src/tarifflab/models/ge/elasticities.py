"""Registry of published trade-elasticity sources (ε_s; σ_s = ε_s + 1) and uncertainty tools.

One entry per source of ``tariffwar``'s ``+elasticity/registry.m`` (ge-multi-sector.md A.7). The
sector values are those mapped into each dataset by the tariffwar package (``sigma/<SRC>/epsilon_S`` in
the ``.mat`` files; ``derived/tariffwar_sector_elasticities.csv``); the embedded default carries their
world-import-weighted aggregates.

Uncertainty: :func:`draw_elasticities` gives Monte Carlo draws, either

* ``method="lognormal"`` (default): ln ε_s ~ N(mean_k ln ε_sk, sd_k ln ε_sk) independently by sector,
  where k runs over the 8 sources — the cross-source dispersion is read as estimation uncertainty; or
* ``method="sources"``: each draw is one whole published vector, picked uniformly.

:func:`sensitivity` solves one scenario under every source; :func:`monte_carlo` solves it for many draws
and :func:`bands` summarises any numeric column by quantiles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from tarifflab.errors import InvalidInputError

if TYPE_CHECKING:
    from tarifflab.models.ge.multi_sector import MultiSectorResults, MultiSectorScenario
    from tarifflab.models.ge.multi_sector_data import MultiSectorData


@dataclass(frozen=True)
class ElasticitySource:
    """A published set of sector trade elasticities."""

    code: str
    name: str
    citation: str
    note: str


REGISTRY: dict[str, ElasticitySource] = {
    s.code: s
    for s in (
        ElasticitySource(
            "IS",
            "in-sample",
            "Lashkaripour (2021), J. Int. Econ. 131 (WIOD); Caliendo–Parro triple-difference on pooled ICIO data",
            "estimated on the dataset itself by tariffwar",
        ),
        ElasticitySource("U4", "uniform 4", "Simonovska and Waugh (2014), J. Int. Econ. 92(1)", "ε = 4 in every sector"),
        ElasticitySource("CP", "Caliendo–Parro", "Caliendo and Parro (2015), Rev. Econ. Stud. 82(1), Table 1 (99 % sample)", "tradable sectors; services 4"),
        ElasticitySource("BSY", "Bagwell–Staiger–Yurukoglu", "Bagwell, Staiger and Yurukoglu (2021), Econometrica 89(4)", ""),
        ElasticitySource("GYY", "Giri–Yi–Yilmazkuday", "Giri, Yi and Yilmazkuday (2021), J. Int. Econ. 130", ""),
        ElasticitySource("Shap", "Shapiro", "Shapiro (2016), AEJ: Policy 8(4)", ""),
        ElasticitySource("FGO", "Fontagné–Guimbard–Orefice", "Fontagné, Guimbard and Orefice (2022), J. Int. Econ. 137", "HS6 estimates aggregated by tariffwar"),
        ElasticitySource("LL", "Lashkaripour–Lugovskyy", "Lashkaripour and Lugovskyy (2023), Am. Econ. Rev. 113(10)", ""),
    )
}  # fmt: skip
SOURCES: tuple[str, ...] = tuple(REGISTRY)


def source(code: str) -> ElasticitySource:
    """Registry entry by code (case-insensitive)."""
    for key, entry in REGISTRY.items():
        if key.upper() == code.upper():
            return entry
    raise InvalidInputError(f"unknown elasticity source {code!r} (choose from {', '.join(SOURCES)})")


def epsilon(data: MultiSectorData, code: str) -> np.ndarray:
    """ε_s of ``code`` for the sectors of ``data``."""
    return data.epsilon(source(code).code)


def table(data: MultiSectorData) -> pd.DataFrame:
    """Sector × source table of ε for a dataset."""
    return pd.DataFrame(
        {code: data.epsilon(code) for code in SOURCES if code in data.elasticities},
        index=pd.Index(data.sectors, name="sector"),
    )


def draw_elasticities(
    data: MultiSectorData,
    n_draws: int,
    *,
    seed: int = 0,
    method: Literal["lognormal", "sources"] = "lognormal",
    sources: Sequence[str] | None = None,
) -> np.ndarray:
    """Monte Carlo draws of ε (``n_draws`` × S); see the module docstring for the two methods."""
    if n_draws < 1:
        raise InvalidInputError("n_draws must be positive")
    codes = [source(c).code for c in (sources or [c for c in SOURCES if c in data.elasticities])]
    mat = np.vstack([data.epsilon(c) for c in codes])  # K × S
    rng = np.random.default_rng(seed)
    if method == "sources":
        return mat[rng.integers(0, len(codes), size=n_draws)]
    if method != "lognormal":
        raise InvalidInputError(f"unknown draw method {method!r} (lognormal | sources)")
    logs = np.log(mat)
    mu, sd = logs.mean(axis=0), logs.std(axis=0, ddof=1) if len(codes) > 1 else np.zeros(mat.shape[1])
    return np.exp(mu[None, :] + sd[None, :] * rng.standard_normal((n_draws, mat.shape[1])))


def _summary(
    result: MultiSectorResults, extra: Callable[[MultiSectorResults], dict[str, float]] | None
) -> dict[str, float]:
    row = {
        f"welfare_pct_{c}": float(100 * (w - 1))
        for c, w in zip(result.countries, result.welfare_hat, strict=True)
    }
    if extra is not None:
        row.update(extra(result))
    return row


def sensitivity(
    data: MultiSectorData,
    scenario: MultiSectorScenario,
    *,
    io: bool = True,
    deficits: Literal["balanced", "fixed"] = "balanced",
    sources: Iterable[str] | None = None,
    extra: Callable[[MultiSectorResults], dict[str, float]] | None = None,
) -> pd.DataFrame:
    """Solve ``scenario`` under each elasticity source; one row per source (welfare by country + extra)."""
    from tarifflab.models.ge.multi_sector import MultiSectorModel

    rows = []
    for code in sources or [c for c in SOURCES if c in data.elasticities]:
        model = MultiSectorModel(data, elasticities=source(code).code, io=io, deficits=deficits)
        rows.append({"source": source(code).code, **_summary(model.solve(scenario), extra)})
    return pd.DataFrame(rows).set_index("source")


def monte_carlo(
    data: MultiSectorData,
    scenario: MultiSectorScenario,
    n_draws: int,
    *,
    io: bool = True,
    deficits: Literal["balanced", "fixed"] = "balanced",
    seed: int = 0,
    method: Literal["lognormal", "sources"] = "lognormal",
    extra: Callable[[MultiSectorResults], dict[str, float]] | None = None,
) -> pd.DataFrame:
    """Solve ``scenario`` for ``n_draws`` elasticity draws; one row per draw."""
    from tarifflab.models.ge.multi_sector import MultiSectorModel

    rows = []
    for k, eps in enumerate(draw_elasticities(data, n_draws, seed=seed, method=method)):
        model = MultiSectorModel(data, elasticities=eps, io=io, deficits=deficits)
        rows.append({"draw": k, **_summary(model.solve(scenario), extra)})
    return pd.DataFrame(rows).set_index("draw")


def bands(frame: pd.DataFrame, quantiles: Sequence[float] = (0.05, 0.5, 0.95)) -> pd.DataFrame:
    """Quantiles of every numeric column (rows = columns of ``frame``; columns q05, q50, q95, …)."""
    q = frame.select_dtypes("number").quantile(list(quantiles)).T
    q.columns = [f"q{round(100 * x):02d}" for x in quantiles]
    return q
