"""Product-level partial equilibrium: the WITS-SMART single-market model for every HS line × supplier."""

from tarifflab.models.pe.elasticities import ElasticityOverride, ElasticityTable
from tarifflab.models.pe.inputs import RateRule, lines_with_rules, pe_inputs_from_dates, reference_imports
from tarifflab.models.pe.results import SmartDiagnostics, SmartResult
from tarifflab.models.pe.smart import SmartModel, SmartOptions, smart_effects, validate_lines

__all__ = [
    "ElasticityOverride",
    "ElasticityTable",
    "RateRule",
    "SmartDiagnostics",
    "SmartModel",
    "SmartOptions",
    "SmartResult",
    "lines_with_rules",
    "pe_inputs_from_dates",
    "reference_imports",
    "smart_effects",
    "validate_lines",
]
