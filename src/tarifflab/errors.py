"""Named errors. The CLI turns every :class:`TariffLabError` into one line and exit code 2."""

from __future__ import annotations

from typing import Any


class TariffLabError(Exception):
    """Base class of every error tarifflab raises on purpose."""


class InvalidInputError(TariffLabError, ValueError):
    """A user-supplied value is malformed or out of range."""


class UnknownCountryError(InvalidInputError):
    """A country code or name that does not resolve to one ISO3 code."""


class UnknownProductError(InvalidInputError):
    """An HS/HTS code that is malformed or not in the tariff schedule."""


class AmbiguousProductError(UnknownProductError):
    """A code shorter than 10 digits that covers several HTS-10 lines: the caller must pick one or ask
    for all of them. ``lines`` holds the HTS-10 codes covered, in code order."""

    def __init__(self, message: str, lines: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.lines = lines


class UnknownClaimError(InvalidInputError):
    """An entry claim name that tarifflab does not know (see ``tarifflab.policy.shipment.CLAIMS``)."""


class InvalidDateError(InvalidInputError):
    """A malformed date, or one outside the window the data covers."""


class MeasureFileError(TariffLabError):
    """A tariff-measure YAML file that is malformed or contradicts itself or another measure."""


class ScenarioError(InvalidInputError):
    """A scenario name that does not exist, or a scenario file that is malformed."""


class DataError(TariffLabError):
    """Data that is missing, corrupt, or of the wrong shape."""


class ReferenceDataMissingError(DataError):
    """The reference data folder (../shared/data or TARIFFLAB_REFERENCE_DATA) cannot be found."""


class ConvergenceError(TariffLabError):
    """An equilibrium solver did not converge. Carries the solver diagnostics."""

    def __init__(self, message: str, diagnostics: Any = None) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics


class InvalidElasticityError(InvalidInputError):
    """An elasticity that is negative, NaN or otherwise out of range."""


class TariffFileError(InvalidInputError):
    """A user tariff-matrix file that is malformed: wrong shape, NaN, negative rate or bad labels."""


class UnknownDatasetError(InvalidInputError):
    """A dataset name or data year that tarifflab does not have (multi-sector GE: default/icio/wiod/cp)."""


class SweepError(TariffLabError):
    """A sweep specification that is malformed, or a sweep store/scheduler that cannot be used."""


class SchedulerUnreachableError(SweepError):
    """The Dask scheduler address given for a sweep cannot be reached."""


class BackendUnavailableError(TariffLabError):
    """A part of tarifflab that an interface (dashboard, report) needs is not available; says why."""


class DealRecordError(DataError):
    """A deal record (negotiation/deals/*.yaml) that cannot be read or fails validation."""
