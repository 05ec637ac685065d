"""The precomputed segment table gives the same daily ETR as evaluating the engine on every change date."""

from __future__ import annotations

import pandas as pd
import pytest

from tarifflab.metrics.etr import etr_series
from tarifflab.metrics.segments import default_segments, segment_starts, source_digest
from tarifflab.policy.engine import MfnBasis, TariffEngine, View


@pytest.mark.parametrize(
    "options",
    [
        {"by_partner": True},
        {"partner": "Japan"},
        {},
        {"view": "net-of-refunds", "partner": "CHN"},
    ],
)
def test_series_from_segments_equals_the_engine_on_each_change_date(options: dict[str, object]) -> None:
    window = ("2025-03-01", "2026-03-15")  # spans the April 2025 duties, the deals and the ruling
    from_segments = etr_series(*window, **options)  # type: ignore[arg-type]
    from_engine = etr_series(*window, engine=TariffEngine.default(), **options)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(
        from_segments, from_engine, check_exact=False, rtol=1e-12, check_dtype=False
    )


def test_segment_table_has_every_partner_on_every_segment() -> None:
    table = default_segments(View.IN_FORCE)
    starts = segment_starts(TariffEngine.default())
    assert sorted(set(table["start"])) == starts
    assert table.groupby("start")["partner"].nunique().nunique() == 1


def test_digest_names_view_and_basis() -> None:
    digests = {source_digest(v, b) for v in (View.IN_FORCE, View.NET_OF_REFUNDS) for b in MfnBasis}
    assert len(digests) == 4
