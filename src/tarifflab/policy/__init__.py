"""Tariff policy: measures, schedules on a date, partner-side schedules (Japan)."""
