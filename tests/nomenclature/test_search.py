"""Product search over the embedded 2025 HTSUS text.

Expected lines come from the HTSUS 2025 basic edition (USITC): heading 8471 "Automatic data processing
machines", subheading 8471.30 "Portable automatic data processing machines, weighing not more than 10 kg";
heading 8703 "Motor cars and other motor vehicles principally designed for the transport of persons";
subheading 8517.13 "Smartphones"; heading 3004 "Medicaments ... put up in measured doses"; heading 2206
"Other fermented beverages (for example, cider, perry, mead, sakè)".
"""

from __future__ import annotations

from io import StringIO

import pandas as pd
import pytest

from cli_helpers import run_cli
from tarifflab.errors import AmbiguousProductError, UnknownProductError
from tarifflab.nomenclature.search import expand_query, lines_under, search_products
from tarifflab.policy.engine import TariffEngine


@pytest.mark.parametrize(
    ("query", "expected_prefix"),
    [
        ("laptop", "847130"),  # subheading 8471.30: portable ADP machines
        ("passenger cars", "8703"),  # heading 8703 (the dashboard's own example)
        ("cars", "8703"),
        ("smartphone", "851713"),  # subheading 8517.13: smartphones
        ("phone", "8517"),  # heading 8517: telephone sets
        ("medicine", "3004"),  # heading 3004: medicaments in measured doses
        ("sake", "2206"),  # heading 2206 names sakè
    ],
)
def test_everyday_words_find_the_schedule_line(query: str, expected_prefix: str) -> None:
    hits = search_products(query, limit=5)
    assert hits["hts10"].iloc[0].startswith(expected_prefix), hits.to_string()
    assert hits["score"].is_monotonic_decreasing


def test_parent_text_is_searched() -> None:
    # 8517.13.00.00's own line reads only "Smartphones"; "telephone" is in its heading (8517).
    hits = search_products("telephone smartphones", limit=3)
    assert hits["hts10"].iloc[0] == "8517130000"


def test_synonyms_keep_the_typed_word() -> None:
    words = expand_query("Laptop")
    assert words[0] == "laptop"
    assert {"portable", "automatic", "data", "processing"} <= set(words)


def test_a_code_lists_its_lines_in_code_order() -> None:
    # HTSUS 8703.23.01 has seven statistical suffixes: 10, 20, 30, 40, 60, 70, 90.
    lines = lines_under("8703.23.01")
    assert list(lines["hts10"].str[-2:]) == ["10", "20", "30", "40", "60", "70", "90"]
    listed = search_products("870323", limit=50)
    assert list(listed["hts10"]) == list(lines["hts10"])


@pytest.mark.parametrize("query", ["", "   ", "qqqzzzxx", "9999"])
def test_nothing_found_is_a_named_error(query: str) -> None:
    with pytest.raises(UnknownProductError):
        search_products(query)


def test_short_code_is_never_resolved_silently() -> None:
    engine = TariffEngine.default()
    with pytest.raises(AmbiguousProductError) as raised:
        engine.duty("870323", "JPN", "2025-10-01")
    assert len(raised.value.lines) == 7
    assert "--all-lines" in str(raised.value)
    # An 8-digit code with a single statistical line is that line (8471.30.01 → 8471.30.01.00).
    assert engine.duty("8471.30.01", "JPN", "2025-03-01").hts10 == "8471300100"


def test_all_lines_answers_for_each_line() -> None:
    # EO 14345 (Japan deal, effective 2025-09-16): Japanese passenger cars pay 15% all-in.
    results = TariffEngine.default().duty_all_lines("870323", "JPN", "2025-10-01")
    assert [r.hts10[-2:] for r in results] == ["10", "20", "30", "40", "60", "70", "90"]
    assert all(r.total_rate_pct == pytest.approx(15.0) for r in results)


def test_cli_search_and_all_lines() -> None:
    done = run_cli("search", "laptop", "--limit", "3", "--format", "csv")
    assert done.returncode == 0, done.stderr
    frame = pd.read_csv(StringIO(done.stdout), dtype={"hts10": str})
    assert frame["hts10"].iloc[0] == "8471300100"
    ambiguous = run_cli("duty", "870323", "--origin", "JPN", "--date", "2025-10-01")
    assert ambiguous.returncode == 2
    assert "covers 7 HTS-10 lines" in ambiguous.stderr
    assert ambiguous.stderr.strip().count("\n") == 0
    each = run_cli(
        "duty", "870323", "--origin", "JPN", "--date", "2025-10-01", "--all-lines", "--format", "csv"
    )
    assert each.returncode == 0, each.stderr
    table = pd.read_csv(StringIO(each.stdout), dtype={"hts10": str})
    assert len(table) == 7 and (table["total_rate_pct"] - 15.0).abs().max() < 1e-9
