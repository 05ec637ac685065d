"""Configuration of a SMART run (kept apart from the model so that results may name it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from tarifflab.errors import InvalidInputError
from tarifflab.models.pe.elasticities import ElasticityTable

Form = Literal["exact", "linear"]


@dataclass(frozen=True)
class SmartOptions:
    """Configuration of one SMART run: the elasticities and the functional form.

    ``form="exact"`` (default) uses iso-elastic demand, supply and CES shares, so imports stay
    non-negative for any tariff change; ``form="linear"`` uses SMART's published first-order formulas,
    which are exact only for small changes (imports are floored at zero).
    """

    elasticities: ElasticityTable = field(default_factory=ElasticityTable)
    form: Form = "exact"

    def __post_init__(self) -> None:
        if self.form not in ("exact", "linear"):
            raise InvalidInputError(f"unknown SMART form {self.form!r} (use 'exact' or 'linear')")
