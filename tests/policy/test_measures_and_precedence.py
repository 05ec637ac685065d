"""Measure files are validated, contradictions are caught, and the precedence graph is well formed."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from tarifflab.errors import MeasureFileError
from tarifflab.policy.library import load_library, load_library_from
from tarifflab.policy.precedence import EDGES, S232_PROGRAMS

VALID = """
- id: test-measure
  title: "Test"
  layer: reciprocal
  authority: IEEPA
  program: reciprocal
  legal_basis: "EO 1"
  countries: [JPN]
  products: {all: true}
  rule: {kind: add, rate: 0.1}
  start: 2025-04-05
  known_from: 2025-04-02
"""


def library_dir(tmp_path: Path, text: str) -> Path:
    shipped = Path(str(resources.files("tarifflab.policy").joinpath("measures")))
    shutil.copy(shipped / "scopes.yaml", tmp_path / "scopes.yaml")
    (tmp_path / "extra.yaml").write_text(text)
    return tmp_path


def test_valid_file_loads(tmp_path: Path) -> None:
    library = load_library_from(library_dir(tmp_path, VALID))
    assert [m.id for m in library.measures] == ["test-measure"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- id: [unclosed", "malformed YAML"),
        ("just: a mapping", "list of measures"),
        (VALID.replace("start: 2025-04-05", "start: 2025-04-05\n  end: 2025-04-01"), "not after start"),
        (VALID.replace("rate: 0.1", "rate: -0.1"), "rule.rate"),
        (VALID.replace("kind: add, rate: 0.1", "kind: floor"), "needs all_in"),
        (VALID.replace("countries: [JPN]", "countries: [XXQ]"), "XXQ"),
        (VALID.replace("products: {all: true}", "products: {lists: [no_such_list]}"), "no_such_list"),
        (VALID.replace("products: {all: true}", "products: {prefixes: [87x3]}"), "prefix"),
        (VALID.replace("layer: reciprocal", "layer: nonsense"), "layer"),
        (VALID + VALID, "duplicate measure id"),
        (VALID + VALID.replace("test-measure", "second"), "contradictory measures test-measure and second"),
        (
            VALID.replace("  known_from: 2025-04-02\n", "  known_from: 2025-04-02\n  surprise: 1\n"),
            "surprise",
        ),
    ],
)
def test_bad_measure_files_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(MeasureFileError, match=message):
        load_library_from(library_dir(tmp_path, text))


def test_yaml_is_loaded_safely(tmp_path: Path) -> None:
    hostile = "- !!python/object/apply:os.system ['echo pwned']"
    with pytest.raises(MeasureFileError, match="malformed YAML"):
        load_library_from(library_dir(tmp_path, hostile))


def test_builtin_library_covers_the_window() -> None:
    library = load_library()
    assert len(library.measures) > 150
    ids = {m.id for m in library.measures}
    for expected in (
        "ieepa-japan-floor-15",
        "s232-autos-japan-floor-15",
        "s122-surcharge-10",
        "s301-forced-labor-japan",
    ):
        assert expected in ids
    assert all(m.legal_basis for m in library.measures)


def test_precedence_edges_cite_law_and_form_no_cycle() -> None:
    assert all(edge.legal_basis and edge.upper != edge.lower for edge in EDGES)
    graph: dict[str, set[str]] = {}
    for edge in EDGES:
        graph.setdefault(edge.upper, set()).add(edge.lower)

    def reachable(start: str, seen: set[str]) -> set[str]:
        for nxt in graph.get(start, set()):
            if nxt not in seen:
                seen.add(nxt)
                reachable(nxt, seen)
        return seen

    for node in graph:
        assert node not in reachable(node, set()), f"cycle through {node}"
    # every s.232 programme removes the reciprocal tariff on the share it covers (EO 14257 sec. 3(b))
    assert {e.upper for e in EDGES if e.lower == "reciprocal"} == {f"s232:{p}" for p in S232_PROGRAMS}
