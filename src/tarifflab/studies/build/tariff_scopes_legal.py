"""Product scopes read from the legal text itself (HTSUS Chapter 99 U.S. notes) and from country-EO annexes.

Writes ``tariff_scopes_legal.parquet`` (same schema as ``tariff_scopes.parquet``: scope, prefix,
effective_date), which the measure library loads beside the tracker-derived scopes:

- ``s301_exclusion_lines_<list>`` / ``s301_exclusion_described_<list>``: the Section 301 product exclusions
  of U.S. note 20(vvv)(i)-(iv) (heading 9903.88.69, lists 1, 2, 3, 4A) and 20(www) (heading 9903.88.70,
  list 2 solar-manufacturing equipment). An exclusion that names a bare statistical reporting number
  covers the whole line ("lines"); one that describes a product "described in statistical reporting
  number ..." covers only part of the line ("described": applies when the importer claims it).
- ``civil_aircraft_<partner>_<note>_{by_line,end_use}``: the civil-aircraft subheadings of U.S. note 35(a)
  (United Kingdom, heading 9903.96.01), 35(b) (Japan, 9903.96.02), 2(v)(xxii) (EU, 9903.02.76), 2(v)(xxiv)(b)
  (Korea, 9903.02.81), 2(v)(xxv)(c) (Switzerland and Liechtenstein, 9903.02.85/.90), 2(x)(iv) (Brazil,
  9903.01.82) and 35(c) (Taiwan, 9903.96.03; Rev 9, listed in this module), split into lines that are civil aircraft by themselves (chapter 88; statistical lines 'for use
  in civil aircraft') and the rest (civil-aircraft goods only with the end-use claim).
- ``civil_aircraft_bra301_note50a4_*`` (Brazil s.301, heading 9903.05.05) and ``civil_aircraft_can338_note51d_*``
  (Canada s.338, heading 9903.03.16): the same split of the lists tradewartracker files for notes postdating
  the Rev 6 text.
- ``s122_note2aa_ii``, ``s122_note2aa_iii`` and ``civil_aircraft_s122_note2aa4_*``: the product exemptions of
  U.S. note 2(aa)(ii) and (iii) (headings 9903.03.03/.04, applied whole) and its civil-aircraft list (iv)
  (heading 9903.03.05, split as above).
- ``brazil_eo14323_annex_i`` (from 2025-08-06) and ``brazil_eo14323_2025_11`` (from 2025-11-13): the
  products excepted from the Brazil emergency duty (heading 9903.01.77), as scraped from the EO annexes by
  the Yale tracker (``country_eo_exempt_products.csv``), less the civil-aircraft provisions of note 2(x)(iv).

Source: HTSUS 2026 Revision 6 Chapter 99 text (USITC, public domain) as kept by the Yale tracker.
"""

from __future__ import annotations

import gzip
import re
from itertools import pairwise
from pathlib import Path

import pandas as pd

from tarifflab.studies.build import Provenance

YALE = Path("tariffs/Budget-Lab-Yale__tariff-rate-tracker")
CHAPTER99 = YALE / "data/us_notes/chapter99_2026_rev_6.txt.gz"
COUNTRY_EO = YALE / "resources/country_eo_exempt_products.csv"
TWT_LISTS = Path("tariffs/tradewartracker__trade-war-redux-2025/tariff-lists")
BRAZIL_301_EXEMPT = TWT_LISTS / "brazil-301-exemptions.csv"
CANADA_338_AIRCRAFT = TWT_LISTS / "canada-338-aircraft-exempt.csv"

_STAT = re.compile(r"\b(\d{4})\.(\d{2})\.(\d{4})\b")
_HS8 = re.compile(r"\b(\d{4})\.(\d{2})\.(\d{2})\b")
_ENTRY = re.compile(r"^\s*\((\d+)\)\s")
# Subdivision openings of U.S. note 20 (vvv)(i)-(iv) and (www), with the s.301 list each excludes from.
_EXCLUSION_SECTIONS = (
    (re.compile(r"^\(vvv\)\s+\(i\) The U\.S\. Trade Representative"), "1"),
    (re.compile(r"^\(ii\) The U\.S\. Trade Representative determined"), "2"),
    (re.compile(r"^\(iii\) The U\.S\. Trade Representative determined"), "3"),
    (re.compile(r"^\(iv\) The U\.S\. Trade Representative determined"), "4A"),
    (re.compile(r"^\(www\) The U\.S\. Trade Representative determined"), "2"),
)
_NOTE21 = re.compile(r"^\(21\) \(a\)")
_PAGE_FURNITURE = re.compile(
    r"Harmonized Tariff Schedule|Annotated for Statistical|U\.S\. Notes \(con\.\)|^\s*XXII\s*$|99 - III"
)


