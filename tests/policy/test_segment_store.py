"""The on-disk store of all-lines segment totals (policy/segment_store.py) gives the computed answers.

A process that reads a segment from the store must answer exactly as one that evaluates it; a scenario, a
view or a different MFN basis must never be answered from another's files; a damaged or foreign file is
ignored. The legal values themselves are tested in the worked and legal cases; one anchor is repeated here
(Japanese passenger cars, EO 14345: 15% all-in from 2025-09-16) so a stored answer is also checked
against the law, not only against our own evaluation.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scenario_texts import VNM_SEATS
from tarifflab.policy import library_cache
from tarifflab.policy.engine import TariffEngine
from tarifflab.policy.library import load_library
from tarifflab.policy.scenario import library_with_scenarios
from tarifflab.policy.segment_store import engine_fingerprint, precompute_segments, segment_starts


@pytest.fixture(scope="module")
def base_engine() -> TariffEngine:
    engine = TariffEngine(load_library())
    engine.lines  # noqa: B018 - read and validate the 2024 lines once for the module
    return engine


def _fresh(engine: TariffEngine) -> TariffEngine:
    """A new engine on the same lines with empty memos, as a new process would start."""
    return engine._with(engine.library)


def _refuse_to_evaluate(engine: TariffEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("segment evaluated although it is in the store")

    monkeypatch.setattr(engine, "_evaluate", refuse)


def test_a_stored_segment_answers_exactly_as_an_evaluated_one(
    base_engine: TariffEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(library_cache.CACHE_ENV, "off")
    uncached = _fresh(base_engine).evaluate("2025-10-01")
    monkeypatch.setenv(library_cache.CACHE_ENV, str(tmp_path))
    computed = _fresh(base_engine).evaluate("2025-10-01")  # evaluates and saves
    (saved,) = tmp_path.glob("segments-*/*.npz")
    assert saved.stat().st_mode & 0o077 == 0
    reader = _fresh(base_engine)
    _refuse_to_evaluate(reader, monkeypatch)
    stored = reader.evaluate("2025-10-01")  # a date this engine never evaluated
    pd.testing.assert_frame_equal(stored, uncached, check_exact=True)
    pd.testing.assert_frame_equal(computed, uncached, check_exact=True)
    # EO 14345 (90 FR 44142): Japanese passenger cars pay 15% all-in (MFN 2.5% + 12.5%) from 2025-09-16.
    cars = stored[(stored["hs10"] == "8703230140") & (stored["partner"] == "JPN")]
    assert cars["total_rate"].round(6).tolist() == [0.15]


def test_views_and_dates_are_stored_apart(
    base_engine: TariffEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(library_cache.CACHE_ENV, "off")
    expected = {
        ("2026-03-01", "net-of-refunds", None): _fresh(base_engine).evaluate("2026-03-01", "net-of-refunds"),
        ("2025-04-10", "as-known", "2025-04-09"): _fresh(base_engine).evaluate(
            "2025-04-10", "as-known", "2025-04-09"
        ),
        ("2025-04-10", "in-force", None): _fresh(base_engine).evaluate("2025-04-10"),
    }
    monkeypatch.setenv(library_cache.CACHE_ENV, str(tmp_path))
    writer = _fresh(base_engine)
    for (on, view, known), _ in expected.items():
        writer.evaluate(on, view, known)
    reader = _fresh(base_engine)
    _refuse_to_evaluate(reader, monkeypatch)
    for (on, view, known), frame in expected.items():
        pd.testing.assert_frame_equal(reader.evaluate(on, view, known), frame, check_exact=True)
    assert len(list(tmp_path.glob("segments-*/*.npz"))) == len(expected)


def test_a_scenario_reads_and_writes_its_own_folder(
    base_engine: TariffEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario_file = tmp_path / "vnm_seats.yaml"
    scenario_file.write_text(VNM_SEATS, encoding="utf-8")
    scenario = library_with_scenarios([scenario_file])
    assert engine_fingerprint(scenario, "applied") != engine_fingerprint(base_engine.library, "applied")
    assert engine_fingerprint(base_engine.library, "statutory") != engine_fingerprint(
        base_engine.library, "applied"
    )
    monkeypatch.setenv(library_cache.CACHE_ENV, str(tmp_path / "cache"))
    on = "2026-09-10"
    base = _fresh(base_engine).evaluate(on)  # the built-in law's segment, stored first
    with_scenario = base_engine._with(scenario)
    answered = with_scenario.evaluate(on)
    assert len(list((tmp_path / "cache").glob("segments-*"))) == 2
    seats = ((answered["partner"] == "VNM") & answered["hs10"].str.startswith("9401")).to_numpy()
    # The scenario file's own rule: +25% under s.301 on HS 9401 from Viet Nam from 2026-09-01; no other line moves.
    added = answered["s301_rate"].to_numpy() - base["s301_rate"].to_numpy()
    assert np.isclose(added[seats].max(), 0.25) and (added[seats] >= 0).all()
    assert (added[~seats] == 0).all()
    reread = base_engine._with(scenario)
    _refuse_to_evaluate(reread, monkeypatch)
    pd.testing.assert_frame_equal(reread.evaluate(on), answered, check_exact=True)


def test_damaged_or_foreign_files_are_ignored(
    base_engine: TariffEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(library_cache.CACHE_ENV, str(tmp_path))
    expected = _fresh(base_engine).evaluate("2025-08-10")
    (saved,) = tmp_path.glob("segments-*/*.npz")
    saved.write_bytes(b"not an archive")
    pd.testing.assert_frame_equal(_fresh(base_engine).evaluate("2025-08-10"), expected, check_exact=True)
    # A well-formed file others could have written is not read: the segment is evaluated again.
    saved.chmod(0o666)
    engine = _fresh(base_engine)
    calls = []
    original = engine._evaluate

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "_evaluate", counting)
    pd.testing.assert_frame_equal(engine.evaluate("2025-08-10"), expected, check_exact=True)
    assert calls == [1]


def test_precompute_covers_every_segment_start(
    base_engine: TariffEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = base_engine.library
    starts = segment_starts(library, dt.date(2025, 3, 20), dt.date(2025, 5, 10))
    changes = [d for d in library.change_dates() if dt.date(2025, 3, 20) <= d <= dt.date(2025, 5, 10)]
    assert set(changes) | {dt.date(2025, 4, 1), dt.date(2025, 5, 1), dt.date(2025, 3, 20)} == set(starts)
    monkeypatch.setenv(library_cache.CACHE_ENV, str(tmp_path))
    evaluated = precompute_segments(_fresh(base_engine), dt.date(2025, 4, 1), dt.date(2025, 4, 10))
    assert evaluated == len(segment_starts(library, dt.date(2025, 4, 1), dt.date(2025, 4, 10)))
    reader = _fresh(base_engine)
    _refuse_to_evaluate(reader, monkeypatch)
    for day in range(1, 11):
        reader.evaluate(dt.date(2025, 4, day))  # every day of the window is a stored segment


def test_old_fingerprint_folders_are_pruned(
    base_engine: TariffEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from tarifflab.policy import segment_store

    monkeypatch.setenv(library_cache.CACHE_ENV, str(tmp_path))
    for number in range(segment_store.MAX_FOLDERS + 5):
        old = tmp_path / f"segments-{number:04d}"
        old.mkdir()
        os.utime(old, (number, number))  # the higher the number, the more recently used
    (tmp_path / "library-keep.pickle").write_bytes(b"")  # other cache files are not touched
    engine = _fresh(base_engine)
    engine.evaluate("2025-08-10")
    folders = sorted(f.name for f in tmp_path.glob("segments-*"))
    assert len(folders) == segment_store.MAX_FOLDERS
    assert f"segments-{segment_store.MAX_FOLDERS + 4:04d}" in folders and "segments-0000" not in folders
    assert (tmp_path / "library-keep.pickle").exists()
