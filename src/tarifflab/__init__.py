"""tarifflab: tariff policy and trade negotiation workbench.

Layers run one way: data → policy → metrics → models → negotiation → interfaces.
"""

from tarifflab.errors import TariffLabError

__all__ = ["TariffLabError", "__version__"]
__version__ = "0.1.0"