def _chapter99_lines(reference: Path) -> list[str]:
    with gzip.open(reference / CHAPTER99, "rt", encoding="utf-8", errors="replace") as handle:
        return handle.read().splitlines()


def s301_exclusions(lines: list[str]) -> list[tuple[str, str, bool]]:
    """(s.301 list, HTS10 line, whole line?) for every exclusion entry of U.S. note 20(vvv) and (www)."""
    starts: list[tuple[int, str]] = []
    position = 0
    for pattern, listed in _EXCLUSION_SECTIONS:  # each subdivision follows the previous one
        index = next(i for i in range(position, len(lines)) if pattern.match(lines[i]))
        starts.append((index, listed))
        position = index + 1
    stop = next(i for i, line in enumerate(lines) if i > starts[-1][0] and _NOTE21.match(line))
    bounds = [*(s[0] for s in starts[1:]), stop]
    found: list[tuple[str, str, bool]] = []
    for (begin, listed), end in zip(starts, bounds, strict=True):
        entries: list[list[str]] = []
        for line in lines[begin:end]:
            if _PAGE_FURNITURE.search(line):
                continue
            if _ENTRY.match(line):
                entries.append([line])
            elif entries:
                entries[-1].append(line)
        for entry in entries:
            body = _ENTRY.sub("", " ".join(part.strip() for part in entry)).strip()
            codes = ["".join(m.groups()) for m in _STAT.finditer(body)]
            whole = bool(re.fullmatch(r"\d{4}\.\d{2}\.\d{4}", body))
            found.extend((listed, code, whole) for code in codes)
    return found


_CIVIL_AIRCRAFT_NOTES = {
    # (opening of the subdivision, opening of the next one)
    "gbr": (r"^\s*\(a\) As provided in heading 9903\.96\.01", r"^\s*\(b\) As provided in heading"),
    "jpn": (r"^\s*\(b\) As provided in heading 9903\.96\.02", r"^\s*36\. "),
    "eun": (r"^\(xxii\)\s+As provided in heading 9903\.02\.76", r"^\s*\(xxiii\)"),
    "kor": (r"^\s*\(b\) As provided in heading 9903\.02\.81", r"^\s*\(xxv\)"),
    "che": (
        r"^\s*\(c\) As provided in headings 9903\.02\.85 and 9903\.02\.90",
        r"^\s*\(d\) As provided in headings",
    ),
    "bra": (
        r"^\s*\(iv\) As provided in heading 9903\.01\.82",
        r"^\s*\(v\) The additional duties imposed by heading",
    ),
}
# Scope names of the civil-aircraft lists: U.S. note 35(a) (UK, 9903.96.01), 35(b) (Japan, 9903.96.02),
# 2(v)(xxii) (EU, 9903.02.76), 2(v)(xxiv)(b) (Korea, 9903.02.81), 2(v)(xxv)(c) (Switzerland and
# Liechtenstein, 9903.02.85/.90), 2(x)(iv) (Brazil, 9903.01.82) and 35(c) (Taiwan, 9903.96.03, components
# only). Every one exempts civil aircraft, their
# parts and simulators "that otherwise meet the criteria of General Note 6" and fall in the listed provisions.
_CIVIL_AIRCRAFT_LISTS = (
    ("gbr", "note35a"), ("jpn", "note35b"), ("eun", "note2v22"), ("kor", "note2v24b"), ("che", "note2v25c"),
    ("bra", "note2x4"), ("twn", "note35c"),
)  # fmt: skip


# U.S. note 35(c) (heading 9903.96.03, HTS 2026 Rev 9, from 2026-05-01): Taiwan's civil-aircraft components
# exempt from 9903.82.02 and 9903.82.04-9903.82.19. The note postdates the Rev 6 text we hold; its 119
# provisions are read from a public engine's transcription of the Rev 10 notes (hts-hero, reference notes of
# 2026HTSRev10), to be re-read from the USITC text when a later revision is available.
_NOTE35C_TAIWAN = (
    "73043130", "73043160", "73043900", "73044130", "73044160", "73044900", "73045110", "73045150", "73045910",
    "73045920", "73045960", "73045980", "73049010", "73049030", "73049050", "73049070", "73063010", "73063030",
    "73063050", "73064010", "73064050", "73065010", "73065030", "73065050", "73066110", "73066130", "73066150",
    "73066170", "73066910", "73066930", "73066950", "73066970", "73121005", "73121010", "73121020", "73121030",
    "73121050", "73121060", "73121070", "73121080", "73121090", "73129000", "73229000", "73241000", "73249000",
    "73262000", "74130090", "76081000", "76082000", "83021060", "83022000", "83024230", "83024960", "83026030",
    "84122100", "84122980", "84129090", "84138100", "84139190", "84143040", "84145965", "84148016", "84149030",
    "84149041", "84151060", "84151090", "84158101", "84158201", "84158300", "84159040", "84159080", "84181000",
    "84183000", "84184000", "84195010", "84195050", "84198150", "84199010", "84212900", "84254200", "84269900",
    "84283300", "84283900", "84289003", "84798965", "84798995", "84799045", "84799055", "84799065", "84799075",
    "84799085", "84799095", "84831010", "84831050", "84833040", "84833080", "84834010", "84834050", "84834090",
    "84835060", "84835090", "84836040", "84836080", "84839020", "84839030", "84839050", "84839080", "85015360",
    "85022000", "85023100", "85043120", "85043140", "85043160", "85043200", "85043300", "85142040", "85177100",
    "85299073", "85439088",
)  # fmt: skip


