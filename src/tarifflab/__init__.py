"""tarifflab: tariff policy and trade negotiation workbench.

Layers run one way: data → nomenclature → policy → metrics → models → studies → negotiation →
interfaces. The public API (docs/api.md) loads lazily, so ``import tarifflab`` stays fast:

* :func:`search`, :func:`lines`: find HTS-10 lines by words or by code;
* :func:`duty`, :func:`duty_all_lines`: the US duty, layer by layer with its legal basis;
* :func:`etr`: effective tariff rates with 2024 import weights;
* :mod:`tarifflab.ge`: general-equilibrium scenarios (``tarifflab.ge.run``, ``tarifflab.ge.scenarios``);
* :mod:`tarifflab.negotiate`: deals between two countries (``tarifflab.negotiate.evaluate``, …).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from tarifflab.errors import TariffLabError

if TYPE_CHECKING:
    from tarifflab import ge, negotiate
    from tarifflab.api import duty, duty_all_lines, etr, lines, search

from tarifflab._version import __version__

_FUNCTIONS = {name: "tarifflab.api" for name in ("duty", "duty_all_lines", "etr", "lines", "search")}
_MODULES = ("ge", "negotiate")

__all__ = [
    "TariffLabError",
    "__version__",
    "duty",
    "duty_all_lines",
    "etr",
    "ge",
    "lines",
    "negotiate",
    "search",
]


def __getattr__(name: str) -> Any:
    """Load the public API on first use (PEP 562)."""
    if name in _FUNCTIONS:
        value = getattr(importlib.import_module(_FUNCTIONS[name]), name)
    elif name in _MODULES:
        value = importlib.import_module(f"tarifflab.{name}")
    else:
        raise AttributeError(f"module 'tarifflab' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
