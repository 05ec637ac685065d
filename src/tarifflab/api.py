"""The public Python API of the tariff engine: find a product, the duty on it, effective tariff rates.

Import it through the package (``import tarifflab; tarifflab.duty(...)``): the names load lazily, so
``import tarifflab`` stays fast. Every function validates its input and raises the named errors of
:mod:`tarifflab.errors` (e.g. :class:`~tarifflab.errors.UnknownProductError`). Rates are percent of
customs value unless a column name says otherwise (``*_rate`` columns of the engine are fractions).

>>> import tarifflab
>>> tarifflab.duty("8703.23.01.40", "JPN", "2025-10-01").total_rate_pct  # EO 14345: 15% all-in
15.0
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import pandas as pd

from tarifflab.errors import InvalidInputError
from tarifflab.policy.engine import DutyResult, MfnBasis, TariffEngine, parse_view

ViewName = Literal["in-force", "as-known", "net-of-refunds"]
DateLike = str | dt.date


def _mfn_basis(name: str) -> MfnBasis:
    try:
        return MfnBasis(name)
    except ValueError:
        raise InvalidInputError(f"unknown MFN basis {name!r} (choose applied or statutory)") from None


def search(query: str, limit: int = 20) -> pd.DataFrame:
    """HTS-10 lines matching ``query``, best first.

    Words are ranked by BM25 over each line's heading, parent lines and own text of the 2025 HTSUS,
    with synonyms for everyday words ("laptop", "car", "phone", "medicine"); digits list the lines
    under that code. Columns ``hts10, description, heading, score`` (BM25 score, unitless).
    """
    from tarifflab.nomenclature.search import search_products

    return search_products(query, limit=limit)


def lines(code: str) -> pd.DataFrame:
    """Every HTS-10 line under a 2–10 digit ``code`` (dots optional): ``hts10, description, heading``."""
    from tarifflab.nomenclature.search import lines_under

    return lines_under(code)


def duty(
    hts: str,
    origin: str,
    on: DateLike,
    *,
    value_usd: float | None = None,
    view: ViewName = "in-force",
    as_known_on: DateLike | None = None,
    mfn_basis: Literal["applied", "statutory"] = "applied",
    usmca_qualifying: bool = False,
    **shipment: Any,
) -> DutyResult:
    """The US duty on one HTS-10 line from ``origin`` entered on ``on``, layer by layer.

    Args:
        hts: a 10-digit HTS code (dots optional). A shorter code that covers several lines raises
            :class:`~tarifflab.errors.AmbiguousProductError` (its ``lines`` lists them); use
            :func:`duty_all_lines` for all of them.
        origin: country of origin, ISO3 or name ("JPN", "Japan").
        on: date of entry (ISO ``YYYY-MM-DD``) from 2025-01-01; after the library's ``law_known_on`` the
            law as last known applies and the result's ``stale_days`` says by how much.
        value_usd: customs value in USD; sets ``duty_usd`` of the result.
        view: ``in-force`` (the law as finally applied, retroactive changes included), ``as-known``
            (as published on ``as_known_on``) or ``net-of-refunds`` (IEEPA duties refunded).
        mfn_basis: ``applied`` (FTA preference rates the partner claims) or ``statutory`` (column 1).
        usmca_qualifying: a Canadian or Mexican good that claims USMCA.
        shipment: further facts of the shipment, passed to :meth:`TariffEngine.duty`: ``loaded_on``
            (in-transit clauses), ``quantity`` and ``unit`` (exact specific duties), ``over_quota``,
            ``civil_aircraft``, ``s301_exclusion``, ``claims``, ``us_content_share``.

    Returns:
        :class:`~tarifflab.policy.engine.DutyResult`: ``total_rate_pct`` (percent of customs value),
        ``layers`` (each with its legal basis), ``refundable_pct``, ``duty_usd``, ``description``.
    """
    engine = TariffEngine.default(_mfn_basis(mfn_basis))
    return engine.duty(
        hts,
        origin,
        on,
        value_usd,
        parse_view(view),
        as_known_on,
        usmca_qualifying=usmca_qualifying,
        **shipment,
    )


def duty_all_lines(
    code: str,
    origin: str,
    on: DateLike,
    *,
    value_usd: float | None = None,
    view: ViewName = "in-force",
    as_known_on: DateLike | None = None,
    mfn_basis: Literal["applied", "statutory"] = "applied",
    usmca_qualifying: bool = False,
    **shipment: Any,
) -> list[DutyResult]:
    """:func:`duty` for every HTS-10 line a 6–10 digit ``code`` covers, in code order."""
    engine = TariffEngine.default(_mfn_basis(mfn_basis))
    return engine.duty_all_lines(
        code,
        origin,
        on,
        value_usd,
        parse_view(view),
        as_known_on,
        usmca_qualifying=usmca_qualifying,
        **shipment,
    )


def etr(
    on: DateLike | None = None,
    *,
    by: Literal["partner", "sector"] = "partner",
    scheme: Literal["section", "chapter", "gtap"] = "section",
    partner: str | None = None,
    view: ViewName = "in-force",
    as_known_on: DateLike | None = None,
    start: DateLike | None = None,
    end: DateLike | None = None,
) -> pd.DataFrame:
    """Effective tariff rate: duty / imports with 2024 import weights held fixed (behaviour-free).

    Give ``on`` for one date (rows by partner, with ``ALL`` first, or by sector of ``scheme``), or
    ``start`` and ``end`` for a daily series. Columns ``imports_usd`` and ``duty_usd`` (US dollars a
    year at 2024 volumes), ``refundable_usd`` (IEEPA duties owed back), ``etr_pct`` (percent).
    """
    from tarifflab.metrics.etr import etr_by_partner, etr_by_sector, etr_series

    if start is not None or end is not None:
        if start is None or end is None or on is not None:
            raise InvalidInputError("a series needs both start and end (and no single date)")
        return etr_series(start, end, partner=partner, view=parse_view(view))
    if on is None:
        raise InvalidInputError("give a date, or start and end for a daily series")
    if by == "partner":
        return etr_by_partner(on, view=parse_view(view), as_known_on=as_known_on, partner=partner)
    if by == "sector":
        return etr_by_sector(
            on, view=parse_view(view), as_known_on=as_known_on, partner=partner, scheme=scheme
        )
    raise InvalidInputError(f"unknown by={by!r} (choose partner or sector)")
