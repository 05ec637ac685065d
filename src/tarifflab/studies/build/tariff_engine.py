"""Embedded inputs of the US tariff engine, derived from the MIT-licensed anchors' files.

Writes:
- ``us_imports_2024.parquet``: 2024 US imports for consumption and calculated duty by HS10 × partner
  (50 largest non-EU partners plus the EU aggregate), the behaviour-free weights of every ETR.
- ``hts_products.parquet``: every HTS10 line with a short description, the full text of its heading and
  parent lines (the indent hierarchy, searched by ``tarifflab search``), the HS8 column-1 general rate
  and its type, and the GTAP sector.
- ``tariff_scopes.parquet``: named product scopes (HTS prefixes with optional effective dates) that the
  measure library refers to.
- ``metal_shares.parquet``: steel/aluminium/copper content shares (BEA 2017 IO) for derivative lines.
- ``usmca_shares.parquet``: 2025 USMCA-claimed shares for Canada and Mexico by HS10.

GTA files (CC BY-NC) are deliberately not used here: tests compare against them, nothing embeds them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from tarifflab.nomenclature.countries import EU27
from tarifflab.studies.build import Provenance

EU_MEMBERS = set(EU27)

TWT = Path("tariffs/tradewartracker__trade-war-redux-2025")
YALE_ETR = Path("tariffs/Budget-Lab-Yale__Tariff-ETRs/resources")
YALE_TRK = Path("tariffs/Budget-Lab-Yale__tariff-rate-tracker/resources")
MIT = "MIT (tradewartracker/trade-war-redux-2025); Census data public domain"
YALE = "Budget-Lab-Yale (cite The Budget Lab at Yale); underlying US government data"


def _digits(code: object) -> str:
    return re.sub(r"\D", "", str(code))


# Rows per Parquet row group of the tables a single lookup reads by HS10 range: written sorted by HS10, so the
# row groups' min/max statistics let a reader skip all but the one or two holding an HS6 group.
LOOKUP_ROW_GROUP = {
    "us_imports_2024.parquet": 2048,
    "hts_products.parquet": 512,
    "usmca_shares.parquet": 4096,
}


def _write_by_hs10(frame: pd.DataFrame, out_dir: Path, name: str, order: list[str]) -> None:
    """Write ``frame`` sorted by ``order`` (HS10 first) in small row groups with statistics."""
    ordered = frame.sort_values(order, kind="stable").reset_index(drop=True)
    ordered.to_parquet(
        out_dir / name,
        index=False,
        compression="zstd",
        row_group_size=LOOKUP_ROW_GROUP[name],
        write_statistics=True,
    )


def census_to_iso3(reference: Path) -> dict[str, str]:
    mapping = pd.read_csv(reference / TWT / "data/CensusCountryMapping_FRBAtl_short.csv", dtype=str)
    table = dict(zip(mapping["CTY_CODE"].str.zfill(4), mapping["ISO3"], strict=True))
    table["0003"] = "EUN"
    return table


def _imports(reference: Path, out_dir: Path) -> Provenance:
    iso = census_to_iso3(reference)
    frames = []
    for path in sorted((reference / TWT / "data").glob("2024-hs10-imports*.parquet")):
        raw = pd.read_parquet(path, columns=["CTY_CODE", "HS10", "imports", "duty"])
        frames.append(raw)
    lines = pd.concat(frames, ignore_index=True)
    lines["partner"] = lines["CTY_CODE"].str.zfill(4).map(iso)
    # tradewartracker also fetched Slovakia (4359), which the EU aggregate (0003) already contains.
    lines = lines[~lines["partner"].isin(EU_MEMBERS)]
    missing = lines.loc[lines["partner"].isna(), "CTY_CODE"].unique()
    if len(missing):
        raise ValueError(f"Census codes without ISO3: {sorted(missing)}")
    out = (
        lines.rename(columns={"HS10": "hs10"})
        .groupby(["hs10", "partner"], sort=True)
        .agg(imports_usd=("imports", "sum"), duty_usd=("duty", "sum"))
        .reset_index()
    )
    out = out[out["imports_usd"] > 0]
    out["partner"] = out["partner"].astype("category")
    _write_by_hs10(out, out_dir, "us_imports_2024.parquet", ["hs10", "partner"])
    return Provenance(
        "us_imports_2024.parquet",
        str(TWT / "data/2024-hs10-imports*.parquet"),
        "Census code → ISO3, summed by HS10 × partner; only value and calculated duty kept; Slovakia dropped (inside the EU aggregate)",
        MIT,
    )


def _shorten(text: str, width: int = 70) -> str:
    """One level's text cut to ``width`` characters at a word boundary (a long heading must not hide
    the line's own words, which come last)."""
    if len(text) <= width:
        return text
    return text[:width].rsplit(" ", 1)[0].rstrip(",;") + " …"


