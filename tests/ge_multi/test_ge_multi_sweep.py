"""Sweeps on Dask: resumability (exact row set), spec validation, scheduler errors, CLI exit codes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest

from tarifflab.errors import SchedulerUnreachableError, SweepError
from tarifflab.sweep.runner import SweepTask, build_tasks, connect, run_chunk, run_sweep
from tarifflab.sweep.spec import SweepSpec, load_spec
from tarifflab.sweep.store import SweepStore

SPEC = """
name: resumable
model: {dataset: default, io: true}
scenarios:
  - {name: liberation-day}
  - {name: uniform-10, retaliation: reciprocal}
elasticities: {sources: [CP, LL], draws: 4, seed: 7}
outputs: {countries: [USA, JPN], sectors: true}
"""


def _spec(tmp_path: Path) -> SweepSpec:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC)
    return load_spec(path)


def _rows(store: Path) -> dict[str, pd.DataFrame]:
    with SweepStore(store) as s:
        out = {}
        for name in ("tasks", "countries", "sectors"):
            frame = s.table(name)
            if name == "tasks":  # solver diagnostics depend on warm starts, not on the result
                frame = frame.drop(columns=["seconds", "iterations", "max_residual"])
            out[name] = frame.sort_values(list(frame.columns[:7])).reset_index(drop=True)
        return out


def _failing_after(n_ok: int):  # type: ignore[no-untyped-def]
    calls = {"n": 0}

    def fn(tasks: Sequence[SweepTask]):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] > n_ok:
            raise RuntimeError("worker aborted")
        return run_chunk(tasks)

    return fn


def test_sweep_resumes_with_exact_row_set(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    tasks = build_tasks(spec)
    assert len(tasks) == 2 * (2 + 4)
    full = tmp_path / "full.duckdb"
    report = run_sweep(spec, full, processes=False, chunk_size=2, progress=False)
    assert report.stored == len(tasks)
    reference = _rows(full)
    assert len(reference["countries"]) == len(tasks) * 2
    assert len(reference["sectors"]) == len(tasks) * 2 * 10

    part = tmp_path / "part.duckdb"
    first = run_sweep(spec, part, processes=False, chunk_size=2, limit=3, progress=False)
    assert first.stored == 3
    with pytest.raises(SweepError, match="rerun to resume"):
        run_sweep(spec, part, processes=False, chunk_size=2, progress=False, task_fn=_failing_after(1))
    with SweepStore(part) as s:
        interrupted = len(s.done_keys())
    assert 3 <= interrupted < len(tasks)
    resumed = run_sweep(spec, part, processes=False, chunk_size=2, progress=False)
    assert resumed.skipped == interrupted
    assert resumed.stored == len(tasks) - interrupted
    again = _rows(part)
    for name in ("tasks", "countries", "sectors"):
        cols = [c for c in reference[name].columns if c != "sweep"]
        pd.testing.assert_frame_equal(
            again[name][cols], reference[name][cols], check_exact=False, rtol=1e-7, atol=1e-7
        )
    # a second resume is a no-op, and nothing is duplicated
    assert run_sweep(spec, part, processes=False, progress=False).stored == 0
    with SweepStore(part) as s:
        counts = s.con.execute("SELECT count(*), count(DISTINCT task_key) FROM tasks").fetchone()
        assert counts == (len(tasks), len(tasks))
        written = s.export_parquet(tmp_path / "pq")
    assert len(pd.read_parquet(written[1])) == len(reference["countries"])


def test_spec_errors(tmp_path: Path) -> None:
    cases = {
        "not_yaml.yaml": "name: [unclosed",
        "list.yaml": "- a\n- b\n",
        "unknown_key.yaml": SPEC + "surprise: 1\n",
        "no_scenarios.yaml": "name: x\n",
        "bad_dataset.yaml": SPEC.replace("dataset: default", "dataset: gtap"),
        "negative_draws.yaml": SPEC.replace("draws: 4", "draws: -1"),
        "unsafe.yaml": "name: !!python/object/apply:os.system ['echo hi']\nscenarios: []\n",
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(SweepError):
            load_spec(path)
    with pytest.raises(SweepError):
        load_spec(tmp_path / "missing.yaml")


def test_unknown_scenario_in_spec(tmp_path: Path) -> None:
    from tarifflab.errors import ScenarioError

    path = tmp_path / "s.yaml"
    path.write_text(SPEC.replace("uniform-10", "uniform-ten"))
    with pytest.raises(ScenarioError):
        build_tasks(load_spec(path))


def test_unreachable_scheduler() -> None:
    with pytest.raises(SchedulerUnreachableError):
        connect("tcp://127.0.0.1:9", 1, False)


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tarifflab.cli.main import run

    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nscenarios: 3\n")
    with pytest.raises(SystemExit) as code:
        run(["sweep", "run", str(bad)])
    assert code.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "Traceback" not in err
    good = tmp_path / "good.yaml"
    good.write_text(SPEC.replace("draws: 4", "draws: 0").replace("[CP, LL]", "[CP]"))
    with pytest.raises(SystemExit) as code:
        run(
            [
                "sweep",
                "run",
                str(good),
                "--out",
                str(tmp_path / "g.duckdb"),
                "--workers",
                "1",
                "--no-progress",
            ]
        )
    assert code.value.code == 0
    assert "stored 2" in capsys.readouterr().out
    # The store is read back: welfare over the stored draws, one row per scenario × country.
    with pytest.raises(SystemExit) as code:
        run(["sweep", "show", str(tmp_path / "g.duckdb"), "--format", "csv"])
    assert code.value.code == 0
    shown = capsys.readouterr().out
    assert shown.startswith("scenario,retaliation,iso3,draws,welfare_p05_pct")