def civil_aircraft_subheadings(lines: list[str], country: str) -> list[str]:
    """HS8 subheadings of the civil-aircraft list for ``country``: U.S. note 35(a) (UK), 35(b) (Japan) or
    note 2(v)(xxii) (EU)."""
    opening, closing = (re.compile(p) for p in _CIVIL_AIRCRAFT_NOTES[country])
    begin = next(i for i, line in enumerate(lines) if opening.match(line))
    codes: list[str] = []
    for line in lines[begin + 1 :]:
        if closing.match(line):
            break
        codes.extend("".join(m.groups()) for m in _HS8.finditer(line))
    return sorted(set(codes))


# Subdivisions (ii)-(iv) of U.S. note 2(aa) (the s.122 surcharge, heading 9903.03.01): each runs from its
# opening to the next one. (ii) lists subheadings (and one statistical number) exempt whole, (iii) names
# particular articles by the subheading they are classifiable in, (iv) is the civil-aircraft list.
_NOTE2AA_SUBDIVISIONS = (
    ("ii", r"^\(ii\) As provided in heading 9903\.03\.03"),
    ("iii", r"^\(iii\) As provided in heading 9903\.03\.04"),
    ("iv", r"^\(iv\) As provided in heading 9903\.03\.05"),
    ("v", r"^\(v\) As provided in heading 9903\.03\.06"),
)


def s122_exemption_provisions(lines: list[str]) -> dict[str, list[str]]:
    """Provisions named by U.S. note 2(aa)(ii), (iii) and (iv) (headings 9903.03.03-.05), as digit strings
    (HS8, or HS10 where the note names a statistical reporting number)."""
    starts = [
        (name, next(i for i, line in enumerate(lines) if re.match(pattern, line)))
        for name, pattern in _NOTE2AA_SUBDIVISIONS
    ]
    found: dict[str, list[str]] = {}
    for (name, begin), (_, end) in pairwise(starts):
        codes: list[str] = []
        for line in lines[begin + 1 : end]:
            codes.extend("".join(m.groups()) for m in _STAT.finditer(line))
            codes.extend("".join(m.groups()) for m in _HS8.finditer(line))
        found[name] = sorted(set(codes))
    return found


def _civil_aircraft_rows(
    scope: str, listed: list[str], civil_lines: pd.Series
) -> list[tuple[str, str, None]]:
    """Rows of a civil-aircraft list under the common rule: chapter 88 provisions and the listed subheadings'
    statistical lines 'for use in civil aircraft' by themselves (``_by_line``), the rest with the end-use
    claim (``_end_use``)."""
    rows = [(f"{scope}_{'by_line' if code.startswith('88') else 'end_use'}", code, None) for code in listed]
    listed_set = set(listed)
    rows += [
        (f"{scope}_by_line", code, None)
        for code in sorted(c for c in civil_lines if c[:8] in listed_set and not c.startswith("88"))
    ]
    return rows