_AD_VALOREM = re.compile(r"^\s*(\d+(?:\.\d+)?)%\s*$")


def _hts(reference: Path, out_dir: Path) -> Provenance:
    hts = pd.read_csv(reference / YALE_ETR / "hts_2025_basic_edition.csv.gz", dtype=str, encoding="utf-8-sig")
    hts["code"] = hts["HTS Number"].fillna("").map(_digits)
    descriptions: dict[int, str] = {}
    # Column 1 general and column 2 rate texts are printed on the 8- (or 10-) digit row; HTS10 rows inherit.
    rates: dict[int, tuple[str, str]] = {}
    rows = []
    for code, indent, text, general, column2 in zip(
        hts["code"],
        hts["Indent"].fillna("0"),
        hts["Description"].fillna(""),
        hts["General Rate of Duty"].fillna(""),
        hts["Column 2 Rate of Duty"].fillna(""),
        strict=True,
    ):
        level = int(indent) if indent.isdigit() else 0
        descriptions = {k: v for k, v in descriptions.items() if k < level}
        descriptions[level] = text.strip().rstrip(":")
        rates = {k: v for k, v in rates.items() if k < level}
        if general.strip() or column2.strip():
            rates[level] = (general.strip(), column2.strip())
        if len(code) == 10:
            parts = [descriptions[k] for k in sorted(descriptions) if descriptions[k]]
            # Short description: the heading (what the good is) and the line's last two levels; the
            # hierarchy keeps every parent's words for search.
            short = parts if len(parts) <= 3 else [parts[0], *parts[-2:]]
            general_text, column2_text = rates[max(rates)] if rates else ("", "")
            rows.append(
                (
                    code,
                    "; ".join(_shorten(part) for part in short),
                    " > ".join(parts),
                    general_text,
                    column2_text,
                )
            )
    products = pd.DataFrame(
        rows, columns=["hs10", "description", "hierarchy", "general_text", "column2_text"]
    ).drop_duplicates("hs10")
    mfn = pd.read_csv(reference / YALE_ETR / "mfn_rates_2025.csv", dtype={"hs8": str})
    products["hs8"] = products["hs10"].str[:8]
    products = products.merge(
        mfn[["hs8", "mfn_rate", "rate_type"]].rename(columns={"mfn_rate": "mfn_ad_valorem"}),
        on="hs8",
        how="left",
    )
    gtap = pd.read_csv(
        reference / YALE_ETR / "hs10_gtap_crosswalk.csv.gz", dtype=str, usecols=["hs10", "gtap_code"]
    )
    products = products.merge(gtap.drop_duplicates("hs10"), on="hs10", how="left")
    products["rate_type"] = products["rate_type"].fillna("unknown")
    products["mfn_ad_valorem"] = products["mfn_ad_valorem"].fillna(0.0).astype("float32")
    _write_by_hs10(products, out_dir, "hts_products.parquet", ["hs10"])
    return Provenance(
        "hts_products.parquet",
        f"{YALE_ETR}/hts_2025_basic_edition.csv.gz; mfn_rates_2025.csv; hs10_gtap_crosswalk.csv.gz",
        "HTS10 lines with a short description and the full parent text from the indent hierarchy, HS8 general "
        "rate and type, the column 1 general and column 2 rate texts (inherited from the 8-digit row), GTAP code",
        YALE + "; HTS text USITC public domain",
    )


