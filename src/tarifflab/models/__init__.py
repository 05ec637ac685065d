"""Economic models: partial equilibrium (pe) and general equilibrium (ge)."""
