"""The import-linter contracts of pyproject.toml hold, and they fail when a layer is broken on purpose.

The package's Python files are copied under ``tmp_path``; ``lint-imports`` runs on the copy with the
repository's own contracts, first untouched (kept) and then with one module added that breaks one
contract (broken, exit code 1, the offending import or circle named).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tarifflab

PACKAGE = Path(tarifflab.__file__).resolve().parent
PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
LINT = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def _python_only(directory: str, names: list[str]) -> set[str]:
    """copytree filter: keep folders and .py files (the contracts read imports, not data)."""
    return {n for n in names if not n.endswith(".py") and not (Path(directory) / n).is_dir()} | {
        "__pycache__"
    }


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A copy of the package's .py files under ``tmp_path/src`` and the project's pyproject.toml."""
    shutil.copytree(PACKAGE, tmp_path / "src" / "tarifflab", ignore=_python_only)
    shutil.copy(PYPROJECT, tmp_path / "pyproject.toml")
    return tmp_path


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    return subprocess.run(
        [sys.executable, "-c", LINT, "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_contracts_are_kept_by_the_package(package_copy: Path) -> None:
    run = lint(package_copy)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


BREACHES = [
    pytest.param(
        "policy/_breach.py",
        "from tarifflab.models.ge.multi_sector import MultiSectorModel\n",
        "One-way layers",
        "tarifflab.policy._breach -> tarifflab.models.ge.multi_sector",
        id="law-imports-a-model",
    ),
    pytest.param(
        "models/ge/_breach.py",
        "from tarifflab.studies.ge_multi_sector import build_scenario\n",
        "One-way layers",
        "tarifflab.models.ge._breach -> tarifflab.studies.ge_multi_sector",
        id="model-imports-a-study",
    ),
    pytest.param(
        "models/pe/_breach.py",
        "from tarifflab.models.ge.solver import SolverDiagnostics\n",
        "PE and GE models are independent",
        "tarifflab.models.pe._breach -> tarifflab.models.ge.solver",
        id="pe-imports-ge",
    ),
    pytest.param(
        "app/_breach.py",
        "import streamlit\n",
        "Streamlit stays in the dashboard pages",
        "tarifflab.app.services",
        id="services-pull-in-streamlit",
    ),
    pytest.param(
        "models/ge/_breach.py",
        "from tarifflab.models.ge import _breach_back\n",
        "No import circles between sibling modules",
        "No cycles are allowed in tarifflab.models.ge",
        id="two-modules-import-each-other",
    ),
]


@pytest.mark.parametrize(("where", "code", "contract", "evidence"), BREACHES)
def test_a_broken_layer_fails_its_contract(
    package_copy: Path, where: str, code: str, contract: str, evidence: str
) -> None:
    breach = package_copy / "src" / "tarifflab" / where
    breach.write_text(code)
    if contract.startswith("No import circles"):
        # the second half of the circle
        (breach.parent / "_breach_back.py").write_text("from tarifflab.models.ge import _breach\n")
    if where == "app/_breach.py":
        # the services import the breach, so Streamlit reaches them indirectly
        services = package_copy / "src" / "tarifflab" / "app" / "services.py"
        services.write_text(services.read_text() + "\nfrom tarifflab.app import _breach  # noqa\n")
    run = lint(package_copy)
    assert run.returncode == 1, run.stdout + run.stderr
    broken = [line for line in run.stdout.splitlines() if "BROKEN" in line]
    assert broken, run.stdout
    assert contract in run.stdout.split("Broken contracts")[-1], run.stdout
    assert evidence in run.stdout, run.stdout