def _list(path: Path, column: str | None = None, header: bool = True) -> list[str]:
    frame = pd.read_csv(path, dtype=str, header=0 if header else None, comment="#")
    values = frame[column] if column else frame.iloc[:, 0]
    return sorted({_digits(v) for v in values.dropna() if _digits(v)})


# U.S. note 16(c)(i) articles of aluminium and (iii) articles of steel (Proclamations 9704 and 9705 clause 1).
NOTE16_ARTICLES = [
    "7601",
    "7604",
    "7605",
    "7606",
    "7607",
    "7608",
    "7609",
    "7616995160",
    "7616995170",
    "7206",
    "7207",
    "7208",
    "7209",
    "7210",
    "7211",
    "7212",
    "7213",
    "7214",
    "7215",
    "72161000",
    "72162100",
    "72162200",
    "72163100",
    "72163200",
    "72163300",
    "72164000",
    "72165000",
    "72169900",
    "7217",
    "7218",
    "7219",
    "7220",
    "7221",
    "7222",
    "7223",
    "7224",
    "7225",
    "7226",
    "7227",
    "7228",
    "7229",
    "73011000",
    "730210",
    "73024000",
    "730290",
    "7304",
    "7305",
    "7306",
]


def _hs8_padded(codes: list[str]) -> list[str]:
    """EO 14257 Annex II names 8-digit subheadings; this list stores them as HS10 padded with "00"."""
    return sorted({c[:8] if len(c) == 10 and c.endswith("00") else c for c in codes})


def _hts10_universe(reference: Path) -> set[str]:
    hts = pd.read_csv(
        reference / YALE_ETR / "hts_2025_basic_edition.csv.gz", dtype=str, usecols=["HTS Number"]
    )
    return {c for c in hts["HTS Number"].fillna("").map(_digits) if len(c) == 10}


def _exclusive(lists: dict[str, set[str]], universe: set[str]) -> dict[str, list[str]]:
    """Make prefix lists mutually exclusive: a line named by several takes the longest (most specific) listing.

    U.S. note 16(a) to subchapter III of chapter 99: headings 9903.82.02-.19 are mutually exclusive. Prefixes
    that no other list overlaps are kept as given; an overlapped prefix is replaced by the HTS10 lines it wins.
    """
    lines = sorted(universe | {p for codes in lists.values() for p in codes if len(p) == 10})
    claims: dict[str, list[tuple[int, str, str]]] = {}
    for line in lines:
        for name in sorted(lists):
            for length in range(2, 11):
                if line[:length] in lists[name]:
                    claims.setdefault(line, []).append((length, name, line[:length]))
    winner = {line: max(found)[1] for line, found in claims.items()}
    out: dict[str, set[str]] = {name: set() for name in lists}
    contested: dict[tuple[str, str], list[str]] = {}
    for line, found in claims.items():
        for _, name, prefix in found:
            contested.setdefault((name, prefix), []).append(line)
    for (name, prefix), covered in contested.items():
        won = [line for line in covered if winner[line] == name]
        out[name] |= {prefix} if len(won) == len(covered) else set(won)
    return {name: sorted(codes) for name, codes in out.items()}


