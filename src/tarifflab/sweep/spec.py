"""Sweep specification: scenarios × parameter draws, validated by pydantic, read with ``yaml.safe_load``.

Example::

    name: lday-bands
    model: {dataset: default, io: true, deficits: balanced}
    scenarios:
      - {name: liberation-day, retaliation: none}
      - {name: liberation-day, retaliation: reciprocal}
      - {name: uniform-10}
    elasticities:
      sources: [IS, U4, CP, BSY, GYY, Shap, FGO, LL]   # one task per source
      draws: 100                                        # plus Monte Carlo draws
      method: lognormal
      seed: 0
    outputs: {countries: [USA, JPN], sectors: true}
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tarifflab.errors import SweepError


class ModelSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    dataset: Literal["default", "icio", "wiod", "cp"] = "default"
    year: int | None = None
    io: bool = True
    deficits: Literal["balanced", "fixed"] = "balanced"


class ScenarioSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    retaliation: Literal["none", "reciprocal"] = "none"
    japan_schedule: bool = False


class ElasticitySpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sources: tuple[str, ...] = ("CP",)
    draws: int = Field(default=0, ge=0, le=1_000_000)
    method: Literal["lognormal", "sources"] = "lognormal"
    seed: int = 0


class OutputSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    countries: tuple[str, ...] | None = None  # None = all
    sectors: bool = False


class SweepSpec(BaseModel):
    """A whole sweep. Its hash (with each task's parameters) keys every stored row."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    model: ModelSpec = ModelSpec()
    scenarios: tuple[ScenarioSpec, ...] = Field(min_length=1)
    elasticities: ElasticitySpec = ElasticitySpec()
    outputs: OutputSpec = OutputSpec()
    repeat: int = Field(default=1, ge=1, le=100_000)  # replicate every task (for timing sweeps)

    @field_validator("scenarios")
    @classmethod
    def _unique(cls, v: tuple[ScenarioSpec, ...]) -> tuple[ScenarioSpec, ...]:
        keys = [(s.name, s.retaliation, s.japan_schedule) for s in v]
        if len(set(keys)) != len(keys):
            raise ValueError("duplicate scenario entries")
        return v

    def spec_hash(self) -> str:
        return hashlib.sha256(json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()[
            :16
        ]


def load_spec(path: Path) -> SweepSpec:
    """Read and validate a sweep YAML file; any problem → :class:`SweepError`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise SweepError(f"cannot read sweep spec {path}: {err.strerror or err}") from err
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise SweepError(f"sweep spec {path} is not valid YAML: {str(err).splitlines()[0]}") from err
    if not isinstance(raw, dict):
        raise SweepError(f"sweep spec {path} must be a mapping at the top level")
    try:
        return SweepSpec.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SweepError(
            f"sweep spec {path}: {where}: {first['msg']} ({err.error_count()} error(s))"
        ) from err
