"""``tarifflab negotiate``: levers, package evaluation, frontier and bargaining, trade wars, the record."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import typer

from tarifflab._io import write_text_atomic
from tarifflab.cli.captions import payoff_caption, war_caption
from tarifflab.errors import InvalidInputError, UnknownCountryError
from tarifflab.nomenclature.countries import to_iso3

if TYPE_CHECKING:
    from tarifflab.negotiation.calibration import CalibrationSummary

app = typer.Typer(
    help="Negotiation analysis: levers, packages, Pareto frontier, bargaining, trade wars.",
    no_args_is_help=True,
)

FORMATS = ("json", "table")


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise InvalidInputError(f"unknown format {fmt!r}; use json or table")


def _emit(payload: Any, fmt: str, output: Path | None, table: str | None = None) -> None:
    text = json.dumps(payload, indent=2, default=str) if fmt == "json" or table is None else table
    if output is not None:
        write_text_atomic(output, text + "\n")
        typer.echo(f"wrote {output}", err=True)
    else:
        typer.echo(text)


OUT_HELP = "write the result to this file (atomically) instead of the terminal"


def _out_option() -> Any:
    return typer.Option(None, "--out", help=OUT_HELP)


def _deprecated_output_option() -> Any:
    return typer.Option(None, "--output", hidden=True, help="deprecated alias of --out")


def _target(out: Path | None, output: Path | None) -> Path | None:
    """``--out``, or the deprecated ``--output`` (with a note on stderr); both at once is refused."""
    if output is None:
        return out
    if out is not None:
        raise InvalidInputError("give --out only (--output is its deprecated alias)")
    typer.echo("note: --output is deprecated; use --out", err=True)
    return output


UTILITY_NOTE = (
    "payoff: USD bn a year, each side's equivalent variation plus its political weights (one dollar of a "
    "tracked sector's output or of the bilateral balance counts as w dollars of national income; "
    "docs/negotiation.md)"
)


SCENARIO_HELP = "tariff-engine scenario YAML (repeatable) applied to law:DATE packages"
LAW_HELP = "; law:YYYY-MM-DD reads the US levers from the measure library on that date"


def _package(pair: Any, name: str, scenarios: list[Path] | None, hashes: dict[str, str | None]) -> Any:
    """A built-in/file package, or ``law:DATE`` read from the law (with ``scenarios``) via the studies layer."""
    from tarifflab.negotiation.law_packages import is_law_package, law_package
    from tarifflab.negotiation.packages import get_package

    if is_law_package(name):
        package, scenario_hash = law_package(pair, name, scenarios)
        hashes["scenario_hash"] = scenario_hash
        return package
    return get_package(pair, name)


def _require_law(scenarios: list[Path] | None, *names: str) -> None:
    if scenarios and not any(n.startswith("law:") for n in names):
        raise InvalidInputError("--scenario changes the law: name a law:YYYY-MM-DD package for it to act on")


PAYOFF_MODELS = ("ossa", "multi-sector")
DEFAULT_DISAGREEMENT = (
    "no_deal_july_letter"  # pairs without it: record_threat, liberation_day_annex, status quo
)
DEFAULT_ACTUAL = "july_2025_deal"  # pairs without it: record_deal (deal record), else none
CALIBRATION_MODEL_HELP = (
    "payoffs of the calibration: ge (multi-sector GE model, deals in sequence; curves cached) or "
    "reduced-form (fast quadratic PE bargaining model)"
)
MODEL_HELP = (
    "payoff model: multi-sector (the GE model with input-output links; its income is national income, "
    "so its dollars are the ones to quote) or ossa (Ossa 2014 model on the embedded ICIO aggregate, "
    "batched and fast; income = gross absorption, dollars about 1.7x too large)"
)


TARIFFS_HELP = (
    "tariff input of the multi-sector model: engine (default: US tariffs on every partner from the tariff "
    "engine on --date, the pair's US levers as a package scenario) or stylised (the lever mapping with "
    "stated sector shares; the Ossa model always uses it)"
)
TARIFF_DATE_HELP = "entry date of the engine's law for --tariffs engine (default: the library's last date)"


def _tariff_options(model: str, tariffs: str | None, date: str | None) -> tuple[str | None, Any]:
    """``--tariffs`` / ``--date`` checked against the model (engine tariffs: multi-sector only)."""
    from tarifflab.negotiation.tariff_inputs import TARIFF_SOURCES
    from tarifflab.policy.engine import parse_date

    if tariffs is not None and tariffs not in TARIFF_SOURCES:
        raise InvalidInputError(f"unknown --tariffs {tariffs!r}; use engine or stylised")
    if model != "multi-sector" and (tariffs == "engine" or date is not None):
        raise InvalidInputError("--tariffs engine and --date need --model multi-sector")
    on = parse_date(date, what="--date") if date is not None else None
    return (tariffs if model == "multi-sector" else None), on


def _payoff_model(
    pair_name: str,
    model: str = "ossa",
    workers: int = 1,
    elasticities: str | None = None,
    assumptions: Any = None,
    tariffs: str | None = None,
    tariff_date: Any = None,
    scenarios: list[Path] | None = None,
) -> Any:
    from tarifflab.negotiate import payoff_model

    return payoff_model(
        pair_name,
        model,  # type: ignore[arg-type]
        workers,
        elasticities,
        assumptions,
        tariffs=tariffs,
        tariff_date=tariff_date,
        scenarios=tuple(scenarios or ()) if model == "multi-sector" else (),
    )


def _tariff_payload(pm: Any, levers: dict[str, float] | None = None) -> dict[str, Any]:
    """The tariff input behind a result (engine: date and scenario hashes)."""
    source = getattr(pm, "tariffs", None)
    if source is None:
        return {"tariffs": "stylised"}
    if levers is not None:
        return dict(source.provenance(pm.pair, levers))
    out: dict[str, Any] = {"tariffs": source.name}
    if source.name == "engine":
        from tarifflab.policy.scenario import library_with_scenarios

        out["tariff_date"] = source.on.isoformat()
        out["base_scenario_hash"] = library_with_scenarios(list(source.scenarios)).scenario_hash
    return out


ADDITIONALITY_HELP = (
    "share of purchase commitments that is additional (would not have been bought anyway), 0-1; "
    "default 1 (all additional)"
)


def _additionality(text: str | None) -> float:
    """The ``--purchase-additionality`` share, parsed and checked to lie in [0, 1]."""
    if text is None:
        return 1.0
    try:
        value = float(text)
    except ValueError:
        raise InvalidInputError(
            f"--purchase-additionality must be a number between 0 and 1, got {text!r}"
        ) from None
    if not 0.0 <= value <= 1.0:  # also refuses nan
        raise InvalidInputError(f"--purchase-additionality must lie between 0 and 1, got {text}")
    return value


@app.command("levers")
def levers_cmd(
    pair: str = typer.Argument(..., help="negotiating pair, e.g. us-japan"),
    fmt: str = typer.Option("table", "--format", help="table or json"),
    out: Path | None = _out_option(),
) -> None:
    """List the pair's levers with unit, range, status-quo value and model mapping."""
    from tarifflab.negotiation.levers import get_pair

    _check_format(fmt)
    p = get_pair(pair)
    rows = [lever.model_dump() for lever in p.levers.values()]
    lines = [f"{'lever':34} {'side':4} {'unit':16} {'range':>14}  description"]
    for r in rows:
        rng = f"[{r['low']:g}, {r['high']:g}]"
        lines.append(f"{r['name']:34} {r['side']:4} {r['unit']:16} {rng:>14}  {r['description']}")
    _emit({"pair": p.name, "levers": rows}, fmt, out, "\n".join(lines))


