"""The Budget Lab's published ETR rebuilt line by line from its own inputs, and our gap to it by measure.

The Budget Lab's figure is its 2024 effective rate plus the change its Tariff-ETRs calculator gives
(:mod:`tarifflab.data.budget_lab`). The calculator works on shares of (partner group, GTAP sector) cells;
its rate is constant within an HS6 code and partner group, so on the same import weights the cell
arithmetic equals a sum over lines. :func:`budget_lab_line_rates` therefore gives every 2024 HTS10 ×
partner line of ours the rate the calculator implies:

* baseline: the line's 2024 calculated duty / imports (MFN after preferences, Section 301 as collected);
* Section 232: for each program whose HS6 list holds the line, its partner-group rate on full value, less
  the auto rebate (rebate × US assembly share) for vehicle programs, times (1 − USMCA share) for Canada
  and Mexico where the program is USMCA-exempt (the share times the US content share for vehicles);
* IEEPA: the GTAP-sector × partner-group rate on the share no 232 program covers (1 − programs listing
  the HS6), times (1 − USMCA share) for Canada and Mexico.

:func:`gap_by_measure` splits ours − theirs, line by line, into named measures; each line's contribution
is imports × (our rate − theirs) / total imports, in percentage points of the overall ETR.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from tarifflab.data import budget_lab
from tarifflab.data.budget_lab import AUTO_PROGRAMS, PARTNER_GROUPS, TariffEtrsScenario
from tarifflab.data.census import census_iso3_table

BL_COLUMNS = [
    "group",
    "gtap",
    "programs",
    "bl_baseline_rate",
    "bl_s232_rate",
    "bl_ieepa_rate",
    "bl_total_rate",
]
GROUP_NAMES = {
    "china": "China",
    "canada": "Canada (USMCA share by GTAP sector)",
    "mexico": "Mexico (USMCA share by GTAP sector)",
    "japan": "Japan",
    "uk": "United Kingdom",
    "eu": "EU",
    "ftrow": "FTA partners (Korea folded in)",
    "row": "other partners (Viet Nam folded in)",
}
MEASURE_COLUMNS = ["measure", "lines", "imports_bn_usd", "ours_pp", "budget_lab_pp", "gap_pp"]


def partner_group_of(partners: pd.Series, groups: Mapping[str, str] | None = None) -> pd.Series:
    """The calculator's partner group of each of our partners (ISO3; ``EUN`` = EU aggregate)."""
    if groups is None:
        table = census_iso3_table()
        by_census = budget_lab.partner_groups()
        groups = {
            iso: str(by_census[code])
            for code, iso in zip(table["cty_code"], table["iso3"], strict=True)
            if code in by_census.index
        }
        groups = {**groups, "EUN": "eu"}
    return partners.map(lambda p: groups.get(str(p), "row")).astype(str)


def _program_family(name: str) -> str:
    for key, family in (
        ("mhd", "trucks, buses and their parts"),
        ("buses", "trucks, buses and their parts"),
        ("automobile_parts", "auto parts"),
        ("automobiles", "passenger vehicles"),
        ("aluminum", "aluminium and derivatives"),
        ("steel", "steel"),
        ("copper", "copper"),
        ("softwood", "wood products"),
        ("furniture", "wood products"),
        ("cabinets", "wood products"),
    ):
        if key in name:
            return family
    return name


