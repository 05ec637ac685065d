"""The ETR with entry claims assumed made for every eligible line (``claims=`` / ``tarifflab etr --claim``).

Legal source of the expected values: the s.122 import surcharge of 10% from 2026-02-24 (Proclamation of
2026-02-20, HTSUS chapter 99, subchapter III, heading 9903.03.01) does not apply to civil aircraft, their
engines and parts entered under General Note 6 (chapter 99 note 2(aa)(iv)): a line on a civil-aircraft list
pays the 10% only when the importer does not claim civil-aircraft end use.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cli_helpers import run_cli
from tarifflab.errors import UnknownClaimError
from tarifflab.metrics.etr import etr_by_partner, etr_series
from tarifflab.policy import library_cache
from tarifflab.policy.engine import TariffEngine
from tarifflab.policy.shipment import CIVIL_AIRCRAFT

CLAIM = frozenset({CIVIL_AIRCRAFT})
ON = "2026-03-01"
TURBINE_PART = "8411919085"  # 8411.91.90.85: parts of turbojets/turboprops, on the civil-aircraft lists


def _line_rate(frame, hs10: str, partner: str) -> float:  # type: ignore[no-untyped-def]
    row = frame[(frame["hs10"] == hs10) & (frame["partner"] == partner)]
    assert len(row) == 1, f"no 2024 trade line {hs10} from {partner}"
    return float(row["total_rate"].iloc[0] - row["mfn_rate"].iloc[0])


def test_civil_aircraft_claim_lifts_s122_on_a_listed_line_in_either_order() -> None:
    engine = TariffEngine.default()
    # Claim first, then none, then the claim again: the segment memo must keep the two apart.
    with_claim = engine.evaluate(ON, claims=CLAIM)
    without = engine.evaluate(ON)
    again = engine.evaluate(ON, claims=[CIVIL_AIRCRAFT])
    # Germany is in the EU aggregate; note 2(aa)(iv): 10% without the claim, nothing with it.
    assert _line_rate(without, TURBINE_PART, "EUN") == pytest.approx(0.10)
    assert _line_rate(with_claim, TURBINE_PART, "EUN") == pytest.approx(0.0)
    assert _line_rate(again, TURBINE_PART, "EUN") == pytest.approx(0.0)


def test_claims_are_part_of_the_segment_memo_key() -> None:
    engine = TariffEngine.default()
    engine.evaluate(ON)
    engine.evaluate(ON, claims=CLAIM)
    claim_parts = {key[-1] for key in engine._segment_memo}
    assert () in claim_parts and (CIVIL_AIRCRAFT,) in claim_parts


def test_all_lines_with_the_claim_agree_with_single_shipment_duty() -> None:
    engine = TariffEngine.default()
    without = engine.evaluate(ON)
    with_claim = engine.evaluate(ON, claims=CLAIM)
    changed = with_claim[
        ~np.isclose(with_claim["total_rate"], without["total_rate"])
        & ~with_claim["partner"].isin(["CAN", "MEX"])  # the aggregate weights their USMCA shares instead
    ]
    assert len(changed) > 100  # the civil-aircraft lists reach far beyond chapter 88
    sample = changed.sample(n=12, random_state=7)
    for row in sample.itertuples():
        origin = "DEU" if row.partner == "EUN" else str(row.partner)
        claimed = engine.duty(str(row.hs10), origin, ON, civil_aircraft=True)
        plain = engine.duty(str(row.hs10), origin, ON)
        assert row.total_rate == pytest.approx(claimed.total_rate_pct / 100, abs=1e-9), (row.hs10, origin)
        assert without.loc[row.Index, "total_rate"] == pytest.approx(plain.total_rate_pct / 100, abs=1e-9)


@pytest.mark.parametrize("on", ["2026-03-01", "2026-08-15"])
def test_etr_with_the_claim_is_never_above_without(on: str) -> None:
    without = etr_by_partner(on).set_index("partner")["etr_pct"]
    claimed = etr_by_partner(on, claims=CLAIM).set_index("partner")["etr_pct"]
    assert (claimed <= without + 1e-12).all()
    assert claimed["ALL"] < without["ALL"]  # some listed general-purpose lines (8411, 8507, ...) pay without


def test_series_with_claims_matches_the_single_date() -> None:
    series = etr_series(ON, "2026-03-02", claims=CLAIM)
    single = etr_by_partner(ON, claims=CLAIM)
    assert series["etr_pct"].iloc[0] == pytest.approx(single["etr_pct"].iloc[0])


def test_unknown_claim_is_a_named_error() -> None:
    with pytest.raises(UnknownClaimError, match="unknown entry claim 'civil_aircraf'"):
        TariffEngine.default().evaluate(ON, claims={"civil_aircraf"})


def test_cli_claim_states_the_claims_and_rejects_unknown_names() -> None:
    claimed = run_cli(
        "etr", "--date", ON, "--partner", "ALL", "--claim", "civil_aircraft", "--format", "json"
    )
    assert claimed.returncode == 0, claimed.stderr
    row = json.loads(claimed.stdout)[0]
    assert row["claims"] == "civil_aircraft"
    assert row["etr_pct"] == pytest.approx(etr_by_partner(ON, claims=CLAIM)["etr_pct"].iloc[0])
    table = run_cli("etr", "--date", ON, "--partner", "ALL", "--claim", "civil_aircraft")
    assert "claims assumed: civil_aircraft" in table.stdout
    bad = run_cli("etr", "--date", ON, "--claim", "bogus")
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0 and "unknown entry claim 'bogus'" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_compare_puts_ours_with_the_claims_beside_the_trackers() -> None:
    from tarifflab.metrics.reconcile import compare_etr

    table = compare_etr([ON], partners=["ALL"], sources=["tradewartracker"], claims=CLAIM)
    expected = etr_by_partner(ON, claims=CLAIM)["etr_pct"].iloc[0]
    assert table["ours_pct"].iloc[0] == pytest.approx(expected)
    with pytest.raises(UnknownClaimError):
        compare_etr([ON], partners=["ALL"], sources=["tradewartracker"], claims={"aircraft"})


def test_the_disk_segment_store_keeps_claims_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = TariffEngine.default()
    monkeypatch.setenv(library_cache.CACHE_ENV, str(tmp_path))
    writer = base._with(base.library)  # empty memos, as a new process
    writer.evaluate(ON)
    writer.evaluate(ON, claims=CLAIM)
    assert len(list(tmp_path.glob("segments-*/*.npz"))) == 2
    reader = base._with(base.library)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("segment evaluated although it is in the store")

    monkeypatch.setattr(reader, "_evaluate", refuse)
    # Read back in the other order: each answer must be its own (note 2(aa)(iv): 10% without, 0 with).
    assert _line_rate(reader.evaluate(ON, claims=CLAIM), TURBINE_PART, "EUN") == pytest.approx(0.0)
    assert _line_rate(reader.evaluate(ON), TURBINE_PART, "EUN") == pytest.approx(0.10)