@app.command("packages")
def packages_cmd(
    pair: str = typer.Argument(..., help="negotiating pair"),
    fmt: str = typer.Option("table", "--format", help="table or json"),
    out: Path | None = _out_option(),
) -> None:
    """List the built-in packages of a pair."""
    from tarifflab.negotiation.levers import get_pair
    from tarifflab.negotiation.packages import builtin_packages

    _check_format(fmt)
    p = get_pair(pair)
    pk = builtin_packages(p)
    payload = {name: {"description": v.description, "levers": v.changed(p)} for name, v in pk.items()}
    table = "\n".join(
        f"{name:24} {v.description}\n{'':24} {_lever_line(p, v.levers)}" for name, v in pk.items()
    )
    _emit(payload, fmt, out, table)


def _money_table(pair: Any, ev: Any, weights: Any) -> list[str]:
    """Dollars first: one column per side, then the political layer, then the package's levers."""
    us, partner = pair.players
    o = ev.outcomes
    rows: list[tuple[str, ...]] = []

    def row(label: str, fmt: str, get: Any) -> None:
        rows.append((label, format(get(o[us]), fmt), format(get(o[partner]), fmt)))

    row("equivalent variation, USD bn a year", "+.2f", lambda x: x.equivalent_variation_usd_bn)
    row("  as % of GDP", "+.3f", lambda x: x.equivalent_variation_pct_gdp)
    row("real income %", "+.3f", lambda x: x.real_income_pct)
    row("bilateral balance change, USD bn (purged)", "+.1f", lambda x: x.balance_change_usd_bn)
    row("tariff revenue change, USD bn (in EV)", "+.1f", lambda x: x.revenue_change_usd_bn)
    labels = sorted({k for c in (us, partner) for k in o[c].sector_output_pct})
    for key in labels:
        rows.append(
            (
                f"{key.replace('_', ' ')} output, USD bn (%)",
                *(
                    f"{o[c].sector_output_change_usd_bn[key]:+.1f} ({o[c].sector_output_pct[key]:+.2f}%)"
                    if key in o[c].sector_output_pct
                    else "-"
                    for c in (us, partner)
                ),
            )
        )
        rows.append(
            (
                "  jobs % (no counts in the data)",
                *(
                    f"{o[c].sector_jobs_pct[key]:+.2f}" if key in o[c].sector_jobs_pct else "-"
                    for c in (us, partner)
                ),
            )
        )
    rows.append(
        ("payoff incl. political weights, USD bn", f"{ev.utility[us]:+.2f}", f"{ev.utility[partner]:+.2f}")
    )
    width = max(len(r[0]) for r in rows)
    lines = [f"{'':{width}}  {us:>16}  {partner:>16}"]
    lines += [f"{a:{width}}  {b:>16}  {c:>16}" for a, b, c in rows]
    lines.append(
        "political weights: " + "; ".join(f"{c}: {', '.join(weights[c].describe())}" for c in (us, partner))
    )
    lines.append(f"income: {o[us].income_concept}; balance: {o[us].balance_basis}")
    return lines


def _lever_line(pair: Any, levers: dict[str, float]) -> str:
    sq = pair.status_quo()
    changed = {k: v for k, v in levers.items() if v != sq[k]}
    return "levers: " + (", ".join(f"{k}={v:g}" for k, v in changed.items()) or "(status quo 2024)")


SET_HELP = "change one lever of the package, LEVER=VALUE (repeatable), e.g. us_auto_rate=0.25"


