"""``tarifflab negotiate``: levers, package evaluation, frontier and bargaining, trade wars, the record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from tarifflab._io import write_text_atomic
from tarifflab.errors import InvalidInputError, UnknownCountryError
from tarifflab.nomenclature.countries import to_iso3

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
    "utility: points of each negotiator's utility; at the default weights 1 point = 1% of real income "
    "(balance and tariff revenue count per USD bn where a side weights them; docs/negotiation.md)"
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
DEFAULT_DISAGREEMENT = "no_deal_july_letter"  # pairs without it fall back to liberation_day_annex
DEFAULT_ACTUAL = "july_2025_deal"  # pairs without it report no actual deal
MODEL_HELP = "payoff model: ossa (Ossa 2014 model on the embedded ICIO aggregate, batched) or multi-sector (the GE model with input-output links)"


def _payoff_model(pair_name: str, model: str = "ossa", workers: int = 1) -> Any:
    from tarifflab.negotiate import payoff_model

    return payoff_model(pair_name, model, workers)  # type: ignore[arg-type]


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
    table = "\n".join(f"{name:24} {v.description}" for name, v in pk.items())
    _emit(payload, fmt, out, table)


@app.command("evaluate")
def evaluate_cmd(
    pair: str = typer.Argument(..., help="negotiating pair"),
    package: str = typer.Option(..., "--package", help="built-in package name or a YAML file" + LAW_HELP),
    model: str = typer.Option("ossa", "--model", help=MODEL_HELP),
    fmt: str = typer.Option("table", "--format", help="table or json"),
    out: Path | None = _out_option(),
    output: Path | None = _deprecated_output_option(),
    scenario: list[Path] = typer.Option([], "--scenario", help=SCENARIO_HELP, dir_okay=False),
) -> None:
    """Outcomes and utilities of one package."""
    from tarifflab.negotiation.analysis import evaluate

    _check_format(fmt)
    _require_law(scenario, package)
    pm = _payoff_model(pair, model)
    hashes: dict[str, str | None] = {"scenario_hash": None}
    pk = _package(pm.pair, package, scenario, hashes)
    ev = evaluate(pm, pk)
    payload = {**ev.to_dict(pm.pair), **hashes}
    lines = [
        f"package {pk.name}: {pk.description} ({model} model)",
        "real income, CPI, sector output: percent change from the status quo; balance, revenue: USD bn "
        f"(change in brackets). {UTILITY_NOTE}",
    ]
    for c, o in ev.outcomes.items():
        lines.append(
            f"{c}: utility {ev.utility[c]:+.3f}  real income {o.real_income_pct:+.3f}%  CPI {o.cpi_pct:+.3f}%  "
            f"balance {o.bilateral_balance_usd_bn:+.1f} bn ({o.balance_change_usd_bn:+.1f})  "
            f"revenue {o.tariff_revenue_usd_bn:.1f} bn ({o.revenue_change_usd_bn:+.1f})  "
            + "  ".join(f"{k} {v:+.2f}%" for k, v in o.sector_output_pct.items())
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
    workers: int = typer.Option(1, "--workers", help="worker processes for the multi-sector model"),
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
    from tarifflab.negotiation.packages import builtin_packages, load_grid

    _check_format(fmt)
    _require_law(scenario, disagreement, actual)
    hashes: dict[str, str | None] = {"scenario_hash": None}
    pm = _payoff_model(pair, model, workers)
    packages = load_grid(pm.pair, grid)
    builtin = builtin_packages(pm.pair)
    if disagreement == DEFAULT_DISAGREEMENT and disagreement not in builtin:
        disagreement = "liberation_day_annex" if "liberation_day_annex" in builtin else "status_quo_2024"
    if actual == DEFAULT_ACTUAL and actual not in builtin:
        actual = ""
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
    payload = {**rep.to_dict(max_frontier), **hashes}
    us, partner = pm.pair.players
    du, dp = rep.disagreement.utility[us], rep.disagreement.utility[partner]
    lines = [
        f"{len(packages)} packages, {len(rep.frontier_index)} on the frontier ({rep.seconds:.1f} s)",
        f"disagreement ({d.name}): {us} {du:+.3f}  {partner} {dp:+.3f}",
    ]
    if not rep.mutually_beneficial:
        lines.append(str(payload["message"]))
    for name, sol in rep.solutions.items():
        lines.append(f"{name:18} {us} {sol.point[0]:+.3f}  {partner} {sol.point[1]:+.3f}")
    pos = payload["actual_deal"]
    if isinstance(pos, dict):
        pay = pos["payoffs"]
        lines.append(
            f"actual deal: {us} {pay[us]:+.3f}  {partner} {pay[partner]:+.3f}  dominated by {pos['dominated_by']} packages"
        )
    _emit(payload, fmt, _target(out, output), "\n".join(lines))


@app.command("concessions")
def concessions_cmd(
    pair: str = typer.Argument(..., help="negotiating pair"),
    deal: str = typer.Option("july_2025_deal", "--deal", help="the deal package"),
    model: str = typer.Option("ossa", "--model", help=MODEL_HELP),
    reference: str = typer.Option(
        "no_deal_july_letter", "--reference", help="package each lever is reset to"
    ),
    fmt: str = typer.Option("table", "--format", help="table or json"),
    out: Path | None = _out_option(),
    scenario: list[Path] = typer.Option([], "--scenario", help=SCENARIO_HELP, dir_okay=False),
) -> None:
    """What each concession of a deal was worth to each side (utility points)."""
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
        f"What each concession of {deal} was worth ({model} model): the change in each side's utility "
        f"when that lever alone is reset to {reference}",
        f"(negative = the lever, as set in the deal, helps that side). {UTILITY_NOTE}",
        "",
        f"{'lever':34} {us + ' (points)':>16} {partner + ' (points)':>16}",
    ] + [f"{k:34} {v[us]:+16.4f} {v[partner]:+16.4f}" for k, v in values.items() if k != "scenario_hash"]
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
