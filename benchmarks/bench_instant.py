"""Instant answers (issue 12): each figure as a ratio against a reference measured in the same run.

Targets: a cold ``tarifflab duty`` ≤ 2× ``python -c "import pandas"``; ``tarifflab --version`` and
``--help`` ≤ 3× ``python -c "import typer"``; a warm ``TariffEngine.duty`` < 1 ms; all lines for one
date < 0.2 s. "Today's approach" (before issue 12) is rebuilt in the same run: every command module
imported up front, and every lookup answered from the validated all-lines table (``engine.lines``
then ``engine.evaluate``, as the engine did for a single line).

Whole commands run alternately (A B A B …), median of ``--runs``; the machine is shared, so read the
ratios, not the seconds.

    PYTHONPATH=src python benchmarks/bench_instant.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
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


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }


def _seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def _paired(a: list[str], b: list[str], runs: int) -> tuple[float, float, float]:
    """Median seconds of A and of B, and the median of the pairwise ratios A/B (one warm-up each)."""
    _seconds(a), _seconds(b)
    times_a, times_b = [], []
    for _ in range(runs):
        times_a.append(_seconds(a))
        times_b.append(_seconds(b))
    ratios = [x / y for x, y in zip(times_a, times_b, strict=True)]
    return statistics.median(times_a), statistics.median(times_b), statistics.median(ratios)


def _per_call(fn: Callable[[], object], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def commands(runs: int) -> None:
    cli = [PY, "-m", "tarifflab"]
    eager = [PY, "-c", EAGER]
    pandas_import = [PY, "-c", "import pandas"]
    typer_import = [PY, "-c", "import typer"]
    print("whole commands (median s; ratio = median of pairwise ratios)")
    for label, args, reference, name, target in (
        ("tarifflab duty (cold)", DUTY, pandas_import, "import pandas", 2.0),
        ("tarifflab --version", ["--version"], typer_import, "import typer", 3.0),
        ("tarifflab --help", ["--help"], typer_import, "import typer", 3.0),
    ):
        ours, ref, ratio = _paired(cli + args, reference, runs)
        print(
            f"  {label:24s} {ours:6.2f} s  vs {name:14s} {ref:5.2f} s  ratio {ratio:5.2f}  (target ≤ {target:g})"
        )
        ours, today, ratio_today = _paired(cli + args, eager + args, runs)
        print(f"  {'':24s} vs today's approach {today:6.2f} s  ratio {ratio_today:5.2f}")


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
    start = time.perf_counter()
    full.lines  # noqa: B018 - today's constructor: read and validate every line
    load = time.perf_counter() - start
    today = _per_call(lambda: full.evaluate("2025-10-01"), 3)  # today's approach to one line: all lines
    cold_segment = _per_call(lambda: full.evaluate("2026-03-01"), 1)
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
        f"  warm duty, same line (memoised per segment)  {repeated * 1e3:8.3f} ms  target < 1 ms;"
        f" ratio to today's {today / repeated:,.0f}x faster"
    )
    print(f"  warm duty, a line's first lookup             {first * 1e3:8.3f} ms  (reads its HS8 group)")
    print(
        f"  warm duty, known groups on new segments      {new_segment * 1e3:8.3f} ms;"
        f" ratio to today's {today / new_segment:,.0f}x faster"
    )
    print(
        f"  today's approach: all lines for one lookup   {today * 1e3:8.1f} ms  (+ {load:.2f} s to load them)"
    )
    print(f"  all lines, one date, new segment             {cold_segment:8.3f} s   target < 0.2 s")
    print(
        f"  all lines, one date, compiled segment        {warm_segment:8.3f} s   target < 0.2 s;"
        f" ratio to uncached scopes {uncached / warm_segment:4.1f}x faster"
    )


def _date(text: str):
    import datetime as dt

    return dt.date.fromisoformat(text)


def _view():
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