@app.command("scenario")
def scenario_cmd(
    pair: str = typer.Argument(..., help="negotiating pair, e.g. us-japan"),
    package: str = typer.Option(..., "--package", help="built-in package name or a YAML file"),
    date: str = typer.Option(..., "--date", help="entry date YYYY-MM-DD from which the package holds"),
    settings: list[str] = typer.Option([], "--set", help=SET_HELP),
    out: Path | None = typer.Option(None, "-o", "--out", help="write the scenario YAML here (atomically)"),
    scenario: list[Path] = typer.Option(
        [], "--scenario", help="scenario YAML applied to the law first (repeatable)", dir_okay=False
    ),
) -> None:
    """Write a package's US levers for the pair as a tariff-engine scenario file: the partner's reciprocal,
    s.232 autos and steel measures in force on DATE give way to the levers' levels and rules, so that
    `tarifflab duty CODE --origin PARTNER --date DATE --scenario FILE` reports the package's duty."""
    from tarifflab.negotiation.law_packages import package_scenario_text
    from tarifflab.negotiation.levers import get_pair
    from tarifflab.negotiation.packages import with_settings
    from tarifflab.policy.engine import parse_date

    p = get_pair(pair)
    on = parse_date(date)
    hashes: dict[str, str | None] = {"scenario_hash": None}
    pk = with_settings(p, _package(p, package, scenario, hashes), settings)
    text, count = package_scenario_text(p, pk, on, scenario)
    if out is None:
        typer.echo(text, nl=False)
    else:
        write_text_atomic(out, text)
        typer.echo(f"wrote {out} ({count} records)", err=True)


@app.command("evaluate")
def evaluate_cmd(
    pair: str = typer.Argument(..., help="negotiating pair"),
    package: str = typer.Option(..., "--package", help="built-in package name or a YAML file" + LAW_HELP),
    settings: list[str] = typer.Option([], "--set", help=SET_HELP),
    model: str = typer.Option("multi-sector", "--model", help=MODEL_HELP),
    elasticities: str | None = typer.Option(
        None,
        "--elasticities",
        help="multi-sector elasticity source: IS, U4, CP (default), BSY, GYY, Shap, FGO, LL",
    ),
    purchase_additionality: str | None = typer.Option(
        None, "--purchase-additionality", help=ADDITIONALITY_HELP
    ),
    tariffs: str | None = typer.Option(None, "--tariffs", help=TARIFFS_HELP),
    date: str | None = typer.Option(None, "--date", help=TARIFF_DATE_HELP),
    fmt: str = typer.Option("table", "--format", help="table or json"),
    out: Path | None = _out_option(),
    output: Path | None = _deprecated_output_option(),
    scenario: list[Path] = typer.Option([], "--scenario", help=SCENARIO_HELP, dir_okay=False),
) -> None:
    """Each side's outcome of one package in USD bn a year and % of GDP (equivalent variation), then
    balance, sector output and jobs, and the payoff with political weights."""
    from tarifflab.negotiation.analysis import evaluate
    from tarifflab.negotiation.levers import MappingAssumptions
    from tarifflab.negotiation.packages import with_settings
    from tarifflab.negotiation.payoffs import weights_for

    _check_format(fmt)
    source, on = _tariff_options(model, tariffs, date)
    if model != "multi-sector" or source == "stylised":
        _require_law(scenario, package)
    additionality = _additionality(purchase_additionality)
    assumptions = MappingAssumptions(purchase_additionality=additionality)
    pm = _payoff_model(pair, model, 1, elasticities, assumptions, source, on, scenario)
    hashes: dict[str, str | None] = {"scenario_hash": None}
    pk = with_settings(pm.pair, _package(pm.pair, package, scenario, hashes), settings)
    weights = weights_for(pm.pair)
    ev = evaluate(pm, pk, weights)
    payload = {**ev.to_dict(pm.pair, weights), **hashes}
    payload["model"] = model
    payload["elasticities"] = elasticities or ("CP" if model == "multi-sector" else None)
    payload["purchase_additionality"] = additionality
    payload.update(_tariff_payload(pm, pk.levers))
    lines = [f"package {pk.name}: {pk.description}", _lever_line(pm.pair, pk.levers)]
    lines += _money_table(pm.pair, ev, weights)
    lines.append(f"purchase commitments counted as {100 * additionality:g}% additional")
    if payload.get("tariffs") == "engine":
        lines.append(
            f"US tariffs on every partner from the tariff engine on {payload['tariff_date']}"
            + (
                f", package scenario {payload['package_scenario_hash']}"
                if payload["package_scenario_hash"]
                else ""
            )
        )
    if hasattr(pm, "third_countries"):
        third = pm.third_countries(pk.levers)
        payload["third_countries"] = third
        hit = sorted(third, key=lambda r: -abs(float(r["exports_to_us_change_usd_bn"])))[:4]
        lines.append(
            "third countries (EV USD bn / exports to the US USD bn): "
            + "; ".join(
                f"{r['country']} {float(r['equivalent_variation_usd_bn']):+.2f} / {float(r['exports_to_us_change_usd_bn']):+.1f}"
                for r in hit
            )
        )
    _emit(payload, fmt, _target(out, output), "\n".join(lines))


