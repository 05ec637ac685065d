"""Metrics: effective tariff rates, revenue, the reciprocal formula."""
