"""Tariff policy: measures as data, the built-in library, and the stacking engine."""
