"""Instant answers (issue 12): each figure as a ratio against a reference measured in the same run.

Targets: a cold ``tarifflab duty`` ≤ 2× ``python -c "import pandas"``; ``tarifflab --version`` and
``--help`` ≤ 3× ``python -c "import typer"``; a warm ``TariffEngine.duty`` < 1 ms; all lines for one
date < 0.2 s. Two references are measured in the same run:

* "before": the code of commit ``BEFORE_COMMIT`` (the previous state of this work, extracted with
  ``git archive BEFORE_COMMIT src`` into a temporary folder, embedded tables included), run as whole
  commands with that tree first on PYTHONPATH;
* "eager": the approach before issue 12, rebuilt from today's code: every command module imported up front,
  and every lookup answered from the validated all-lines table (``engine.lines`` then ``engine.evaluate``).

Whole commands run alternately (A B A B …), median of ``--runs``; the machine is shared, so read the
ratios, not the seconds. "cache warm" is a user's repeated invocation (the compiled library is in the user
cache folder); "cache cold" empties a private cache folder (``TARIFFLAB_CACHE_DIR``) before every run of
either side, so each run parses the measure library again.

    PYTHONPATH=src python benchmarks/bench_instant.py [--runs 5] [--only commands|in-process]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tarifflab.policy.engine import View

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
BEFORE_COMMIT = "0608449"  # main before the cold-lookup work (row-group reads, segment store)
DUTY = ["duty", "8703.23.01.40", "--origin", "JPN", "--date", "2025-10-01"]
# Today's approach for a whole command: all command modules imported, then the all-lines table loaded.
EAGER = (
    "import sys\n"
    "from tarifflab.cli.main import COMMANDS, load_command, run\n"
    "for name, (module, _) in COMMANDS.items():\n"
    "    load_command(name, module)\n"
    "if sys.argv[1] == 'duty':\n"
    "    from tarifflab.policy.engine import TariffEngine\n"
    "    TariffEngine.default().lines\n"
    "run(sys.argv[1:])\n"
)


Command = tuple[list[str], Path, Path | None]  # argv, source tree first on PYTHONPATH, cache folder to empty


def _env(src: Path, cache: Path | None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")])}
    if cache is not None:
        env["TARIFFLAB_CACHE_DIR"] = str(cache)
    return env


def _seconds(command: Command) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, the operating system's account of the child)."""
    argv, src, cache = command
    if cache is not None:
        shutil.rmtree(cache, ignore_errors=True)  # a cold cache: emptied before the clock starts
    start = time.perf_counter()
    child = subprocess.Popen(argv, env=_env(src, cache), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = 0  # reaped above
    return wall, usage.ru_utime + usage.ru_stime


def _paired(a: Command, b: Command, runs: int) -> tuple[float, float, float, float]:
    """Median wall seconds of A and of B, and the medians of the pairwise wall and CPU ratios A/B (one
    warm-up each). On a shared machine the CPU ratio moves least with the other users' load."""
    _seconds(a), _seconds(b)
    pairs = [(_seconds(a), _seconds(b)) for _ in range(runs)]
    wall = statistics.median(x[0] / y[0] for x, y in pairs)
    cpu = statistics.median(x[1] / y[1] for x, y in pairs)
    return statistics.median(x[0] for x, _ in pairs), statistics.median(y[0] for _, y in pairs), wall, cpu


def _before_tree(scratch: Path) -> Path:
    """src/ of BEFORE_COMMIT, extracted with git archive into ``scratch``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", BEFORE_COMMIT, "src"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(scratch)], input=archive.stdout, check=True)
    return scratch / "src"


def _per_call(fn: Callable[[], object], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def commands(runs: int) -> None:
    src = ROOT / "src"
    cli = [PY, "-m", "tarifflab"]
    with tempfile.TemporaryDirectory() as scratch:
        before = _before_tree(Path(scratch))
        cold_ours, cold_before = Path(scratch) / "cache-ours", Path(scratch) / "cache-before"
        pandas_import: Command = ([PY, "-c", "import pandas"], src, None)
        typer_import: Command = ([PY, "-c", "import typer"], src, None)
        print("whole commands (median s; ratio = median of pairwise ratios A/B)")
        rows: list[tuple[str, Command, Command, str]] = [
            ("duty, cache warm", (cli + DUTY, src, None), pandas_import, "import pandas (target ≤ 2)"),
            (
                "",
                (cli + DUTY, src, None),
                (cli + DUTY, before, None),
                f"before ({BEFORE_COMMIT}), cache warm",
            ),
            ("", (cli + DUTY, src, None), ([PY, "-c", EAGER, *DUTY], src, None), "eager (all lines)"),
            ("duty, cache cold", (cli + DUTY, src, cold_ours), pandas_import, "import pandas"),
            ("", (cli + DUTY, src, cold_ours), (cli + DUTY, before, cold_before), "before, cache cold"),
        ]
        for flag in ("--version", "--help"):
            ours: Command = ([*cli, flag], src, None)
            rows += [
                (f"{flag}", ours, typer_import, "import typer (target ≤ 3)"),
                ("", ours, ([*cli, flag], before, None), f"before ({BEFORE_COMMIT})"),
                ("", ours, ([PY, "-c", EAGER, flag], src, None), "eager (all command modules)"),
            ]
        for label, a, b, name in rows:
            seconds_a, seconds_b, ratio, cpu_ratio = _paired(a, b, runs)
            print(
                f"  {label:18s} {seconds_a:6.2f} s  vs {name:36s} {seconds_b:6.2f} s"
                f"  ratio wall {ratio:5.2f}  cpu {cpu_ratio:5.2f}"
            )


def in_process() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from tarifflab.policy.engine import TariffEngine
    from tarifflab.policy.library import load_library

    library = load_library()
    engine = TariffEngine(library)
    lookups = [
        ("8703.23.01.40", "JPN"),
        ("7616.99.51.60", "CHN"),
        ("8471.30.01.00", "TWN"),
        ("3004.90.92.15", "CHE"),
        ("9403.60.80.81", "VNM"),
        ("6109.10.00.12", "BGD"),
        ("8708.29.51.60", "MEX"),
        ("2709.00.20.90", "BRA"),
    ]
    start = time.perf_counter()
    for hts, origin in lookups:
        engine.duty(hts, origin, "2025-10-01")
    first = (time.perf_counter() - start) / len(lookups)
    repeated = _per_call(lambda: engine.duty("8703.23.01.40", "JPN", "2025-10-02", value_usd=1.0), 2000)
    dates = ["2025-04-10", "2025-08-10", "2025-11-20", "2026-03-01", "2026-07-30"]
    start = time.perf_counter()
    for on in dates:
        for hts, origin in lookups:
            engine.duty(hts, origin, on)
    new_segment = (time.perf_counter() - start) / (len(dates) * len(lookups))

    full = TariffEngine(library)
    # This engine's figures are evaluations: it never reads or fills the segment store (see _new_segment).
    full._segment_store_opened = True
    start = time.perf_counter()
    full.lines  # noqa: B018 - today's constructor: read and validate every line
    load = time.perf_counter() - start
    today = _per_call(lambda: full.evaluate("2025-10-01"), 3)  # today's approach to one line: all lines
    cold_segment, stored_segment = _new_segment(full)
    full.evaluate("2026-03-01")  # the segment evaluated (and memoised) once
    warm_segment = _per_call(lambda: full.evaluate("2026-03-02"), 3)
    uncached = _per_call(
        lambda: full._evaluate(full.lines, _date("2026-03-03"), _view(), None, cache=False), 1
    )

    from tarifflab.metrics.etr import etr_series

    etr_series("2025-01-01", "2025-01-05", by_partner=True)  # the segment table: from disk, or computed once
    start = time.perf_counter()
    etr_series("2025-01-01", "2026-07-31", by_partner=True)
    chart = time.perf_counter() - start
    start = time.perf_counter()
    etr_series("2025-01-01", "2026-07-31", by_partner=True, engine=TariffEngine(library))
    chart_today = time.perf_counter() - start

    print("in-process (seconds per call)")
    print(
        f"  first chart: daily ETR by partner, 2025-01-01..2026-07-31  {chart:6.2f} s  target < 3 s;"
        f" today's approach {chart_today:6.2f} s, ratio {chart_today / chart:4.0f}x faster"
    )
    print(
        f"  warm duty, same call again (memoised)      {repeated * 1e3:8.3f} ms  target < 1 ms;"
        f" ratio to today's {today / repeated:,.0f}x faster"
    )
    print(f"  warm duty, a line's first lookup             {first * 1e3:8.3f} ms  (reads its HS6 group)")
    print(
        f"  warm duty, known groups on new segments      {new_segment * 1e3:8.3f} ms;"
        f" ratio to today's {today / new_segment:,.0f}x faster"
    )
    print(
        f"  today's approach: all lines for one lookup   {today * 1e3:8.1f} ms  (+ {load:.2f} s to load them)"
    )
    print(
        f"  all lines, one date, new segment (stored)    {stored_segment:8.3f} s   target < 0.2 s;"
        f" evaluated without the store (before): {cold_segment:6.3f} s, ratio {cold_segment / stored_segment:4.1f}x faster"
    )
    print(
        f"  all lines, one date, compiled segment        {warm_segment:8.3f} s   target < 0.2 s;"
        f" ratio to uncached scopes {uncached / warm_segment:4.1f}x faster"
    )


def _new_segment(full: object) -> tuple[float, float]:
    """Seconds to evaluate all lines on dates of segments this engine never saw: computed (no store, as
    before) and read from the segment store another engine filled (as a new process after any earlier one)."""
    from tarifflab.policy import library_cache
    from tarifflab.policy.engine import TariffEngine

    assert isinstance(full, TariffEngine)
    dates = ["2026-03-01", "2025-04-10", "2025-08-10"]
    previous = os.environ.get(library_cache.CACHE_ENV)
    with tempfile.TemporaryDirectory() as cache:
        try:
            os.environ[library_cache.CACHE_ENV] = "off"
            computing = full._with(full.library)
            computed = statistics.median(_per_call(partial(computing.evaluate, on), 1) for on in dates)
            os.environ[library_cache.CACHE_ENV] = cache
            writer = full._with(full.library)
            for on in dates:
                writer.evaluate(on)
            reader = full._with(full.library)
            reader.evaluate("2025-01-02")  # opens the store (its fingerprint) once, as any first call does
            stored = statistics.median(_per_call(partial(reader.evaluate, on), 1) for on in dates)
        finally:
            if previous is None:
                os.environ.pop(library_cache.CACHE_ENV, None)
            else:
                os.environ[library_cache.CACHE_ENV] = previous
    return computed, stored


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _view() -> View:
    from tarifflab.policy.engine import View

    return View.IN_FORCE


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", choices=("commands", "in-process"), default=None)
    args = parser.parse_args()
    if args.only in (None, "commands"):
        commands(args.runs)
    if args.only in (None, "in-process"):
        in_process()


if __name__ == "__main__":
    main()