def budget_lab_line_rates(
    lines: pd.DataFrame,
    observed_rate: np.ndarray,
    scenario: TariffEtrsScenario,
    *,
    with_ieepa: bool = True,
    gtap: pd.Series | None = None,
    usmca: pd.DataFrame | None = None,
    groups: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The calculator's rate on each line (fractions of customs value); columns :data:`BL_COLUMNS`.

    ``lines`` needs hs10 and partner; ``observed_rate`` is each line's 2024 duty / imports. ``gtap``
    (HS6 → GTAP sector), ``usmca`` (GTAP sector × canada/mexico) and ``groups`` (partner → group) default
    to the Budget Lab's files. ``programs`` names the 232 programs whose list holds the line (``;``).
    """
    sectors = budget_lab.hs6_to_gtap() if gtap is None else gtap
    shares = budget_lab.usmca_sector_shares() if usmca is None else usmca
    params = scenario.parameters
    hs6 = lines["hs10"].astype(str).str[:6]
    group = partner_group_of(lines["partner"], groups).to_numpy()
    sector = sectors.reindex(hs6.to_numpy()).fillna("").to_numpy(dtype=str)
    n = len(lines)
    usmca_share = np.zeros(n)
    for column in ("canada", "mexico"):
        mine = group == column
        usmca_share[mine] = shares[column].reindex(sector[mine]).fillna(0.0).to_numpy()
    north_america = np.isin(group, ("canada", "mexico"))
    s232 = np.zeros(n)
    listed = np.zeros(n)
    names = np.full(n, "", dtype=object)
    for program in scenario.programs:
        mask = hs6.isin(set(program.definite)).to_numpy()
        if not mask.any():
            continue
        rate = pd.Series(group[mask]).map(dict(program.rates)).fillna(0.0).to_numpy()
        content = 1.0
        if program.name in AUTO_PROGRAMS:
            rate = rate - params.auto_rebate_rate * params.us_auto_assembly_share
            content = params.us_auto_content_share
        if program.usmca_exempt:
            exempt = north_america[mask]
            rate = np.where(exempt, rate * (1 - usmca_share[mask] * content), rate)
        s232[mask] += rate
        listed[mask] += 1
        names[mask] = np.where(names[mask] == "", program.name, names[mask] + ";" + program.name)
    ieepa = np.zeros(n)
    if with_ieepa:
        table = scenario.ieepa
        for column in PARTNER_GROUPS:
            mine = group == column
            ieepa[mine] = table[column].reindex(sector[mine]).fillna(0.0).to_numpy()
        if params.ieepa_usmca_exception:
            ieepa = np.where(north_america, ieepa * (1 - usmca_share), ieepa)
        ieepa = ieepa * (1 - listed)  # the residual base: the share no 232 program covers
    observed = np.asarray(observed_rate, dtype="float64")
    return pd.DataFrame(
        {
            "group": group,
            "gtap": sector,
            "programs": names.astype(str),
            "bl_baseline_rate": observed,
            "bl_s232_rate": s232,
            "bl_ieepa_rate": ieepa,
            "bl_total_rate": observed + s232 + ieepa,
        },
        index=lines.index,
    )


def _ieepa_measure(ours: np.ndarray, theirs: np.ndarray, group: np.ndarray, sector: np.ndarray) -> np.ndarray:
    names = np.array([f"IEEPA rate level: {GROUP_NAMES.get(g, g)}" for g in group], dtype=object)
    names[(ours <= 0) & (theirs > 0)] = (
        "IEEPA: lines we exempt (Annex II, ITA electronics, …) that its sector rate charges"
    )
    names[(ours > 0) & (theirs <= 0)] = "IEEPA: lines of sectors it rates at zero that we charge"
    names[sector == ""] = "IEEPA: ch. 98/99 lines outside its HS6-GTAP crosswalk (no IEEPA rate there)"
    return names


def gap_by_line(ours: pd.DataFrame, theirs: pd.DataFrame) -> pd.DataFrame:
    """Ours − the Budget Lab's rate on each line, split into measures (long: a line can have up to three).

    ``ours`` is :meth:`TariffEngine.evaluate` output; ``theirs`` is :func:`budget_lab_line_rates` on the
    same lines. Columns: hs10, partner, imports_usd, measure, ours_pct, budget_lab_pct, contribution_pp
    (pp of the overall ETR). The measures sum to ours − theirs over all lines.
    """
    total = float(ours["imports_usd"].sum())
    imports = ours["imports_usd"].to_numpy(dtype="float64")
    layer = {c: ours[c].to_numpy(dtype="float64") for c in ours.columns if c.endswith("_rate")}
    zero = np.zeros(len(ours))
    pre_2025 = layer["mfn_rate"] + layer["s301_rate"] + layer.get("s201_rate", zero)
    ours_ieepa = layer["reciprocal_rate"] + layer["fentanyl_rate"] + layer.get("s338_rate", zero)
    group = theirs["group"].to_numpy(dtype=str)
    programs = theirs["programs"].to_numpy(dtype=str)
    in_232 = programs != ""
    china = ours["partner"].to_numpy(dtype=str) == "CHN"
    base_name = np.where(
        china,
        "pre-2025 layers, China: our MFN + s.301 against its 2024 duties collected",
        "pre-2025 layers: our MFN (+ s.201) against its 2024 duties collected",
    )
    family = np.array([_program_family(p.split(";")[0]) for p in programs], dtype=object)
    listed_name = np.array(
        [f"s.232 {f}: its HS6 list, full value (all layers on these lines)" for f in family]
    )
    parts = [
        (base_name, pre_2025, theirs["bl_baseline_rate"].to_numpy(), np.ones(len(ours), dtype=bool)),
        (
            listed_name,
            layer["s232_rate"] + ours_ieepa,
            theirs["bl_s232_rate"].to_numpy() + theirs["bl_ieepa_rate"].to_numpy(),
            in_232,
        ),
        (
            np.full(len(ours), "our s.232 on lines outside its HS6 lists", dtype=object),
            layer["s232_rate"],
            zero,
            ~in_232 & (layer["s232_rate"] > 0),
        ),
        (
            _ieepa_measure(
                ours_ieepa, theirs["bl_ieepa_rate"].to_numpy(), group, theirs["gtap"].to_numpy(dtype=str)
            ),
            ours_ieepa,
            theirs["bl_ieepa_rate"].to_numpy(),
            ~in_232,
        ),
    ]
    frames = []
    for names, mine, theirs_rate, mask in parts:
        keep = mask & ((np.abs(mine) > 1e-12) | (np.abs(theirs_rate) > 1e-12))
        frames.append(
            pd.DataFrame(
                {
                    "hs10": ours["hs10"].to_numpy()[keep],
                    "partner": ours["partner"].to_numpy()[keep],
                    "imports_usd": imports[keep],
                    "measure": np.asarray(names)[keep],
                    "ours_pct": 100 * mine[keep],
                    "budget_lab_pct": 100 * theirs_rate[keep],
                    "contribution_pp": 100 * imports[keep] * (mine[keep] - theirs_rate[keep]) / total,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def summarise_gap(by_line: pd.DataFrame, total_imports: float) -> pd.DataFrame:
    """One row per measure (columns :data:`MEASURE_COLUMNS`), largest gap first; pp of the overall ETR."""
    frame = by_line.assign(
        ours_pp=by_line["ours_pct"] * by_line["imports_usd"] / total_imports,
        budget_lab_pp=by_line["budget_lab_pct"] * by_line["imports_usd"] / total_imports,
    )
    table = (
        frame.groupby("measure")
        .agg(
            lines=("hs10", "size"),
            imports_bn_usd=("imports_usd", "sum"),
            ours_pp=("ours_pp", "sum"),
            budget_lab_pp=("budget_lab_pp", "sum"),
            gap_pp=("contribution_pp", "sum"),
        )
        .reset_index()
    )
    table["imports_bn_usd"] = table["imports_bn_usd"] / 1e9
    return table.sort_values("gap_pp", key=lambda s: -s.abs()).reset_index(drop=True)[MEASURE_COLUMNS]


def top_lines(by_line: pd.DataFrame, per_measure: int = 2) -> pd.DataFrame:
    """The lines with the largest contribution in each measure, largest first."""
    ordered = by_line.assign(size=by_line["contribution_pp"].abs()).sort_values("size", ascending=False)
    return ordered.groupby("measure").head(per_measure).drop(columns="size").reset_index(drop=True)


def gtap_weighted_change(
    lines: pd.DataFrame, theirs: pd.DataFrame, weights: pd.DataFrame | None = None
) -> float:
    """The calculator's tariff change (232 + IEEPA, pp) weighted by GTAP baseline imports instead of our
    lines: each (partner group, GTAP sector) cell's import-weighted rate on our lines, times the cell's GTAP
    weight. Cells with no line of ours carry no rate and are left out of both sums."""
    gtap_weights = budget_lab.gtap_import_weights() if weights is None else weights
    cells = pd.DataFrame(
        {
            "group": theirs["group"],
            "gtap": theirs["gtap"],
            "imports": lines["imports_usd"].to_numpy(),
            "duty": lines["imports_usd"].to_numpy()
            * (theirs["bl_s232_rate"] + theirs["bl_ieepa_rate"]).to_numpy(),
        }
    )
    rates = cells.groupby(["group", "gtap"])[["imports", "duty"]].sum()
    rates = rates[rates["imports"] > 0]
    cell_rate = rates["duty"] / rates["imports"]
    long = gtap_weights.stack()
    long.index = long.index.set_names(["gtap", "group"])
    weight = long.swaplevel().reindex(cell_rate.index).fillna(0.0)
    weighted = float((cell_rate * weight).to_numpy().sum())
    return 100 * weighted / float(weight.to_numpy().sum())


def layer_base(lines: pd.DataFrame, layer: str) -> tuple[float, float, float, float]:
    """Where a layer falls: (share of imports it charges, its import-weighted mean rate there, its highest
    rate on a line, its pp of the overall ETR); shares and rates as fractions, the last in pp."""
    imports = lines["imports_usd"].to_numpy(dtype="float64")
    rate = lines[f"{layer}_rate"].to_numpy(dtype="float64")
    charged = rate > 0
    total = float(imports.sum())
    base = float(imports[charged].sum())
    mean = float((imports[charged] * rate[charged]).sum() / base) if base else 0.0
    highest = float(rate.max()) if charged.any() else 0.0
    return base / total, mean, highest, 100 * base * mean / total


METAL_CHAPTERS = ("72", "73", "74", "76")


def derivative_scope_split(by_line: pd.DataFrame, starts: str, listed: tuple[str, ...]) -> pd.DataFrame:
    """Split a 232 measure's lines by where the law puts them: articles of the metal chapters (72, 73, 74,
    76), derivatives outside them whose HTS8 is on ``listed`` (the legal derivative list, HS prefixes),
    and lines of its HS6 codes outside both. Columns: part, lines, imports_bn_usd, gap_pp."""
    chosen = by_line[by_line["measure"].str.startswith(starts)]
    hs10 = chosen["hs10"].astype(str)
    on_list = np.zeros(len(chosen), dtype=bool)
    for length in {len(p) for p in listed}:
        on_list |= hs10.str[:length].isin({p for p in listed if len(p) == length}).to_numpy()
    metal = hs10.str[:2].isin(METAL_CHAPTERS).to_numpy()
    part = np.where(
        metal,
        "articles of chapters 72, 73, 74, 76",
        np.where(on_list, "derivatives on the HTS8 list", "its HS6 codes beyond the HTS8 list"),
    )
    table = (
        chosen.assign(part=part)
        .groupby("part")
        .agg(lines=("hs10", "size"), imports_bn_usd=("imports_usd", "sum"), gap_pp=("contribution_pp", "sum"))
        .reset_index()
    )
    table["imports_bn_usd"] = table["imports_bn_usd"] / 1e9
    return table.sort_values("gap_pp", key=lambda s: -s.abs()).reset_index(drop=True)
