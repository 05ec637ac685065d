"""Load check of the dashboard on loopback over Streamlit's WebSocket protocol, one worker against N.

For each server (``tarifflab serve``, then ``tarifflab serve --workers N``) it measures, in this order:

* idle: one session alone, a warm duty lookup and scenario (after one warm-up session per worker);
* burst: N_SESSIONS sessions that all open, look up the same line and run the same scenario at the
  same instant (a thundering herd, the worst case);
* realistic: N_SESSIONS sessions that open at the same instant, then each follow a user's flow
  (duty page, lookup, scenario, two more lookups of other lines) with a seeded think time of 2–8 s
  before each step (``tarifflab.app.loadcheck``).

It prints the median, 95th percentile (nearest rank) and maximum response time of duty lookups and of
scenarios, and the ratio of the one-worker to the N-worker figures measured in the same run. The target
(issue 12) is checked in the realistic mode: 95% of duty lookups under 1 s. Exits 1 if a session failed.

    PYTHONPATH=src python benchmarks/load_dashboard.py [--sessions 50] [--workers 2] [--mode both]
    PYTHONPATH=src python benchmarks/load_dashboard.py --port PORT   # an already running dashboard only
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tarifflab.app.loadcheck import LoadReport, run_load
from tarifflab.cli.app_cmds import streamlit_argv

ROOT = Path(__file__).resolve().parents[1]
TARGET_P95_SECONDS = 1.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _reference_command(port: int) -> list[str]:
    """Today's approach before issue 12: one Streamlit server with its default full GC after every rerun."""
    argv = streamlit_argv("127.0.0.1", port)
    at = argv.index("--runner.postScriptGC")
    return argv[:at] + argv[at + 2 :]


def _start(port: int, workers: int, reference: bool = False) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "tarifflab", "serve", "--port", str(port), "--workers", str(workers)]
    if reference:
        command = _reference_command(port)
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("dashboard did not start within 120 s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def _measure(port: int, workers: int, sessions: int, modes: list[str], seed: int) -> dict[str, LoadReport]:
    # warm-up: one session per worker (concurrent sessions spread over the workers), so the engine's first
    # load is not counted in every session's time
    warm = run_load("127.0.0.1", port, workers)
    reports = {"warm-up": warm, "idle": run_load("127.0.0.1", port, 1)}
    for mode in modes:
        reports[mode] = run_load("127.0.0.1", port, sessions, mode=mode, seed=seed)
    return reports


def _line(label: str, report: LoadReport, step: str) -> str:
    if step not in report.median_seconds:
        return f"  {label:24s} {step:12s} (no result)"
    return (
        f"  {label:24s} {step:12s} n={report.counts[step]:3d}  median {report.median_seconds[step]:6.3f} s  "
        f"p95 {report.p95_seconds[step]:6.3f} s  max {report.max_seconds[step]:6.3f} s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="N of the second server")
    parser.add_argument("--mode", choices=["burst", "realistic", "both"], default="both")
    parser.add_argument("--seed", type=int, default=12, help="think times and lookups of the realistic mode")
    parser.add_argument("--port", type=int, default=None, help="an already running dashboard on 127.0.0.1")
    parser.add_argument(
        "--no-reference",
        action="store_true",
        help="skip the reference server (one worker with Streamlit's GC after every rerun)",
    )
    args = parser.parse_args()
    modes = ["burst", "realistic"] if args.mode == "both" else [args.mode]
    results: dict[str, dict[str, LoadReport]] = {}
    if args.port is not None:
        results[f"port {args.port}"] = _measure(args.port, 1, args.sessions, modes, args.seed)
    else:
        servers = [(f"{w} worker{'s' if w > 1 else ''}", w, False) for w in dict.fromkeys([1, args.workers])]
        if not args.no_reference:
            servers.append(("reference: 1 worker, GC after every rerun", 1, True))
        for name, workers, reference in servers:
            port = _free_port()
            process = _start(port, workers, reference)
            try:
                results[name] = _measure(port, workers, args.sessions, modes, args.seed)
            finally:
                _stop(process)
    failures = 0
    print(f"{args.sessions} sessions, modes {', '.join(modes)}, seed {args.seed}")
    for server, reports in results.items():
        print(f"{server}:")
        for name, report in reports.items():
            suffix = f" ({report.sessions} sessions, {report.wall_seconds:.1f} s wall)"
            for step in ("duty lookup", "scenario"):
                print(_line(name + suffix if step == "duty lookup" else "", report, step))
            failures += len(report.failures)
            for failure in report.failures[:5]:
                print(f"    failure: {failure}")
    ours = [name for name in results if not name.startswith("reference")]
    pairs = [(name, fast) for name in results if name.startswith("reference") for fast in ours]
    pairs += [(ours[0], fast) for fast in ours[1:]]
    for slow, fast in pairs:
        print(f"ratio {slow} / {fast} (same run; above 1: {fast} is faster):")
        for mode in ["idle", *modes]:
            for step in ("duty lookup", "scenario"):
                one, many = results[slow][mode], results[fast][mode]
                if step in one.p95_seconds and step in many.p95_seconds:
                    print(
                        f"  {mode:10s} {step:12s} median x{one.median_seconds[step] / many.median_seconds[step]:.2f}"
                        f"  p95 x{one.p95_seconds[step] / many.p95_seconds[step]:.2f}"
                    )
    if "realistic" in modes:
        for server, reports in results.items():
            p95 = reports["realistic"].p95_seconds.get("duty lookup", float("inf"))
            verdict = "meets" if p95 < TARGET_P95_SECONDS else "MISSES"
            print(
                f"target (realistic, p95 duty lookup < {TARGET_P95_SECONDS:g} s): {server} {verdict} ({p95:.3f} s)"
            )
    print(f"failures: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