def _semi_qualifying(reference: Path) -> list[str]:
    """Lines whose qualifying share (advanced chips of Proclamation 11002, U.S. note 39) is positive."""
    # The free-text note column holds unquoted commas: split each row on its first two commas only.
    text = (reference / YALE_TRK / "semi_qualifying_shares.csv").read_text(encoding="utf-8").splitlines()
    shares = pd.DataFrame(
        [row.split(",", 2)[:2] for row in text[1:] if row.strip()], columns=["hts10", "share"]
    )
    values = shares["share"].astype(float)
    if not values.isin([0.0, 1.0]).all():
        raise ValueError(
            "semi_qualifying_shares.csv has fractional shares: embed them as a share, not a scope"
        )
    return sorted(shares.loc[values > 0, "hts10"].map(_digits))


def _note19k_codes(reference: Path) -> set[str]:
    """The provisions of U.S. note 19(k) (heading 9903.85.08: the aluminium derivatives added from 2025-08-18)
    at the digit level the note names them, from the HTSUS 2026 Rev 6 Chapter 99 text."""
    from tarifflab.studies.build.tariff_scopes_legal import _chapter99_lines

    lines = _chapter99_lines(reference)
    begin = next(
        i for i, line in enumerate(lines) if line.startswith("(k) The rates of duty in heading 9903.85.08")
    )
    end = next(i for i in range(begin + 1, len(lines)) if lines[i].startswith("(l) Any importer entering"))
    text = " ".join(lines[begin:end])
    found = {_digits(m) for m in re.findall(r"\b\d{4}\.\d{2}(?:\.\d{2,4})?\b", text)}
    return {code for code in found if not code.startswith("99")}


def _at_note_digit_level(codes: list[str], named: set[str], lines: set[str]) -> list[str]:
    """The tracker's HS8 entries narrowed to the statistical lines the legal note names under them. An entry
    the note names itself, or under which it names nothing, is kept (the latter is flagged in the docs); so is
    one whose named lines are not all 2025 lines (the Rev 6 note uses the 2026 numbers, e.g. 8309.90.0020
    for the 2025 8309.90.0010), as narrowing it would drop the goods rather than scope them."""
    narrowed: set[str] = set()
    for code in codes:
        finer = {n for n in named if n.startswith(code) and len(n) > len(code)}
        exact = bool(finer) and code not in named and finer <= lines
        narrowed |= finer if exact else {code}
    return sorted(narrowed)