def build(reference: Path, out_dir: Path) -> list[Provenance]:
    lines = _chapter99_lines(reference)
    rows: list[tuple[str, str, str | None]] = []
    for s301_list, code, whole in s301_exclusions(lines):
        kind = "lines" if whole else "described"
        rows.append((f"s301_exclusion_{kind}_{s301_list}", code, None))
    products = pd.read_parquet(out_dir / "hts_products.parquet")
    civil_lines = products.loc[products["description"].str.contains("civil aircraft", case=False), "hs10"]
    listed_by_country: dict[str, set[str]] = {}
    for country, note in _CIVIL_AIRCRAFT_LISTS:
        # Civil aircraft by the line itself: chapter 88 (aircraft, simulators, aircraft parts) and statistical
        # lines "for use in civil aircraft". The other listed subheadings are civil-aircraft goods only when
        # entered with the General Note 6 end-use claim.
        listed = list(_NOTE35C_TAIWAN) if country == "twn" else civil_aircraft_subheadings(lines, country)
        rows += _civil_aircraft_rows(f"civil_aircraft_{country}_{note}", listed, civil_lines)
        listed_by_country[country] = set(listed)
    # U.S. note 50(a)(iv) (heading 9903.05.05, s.301 action on Brazil from 2026-07-22): civil aircraft and
    # parts meeting General Note 6 in the listed provisions. The note postdates the Rev 6 text; its list is
    # tradewartracker's (category "aircraft"), split by the same rule as the other civil-aircraft lists.
    brazil_301 = pd.read_csv(reference / BRAZIL_301_EXEMPT, dtype=str)
    aircraft_301 = sorted(
        {re.sub(r"\D", "", c) for c in brazil_301.loc[brazil_301["category"] == "aircraft", "HTSUS"]}
    )
    rows += _civil_aircraft_rows("civil_aircraft_bra301_note50a4", aircraft_301, civil_lines)
    # U.S. note 51(d) (heading 9903.03.16, s.338 duties on Canada from 2026-08-22): civil aircraft other than
    # military and unmanned aircraft, their parts and simulators meeting General Note 6 in the listed
    # provisions. The note postdates the Rev 6 text; tradewartracker parses the list from Annex II of
    # Proclamation 11046 (FR Doc 2026-14991), which sets out the note. Same rule as every civil-aircraft list.
    canada_338 = pd.read_csv(reference / CANADA_338_AIRCRAFT, dtype=str)
    aircraft_338 = sorted({re.sub(r"\D", "", c) for c in canada_338["HTSUS"]})
    rows += _civil_aircraft_rows("civil_aircraft_can338_note51d", aircraft_338, civil_lines)
    # U.S. note 2(aa)(ii)-(iv) (s.122 surcharge): the product exemptions (ii) and (iii) apply whole; the
    # civil-aircraft list (iv) (heading 9903.03.05) follows the common rule. The forced-labour action
    # (note 52) reuses these lists.
    s122 = s122_exemption_provisions(lines)
    rows += [("s122_note2aa_ii", code, None) for code in s122["ii"]]
    rows += [("s122_note2aa_iii", code, None) for code in s122["iii"]]
    rows += _civil_aircraft_rows("civil_aircraft_s122_note2aa4", s122["iv"], civil_lines)
    country_eo = pd.read_csv(reference / COUNTRY_EO, dtype=str, comment="#")
    brazil = country_eo[country_eo["ch99_code"] == "9903.01.77"]
    for start, group in brazil.groupby("effective_date_start"):
        name = "brazil_eo14323_annex_i" if start == "2025-08-06" else "brazil_eo14323_2025_11"
        codes = {re.sub(r"\D", "", code) for code in group["hts10"]}
        # The civil-aircraft provisions of the annex follow note 2(x)(iv) (heading 9903.01.82): they are
        # scoped by civil_aircraft_bra_note2x4_* like every other partner's list, not excepted whole here.
        rows += [(name, code, None) for code in sorted(codes) if code[:8] not in listed_by_country["bra"]]
    frame = pd.DataFrame(rows, columns=["scope", "prefix", "effective_date"]).drop_duplicates()
    frame.to_parquet(out_dir / "tariff_scopes_legal.parquet", index=False, compression="zstd")
    return [
        Provenance(
            "tariff_scopes_legal.parquet",
            f"{CHAPTER99} (U.S. notes 2(v), 2(x)(iv), 2(aa)(ii)-(iv), 20(vvv), 20(www), 35); U.S. note 35(c) of HTS "
            f"2026 Rev 9 (transcribed by hts-hero); {COUNTRY_EO} (heading 9903.01.77); {BRAZIL_301_EXEMPT} (note "
            f"50(a)(iv)); {CANADA_338_AIRCRAFT} (note 51(d), from Annex II of Proclamation 11046)",
            "exclusion and exemption lists parsed from the HTSUS Chapter 99 text (notes 2(v)(xxii), (xxiv)(b), (xxv)(c), "
            "2(x)(iv), 2(aa)(ii)-(iv), 20, 35); Brazil EO 14323 annex codes normalised to digit prefixes, civil-aircraft "
            "provisions left to note 2(x)(iv); civil-aircraft lists split into lines civil by themselves and lines "
            "needing the end-use claim",
            "HTSUS text USITC public domain; Budget-Lab-Yale (cite The Budget Lab at Yale)",
        )
    ]
