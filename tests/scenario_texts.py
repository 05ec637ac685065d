"""Scenario files the engine tests share (the measure library's own schema)."""

VNM_SEATS = """
- id: scenario-vnm-9401-25
  title: "What if: 25% on seats (HS 9401) from Viet Nam"
  layer: s301
  authority: Section 301
  program: scenario_vnm_seats
  legal_basis: "hypothetical (scenario file)"
  countries: [VNM]
  products: {prefixes: ["9401"]}
  rule: {kind: add, rate: 0.25}
  start: 2026-09-01
  known_from: 2026-09-01
"""