def _scopes(reference: Path, out_dir: Path) -> Provenance:
    rows: list[tuple[str, str, str | None]] = []

    def add(scope: str, codes: list[str], effective: str | None = None) -> None:
        rows.extend((scope, code, effective) for code in codes)

    lists = reference / TWT / "tariff-lists"
    add("s232_steel", _list(lists / "steel-tariffs.csv"))
    # Derivatives outside chapter 76 on this list are on the derivative list too, charged on content (note 19).
    add("s232_aluminum", [c for c in _list(lists / "alu-tariffs.csv") if c.startswith("76")])
    derivatives = pd.read_csv(reference / YALE_TRK / "s232_derivative_products.csv", dtype=str)
    note19k = _note19k_codes(reference)
    lines_2025 = _hts10_universe(reference)
    for kind, group in derivatives.groupby("derivative_type"):
        for date, sub in group.groupby(group["effective_date"].fillna("")):
            codes = sorted({_digits(c) for c in sub["hts_prefix"]})
            if date == "2025-08-18":
                # The inclusions of 90 FR 40326 (FR Doc 2025-15819) name many provisions at the statistical
                # line; the tracker's file truncates them to HS8 (3004.90.9244 became all of 3004.90.92).
                # U.S. note 19(k) (aluminium, heading 9903.85.08) keeps the notice's digits; the steel list of
                # the same notice is not in the Rev 6 text and is taken to name the same lines.
                codes = _at_note_digit_level(codes, note19k, lines_2025)
            add(f"s232_{kind}_derivative", codes, date or None)
    add("s232_copper", _list(reference / YALE_TRK / "s232_copper_products.csv", "hts10"))
    add("s232_auto_parts", _list(reference / YALE_TRK / "s232_auto_parts.txt", header=False))
    add("s232_mhdv_parts", _list(reference / YALE_TRK / "s232_mhd_parts.txt", header=False))
    add("s232_semiconductors", _list(reference / YALE_TRK / "s232_semi_products.csv", "hts10"))
    add("s232_semiconductors_qualifying", _semi_qualifying(reference))
    # The 2026 annexes at the digit level of U.S. note 16(c): tradewartracker's files keep the HTS10 codes the
    # note names (8479.89.9599), where the Yale tracker's file truncates some to HS6 (847989) and so overlaps.
    tiers = {
        f"s232_metals_2026_annex_{tier}": set(_list(lists / f"metals-annex-{name}.csv"))
        for tier, name in (("1a", "IA"), ("1b", "IB"), ("2", "II-removed"), ("3", "III-temporary"))
    }
    # U.S. note 16(c)(i) and (iii): articles of aluminium and of steel are on the 50% list too.
    tiers["s232_metals_2026_annex_1a"] |= set(NOTE16_ARTICLES)
    universe = _hts10_universe(reference)
    if (out_dir / "us_imports_2024.parquet").exists():
        universe |= set(pd.read_parquet(out_dir / "us_imports_2024.parquet", columns=["hs10"])["hs10"])
    for tier_name, codes in _exclusive(tiers, universe).items():
        add(tier_name, codes)
    add("ieepa_annex_ii_2025_04", _hs8_padded(_list(lists / "annex-II-exemptions.csv")))
    add("ieepa_annex_ii_2025_11", _list(lists / "annex-II-exemptions-nov14.csv"))
    add("ieepa_exempt_latest", _list(reference / YALE_TRK / "ieepa_exempt_products.csv", "hts10"))
    add("ieepa_electronics_2025_04_11", _list(lists / "consumer_electronics_EO14257_apr11.csv"))
    floor = pd.read_csv(reference / YALE_TRK / "floor_exempt_products.csv", dtype=str)
    for (category, group_name), group in floor.groupby(["category", "country_group"]):
        add(f"floor_exempt_{category}_{group_name}", sorted({_digits(c) for c in group["hts8"]}))
    carve = pd.read_csv(reference / YALE_TRK / "fentanyl_carveout_products.csv", dtype=str)
    add("fentanyl_energy_potash", sorted({_digits(c) for c in carve["hts8"]}))
    s301 = pd.read_csv(reference / YALE_TRK / "s301_product_lists.csv", dtype=str)
    for name, group in s301.groupby("list"):
        add(f"s301_china_{name}", sorted({_digits(c) for c in group["hts8"]}))
    _scopes_2026(lists, add)
    scopes = pd.DataFrame(rows, columns=["scope", "prefix", "effective_date"]).drop_duplicates()
    scopes.to_parquet(out_dir / "tariff_scopes.parquet", index=False, compression="zstd")
    return Provenance(
        "tariff_scopes.parquet",
        f"{TWT}/tariff-lists/*.csv; {YALE_TRK}/s232_*.csv, ieepa_exempt_products.csv, floor_exempt_products.csv, "
        "fentanyl_carveout_products.csv, s301_product_lists.csv; "
        "2026 lists: brazil-301-exemptions.csv, canada-338-{alcohol,dairy,autos}.csv with the 2026-09-15 amendments",
        "product lists normalised to digit prefixes, one row per (scope, prefix, effective date)",
        MIT + "; " + YALE,
    )


