"""Write docs/etr-changes.md: overall and partner ETRs before and after today's engine fixes, explained.

    PYTHONPATH=src python scripts/etr_changes.py [--out docs/etr-changes.md] [--before-src CHECKOUT/src]

BEFORE is the engine at commit 412ca38 (the start of the session that fixed issues 12 and 17), checked out
read-only (by default extracted from git with `git archive 412ca38 src` into a temporary folder); it runs
in a subprocess of this same script with its own source tree first on PYTHONPATH, so the
two engines never share a process. AFTER is the code this script is run with. Both sides: 2024 import
weights, in-force view, total duty incl. MFN, exactly as `tarifflab etr` (metrics/etr.py).

Attribution: the duty of every line is split by layer (mfn, s232, reciprocal, fentanyl, s301, s201, s338)
and, inside the layers, by the measure record that charges it (the engine's per-measure contributions).
A measure present on both sides under the same id whose duty moved changed by an engine-rule fix or a
corrected record; ids on one side only were added or replaced. Every number on the page comes from this run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
BEFORE_COMMIT = "412ca38"
# Issue 17 asks for the first three, issue 12 for the last three (the trackers' comparison dates).
DATES = ("2025-10-30", "2026-01-01", "2026-02-24", "2026-04-10", "2026-06-15", "2026-09-01")
PARTNERS = ("CHN", "MEX", "CAN", "EUN", "JPN", "KOR", "TWN", "VNM", "IND", "CHE", "GBR", "BRA")
ALL_LAYERS = ("mfn", "s232", "reciprocal", "fentanyl", "s301", "s201", "s338")
# Figures issue 12 quotes for the engine it was filed against (ETR %, 2024 weights): the BEFORE side must
# reproduce them, or the page says it does not.
ISSUE_12_BEFORE = {("2025-10-30", "ALL"): 20.56, ("2026-02-24", "ALL"): 13.09, ("2026-01-01", "GBR"): 9.94}
TOP_MEASURES = 12
TOP_LINES = 4
TOP_CHAPTERS = 3


# ------------------------------------------------------------------------------------------ one side
def snapshot(on: str, old_s301_max: bool) -> tuple[pd.DataFrame, pd.DataFrame] | str:
    """Line layer rates and per-measure duty by partner of the engine importable here, or the refusal.

    Uses only API both engines share (``TariffEngine.default``, ``lines``, ``_evaluate``). With
    ``old_s301_max`` the s.301 contributions are reduced to the highest programme per line, as the old
    engine's layer total did (it took the maximum without zeroing the other programmes' contributions).
    """
    from tarifflab.errors import InvalidDateError
    from tarifflab.policy.engine import LAYERS, TariffEngine, View, parse_date

    try:
        day = parse_date(on)
    except InvalidDateError as refused:
        return str(refused)
    engine = TariffEngine.default()
    lines = engine.lines
    totals, contributions = engine._evaluate(lines, day, View.IN_FORCE, None, True)
    imports = lines["imports_usd"].to_numpy(dtype="float64")
    codes, partners = pd.factorize(lines["partner"].astype(str).to_numpy())
    if old_s301_max:
        by_program: dict[str, list] = {}
        for contribution in contributions:
            if contribution.measure.layer.value == "s301":
                by_program.setdefault(contribution.measure.program, []).append(contribution)
        if by_program:
            sums = {p: np.sum([c.rate for c in cs], axis=0) for p, cs in by_program.items()}
            best = np.max(list(sums.values()), axis=0)
            taken = np.zeros(len(lines), dtype=bool)
            for program, rate in sums.items():
                keep = (rate >= best) & ~taken & (rate > 0)
                taken |= keep
                for contribution in by_program[program]:
                    contribution.rate = np.where(keep, contribution.rate, 0.0)
    out = lines[["hs10", "partner", "imports_usd"]].copy()
    out["partner"] = out["partner"].astype(str)
    for layer in LAYERS:
        out[f"{layer}_rate"] = totals[layer]
    out["total_rate"] = totals["total"]
    rows = []
    attributed = {layer: np.zeros(len(lines)) for layer in LAYERS}
    for contribution in contributions:
        measure = contribution.measure
        layer = measure.layer.value
        attributed[layer] = attributed[layer] + contribution.rate
        duty = np.bincount(codes, weights=imports * contribution.rate, minlength=len(partners))
        for index in np.flatnonzero(duty):
            rows.append(
                (measure.id, layer, measure.heading or "", measure.legal_basis, partners[index], duty[index])
            )
    for layer in LAYERS:
        if layer == "mfn":
            continue
        # Whatever the contributions do not explain (none expected) is shown, not dropped.
        residual = np.bincount(
            codes, weights=imports * (totals[layer] - attributed[layer]), minlength=len(partners)
        )
        for index in np.flatnonzero(np.abs(residual) > 1.0):
            rows.append((f"({layer} rule residual)", layer, "", "", partners[index], residual[index]))
    measures = pd.DataFrame(
        rows, columns=["measure", "layer", "heading", "legal_basis", "partner", "duty_usd"]
    )
    measures = measures.groupby(
        ["measure", "layer", "heading", "legal_basis", "partner"], as_index=False
    ).sum()
    return out, measures


def dump(folder: Path, old_s301_max: bool) -> None:
    """Write every date's snapshot to ``folder`` (the BEFORE subprocess's entry point)."""
    from tarifflab.policy.engine import TariffEngine

    ids = sorted(m.id for m in TariffEngine.default().library.measures)
    (folder / "measure_ids.txt").write_text("\n".join(ids), encoding="utf-8")
    for on in DATES:
        result = snapshot(on, old_s301_max)
        if isinstance(result, str):
            (folder / f"{on}.refused.txt").write_text(result, encoding="utf-8")
            continue
        lines, measures = result
        lines.to_parquet(folder / f"{on}.lines.parquet")
        measures.to_parquet(folder / f"{on}.measures.parquet")


def before_side(before_src: Path) -> tuple[dict[str, tuple[pd.DataFrame, pd.DataFrame] | str], set[str]]:
    """Run the old engine in a subprocess; read back its snapshots and its library's measure ids."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONPATH": str(before_src)}
        subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--dump", tmp, "--old-s301-max"],
            check=True,
            env=env,
            cwd=tmp,
        )
        out: dict[str, tuple[pd.DataFrame, pd.DataFrame] | str] = {}
        for on in DATES:
            refused = Path(tmp) / f"{on}.refused.txt"
            if refused.exists():
                out[on] = refused.read_text(encoding="utf-8")
            else:
                out[on] = (
                    pd.read_parquet(Path(tmp) / f"{on}.lines.parquet"),
                    pd.read_parquet(Path(tmp) / f"{on}.measures.parquet"),
                )
        ids = set((Path(tmp) / "measure_ids.txt").read_text(encoding="utf-8").split())
        return out, ids


