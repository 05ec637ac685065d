"""Instant answers: lazy command loading and the engine's lazy line table give the same answers.

The legal values themselves are tested in the worked and legal cases; here the single-lookup path (one
HS8 group read on its own, scopes compiled per date segment, answers memoised per segment) must agree
with the all-lines path line for line.
"""

from __future__ import annotations

import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
import typer

from tarifflab.cli.main import COMMANDS, load_command
from tarifflab.policy.engine import TariffEngine
from tarifflab.policy.library import load_library

CASES = (
    ("8703.23.01.40", "JPN", "2025-10-01"),
    ("7616.99.51.60", "CHN", "2025-10-01"),
    ("8471.30.01.00", "CHN", "2026-03-01"),
    ("3004.90.92.15", "CHE", "2025-10-30"),
    ("8703.23.01.40", "DEU", "2025-08-10"),
    ("2709.00.20.90", "BRA", "2025-10-01"),
    ("8708.29.51.60", "MEX", "2025-05-01"),
    ("9403.60.80.81", "VNM", "2026-02-24"),
)


@pytest.fixture(scope="module")
def full_engine() -> TariffEngine:
    engine = TariffEngine(load_library())
    engine.lines  # noqa: B018 - the all-lines path
    return engine


@pytest.mark.parametrize(("hts", "origin", "on"), CASES)
def test_single_lookup_equals_the_all_lines_path(
    full_engine: TariffEngine, hts: str, origin: str, on: str
) -> None:
    lazy = TariffEngine(load_library())
    ours = lazy.duty(hts, origin, on, value_usd=1000.0)
    assert lazy._lines is None  # the lookup read its HS8 group only
    reference = full_engine.duty(hts, origin, on, value_usd=1000.0)
    assert ours.to_dict() == reference.to_dict()
    row = full_engine.evaluate(on)
    if origin not in ("CAN", "MEX"):  # one shipment vs the USMCA-weighted line
        line = row[(row["hs10"] == ours.hts10) & (row["partner"] == ("EUN" if origin == "DEU" else origin))]
        if len(line):
            assert ours.total_rate_pct == pytest.approx(100 * float(line["total_rate"].iloc[0]))


def test_one_engine_answers_many_groups_like_the_all_lines_path(full_engine: TariffEngine) -> None:
    lazy = TariffEngine(load_library())
    for hts, origin, on in CASES:
        assert lazy.duty(hts, origin, on).to_dict() == full_engine.duty(hts, origin, on).to_dict()


def test_unknown_code_is_the_same_named_error_on_both_paths(full_engine: TariffEngine) -> None:
    from tarifflab.errors import UnknownProductError

    for engine in (TariffEngine(load_library()), full_engine):
        with pytest.raises(UnknownProductError, match="unknown HTS code"):
            engine.duty("9999.99.99.99", "JPN", "2025-10-01")


def test_memoised_answer_takes_the_date_and_value_asked() -> None:
    engine = TariffEngine(load_library())
    first = engine.duty("8703.23.01.40", "JPN", "2025-10-01", value_usd=100.0)
    again = engine.duty("8703.23.01.40", "JPN", "2025-10-02", value_usd=250.0)
    assert again.date.isoformat() == "2025-10-02" and again.value_usd == 250.0
    assert again.total_rate_pct == first.total_rate_pct
    assert again.duty_usd == pytest.approx(250.0 * first.total_rate_pct / 100)


def test_every_listed_command_loads_from_its_module() -> None:
    for name, (module, help_text) in COMMANDS.items():
        command = load_command(name, module)
        assert command is not None, f"{module} defines no command {name!r}"
        assert help_text.strip()


def test_modules_register_no_command_missing_from_the_list() -> None:
    registered: set[str] = set()
    for module_name in {module for module, _ in COMMANDS.values()}:
        module = __import__(module_name, fromlist=["_"])
        if hasattr(module, "register"):
            holder = typer.Typer()
            holder.callback()(lambda: None)
            module.register(holder)
            group = typer.main.get_command(holder)
            registered |= set(group.commands)  # type: ignore[attr-defined]
    assert registered <= set(COMMANDS)


def test_version_imports_no_command_module() -> None:
    code = (
        "import sys\nfrom tarifflab.cli.main import run\n"
        "try:\n    run(['--version'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('pandas', 'tarifflab.cli.tariffs', 'tarifflab.policy.engine') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_compiled_library_equals_the_parsed_one_and_untrusted_copies_are_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tarifflab.policy import library_cache
    from tarifflab.policy.library import load_compiled_library, load_library_from

    monkeypatch.setenv(library_cache.CACHE_ENV, str(tmp_path))
    directory = Path(str(resources.files("tarifflab.policy").joinpath("measures")))
    parsed = load_library_from(directory)
    first = load_compiled_library(directory)  # builds and saves
    (saved,) = tmp_path.glob("library-*.pickle")
    assert saved.stat().st_mode & 0o077 == 0
    second = load_compiled_library(directory)  # reads the copy
    assert first.measures == parsed.measures == second.measures
    assert second.list_prefixes == parsed.list_prefixes and second.definitions == parsed.definitions
    # A copy others could have written is not trusted: it is rebuilt, never unpickled.
    saved.write_bytes(b"not a pickle")
    saved.chmod(0o666)
    assert load_compiled_library(directory).measures == parsed.measures
    monkeypatch.setenv(library_cache.CACHE_ENV, "off")
    assert library_cache.cache_dir() is None


def test_a_code_naming_several_lines_is_refused_on_both_paths(full_engine: TariffEngine) -> None:
    from tarifflab.errors import AmbiguousProductError

    lazy = TariffEngine(load_library())
    assert lazy.lines_under("8703.23") == full_engine.lines_under("8703.23")
    for engine in (lazy, full_engine):
        with pytest.raises(AmbiguousProductError):
            engine.duty("8703.23", "DEU", "2025-08-10")