def _metal_shares(reference: Path, out_dir: Path) -> Provenance:
    shares = pd.read_csv(reference / YALE_TRK / "metal_content_shares_bea_hs10.csv.gz", dtype={"hs10": str})
    keep = shares[["hs10", "steel_share", "aluminum_share", "copper_share"]].copy()
    for column in ["steel_share", "aluminum_share", "copper_share"]:
        keep[column] = keep[column].astype("float32")
    derivatives = pd.read_csv(reference / YALE_TRK / "s232_derivative_products.csv", dtype=str)["hts_prefix"]
    in_derivative_list = keep["hs10"].str[:8].isin({_digits(c)[:8] for c in derivatives})
    keep = keep[
        (keep[["steel_share", "aluminum_share", "copper_share"]] > 0.001).any(axis=1) | in_derivative_list
    ]
    # HS8 means fill HTS10 codes the BEA concordance lacks (codes created after 2017).
    by_hs8 = keep.assign(hs10=keep["hs10"].str[:8]).groupby("hs10", as_index=False).mean()
    keep = pd.concat([keep, by_hs8], ignore_index=True)
    keep.to_parquet(out_dir / "metal_shares.parquet", index=False, compression="zstd")
    return Provenance(
        "metal_shares.parquet",
        f"{YALE_TRK}/metal_content_shares_bea_hs10.csv.gz",
        "steel, aluminium and copper value shares by HS10 (BEA 2017 detail IO), lines with any share > 0.1% or on a derivative list, plus HS8 means",
        YALE,
    )


def _usmca(reference: Path, out_dir: Path) -> Provenance:
    shares = pd.read_csv(
        reference / YALE_TRK / "usmca_product_shares_2025.csv", dtype={"hts10": str, "cty_code": str}
    )
    shares["partner"] = shares["cty_code"].str.zfill(4).map({"1220": "CAN", "2010": "MEX"})
    out = shares.rename(columns={"hts10": "hs10"})[["hs10", "partner", "usmca_share"]]
    out["usmca_share"] = out["usmca_share"].astype("float32")
    out["month"] = ""  # the 2025 annual share: used where a month lacks the line
    monthly = []
    for path in sorted((reference / YALE_TRK).glob("usmca_product_shares_20??_??.csv.gz")):
        month = re.sub(r"^usmca_product_shares_(\d{4})_(\d{2}).*$", r"\1-\2", path.name)
        frame = pd.read_csv(
            path, dtype={"hts10": str, "cty_code": str}, usecols=["hts10", "cty_code", "usmca_share"]
        )
        frame["partner"] = frame["cty_code"].str.zfill(4).map({"1220": "CAN", "2010": "MEX"})
        frame = frame.rename(columns={"hts10": "hs10"})[["hs10", "partner", "usmca_share"]]
        frame["usmca_share"] = frame["usmca_share"].astype("float32")
        frame["month"] = month
        monthly.append(frame.dropna(subset=["partner"]))
    out = pd.concat([out, *monthly], ignore_index=True)
    out["month"] = out["month"].astype("category")
    _write_by_hs10(out, out_dir, "usmca_shares.parquet", ["hs10", "partner", "month"])
    return Provenance(
        "usmca_shares.parquet",
        f"{YALE_TRK}/usmca_product_shares_2025.csv; usmca_product_shares_2025_01..2026_02.csv.gz",
        "share of imports claimed under USMCA (SPI S/S+) by HS10 for CAN and MEX: 2025 annual (month '') and by month (YYYY-MM)",
        YALE,
    )


def build(reference: Path, out_dir: Path) -> list[Provenance]:
    return [
        _imports(reference, out_dir),
        _hts(reference, out_dir),
        _scopes(reference, out_dir),
        _metal_shares(reference, out_dir),
        _usmca(reference, out_dir),
    ]


