"""Metrics over the tariff engine: effective tariff rates, revenue, refunds, the reciprocal formula."""