@app.command("frontier")
def frontier_cmd(
    pair: str = typer.Argument(..., help="negotiating pair"),
    grid: Path | None = typer.Option(None, "--grid", help="grid YAML (default: the built-in grid)"),
    disagreement: str = typer.Option(DEFAULT_DISAGREEMENT, "--disagreement", help="package of no deal"),
    actual: str = typer.Option(DEFAULT_ACTUAL, "--actual", help="the actual deal's package ('' for none)"),
    us_weight: float = typer.Option(
        0.5, "--us-weight", help="US bargaining weight of the asymmetric Nash solution"
    ),
    delta_us: float = typer.Option(0.95, "--delta-us", help="US discount factor per round (Rubinstein)"),
    delta_partner: float = typer.Option(0.95, "--delta-partner", help="partner discount factor per round"),
    model: str = typer.Option("ossa", "--model", help=MODEL_HELP),
    workers: int = typer.Option(
        1, "--workers", help="worker processes (a local Dask cluster) for the multi-sector model"
    ),
    tariffs: str | None = typer.Option(None, "--tariffs", help=TARIFFS_HELP),
    date: str | None = typer.Option(None, "--date", help=TARIFF_DATE_HELP),
    max_frontier: int | None = typer.Option(
        None, "--max-frontier", help="list at most this many frontier points"
    ),
    fmt: str = typer.Option("table", "--format", help="table or json"),
    out: Path | None = _out_option(),
    output: Path | None = _deprecated_output_option(),
    scenario: list[Path] = typer.Option([], "--scenario", help=SCENARIO_HELP, dir_okay=False),
) -> None:
    """Evaluate a lever grid; report the frontier, disagreement, bargaining solutions and the deal."""
    from tarifflab.negotiation.analysis import frontier
    from tarifflab.negotiation.packages import (
        builtin_packages,
        default_actual,
        default_disagreement,
        load_grid,
    )

    _check_format(fmt)
    source, on = _tariff_options(model, tariffs, date)
    if model != "multi-sector" or source == "stylised":
        _require_law(scenario, disagreement, actual)
    hashes: dict[str, str | None] = {"scenario_hash": None}
    pm = _payoff_model(pair, model, workers, None, None, source, on, scenario)
    packages = load_grid(pm.pair, grid)
    builtin = builtin_packages(pm.pair)
    if disagreement == DEFAULT_DISAGREEMENT and disagreement not in builtin:
        disagreement = default_disagreement(builtin)
    if actual == DEFAULT_ACTUAL and actual not in builtin:
        actual = default_actual(builtin)
    d = (
        _package(pm.pair, disagreement, scenario, hashes)
        if disagreement not in builtin
        else builtin[disagreement]
    )
    act = (
        None
        if not actual
        else (builtin[actual] if actual in builtin else _package(pm.pair, actual, scenario, hashes))
    )
    rep = frontier(pm, packages, d, act, us_weight=us_weight, delta_us=delta_us, delta_partner=delta_partner)
    payload = {**rep.to_dict(max_frontier), **hashes, **_tariff_payload(pm)}
    if payload["tariffs"] == "engine":
        payload["disagreement_scenario_hash"] = _tariff_payload(pm, d.levers)["package_scenario_hash"]
        if act is not None:
            payload["actual_scenario_hash"] = _tariff_payload(pm, act.levers)["package_scenario_hash"]
    us, partner = pm.pair.players
    du, dp = rep.disagreement.utility[us], rep.disagreement.utility[partner]
    lines = [
        f"{len(packages)} packages, {len(rep.frontier_index)} on the frontier ({rep.seconds:.1f} s); "
        "payoffs in USD bn a year (equivalent variation + political weights)",
        f"disagreement ({d.name}): {us} {du:+.2f}  {partner} {dp:+.2f}",
        "  " + _lever_line(pm.pair, d.levers),
    ]
    if not rep.mutually_beneficial:
        lines.append(str(payload["message"]))
    for name, sol in rep.solutions.items():
        lines.append(f"{name:18} {us} {sol.point[0]:+.2f}  {partner} {sol.point[1]:+.2f}")
        if sol.package_index is not None:
            lines.append("  package " + _lever_line(pm.pair, rep.packages[sol.package_index]))
    pos = payload["actual_deal"]
    if isinstance(pos, dict) and act is not None:
        pay = pos["payoffs"]
        lines.append(
            f"actual deal: {us} {pay[us]:+.2f}  {partner} {pay[partner]:+.2f}  dominated by {pos['dominated_by']} packages"
        )
        lines.append("  " + _lever_line(pm.pair, act.levers))
    lines += [payoff_caption(model), UTILITY_NOTE]
    _emit(payload, fmt, _target(out, output), "\n".join(lines))


@app.command("concessions")
def concessions_cmd(
    pair: str = typer.Argument(..., help="negotiating pair"),
    deal: str = typer.Option("july_2025_deal", "--deal", help="the deal package"),
    model: str = typer.Option("multi-sector", "--model", help=MODEL_HELP),
    reference: str = typer.Option(
        "no_deal_july_letter", "--reference", help="package each lever is reset to"
    ),
    fmt: str = typer.Option("table", "--format", help="table or json"),
    out: Path | None = _out_option(),
    scenario: list[Path] = typer.Option([], "--scenario", help=SCENARIO_HELP, dir_okay=False),
) -> None:
    """What each concession of a deal was worth to each side (USD bn a year, incl. political weights)."""
    from tarifflab.negotiation.analysis import concession_values

    _check_format(fmt)
    _require_law(scenario, deal, reference)
    pm = _payoff_model(pair, model)
    hashes: dict[str, str | None] = {"scenario_hash": None}
    deal_package = _package(pm.pair, deal, scenario, hashes)
    values: dict[str, Any] = concession_values(
        pm, deal_package, _package(pm.pair, reference, scenario, hashes)
    )
    if hashes["scenario_hash"] is not None:
        values = {**values, "scenario_hash": hashes["scenario_hash"]}
    us, partner = pm.pair.players
    lines = [
        f"What each concession of {deal} was worth ({model} model): the change in each side's payoff "
        f"when that lever alone is reset to {reference}",
        f"(negative = the lever, as set in the deal, helps that side). {UTILITY_NOTE}",
        "",
        f"{'lever':34} {us + ' (USD bn)':>16} {partner + ' (USD bn)':>16}",
    ] + [f"{k:34} {v[us]:+16.2f} {v[partner]:+16.2f}" for k, v in values.items() if isinstance(v, dict)]
    _emit(values, fmt, out, "\n".join(lines))