# Proclamations 11064 and 11065 (effective 2026-09-15) re-wrote U.S. note 51(b)(1) and (b)(3) to
# subchapter III (HTS 2026 Revision 19): these provisions were added, removed, or narrowed to the
# statistical suffixes listed (the HS8 entry is then replaced by them).
_S338_B1_ADDED = [
    "04061064",
    "04061084",
    "04061088",
    "04061095",
    "04062033",
    "04062053",
    "04063081",
    "04063091",
    "04063095",
    "04064040",
    "04064054",
    "04064070",
    "04069008",
    "04069012",
    "04069018",
    "04069042",
    "04069048",
    "04069056",
    "04069059",
    "04069078",
    "04069088",
    "04069095",
    "04069097",
    "15180040",
    "41015010",
    "41019010",
    "41071150",
    "43016060",
    "43021930",
    "43021945",
    "43021960",
    "89033100",
    "89033200",
    "89039320",
]
_S338_B1_NARROWED = {"22083060": ["2208306020", "2208306040", "2208306055", "2208306065", "2208306075"],
                     "22087000": ["2208700030"]}  # fmt: skip
_S338_B3_ADDED = [
    "04069099",
    "48026110",
    "48026120",
    "48026160",
    "48026210",
    "48026220",
    "48026230",
    "48026261",
    "48026910",
    "48026920",
    "48026930",
    "73089030",
    "73089060",
    "73089095",
    "76041010",
    "76041030",
    "76041050",
    "76042100",
    "76042910",
    "76042930",
    "76042950",
    "76081000",
    "76082000",
    "83071030",
    "83079030",
    "83081000",
    "83082030",
    "83082060",
    "83089030",
    "83089060",
    "83089090",
    "83091000",
    "83100000",
    "83111000",
    "83112000",
    "83113030",
    "83113060",
    "87031050",
    "87032101",
    "89039921",
    "94014100",
    "94014900",
    "94015200",
    "94015300",
    "94015900",
    "94016120",
    "94016920",
    "94016940",
    "94016980",
    "94018020",
    "94018040",
    "94018060",
    "94019115",
    "94019120",
    "94019925",
    "94019935",
    "94019990",
    "94033040",
    "94034040",
    "94034060",
    "94036040",
    "94037040",
    "94038200",
    "94038300",
    "94038930",
    "94038960",
    "94041000",
    "94042100",
    "94042910",
    "94042990",
    "94052140",
    "94052160",
    "94052180",
    "94052940",
    "94052960",
    "94052980",
]
_S338_B3_REMOVED = ("25010000", "25232900", "29400060", "48030040", "78011000")
_S338_B3_NARROWED = {"48189000": ["4818900020"],
                     "85371091": ["8537109130", "8537109150", "8537109160", "8537109170"],
                     "95071000": ["9507100040"]}  # fmt: skip


def _amended(
    codes: list[str], added: list[str], removed: tuple[str, ...], narrowed: dict[str, list[str]]
) -> list[str]:
    kept = [c for c in codes if c not in removed and c not in narrowed]
    return sorted({*kept, *added, *(c for parts in narrowed.values() for c in parts)})


def _scopes_2026(lists: Path, add: Callable[[str, list[str]], None]) -> None:
    """Product lists of the 2026 actions: Section 301 on Brazil and Section 338 on Canada."""
    brazil = pd.read_csv(lists / "brazil-301-exemptions.csv", dtype=str)
    # U.S. note 50(a)(ii) flat, (iii) named, (iv) civil aircraft, (v) pharmaceutical applications
    for category, group in brazil.groupby("category"):
        add(f"s301_brazil_exempt_{category}", sorted({_digits(c) for c in group["HTSUS"]}))
    b1 = _list(lists / "canada-338-alcohol.csv")
    b3 = _list(lists / "canada-338-autos.csv")
    add("s338_canada_b1_2026_08", b1)  # note 51(b)(1), Proclamation 11046
    add("s338_canada_b2", _list(lists / "canada-338-dairy.csv"))  # note 51(b)(2), Proclamation 11047
    add("s338_canada_b3_2026_08", b3)  # note 51(b)(3), Proclamation 11048
    add("s338_canada_b1_2026_09", _amended(b1, _S338_B1_ADDED, (), _S338_B1_NARROWED))
    add("s338_canada_b3_2026_09", _amended(b3, _S338_B3_ADDED, _S338_B3_REMOVED, _S338_B3_NARROWED))
