"""General-equilibrium trade models (one-sector and multi-sector Liberation Day models)."""