@app.command("war")
def war_cmd(
    countries: str | None = typer.Option(
        None, "--countries", help="players of a bilateral war, e.g. USA,JPN"
    ),
    world: bool = typer.Option(False, "--world", help="global trade war: every country retaliates"),
    dataset: str = typer.Option("default", "--dataset", help="ossa (reference data) or default (embedded)"),
    scheme: str = typer.Option("jacobi", "--scheme", help="jacobi or gauss-seidel best responses"),
    tol: float = typer.Option(1e-3, "--tol", help="stop when the mean absolute tariff change is below this"),
    fmt: str = typer.Option("table", "--format", help="table or json"),
    out: Path | None = _out_option(),
    output: Path | None = _deprecated_output_option(),
) -> None:
    """Nash tariffs of a trade war and the welfare changes they cause."""
    from tarifflab.negotiation.datasets import load_dataset
    from tarifflab.negotiation.ossa_model import OssaModel
    from tarifflab.negotiation.tradewar import nash_tariffs

    _check_format(fmt)
    if world and countries:
        raise InvalidInputError("use either --countries or --world, not both")
    data = load_dataset(dataset)
    model = OssaModel(data)
    if world or not countries:
        players = list(range(len(data.countries)))
        bilateral = False
    else:
        codes = []
        for c in countries.split(","):
            try:
                codes.append(to_iso3(c.strip()))
            except UnknownCountryError:
                if c.strip().upper() == "ROW":
                    codes.append("ROW")
                else:
                    raise
        if len(codes) < 2 or len(set(codes)) != len(codes):
            raise InvalidInputError("a trade war needs at least two different countries")
        players = [data.index(c) for c in codes]
        bilateral = True
    res = nash_tariffs(model, players=players, scheme=scheme, tol=tol, bilateral=bilateral)
    payload = {
        "dataset": data.name,
        "players": [data.countries[j] for j in players],
        "bilateral": bilateral,
        "statistic": "median over partners and sectors (Ossa 2014); mean over players",
        "nash_tariffs_pct": res.player_median_tariffs_pct(),
        "nash_tariffs_mean_pct": res.player_tariffs_pct(),
        "average_nash_tariff_pct": res.average_tariff_pct,
        "welfare_change_pct": res.welfare_pct(),
        "rounds": res.rounds,
        "max_change": res.max_change,
        "seconds": res.seconds,
    }
    lines = [
        f"Nash tariffs ({data.name}, {res.rounds} rounds, {res.seconds:.1f} s): average {res.average_tariff_pct:.1f}%"
    ]
    means = res.player_tariffs_pct()
    for c, v in res.player_median_tariffs_pct().items():
        lines.append(
            f"  {c}: median tariff {v:6.1f}% (mean {means[c]:5.1f}%)  welfare {res.welfare_pct()[c]:+.2f}%"
        )
    lines.append(war_caption(data.name))
    _emit(payload, fmt, _target(out, output), "\n".join(lines))


@app.command("rounds")
def rounds_cmd(
    pair: str = typer.Argument(..., help="negotiating pair"),
    on: str | None = typer.Option(None, "--on", help="show what was in force and on the table on this date"),
    fmt: str = typer.Option("table", "--format", help="table or json"),
    out: Path | None = _out_option(),
) -> None:
    """The negotiation record: rounds, threats, court rulings, deal terms."""
    from tarifflab.negotiation.levers import get_pair
    from tarifflab.negotiation.record import load_record, parse_date

    _check_format(fmt)
    p = get_pair(pair)
    rec = load_record(p)
    if on is not None:
        state = rec.state_on(parse_date(on))
        lines = [f"on {state['date']}:", f"in force ({state['in_force_source']}):"]
        for m in state["in_force"]:
            if "instrument" in m:
                lines.append(f"  {m['instrument']} {m['rate_pct']}% ({m['rule']})")
                continue
            rule = m.get("rule") or {}
            rate = rule.get("rate") if rule.get("rate") is not None else rule.get("all_in")
            shown = "" if rate is None else f" [{rule.get('kind')} {100 * rate:g}%]"
            lines.append(f"  {m.get('id')}: {m.get('title')}{shown}")
        lines.append(f"on the table: {', '.join(state['on_the_table']) or '-'}")
        lines += [f"  threat: {t['text']} (from {t['effective']})" for t in state["pending_threats"]]
        _emit(state, fmt, out, "\n".join(lines))
        return
    payload = rec.model_dump(mode="json")
    lines = []
    for r in rec.rounds:
        dur = f"{r.duration_min} min" if r.duration_min else "-"
        lines.append(
            f"{r.date}  {r.id:20} {r.place:28} {dur:>8}  {', '.join(r.participants)}\n"
            f"            on: {'; '.join(r.on_agenda)}"
            + (f" | off: {'; '.join(r.off_agenda)}" if r.off_agenda else "")
            + (f"\n            -> {r.outcome}" if r.outcome else "")
        )
    lines.append("court rulings:")
    lines += [f"{c.date}  {c.court}: {c.case} — {c.holding}" for c in rec.courts]
    if rec.deal_terms is not None:
        lines.append(f"deal of {rec.deal_terms.date} ({rec.deal_terms.implemented_by}):")
        lines += [f"  - {t}" for t in rec.deal_terms.terms]
    _emit(payload, fmt, out, "\n".join(lines))