# ------------------------------------------------------------------------------------------ the page
def _pct(value: float | None) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.2f}"


def _signed(value: float | None, digits: int = 2) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:+.{digits}f}"


def _cell(text: object) -> str:
    return str(text).replace("|", "/").replace("\n", " ")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
        *("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows),
        "",
    ]


def _etr(lines: pd.DataFrame, partner: str | None = None) -> tuple[float, float, float]:
    """(imports, duty, ETR %) of all lines or of one partner's."""
    chosen = lines if partner is None else lines[lines["partner"] == partner]
    imports = float(chosen["imports_usd"].sum())
    duty = float((chosen["imports_usd"] * chosen["total_rate"]).sum())
    return imports, duty, 100 * duty / imports if imports else float("nan")


def _layer_duty(lines: pd.DataFrame, partner: str | None = None) -> dict[str, float]:
    chosen = lines if partner is None else lines[lines["partner"] == partner]
    return {
        layer: float((chosen["imports_usd"] * chosen[f"{layer}_rate"]).sum())
        if f"{layer}_rate" in chosen
        else 0.0
        for layer in ALL_LAYERS
    }


def _paired(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Lines of both sides side by side (outer join on hs10 × partner; a missing side pays nothing)."""
    keep = ["hs10", "partner", "imports_usd", "total_rate", *(f"{layer}_rate" for layer in ALL_LAYERS)]

    def side(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.reindex(columns=keep, fill_value=0.0)
        return frame.groupby(["hs10", "partner"], as_index=False).agg(
            {"imports_usd": "sum", **{c: "mean" for c in keep[3:]}}
        )

    both = side(before).merge(side(after), on=["hs10", "partner"], how="outer", suffixes=("_b", "_a"))
    both = both.fillna(0.0)
    both["imports_usd"] = np.maximum(both["imports_usd_b"], both["imports_usd_a"])
    both["delta_usd"] = (
        both["imports_usd_a"] * both["total_rate_a"] - both["imports_usd_b"] * both["total_rate_b"]
    )
    return both


def _layers_moved(row: pd.Series) -> str:
    moved = [
        f"{layer} {100 * (row[f'{layer}_rate_a'] - row[f'{layer}_rate_b']):+.1f}"
        for layer in ALL_LAYERS
        if abs(row[f"{layer}_rate_a"] - row[f"{layer}_rate_b"]) >= 0.0005
    ]
    return ", ".join(moved) or "—"


def _measure_changes(before: pd.DataFrame, after: pd.DataFrame, partner: str | None = None) -> pd.DataFrame:
    keys = ["measure", "layer"]
    b = before if partner is None else before[before["partner"] == partner]
    a = after if partner is None else after[after["partner"] == partner]
    info = pd.concat([a, b]).drop_duplicates("measure").set_index("measure")[["heading", "legal_basis"]]
    sums = (
        b.groupby(keys)["duty_usd"]
        .sum()
        .rename("before")
        .to_frame()
        .join(a.groupby(keys)["duty_usd"].sum().rename("after"), how="outer")
        .reset_index()
    )
    status = np.where(
        sums["before"].isna(),
        "added",
        np.where(sums["after"].isna(), "removed or replaced", "same id, duty changed"),
    )
    sums = sums.fillna(0.0).assign(status=status)
    sums["change"] = sums["after"] - sums["before"]
    sums = sums.join(info, on="measure")
    return sums.reindex(sums["change"].abs().sort_values(ascending=False).index)


def _measure_rows(frame: pd.DataFrame, limit: int) -> list[list[str]]:
    return [
        [
            f"`{r.measure}`",
            r.layer,
            r.heading or "—",
            r.legal_basis or "—",
            f"{r.before / 1e9:.2f}",
            f"{r.after / 1e9:.2f}",
            _signed(r.change / 1e9),
            r.status,
        ]
        for r in frame.head(limit).itertuples()
        if abs(r.change) >= 5e7
    ]


def _date_section(
    on: str,
    before: tuple[pd.DataFrame, pd.DataFrame] | str,
    after: tuple[pd.DataFrame, pd.DataFrame],
    descriptions: pd.Series,
    old_ids: set[str],
) -> list[str]:
    after_lines, after_measures = after
    total_imports = float(after_lines["imports_usd"].sum())
    out = [f"### {on}", ""]
    if isinstance(before, str):
        out += [
            f"BEFORE refused this date ({before}): no before/after split. AFTER, the duty by layer and the",
            "measures that charge the most:",
            "",
        ]
        layer = _layer_duty(after_lines)
        out += _table(
            ["Layer", "After (USD bn)", "After (ETR pts)"],
            [[name, f"{v / 1e9:.2f}", f"{100 * v / total_imports:.2f}"] for name, v in layer.items() if v],
        )
        top = after_measures.groupby(["measure", "layer", "heading", "legal_basis"], as_index=False)[
            "duty_usd"
        ].sum()
        top = top.sort_values("duty_usd", ascending=False).head(TOP_MEASURES)
        out += _table(
            ["Measure", "Layer", "Heading", "Legal basis", "After (USD bn)", "In the old library"],
            [
                [
                    f"`{r.measure}`",
                    r.layer,
                    r.heading or "—",
                    r.legal_basis,
                    f"{r.duty_usd / 1e9:.2f}",
                    "yes" if r.measure in old_ids else "no (added)",
                ]
                for r in top.itertuples()
            ],
        )
        out += ["By partner, AFTER only (layers and the largest measures, USD bn):", ""]
        for partner in PARTNERS:
            _, duty_a, etr_a = _etr(after_lines, partner)
            la = _layer_duty(after_lines, partner)
            layers = ", ".join(f"{name} {v / 1e9:.2f}" for name, v in la.items() if abs(v) >= 5e7)
            mine = after_measures[after_measures["partner"] == partner].sort_values(
                "duty_usd", ascending=False
            )
            named = ", ".join(
                f"`{r.measure}` {r.duty_usd / 1e9:.2f}" + ("" if r.measure in old_ids else " (added)")
                for r in mine.head(4).itertuples()
            )
            out += [
                f"**{partner}**: {etr_a:.2f}% (duty {duty_a / 1e9:.2f} USD bn). Layers: {layers}. "
                f"Measures: {named or '—'}.",
                "",
            ]
        return out
    before_lines, before_measures = before
    layer_b, layer_a = _layer_duty(before_lines), _layer_duty(after_lines)
    out += ["Duty by layer, all partners:", ""]
    out += _table(
        ["Layer", "Before (USD bn)", "After (USD bn)", "Change (USD bn)", "Change (ETR pts)"],
        [
            [
                name,
                f"{layer_b[name] / 1e9:.2f}",
                f"{layer_a[name] / 1e9:.2f}",
                _signed((layer_a[name] - layer_b[name]) / 1e9),
                _signed(100 * (layer_a[name] - layer_b[name]) / total_imports),
            ]
            for name in ALL_LAYERS
            if layer_b[name] or layer_a[name]
        ],
    )
    changes = _measure_changes(before_measures, after_measures)
    out += [f"The measures behind it (the {TOP_MEASURES} largest changes, USD bn):", ""]
    out += _table(
        ["Measure", "Layer", "Heading", "Legal basis", "Before", "After", "Change", "Status"],
        _measure_rows(changes, TOP_MEASURES),
    )
    paired = _paired(before_lines, after_lines)
    paired["chapter"] = paired["hs10"].str[:2]
    out += ["Partner by partner: the layers, HS chapters, measures and lines behind each change.", ""]
    for partner in PARTNERS:
        rows = paired[paired["partner"] == partner]
        if rows.empty:
            continue
        _, duty_b, etr_b = _etr(before_lines, partner)
        _, duty_a, etr_a = _etr(after_lines, partner)
        lb, la = _layer_duty(before_lines, partner), _layer_duty(after_lines, partner)
        layers = ", ".join(
            f"{name} {_signed((la[name] - lb[name]) / 1e9)}"
            for name in ALL_LAYERS
            if abs(la[name] - lb[name]) >= 5e7
        )
        chapters = rows.groupby("chapter")["delta_usd"].sum()
        chapters = chapters.reindex(chapters.abs().sort_values(ascending=False).index).head(TOP_CHAPTERS)
        chapter_text = ", ".join(f"ch. {c} {_signed(v / 1e9)}" for c, v in chapters.items() if abs(v) >= 5e7)
        measures = _measure_changes(before_measures, after_measures, partner)
        measures = measures[measures["change"].abs() >= 5e7].head(4)
        measure_text = ", ".join(f"`{r.measure}` {_signed(r.change / 1e9)}" for r in measures.itertuples())
        out += [
            f"**{partner}**: {etr_b:.2f}% → {etr_a:.2f}% ({etr_a - etr_b:+.2f} pts, duty {(duty_a - duty_b) / 1e9:+.2f} "
            f"USD bn). Layers (USD bn): {layers or 'none moved by USD 0.05 bn'}. Chapters: {chapter_text or '—'}. "
            f"Measures: {measure_text or '—'}.",
            "",
        ]
        top = rows.reindex(rows["delta_usd"].abs().sort_values(ascending=False).index).head(TOP_LINES)
        top = top[top["delta_usd"].abs() >= 1e6]
        if not top.empty:
            out += _table(
                [
                    "HS10",
                    "Description",
                    "Imports (USD m)",
                    "Before %",
                    "After %",
                    "Change (USD m)",
                    "Layers moved (pts)",
                ],
                [
                    [
                        r["hs10"],
                        str(descriptions.get(r["hs10"], ""))[:60],
                        f"{r['imports_usd'] / 1e6:,.0f}",
                        f"{100 * r['total_rate_b']:.2f}",
                        f"{100 * r['total_rate_a']:.2f}",
                        _signed(r["delta_usd"] / 1e6, 0),
                        _layers_moved(r),
                    ]
                    for _, r in top.iterrows()
                ],
            )
    return out


def build(before_src: Path) -> str:
    from tarifflab.metrics.etr import etr_by_partner
    from tarifflab.policy.engine import TariffEngine

    before, old_ids = before_side(before_src)
    after: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}
    official: dict[str, pd.DataFrame] = {}
    for on in DATES:
        result = snapshot(on, old_s301_max=False)
        if isinstance(result, str):
            raise SystemExit(f"the current engine refuses {on}: {result}")
        after[on] = result
        # The page's AFTER numbers are those of `tarifflab etr`; the attribution must add up to them.
        official[on] = etr_by_partner(on).set_index("partner")
        _, _, etr = _etr(result[0])
        if abs(etr - float(official[on].loc["ALL", "etr_pct"])) > 1e-9:
            raise SystemExit(f"attribution lines do not add up to etr_by_partner on {on}")
    descriptions = TariffEngine.default().products["description"]
    refused_any = [on for on in DATES if isinstance(before[on], str)]

    out = [
        "# ETR before and after the engine fixes of issues 12 and 17",
        "",
        "Generated by `scripts/etr_changes.py`; every number below comes from one run of it. Regenerate after any",
        "change to the measure library or the engine:",
        "",
        "```",
        "PYTHONPATH=src python scripts/etr_changes.py --before-src /path/to/a/checkout-of-412ca38/src",
        "```",
        "",
        f"- **Before**: the engine at commit `{BEFORE_COMMIT}`, as it stood before the fixes of issues 12 and 17,",
        "  run in its own process.",
        "- **After**: this version's engine; the AFTER columns equal `tarifflab etr --date D` (a test re-computes",
        "  them: `tests/validation/test_etr_changes_page.py`).",
        "- Both: total duty including MFN over 2024 HTS10 × partner import weights (50 largest partners and the",
        "  EU), in-force view (IEEPA duties shown as entered; refundable since the 2026-02-20 ruling), behaviour-free.",
    ]
    if refused_any:
        out += [
            f"- The old library covered entry dates up to 2026-07-31 only and refused {', '.join(refused_any)};",
            "  the tables say *refused* there rather than extrapolate.",
        ]
    checks = []
    for (on, partner), quoted in ISSUE_12_BEFORE.items():
        side = before[on]
        ours = (
            float("nan") if isinstance(side, str) else _etr(side[0], None if partner == "ALL" else partner)[2]
        )
        checks.append(f"{partner} {on} {ours:.2f}% (issue: {quoted:.2f}%)")
        if round(ours, 2) != quoted:
            checks[-1] += " — differs"
    imports_b = [float(side[0]["imports_usd"].sum()) for side in before.values() if not isinstance(side, str)]
    imports_a = float(after[DATES[0]][0]["imports_usd"].sum())
    same_weights = all(abs(value - imports_a) < 1.0 for value in imports_b)
    out += [
        f"- BEFORE against the figures issue 12 quotes for the same engine: {'; '.join(checks)}.",
        f"- Import weights: USD {imports_a / 1e9:,.1f} bn on both sides."
        if same_weights
        else "- Import weights DIFFER between the sides: the changes below mix weights and law.",
    ]
    out += [
        "",
        "How to read the attribution: duty (USD bn at 2024 weights) is split by layer and by the measure record",
        "that charges it. *Same id, duty changed* is an existing record whose duty moved because an engine rule",
        "was fixed (scope matched at the digit level the law uses, content rules applied once, end-use notes,",
        "s.232 exclusivity, USMCA shares by month) or the record was corrected; *added* and *removed or replaced*",
        "are records new to or gone from the library. The `mfn` layer moves with the MFN base rules (fallback to",
        "the HTS general rate, column 2, specific duties). Lines show which layers moved, in ETR points.",
        "",
        "## Overall ETR",
        "",
    ]
    overall_rows = []
    for on in DATES:
        a = official[on].loc["ALL"]
        if isinstance(before[on], str):
            overall_rows.append(
                [on, "refused", _pct(a["etr_pct"]), "—", "refused", f"{a['duty_usd'] / 1e9:.2f}", "—"]
            )
            continue
        _, duty_b, etr_b = _etr(before[on][0])
        overall_rows.append(
            [
                on,
                _pct(etr_b),
                _pct(a["etr_pct"]),
                _signed(a["etr_pct"] - etr_b),
                f"{duty_b / 1e9:.2f}",
                f"{a['duty_usd'] / 1e9:.2f}",
                _signed((a["duty_usd"] - duty_b) / 1e9),
            ]
        )
    out += _table(
        [
            "Date",
            "Before ETR %",
            "After ETR %",
            "Change (pts)",
            "Duty before (USD bn)",
            "Duty after (USD bn)",
            "Change (USD bn)",
        ],
        overall_rows,
    )
    out += ["## Partner ETRs", ""]
    partner_rows = []
    for partner in PARTNERS:
        for on in DATES:
            a = official[on].loc[partner]
            if isinstance(before[on], str):
                partner_rows.append(
                    [on, partner, f"{a['imports_usd'] / 1e9:.1f}", "refused", _pct(a["etr_pct"]), "—", "—"]
                )
                continue
            _, duty_b, etr_b = _etr(before[on][0], partner)
            partner_rows.append(
                [
                    on,
                    partner,
                    f"{a['imports_usd'] / 1e9:.1f}",
                    _pct(etr_b),
                    _pct(a["etr_pct"]),
                    _signed(a["etr_pct"] - etr_b),
                    _signed((a["duty_usd"] - duty_b) / 1e9),
                ]
            )
    out += _table(
        [
            "Date",
            "Partner",
            "Imports 2024 (USD bn)",
            "Before ETR %",
            "After ETR %",
            "Change (pts)",
            "Duty change (USD bn)",
        ],
        partner_rows,
    )
    out += ["## What moved, date by date", ""]
    for on in DATES:
        out += _date_section(on, before[on], after[on], descriptions, old_ids)
    return "\n".join(out).rstrip() + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "etr-changes.md")
    parser.add_argument(
        "--before-src", type=Path, help="src/ of a checkout of the BEFORE commit (default: git archive)"
    )
    parser.add_argument("--dump", type=Path, help=argparse.SUPPRESS)  # the BEFORE subprocess
    parser.add_argument("--old-s301-max", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dump is not None:
        dump(args.dump, args.old_s301_max)
        return
    from tarifflab._io import write_text_atomic

    with tempfile.TemporaryDirectory() as scratch:
        before_src = args.before_src or _extract_before(Path(scratch))
        if not (before_src / "tarifflab").is_dir():
            raise SystemExit(f"no tarifflab package under --before-src {before_src}")
        write_text_atomic(args.out, build(before_src))
    print(f"wrote {args.out}")


def _extract_before(folder: Path) -> Path:
    """The BEFORE commit's src/ tree, from this repository's history."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", BEFORE_COMMIT, "src"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder / "src"


if __name__ == "__main__":
    main()
