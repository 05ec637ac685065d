"""Updates from the official sources: USITC HTS JSON export, Federal Register news, data status.

The fixture ``fixtures/hts_2026_revision_99_fixture.json`` is written by the project in the USITC export format;
its rate texts are those of the HTSUS (2025 Basic Edition: 8703.23.01 2.5%, 2204.21.50 6.3¢/liter,
2402.20.80.00 $1.05/kg + 2.3%, 1701.13.50's polarity-scaled sugar rate); its footnotes are made up to exercise
inheritance, ranges and the library comparison. No test touches the network.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from tarifflab.cli.main import app
from tarifflab.data import federal_register
from tarifflab.data.embedded import embedded_path
from tarifflab.data.hts_revision import parse_export, revision_from_name
from tarifflab.policy.engine import FTA_PARTNERS
from tarifflab.policy.hts_update import rate_fields

FIXTURE = Path(__file__).parent / "fixtures" / "hts_2026_revision_99_fixture.json"
runner = CliRunner()


@pytest.fixture()
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TARIFFLAB_USER_DATA", str(tmp_path))
    return tmp_path


def _invoke(*args: str) -> Any:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def _observed_pct(hs10: str) -> float:
    """2024 Census calculated duty / customs value on one line, partners without preferences (percent)."""
    trade = pd.read_parquet(embedded_path("us_imports_2024.parquet"))
    pool = trade[(trade["hs10"] == hs10) & ~trade["partner"].astype(str).isin(FTA_PARTNERS | {"CHN"})]
    return 100 * pool["duty_usd"].sum() / pool["imports_usd"].sum()


@pytest.mark.parametrize(
    ("text", "kind", "ad_valorem", "specific"),
    [
        ("Free", "free", 0.0, []),
        ("2.5%", "ad_valorem", 2.5, []),
        ("6.3¢/liter", "specific", None, [(0.063, "liter")]),
        ("$1.05/kg + 2.3%", "compound", 2.3, [(1.05, "kg")]),
        ("", "empty", None, []),
        ("1.4606¢/kg less 0.020668¢/kg for each degree under 100 degrees", "unparsed", None, []),
        ("The rate applicable to the natural juice in heading 2009", "unparsed", None, []),
    ],
)
def test_rate_texts(
    text: str, kind: str, ad_valorem: float | None, specific: list[tuple[float, str]]
) -> None:
    fields = rate_fields(text)
    assert fields["rate_kind"] == kind
    assert fields["mfn_ad_valorem_pct"] == ad_valorem
    assert [(pytest.approx(s["amount_usd"]), s["unit"]) for s in fields["specific"] or []] == specific


def test_revision_id_from_usitc_file_name() -> None:
    assert revision_from_name("hts_2026_revision_21_json.json") == "2026 Revision 21"
    assert revision_from_name("hts_2025_basic_edition_json.json") == "2025 Basic Edition"
    assert revision_from_name("export.json") is None


def test_inheritance_and_chapter99_ranges() -> None:
    lines = parse_export(FIXTURE.read_bytes()).set_index("htsno")
    car = lines.loc["8703.23.01.40"]
    assert car["general"] == "2.5%"  # inherited from 8703.23.01
    # own range 9903.94.40-9903.94.43 expanded to the four headings the revision lists, plus the parent's note
    assert car["chapter99"] == ["9903.94.01", "9903.94.40", "9903.94.41", "9903.94.42", "9903.94.43"]
    sugar = lines.loc["1701.13.50.00"]
    assert sugar["general"].startswith("1.4606¢/kg less")
    assert sugar["chapter99"] == ["9904.04.50", "9904.05.01"]  # a range the revision does not list: its ends


def test_update_then_hts_lookup(user_dir: Path) -> None:
    done = _invoke("data", "update", "hts", "--from", str(FIXTURE), "--date", "2026-10-09")
    assert "2026 Revision 99" in done.output
    stored = json.loads((user_dir / "hts" / "2026-revision-99" / "revision.json").read_text())
    import hashlib

    assert stored["sha256"] == hashlib.sha256(FIXTURE.read_bytes()).hexdigest()
    assert stored["date"] == "2026-10-09" and stored["revision"] == "2026 Revision 99"

    car = json.loads(_invoke("data", "hts", "8703.23.01.40", "--format", "json").output)
    assert set(car) >= {"hts", "general", "mfn_ad_valorem_pct", "specific", "chapter99", "revision"}
    assert car["general"] == "2.5%" and car["mfn_ad_valorem_pct"] == 2.5 and car["specific"] is None
    assert "9903.94.41" in car["chapter99"] and car["revision"] == "2026 Revision 99"

    wine = json.loads(_invoke("data", "hts", "2204215005", "--format", "json").output)
    assert wine["specific"] == [{"amount_usd": pytest.approx(0.063), "unit": "liter"}]
    assert wine["mfn_ad_valorem_pct"] is None
    assert wine["ave_pct"] == pytest.approx(_observed_pct("2204215005"), rel=1e-9)
    assert 0.3 < wine["ave_pct"] < 15  # 6.3¢/liter over a wine's unit value of some USD 0.4-20 a liter

    cigarettes = json.loads(_invoke("data", "hts", "2402.20.80.00", "--format", "json").output)
    assert cigarettes["mfn_ad_valorem_pct"] == 2.3
    assert cigarettes["specific"] == [{"amount_usd": pytest.approx(1.05), "unit": "kg"}]
    assert cigarettes["ave_pct"] == pytest.approx(max(2.3, _observed_pct("2402208000")), rel=1e-9)
    assert cigarettes["ave_pct"] >= 2.3

    sugar = json.loads(_invoke("data", "hts", "1701.13.50.00", "--format", "json").output)
    assert (
        sugar["rate_kind"] == "unparsed" and sugar["mfn_ad_valorem_pct"] is None and sugar["ave_pct"] is None
    )
    assert "not parsed" in sugar["ave_note"]


def test_diff_against_the_library(user_dir: Path) -> None:
    _invoke("data", "update", "hts", "--from", str(FIXTURE), "--date", "2026-10-09")
    rows = json.loads(_invoke("data", "diff", "--format", "json").output)
    by_heading = {row["heading"]: row for row in rows}
    # 9903.94.01 (s.232 passenger vehicles) on seats of 9401.61.40: referenced in the fixture, outside the scope
    autos = by_heading["9903.94.01"]
    assert autos["status"] == "scopes disagree" and autos["lines_only_in_hts"] == 1
    assert "9401.61.40.11" in autos["examples"]
    assert by_heading["9903.99.98"]["status"] == "named by no library measure"
    assert "9903.94.41" not in by_heading  # the Japan vehicles heading agrees with the library's scope


def test_status_reports_library_revision_and_sources(user_dir: Path) -> None:
    before = json.loads(_invoke("data", "status", "--format", "json").output)
    assert before["hts_revision"] is None and before["law_known_on"]
    assert before["sources"] and all(s["check"] == "ok" for s in before["sources"])
    _invoke(
        "data", "update", "hts", "--from", str(FIXTURE), "--revision", "fixture rev", "--date", "2026-10-09"
    )
    after = json.loads(_invoke("data", "status", "--format", "json").output)
    assert after["hts_revision"] == "fixture rev" and after["hts_revision_date"] == "2026-10-09"


def _words(done: Any) -> str:
    return " ".join(done.output.split())


def test_data_tables_say_what_they_show(user_dir: Path) -> None:
    status = _words(_invoke("data", "status"))
    assert "modification date" in status and "PROVENANCE.csv" in status and "law known to" in status
    _invoke("data", "update", "hts", "--from", str(FIXTURE), "--date", "2026-10-09")
    line = _words(_invoke("data", "hts", "8703.23.01.40"))
    assert "HTS 2026 Revision 99 of 2026-10-09" in line and "percent of customs value" in line
    diff = _words(_invoke("data", "diff"))
    assert "counts of HTS-10 leaf lines" in diff and "law known to" in diff


def test_news_lists_federal_register_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, Any]] = []
    pages = [
        {
            "count": 2,
            "results": [
                {"document_number": "2026-24001", "publication_date": "2026-11-20", "type": "Presidential Document",
                 "title": "Adjusting Imports of Trucks", "agencies": [{"name": "Executive Office of the President"}],
                 "html_url": "https://www.federalregister.gov/d/2026-24001", "citation": "91 FR 80001"},
            ],
            "next_page_url": "https://www.federalregister.gov/api/v1/documents.json?page=2",
        },
        {"count": 2, "results": [
            {"document_number": "2026-24100", "publication_date": "2026-11-25", "type": "Notice",
             "title": "Notice of Action", "agencies": [{"name": "Office of the United States Trade Representative"}],
             "html_url": "https://www.federalregister.gov/d/2026-24100", "citation": "91 FR 80500"}]},
    ]  # fmt: skip

    def fake_get(url: str, params: Any) -> dict[str, Any]:
        calls.append((url, params))
        return pages[len(calls) - 1]

    monkeypatch.setattr(federal_register, "_http_get", fake_get)
    done = _invoke("data", "news", "--since", "2026-11-15", "--format", "json")
    rows = json.loads(done.output)
    assert [r["document_number"] for r in rows] == ["2026-24001", "2026-24100"]
    assert rows[1]["agencies"] == "Office of the United States Trade Representative"
    assert calls[0][1]["conditions[publication_date][gte]"] == "2026-11-15"
    assert calls[1][1] is None  # the next page URL carries the query
    calls.clear()
    table = _words(_invoke("data", "news", "--since", "2026-11-15"))
    assert "by publication date" in table and "knows the law to" in table


def test_bad_inputs_one_line_exit_2(tmp_path: Path) -> None:
    env = {**os.environ, "TARIFFLAB_USER_DATA": str(tmp_path)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tarifflab", *args], capture_output=True, text=True, env=env
        )

    missing = run("data", "hts", "8703.23.01.40")
    assert missing.returncode == 2 and "no HTS revision stored" in missing.stderr
    broken = tmp_path / "hts_2026_revision_1.json"
    broken.write_text("{not json", encoding="utf-8")
    bad = run("data", "update", "hts", "--from", str(broken))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "not JSON" in bad.stderr
    unnamed = tmp_path / "export.json"
    unnamed.write_text("[]", encoding="utf-8")
    assert run("data", "update", "hts", "--from", str(unnamed)).returncode == 2
    future = run("data", "news", "--since", (dt.date.today() + dt.timedelta(days=3)).isoformat())
    assert future.returncode == 2 and "future" in future.stderr


def test_update_from_a_url_uses_one_http_get(user_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import requests

    seen: list[str] = []

    class Response:
        content = FIXTURE.read_bytes()

        def raise_for_status(self) -> None:
            return None

    def fake_get(url: str, timeout: float) -> Response:
        seen.append(url)
        return Response()

    monkeypatch.setattr(requests, "get", fake_get)
    url = "https://hts.usitc.gov/reststop/file?release=currentRelease&filename=hts_2026_revision_99_json.json"
    done = _invoke("data", "update", "hts", "--from", url, "--date", "2026-10-09")
    assert seen == [url] and "2026 Revision 99" in done.output
    stored = json.loads((user_dir / "hts" / "2026-revision-99" / "revision.json").read_text())
    assert stored["source"] == url