@app.command("deals")
def deals_cmd(
    record: Path | None = typer.Option(
        None, "--record", help="deal record YAML (default: the packaged record)"
    ),
    fmt: str = typer.Option("table", "--format", help="table or json"),
    out: Path | None = _out_option(),
) -> None:
    """The 2025–2026 framework deals: threat, agreed rate, caps, investment, purchases, with sources."""
    from tarifflab.negotiation.deals import load_deals

    _check_format(fmt)
    deals = load_deals(record)
    payload = {"deals": [d.model_dump(mode="json") for d in deals]}
    lines = [
        f"{'partner':20} {'first date':10} {'threat%':>7} {'agreed%':>7} {'all-in':>6} {'invest $bn':>10}  threat basis"
    ]
    for d in deals:
        invest = "-" if d.investment.value is None else f"{d.investment.value:g}"
        lines.append(
            f"{d.partner:20} {d.first_date.isoformat():10} {d.threat_rate_pct:7g} {d.agreed_rate_pct:7g} "
            f"{'yes' if d.agreed.all_in else 'no':>6} {invest:>10}  {d.threat.basis}"
        )
    _emit(payload, fmt, out, "\n".join(lines))


@app.command("predict")
def predict_cmd(
    pair: str = typer.Argument(..., help="negotiating pair with a recorded deal, e.g. us-japan"),
    exclude_own_deal: bool = typer.Option(
        False, "--exclude-own-deal", help="calibrate without this partner's deal (leave-one-out)"
    ),
    draws: int = typer.Option(20, "--draws", help="bootstrap draws for the interval (0: none)"),
    record: Path | None = typer.Option(
        None, "--record", help="deal record YAML (default: the packaged record)"
    ),
    model: str = typer.Option("reduced-form", "--model", help=CALIBRATION_MODEL_HELP),
    fmt: str = typer.Option("json", "--format", help="json or table"),
    out: Path | None = _out_option(),
) -> None:
    """Predicted agreed headline rate, auto rate (where the deal set an auto cap) and investment pledge
    (where the deal pledged), each with a 90% interval (revealed-preference calibration on the recorded
    deals; docs/negotiation.md §8)."""
    from tarifflab.negotiation.calibration import predict
    from tarifflab.negotiation.calibration_ge import check_model, curves_for, prediction_payload
    from tarifflab.negotiation.deals import get_deal, load_deals

    _check_format(fmt)
    check_model(model)
    if draws < 0:
        raise InvalidInputError(f"--draws must be non-negative, got {draws}")
    deal = get_deal(pair, record)
    if model == "ge":
        deals = load_deals(record)
        ge = prediction_payload(deal, deals, curves_for(deals), exclude_own_deal, draws)
        low, high = cast(list[float], ge["interval_pct"])
        pledge = cast(float | None, ge["predicted_pledge_usd_bn"])
        in_force = ", ".join(cast(list[str], ge["deals_in_force"])) or "none"
        table = (
            f"{deal.partner}: predicted {cast(float, ge['predicted_rate_pct']):.1f}% [{low:.1f}, {high:.1f}] "
            f"(threat {deal.threat_rate_pct:g}%, actual {deal.agreed_rate_pct:g}%; GE payoffs: "
            f"{ge['payoff_source']}, deals in force: {in_force})"
            + (
                ""
                if pledge is None
                else f"\n  pledge: predicted ${pledge:.0f}bn (actual ${ge['actual_pledge_usd_bn']}bn)"
            )
            + "".join(f"\n  note: {n}" for n in cast(list[str], ge["notes"]))
        )
        _emit(ge, fmt, out, table)
        return
    result = predict(deal, load_deals(record), exclude_own=exclude_own_deal, draws=draws)
    payload = result.to_dict()
    low, high = result.interval_pct
    table = (
        f"{deal.partner}: predicted {result.predicted_rate_pct:.1f}% [{low:.1f}, {high:.1f}] "
        f"(threat {result.threat_rate_pct:g}%, actual {result.actual_rate_pct:g}%"
        + (", own deal excluded)" if exclude_own_deal else ")")
    )
    if result.auto is not None:
        a = result.auto
        table += f"\n  autos: predicted {a.predicted:.1f}% [{a.interval[0]:.1f}, {a.interval[1]:.1f}] (actual cap {a.actual:g}%)"
    if result.pledge is not None:
        g = result.pledge
        table += f"\n  pledge: predicted ${g.predicted:.0f}bn [{g.interval[0]:.0f}, {g.interval[1]:.0f}] (actual ${g.actual:g}bn)"
    table += "".join(f"\n  note: {n}" for n in result.notes)
    _emit(payload, fmt, out, table)


