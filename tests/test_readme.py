"""Every README example runs on a fresh clone: the embedded data only (reference data pointed at an
empty folder), in a scratch folder, exit code 0. The README's own blocks say which examples need the
full reference data or are not run here (a server, a download); those must fail cleanly instead."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
NEEDS_FULL_DATA = "These need the full reference data"
NOT_RUN = "not run by the README test"


def _blocks() -> list[tuple[str, str, str]]:
    """(language, the prose just before the block, the block's text) for each fenced block."""
    found = []
    for match in re.finditer(r"```(bash|python)\n(.*?)```", README, re.S):
        before = README[max(0, match.start() - 400) : match.start()]
        found.append((match.group(1), before, match.group(2)))
    return found


def _commands(kind: str) -> list[list[str]]:
    """``tarifflab`` argument lists of the bash blocks of one kind: run, full-data or not-run."""
    out = []
    for lang, before, body in _blocks():
        if lang != "bash":
            continue
        last_paragraph = before.rstrip().rsplit("\n\n", 1)[-1]
        block_kind = (
            "full" if NEEDS_FULL_DATA in last_paragraph else "skip" if NOT_RUN in last_paragraph else "run"
        )
        if block_kind != kind:
            continue
        for line in body.splitlines():
            match = re.search(r"(?:^|/)tarifflab (.*)$", line.strip())
            if match:
                out.append(shlex.split(match.group(1), comments=True))
    return out


@pytest.fixture(scope="module")
def fresh_clone(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A scratch working folder holding the README's example files, and an environment without the
    reference data."""
    work = tmp_path_factory.mktemp("readme")
    shutil.copytree(ROOT / "docs" / "examples", work / "docs" / "examples")
    empty = tmp_path_factory.mktemp("no-reference-data")
    return work, {**os.environ, "TARIFFLAB_REFERENCE_DATA": str(empty)}


def _run(args: list[str], where: tuple[Path, dict[str, str]]) -> subprocess.CompletedProcess[str]:
    work, env = where
    return subprocess.run(
        [sys.executable, "-m", "tarifflab", *args],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_readme_lists_examples() -> None:
    assert len(_commands("run")) >= 15
    assert len(_commands("full")) >= 2
    assert any(args[:1] == ["serve"] for args in _commands("skip"))


@pytest.mark.slow
@pytest.mark.parametrize("args", _commands("run"), ids=lambda args: " ".join(args)[:60])
def test_readme_example_runs_on_the_embedded_data(
    args: list[str], fresh_clone: tuple[Path, dict[str, str]]
) -> None:
    done = _run(args, fresh_clone)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    out_file = args[args.index("--out") + 1] if "--out" in args else None
    assert done.stdout.strip() or (out_file is not None and (fresh_clone[0] / out_file).exists())


@pytest.mark.parametrize("args", _commands("full"), ids=lambda args: " ".join(args)[:60])
def test_full_data_examples_say_so_in_one_line(
    args: list[str], fresh_clone: tuple[Path, dict[str, str]]
) -> None:
    done = _run(args, fresh_clone)
    assert done.returncode == 2
    assert "reference data" in done.stderr
    assert done.stderr.strip().count("\n") == 0


@pytest.mark.slow
def test_python_api_example_runs(fresh_clone: tuple[Path, dict[str, str]]) -> None:
    (code,) = [body for lang, _, body in _blocks() if lang == "python"]
    work, env = fresh_clone
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=work, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "8471300100" in done.stdout  # HTSUS 8471.30: portable ADP machines, the laptop line


def test_quick_start_report_command_is_run() -> None:
    # The Quick start's report command is one of the examples run above.
    assert ["report", "us-japan", "--out", "report.html"] in _commands("run")
