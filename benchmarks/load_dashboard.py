"""Load check of the dashboard: N concurrent sessions (default 50) on loopback, each running a duty
lookup and one scenario over Streamlit's WebSocket protocol. Prints the median and maximum response
times and the number of failures; exits 1 if any session failed.

    PYTHONPATH=src python benchmarks/load_dashboard.py [--sessions 50] [--port PORT]

Without --port it starts ``tarifflab serve`` on a free loopback port and stops it afterwards.
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

from tarifflab.app.loadcheck import run_load

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen(
        [sys.executable, "-m", "tarifflab", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("dashboard did not start within 60 s")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--port", type=int, default=None, help="an already running dashboard on 127.0.0.1")
    args = parser.parse_args()
    process = None
    port = args.port
    if port is None:
        port = _free_port()
        process = _start(port)
    try:
        # one warm-up session so the first computation is not counted in every session's time
        warm = run_load("127.0.0.1", port, 1)
        report = run_load("127.0.0.1", port, args.sessions)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=15)
    print(f"warm-up session: {warm.median_seconds}")
    print(f"{report.sessions} concurrent sessions in {report.wall_seconds:.2f} s wall")
    for name in report.median_seconds:
        print(
            f"  {name:12s} median {report.median_seconds[name]:.3f} s   max {report.max_seconds[name]:.3f} s"
        )
    print(f"failures: {len(report.failures)}")
    for failure in report.failures[:10]:
        print(f"  {failure}")
    return 1 if report.failures or warm.failures else 0


if __name__ == "__main__":
    sys.exit(main())
