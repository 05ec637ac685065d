"""``tarifflab negotiate``: JSON shapes and the one-line, exit-2 error convention."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tarifflab.cli.main import run


def call(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        run(list(args))
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def test_levers_and_rounds(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = call(capsys, "negotiate", "levers", "us-japan", "--format", "json")
    assert code == 0 and "us_reciprocal_rate" in {lv["name"] for lv in json.loads(out)["levers"]}
    code, out, _ = call(capsys, "negotiate", "rounds", "us-japan")
    assert code == 0 and "round-10" in out
    code, out, _ = call(capsys, "negotiate", "rounds", "us-japan", "--on", "2025-05-01", "--format", "json")
    assert code == 0 and json.loads(out)["last_meeting"]["id"] == "round-2"


def test_evaluate_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = call(
        capsys, "negotiate", "evaluate", "us-japan", "--package", "july_2025_deal", "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    assert set(data["utility"]) == {"USA", "JPN"}
    assert data["levers"]["us_reciprocal_rate"] == 0.15


def test_frontier_json_shape(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    grid = tmp_path / "grid.yaml"
    grid.write_text(
        "pair: us-japan\nbase: {us_all_in_rule: 1}\n"
        "grid: {us_reciprocal_rate: [0.0, 0.1, 0.2], us_auto_rate: [0.0, 0.15, 0.25], investment_pledge_usd_bn: [0, 550]}\n"
    )
    code, out, _ = call(capsys, "negotiate", "frontier", "us-japan", "--grid", str(grid), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert set(data["disagreement"]) == {"USA", "JPN"}
    assert {"package", "payoffs"} <= set(data["frontier"][0])
    assert {"nash", "kalai_smorodinsky", "rubinstein"} <= set(data["solutions"])
    assert "payoffs" in data["actual_deal"]


def test_frontier_and_war_tables_say_what_they_show(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    grid = tmp_path / "grid.yaml"
    grid.write_text("pair: us-japan\ngrid: {us_reciprocal_rate: [0.0, 0.15], us_auto_rate: [0.0, 0.15]}\n")
    code, out, err = call(capsys, "negotiate", "frontier", "us-japan", "--grid", str(grid))
    assert code == 0, err
    for words in ("USD bn a year", "payoff model: ossa", "ICIO 2022", "political weights"):
        assert words in out, words
    code, out, err = call(capsys, "negotiate", "war", "--countries", "USA,JPN", "--dataset", "default")
    assert code == 0, err
    for words in ("percent ad valorem", "real income, percent", "Ossa (2014)", "base year 2022"):
        assert words in out, words


def test_war_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = call(
        capsys, "negotiate", "war", "--countries", "USA,JPN", "--dataset", "default", "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    assert set(data["nash_tariffs_pct"]) == {"USA", "JPN"}
    assert isinstance(data["average_nash_tariff_pct"], float)
    assert set(data["welfare_change_pct"]) >= {"USA", "JPN", "CHN"}


@pytest.mark.parametrize(
    "args",
    [
        ("negotiate", "levers", "us-atlantis"),
        ("negotiate", "evaluate", "us-japan", "--package", "no_such_package"),
        ("negotiate", "war", "--countries", "USA,XYZ"),
        ("negotiate", "war", "--dataset", "imaginary"),
        ("negotiate", "rounds", "us-japan", "--on", "yesterday"),
        (
            "negotiate",
            "evaluate",
            "us-japan",
            "--package",
            "july_2025_deal",
            "--purchase-additionality",
            "1.5",
        ),
        (
            "negotiate",
            "evaluate",
            "us-japan",
            "--package",
            "july_2025_deal",
            "--purchase-additionality",
            "-0.1",
        ),
        (
            "negotiate",
            "evaluate",
            "us-japan",
            "--package",
            "july_2025_deal",
            "--purchase-additionality",
            "half",
        ),
        (
            "negotiate",
            "evaluate",
            "us-japan",
            "--package",
            "july_2025_deal",
            "--purchase-additionality",
            "nan",
        ),
    ],
)
def test_errors_are_one_line_exit_2(capsys: pytest.CaptureFixture[str], args: tuple[str, ...]) -> None:
    code, _, err = call(capsys, *args)
    assert code == 2
    assert err.strip().count("\n") == 0 and "Traceback" not in err


def test_contradictory_package_and_empty_grid_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("levers: {partner_retaliation_rate: 0.2, investment_pledge_usd_bn: 550}\n")
    code, _, err = call(capsys, "negotiate", "evaluate", "us-japan", "--package", str(bad))
    assert code == 2 and "retaliates" in err
    empty = tmp_path / "empty.yaml"
    empty.write_text("pair: us-japan\ngrid: {}\n")
    code, _, err = call(capsys, "negotiate", "frontier", "us-japan", "--grid", str(empty))
    assert code == 2 and "empty" in err
    out_of_range = tmp_path / "oor.yaml"
    out_of_range.write_text("levers: {us_reciprocal_rate: 3}\n")
    code, _, err = call(capsys, "negotiate", "evaluate", "us-japan", "--package", str(out_of_range))
    assert code == 2 and "outside its range" in err


def test_any_pair_uses_the_same_machinery(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = call(capsys, "negotiate", "frontier", "us-eu", "--format", "json", "--max-frontier", "3")
    assert code == 0
    data = json.loads(out)
    # the deal record gives every recorded pair its threat (EU: the 30% letter) and its deal (15% all-in)
    assert data["packages_evaluated"] == 810 and data["disagreement_package"] == "record_threat"
    assert set(data["disagreement"]) == {"USA", "EUN"} and data["actual_deal"] is not None
    assert data["actual_deal"]["levers"]["us_reciprocal_rate"] == 0.15
    # with the status quo as disagreement and no deal beating it, the result says so (exit 0)
    code, out, _ = call(capsys, "negotiate", "frontier", "us-korea", "--format", "json")
    assert code == 0
    data = json.loads(out)
    if not data["mutually_beneficial"]:
        assert data["message"].startswith("no mutually beneficial deal")


PURCHASE_LEVERS = (
    "purchases_farm_usd_bn",
    "purchases_aircraft_usd_bn",
    "purchases_energy_usd_bn",
    "purchases_defence_usd_bn",
    "rice_purchase_increase",
)


def test_purchase_additionality_scales_the_commitments(capsys: pytest.CaptureFixture[str]) -> None:
    """A = additionality × the committed amount (MappingAssumptions): with a share of 0 the July deal's
    purchase commitments (Japan fact sheet of 2025-07-23: farm $8bn a year, Boeing aircraft, defence,
    rice +75 %) do nothing, so the deal equals the deal with every purchase lever set to zero."""

    def outcomes(*extra: str) -> tuple[dict[str, float], float]:
        code, out, err = call(
            capsys, "negotiate", "evaluate", "us-japan", "--package", "july_2025_deal",
            "--model", "ossa", "--format", "json", *extra,
        )  # fmt: skip
        assert code == 0, err
        data = json.loads(out)
        ev = {c: o["equivalent_variation_usd_bn"] for c, o in data["outcomes"].items()}
        return ev, data["purchase_additionality"]

    none, share = outcomes("--purchase-additionality", "0")
    assert share == 0.0
    zeroed, share = outcomes(*(a for lever in PURCHASE_LEVERS for a in ("--set", f"{lever}=0")))
    assert share == 1.0
    full, _ = outcomes()
    half, share = outcomes("--purchase-additionality", "0.5")
    assert share == 0.5
    for country in ("USA", "JPN"):
        assert none[country] == pytest.approx(zeroed[country], abs=1e-9)
        assert full[country] != pytest.approx(none[country], abs=1e-3)
        low, high = sorted((none[country], full[country]))
        assert low <= half[country] <= high