@app.command("backtest")
def backtest_cmd(
    record: Path | None = typer.Option(
        None, "--record", help="deal record YAML (default: the packaged record)"
    ),
    model: str = typer.Option("reduced-form", "--model", help=CALIBRATION_MODEL_HELP),
    fmt: str = typer.Option("csv", "--format", help="csv or json"),
    out: Path | None = _out_option(),
) -> None:
    """Leave-one-out back-test of the headline rate on the recorded deals, with two naive baselines."""
    import csv
    import io

    from tarifflab.negotiation.calibration import backtest
    from tarifflab.negotiation.calibration_ge import backtest_ge, check_model, curves_for
    from tarifflab.negotiation.deals import load_deals

    if fmt not in ("csv", "json"):
        raise InvalidInputError(f"unknown format {fmt!r}; use csv or json")
    check_model(model)
    deals = load_deals(record)
    if model == "ge":
        curves = curves_for(deals)
        sources = {c.partner: c.payoff_source for c in curves}
        rows, mae = backtest(deals, headline_pct=backtest_ge(curves), payoff_model="ge")
        rows = [replace(r, payoff_model=sources[r.partner]) for r in rows]
    else:
        rows, mae = backtest(deals)
    columns = [
        "partner", "actual_rate_pct", "predicted_rate_pct", "threat_rate_pct",
        "best_constant_rate_pct", "threat_halved_pct",
        "actual_auto_rate_pct", "predicted_auto_rate_pct",
        "actual_pledge_usd_bn", "predicted_pledge_usd_bn", "median_pledge_usd_bn",
        "proportional_pledge_usd_bn", "imports_rule_pledge_usd_bn", "payoff_model",
    ]  # fmt: skip
    if fmt == "json":
        _emit({"rows": [r.__dict__ for r in rows], "mae": mae}, "json", out)
        return

    def cell(value: float | str | None) -> str:
        return "" if value is None else value if isinstance(value, str) else f"{value:.2f}"

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for r in rows:
        writer.writerow([r.partner] + [cell(getattr(r, c)) for c in columns[1:]])
    # the MAE row: each prediction column against its actual column (blank under actuals and threats)
    writer.writerow(["MAE"] + [cell(mae.get(c)) for c in columns[1:]])
    _emit({}, "table", out, buf.getvalue().rstrip("\n"))


@app.command("what-would-it-take")
def what_would_it_take_cmd(
    pair: str = typer.Argument(..., help="negotiating pair"),
    target: str = typer.Option(
        ..., "--target", help='lever values the partner wants, e.g. "us_auto_rate=0.10"'
    ),
    disagreement: str = typer.Option(DEFAULT_DISAGREEMENT, "--disagreement", help="package of no deal"),
    grid: Path | None = typer.Option(None, "--grid", help="grid YAML (default: the built-in grid)"),
    model: str = typer.Option("ossa", "--model", help=MODEL_HELP),
    workers: int = typer.Option(
        1, "--workers", help="worker processes (a local Dask cluster) for the multi-sector model"
    ),
    tariffs: str | None = typer.Option(None, "--tariffs", help=TARIFFS_HELP),
    date: str | None = typer.Option(None, "--date", help=TARIFF_DATE_HELP),
    elasticity_bands: bool = typer.Option(
        False,
        "--elasticity-bands",
        help="repeat on the multi-sector model with each of its eight elasticity sources and report the "
        "band (needs --model multi-sector)",
    ),
    fmt: str = typer.Option("table", "--format", help="table or json"),
    out: Path | None = _out_option(),
) -> None:
    """The partner's best package, in dollars, that gives TARGET and that the US accepts; both sides'
    reservation values (their no-deal payoffs); with --elasticity-bands, across the eight elasticity
    sources of the multi-sector model."""
    from tarifflab.negotiation.analysis import what_would_it_take
    from tarifflab.negotiation.packages import (
        builtin_packages,
        default_disagreement,
        get_package,
        load_grid,
        parse_setting,
    )

    _check_format(fmt)
    wanted = dict(parse_setting(t.strip()) for t in target.split(",") if t.strip())
    if not wanted:
        raise InvalidInputError('--target needs at least one LEVER=VALUE, e.g. "us_auto_rate=0.10"')
    if elasticity_bands and model != "multi-sector":
        raise InvalidInputError(
            "--elasticity-bands needs --model multi-sector (the eight sources are its own)"
        )
    source, on = _tariff_options(model, tariffs, date)
    pm = _payoff_model(pair, model, workers, None, None, source, on)
    builtin = builtin_packages(pm.pair)
    if disagreement == DEFAULT_DISAGREEMENT and disagreement not in builtin:
        disagreement = default_disagreement(builtin)
    d = builtin[disagreement] if disagreement in builtin else get_package(pm.pair, disagreement)
    packages = load_grid(pm.pair, grid)
    if elasticity_bands:
        _what_would_it_take_bands(pm, pair, workers, packages, wanted, d, fmt, out, (source, on))
        return
    result = what_would_it_take(pm, packages, wanted, d)
    payload = result.to_dict(pm.pair)
    payload["model"] = model
    payload.update(_tariff_payload(pm))
    if payload["tariffs"] == "engine" and result.best is not None:
        payload["best_scenario_hash"] = _tariff_payload(pm, result.best.levers)["package_scenario_hash"]
    us, partner = pm.pair.players
    res = result.reservation
    lines = [
        f"target {wanted}; {result.packages_considered} packages, {result.packages_accepted} accepted by {us}",
        f"reservation values (no deal: {d.name}), USD bn a year: {us} {res[us]:+.2f}  {partner} {res[partner]:+.2f}",
    ]
    if result.best is None:
        lines.append(
            f"no package of the grid gives the target and leaves {us} at least its reservation value"
        )
    else:
        u = result.best.utility
        lines.append(f"best for {partner}: {us} {u[us]:+.2f}  {partner} {u[partner]:+.2f}")
        lines.append("  " + _lever_line(pm.pair, result.best.levers))
    _emit(payload, fmt, out, "\n".join(lines))


