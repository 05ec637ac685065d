"""Codes: countries (ISO3 ↔ Census ↔ names), HS/HTS product codes and sector concordances (HS, GTAP, CP → ICIO)."""
