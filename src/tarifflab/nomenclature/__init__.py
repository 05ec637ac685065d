"""Codes: countries (ISO3 ↔ Census ↔ names) and HS/HTS product codes."""