def _what_would_it_take_bands(
    pm: Any,
    pair: str,
    workers: int,
    packages: Any,
    wanted: dict[str, float],
    d: Any,
    fmt: str,
    out: Path | None,
    tariff_options: tuple[str | None, Any] = (None, None),
) -> None:
    """``what-would-it-take --elasticity-bands``: one multi-sector model per elasticity source."""
    from tarifflab.models.ge.multi_sector_data import ELASTICITY_SOURCES
    from tarifflab.negotiation.analysis import what_would_it_take_bands

    source, on = tariff_options
    models = {
        src: pm if src == "CP" else _payoff_model(pair, "multi-sector", workers, src, None, source, on)
        for src in ELASTICITY_SOURCES
    }
    result = what_would_it_take_bands(models, packages, wanted, d)
    payload = result.to_dict(pm.pair)
    payload["model"] = "multi-sector"
    payload.update(_tariff_payload(pm))
    us, partner = pm.pair.players
    band = result.band(pm.pair)

    def span(value: tuple[float, float] | None) -> str:
        return "-" if value is None else f"[{value[0]:+.2f}, {value[1]:+.2f}]"

    lines = [
        f"target {wanted}; {len(ELASTICITY_SOURCES)} elasticity sources of the multi-sector model; USD bn a year",
        f"{'source':6} {'accepted':>8} {'reserv. ' + us:>14} {'reserv. ' + partner:>14} {'best ' + us:>10} {'best ' + partner:>10}",
    ]
    for src, r in result.by_source.items():
        best = r.best
        lines.append(
            f"{src:6} {r.packages_accepted:8d} {r.reservation[us]:+14.2f} {r.reservation[partner]:+14.2f} "
            + (
                "       -          -"
                if best is None
                else f"{best.utility[us]:+10.2f} {best.utility[partner]:+10.2f}"
            )
        )
    rv, pay = band["reservation_value_usd_bn"], band["payoffs_usd_bn"]
    lines.append(f"band of reservation values: {us} {span(rv[us])}  {partner} {span(rv[partner])}")
    lines.append(f"band of the best package's payoffs: {us} {span(pay[us])}  {partner} {span(pay[partner])}")
    if not payload["feasible_in"]:
        lines.append(
            f"under no source does a package of the grid give the target and leave {us} its reservation value"
        )
    elif payload["same_package_in_all"] and (first := next(iter(result.by_source.values())).best):
        lines.append("the same package is best under every source: " + _lever_line(pm.pair, first.levers))
    else:
        lines.append("the best package differs across sources (see --format json, by_source)")
    _emit(payload, fmt, out, "\n".join(lines))


@app.command("calibrate")
def calibrate_cmd(
    draws: int = typer.Option(40, "--draws", help="bootstrap draws for the 90% intervals (0: none)"),
    record: Path | None = typer.Option(
        None, "--record", help="deal record YAML (default: the packaged record)"
    ),
    model: str = typer.Option("reduced-form", "--model", help=CALIBRATION_MODEL_HELP),
    fmt: str = typer.Option("table", "--format", help="table or json"),
    out: Path | None = _out_option(),
) -> None:
    """Revealed-preference calibration on the recorded deals: estimates, bootstrap intervals, fit, and the
    parameters the data cannot identify (GE payoffs with deals in sequence, or the fast reduced-form
    bargaining model; docs/negotiation.md §8)."""
    from tarifflab.negotiation.calibration import calibrate
    from tarifflab.negotiation.calibration_ge import check_model
    from tarifflab.negotiation.deals import load_deals

    _check_format(fmt)
    check_model(model)
    if draws < 0:
        raise InvalidInputError(f"--draws must be non-negative, got {draws}")
    if model == "ge":
        _calibrate_ge(load_deals(record), draws, fmt, out)
        return
    result = calibrate(load_deals(record), draws=draws)
    payload, lines = _calibration_report(
        result,
        draws,
        "reduced-form quadratic PE bargaining model (tarifflab.negotiation.calibration)",
        header=f"{len(result.partners)} deals, in-sample MAE {result.mae_pct:.2f} pp, {draws} bootstrap draws",
    )
    _emit(payload, fmt, out, "\n".join(lines))


def _calibration_report(
    result: CalibrationSummary,
    draws: int,
    payoff_model: str,
    header: str,
    extra: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """The JSON payload and table lines of ``negotiate calibrate`` for either calibration's result;
    ``extra`` keys go after the fit (before ``draws``)."""
    values = result.parameters.to_dict()
    intervals = result.intervals()
    unidentified = result.unidentified()
    payload: dict[str, Any] = {
        "parameters": values,
        "interval_90": {k: list(v) for k, v in intervals.items()},
        "unidentified": unidentified,
        "in_sample_mae_pct": result.mae_pct,
        "fitted_pct": result.fitted_pct,
        "actual_pct": result.actual_pct,
        **(extra or {}),
        "draws": draws,
        "payoff_model": payoff_model,
    }
    lines = [header]
    for name in result.parameter_names:
        low_high = intervals.get(name)
        band = "" if low_high is None else f"  [{low_high[0]:.3f}, {low_high[1]:.3f}]"
        note = f"  not identified: {unidentified[name]}" if name in unidentified else ""
        lines.append(f"{name:24} {values[name]:8.3f}{band}{note}")
    return payload, lines


def _calibrate_ge(deals: Any, draws: int, fmt: str, out: Path | None) -> None:
    """``negotiate calibrate --model ge``: the calibration on the GE payoff curves (deals in sequence)."""
    from tarifflab.negotiation.calibration_ge import PAYOFF_MODEL, calibrate_ge, curves_for

    result = calibrate_ge(curves_for(deals), draws=draws)
    payload, lines = _calibration_report(
        result,
        draws,
        PAYOFF_MODEL,
        header=(
            f"{len(result.partners)} deals, GE payoffs, in-sample MAE {result.mae_pct:.2f} pp, "
            f"{draws} bootstrap draws"
        ),
        extra={"payoff_source": result.payoff_source, "deals_in_force": result.in_force},
    )
    proxied = {p: s for p, s in result.payoff_source.items() if s != "GE"}
    if proxied:
        lines.append(
            "mapped to the model's rest of the world: " + ", ".join(f"{p} ({s})" for p, s in proxied.items())
        )
    _emit(payload, fmt, out, "\n".join(lines))
