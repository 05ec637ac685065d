"""Japan's tariffs on US goods from Japan's customs schedule of 2025-04-01.

Source: ``../shared/data/sectors/derived/japan_tariff_2025_04_01_flat.csv.gz`` (flattened from
``qlitre/japan-tariff-mcp``, Japan Customs tariff schedule 2025-04-01). One row per 9-digit line.

Rate applied to a US good (fraction, ad valorem or ad-valorem equivalent, AVE):
1. the US–Japan Trade Agreement rate (column ``EPA_日米貿易協定``) where the line has one;
2. otherwise the MFN rate = the lower of the temporary rate (``暫定``, else the general rate ``基本``)
   and the WTO rate (``WTO協定``); a WTO rate in parentheses is a bound rate that is not applied
   because the general/temporary rate is equal or lower — it still enters the ``min`` harmlessly;
3. lines whose WTO rate is starred (``*``: tariff-rate-quota goods, e.g. rice, wheat, dairy) use the
   starred **over-quota** rate, the marginal rate on additional imports (rice: ¥341/kg);
   multi-line texts "関税割当数量以内のもの … / 関税割当数量以外のもの …" likewise use the over-quota line.

Specific duties are converted with an assumed unit value (JPY per kg, per litre, per head …):
``PRICE_ASSUMPTIONS`` below, by HS heading/chapter; e.g. **rice ¥180/kg** (US medium-grain rice
≈ USD 1,200 per tonne at ¥150/USD, 2024–25), so ¥341/kg ≈ 189 % AVE. "A or B, whichever is higher
(lower)" takes the max (min); gate-price duties (pork: (¥524×1.004 − price)/kg, at most ¥58/kg or
the lower of the two) are evaluated at the assumed price. Lines whose text still cannot be parsed
are dropped from the averages and counted in :func:`coverage`.

Sector rates are simple averages over the 9-digit lines of each sector (no line-level trade weights
for US exports to Japan were available; see ../shared/data/sectors/README.md "Not found").
Overrides by sector, HS range or line replace rates before aggregation (:class:`JapanOverride`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from tarifflab.errors import InvalidInputError, UnknownProductError

SCHEDULE_DATE = "2025-04-01"
USJTA = "EPA_日米貿易協定"
_FILE = ("sectors", "derived", "japan_tariff_2025_04_01_flat.csv.gz")

# Assumed unit values (JPY per unit) for specific duties; key = HS prefix (longest match wins).
PRICE_ASSUMPTIONS: dict[str, float] = {
    "1006": 180.0,  # rice, ¥/kg: US medium-grain ≈ USD 1,200/t × ¥150/USD
    "1001": 45.0,  # wheat, ¥/kg: ≈ USD 300/t
    "1003": 40.0,  # barley
    "02": 900.0,  # meat, ¥/kg: US beef/pork export unit values ≈ USD 6/kg
    "0203": 600.0,  # pork, ¥/kg (≈ USD 4/kg, the gate-price reference range)
    "04": 600.0,  # dairy, ¥/kg: ≈ USD 4/kg
    "0402": 450.0,  # milk powder
    "0405": 900.0,  # butter
    "0406": 750.0,  # cheese
    "07": 200.0,  # vegetables
    "08": 300.0,  # fruit and nuts
    "10": 45.0,  # other cereals
    "11": 90.0,  # milling products
    "15": 250.0,  # fats and oils
    "17": 90.0,  # sugar
    "19": 400.0,  # cereal preparations
    "20": 300.0,  # vegetable/fruit preparations
    "21": 500.0,  # miscellaneous edible preparations
    "22": 500.0,  # beverages, ¥/litre
    "24": 3000.0,  # tobacco
    "35": 800.0,  # albuminoidal substances
    "": 500.0,  # any other specific duty
}
PER_HEAD_JPY = 500_000.0  # live animals, ¥ per head
PER_SQM_JPY = 3_000.0  # footwear uppers / fabrics, ¥ per m²
PER_PAIR_JPY = 6_000.0  # footwear, ¥ per pair
PER_PIECE_JPY = 2_000.0  # ¥ per piece / per bottle


@dataclass(frozen=True)
class JapanOverride:
    """Replace Japan's rate on US goods (fraction) for a sector, an HS range (inclusive, by prefix),
    or both (both must match)."""

    rate: float
    sector: str | None = None
    hs_from: str | None = None
    hs_to: str | None = None

    def __post_init__(self) -> None:
        if not np.isfinite(self.rate) or self.rate < 0:
            raise InvalidInputError(f"override rate must be a non-negative fraction, got {self.rate}")
        if self.sector is None and self.hs_from is None:
            raise InvalidInputError("an override needs a sector or an HS range")
        for code in (self.hs_from, self.hs_to):
            if code is not None and not re.fullmatch(r"\d{2,9}", code.replace(".", "")):
                raise UnknownProductError(f"malformed HS code in override: {code!r}")

    def matches(self, code9: str, sector: str) -> bool:
        if self.sector is not None and sector != self.sector:
            return False
        if self.hs_from is not None:
            lo = self.hs_from.replace(".", "")
            hi = (self.hs_to or self.hs_from).replace(".", "")
            if not (code9[: len(lo)] >= lo and code9[: len(hi)] <= hi):
                return False
        return True


def _price(code: str) -> float:
    best = ""
    for key in PRICE_ASSUMPTIONS:
        if code.startswith(key) and len(key) >= len(best):
            best = key
    return PRICE_ASSUMPTIONS[best]


_NUM = r"([0-9][0-9,]*(?:\.[0-9]+)?)"


def _num(text: str) -> float:
    return float(text.replace(",", ""))


def _simple(text: str, price: float) -> float | None:
    """AVE of one simple rate text (no alternatives), or None."""
    t = text.strip().strip("()（）").strip()
    t = t.lstrip("*◎●※").strip().strip("()（）")
    t = t.replace("％", "%").replace("＋", "+").replace("−", "-")
    if t in ("無税", ""):
        return 0.0 if t == "無税" else None
    m = re.fullmatch(_NUM + r"%", t)
    if m:
        return _num(m.group(1)) / 100.0
    m = re.fullmatch(_NUM + r"円/(kg|l|kl|頭|㎡|足|本|個|MT)", t)
    if m:
        return _specific(_num(m.group(1)), m.group(2), price)
    m = re.fullmatch(_NUM + r"%\+" + _NUM + r"円/(kg|l|㎡|本|足)", t)
    if m:
        return _num(m.group(1)) / 100.0 + _specific(_num(m.group(2)), m.group(3), price)
    m = re.fullmatch(_NUM + r"円-課税価格\)?/kg", t.replace("(", "").replace("（", ""))
    if m:
        return max(_num(m.group(1)) - price, 0.0) / price
    return None


def _specific(amount: float, unit: str, price: float) -> float:
    per_unit = {
        "kg": price,
        "l": price,
        "kl": price * 1000.0,
        "MT": price * 1000.0,
        "頭": PER_HEAD_JPY,
        "㎡": PER_SQM_JPY,
        "足": PER_PAIR_JPY,
        "本": PER_PIECE_JPY,
        "個": PER_PIECE_JPY,
    }[unit]
    return amount / per_unit


def ave(text: object, code9: str = "") -> float | None:
    """Ad-valorem equivalent (fraction) of a Japanese rate text at the assumed unit value; None if unparsable."""
    if not isinstance(text, str) or not text.strip():
        return None
    price = _price(code9)
    raw = text.strip()
    if (
        "\n" in raw
    ):  # tariff-quota texts: use the over-quota line ("関税割当数量以外のもの"), else the last line
        lines = [ln for ln in raw.splitlines() if ln.strip()]
        over = [ln for ln in lines if "以外" in ln]
        pick = (over or lines)[-1]
        raw = re.sub(r"^[^0-9無(（*]*", "", pick.split("\u3000")[-1]).strip() or pick
    gate = re.fullmatch(
        r"[（(]" + _NUM + r"円×" + _NUM + r"-課税価格[）)]/kg又は" + _NUM + r"円/kgのうちいずれか低い税率",
        raw,
    )
    if gate:
        gap = max(_num(gate.group(1)) * _num(gate.group(2)) - price, 0.0)
        return min(gap, _num(gate.group(3))) / price
    alt = re.fullmatch(r"[(（]?(.+?)又は(.+?)のうちいずれか(高|低)い税率[)）]?", raw)
    if alt:
        first, second = _simple(alt.group(1), price), _simple(alt.group(2), price)
        if first is None or second is None:
            return None
        return max(first, second) if alt.group(3) == "高" else min(first, second)
    rng = re.fullmatch(r"[(（]?(.+?)[)）]?〜[(（]?(.+?)[)）]?", raw)
    if rng:  # "(a)〜(b)": a range of bound rates — take the lower end (applied to most lines)
        return _simple(rng.group(1), price)
    return _simple(raw, price)


@lru_cache(maxsize=2)
def _schedule(reference: Path) -> pd.DataFrame:
    path = reference.joinpath(*_FILE)
    frame = pd.read_csv(path, dtype=str)
    # a line without a rate inherits it from its nearest ancestor node (rows are in tree order)
    cols = ["基本", "暫定", "WTO協定", USJTA]
    stack: list[tuple[int, dict[str, object]]] = []
    filled = []
    for rec in frame[["level", *cols]].itertuples(index=False):
        level = int(rec[0]) if isinstance(rec[0], str) and rec[0].isdigit() else 0
        while stack and stack[-1][0] >= level:
            stack.pop()
        own = dict(zip(cols, rec[1:], strict=True))
        has_any = any(isinstance(v, str) and v.strip() for v in own.values())
        if not has_any and stack:
            own = dict(stack[-1][1])
        stack.append((level, own))
        filled.append(own)
    frame[cols] = pd.DataFrame(filled, index=frame.index)[cols]
    frame = frame[frame["code9"].notna()].copy()
    frame["code9"] = frame["code9"].str.zfill(9)
    return frame


def us_rates_by_line(reference: Path | None = None) -> pd.DataFrame:
    """One row per 9-digit line: code9, hs6, rate_usjta, rate_mfn, rate (applied to US goods), basis."""
    from tarifflab.data.reference import reference_root

    frame = _schedule(reference or reference_root())
    rows = []
    for rec_d in frame.to_dict(orient="records"):
        code9 = str(rec_d["code9"])
        wto_text = rec_d.get("WTO協定")
        if isinstance(wto_text, str) and wto_text.strip().startswith("*"):
            mfn = ave(wto_text, code9)
        else:
            national_text = rec_d.get("暫定") if isinstance(rec_d.get("暫定"), str) else rec_d.get("基本")
            cands = [x for x in (ave(national_text, code9), ave(wto_text, code9)) if x is not None]
            mfn = min(cands) if cands else None
        usj = ave(rec_d.get(USJTA), code9)
        rate, basis = (usj, "USJTA") if usj is not None else (mfn, "MFN")
        rows.append(
            {
                "code9": code9,
                "hs6": code9[:6],
                "rate_usjta": usj,
                "rate_mfn": mfn,
                "rate": rate,
                "basis": basis,
            }
        )
    return pd.DataFrame(rows)


def japan_rates_on_us(
    sectors: Sequence[str],
    *,
    sector_of_hs6: Mapping[str, str] | None = None,
    overrides: Sequence[JapanOverride] = (),
    reference: Path | None = None,
) -> pd.Series:
    """Japan's tariff on US goods by sector (fraction; simple average over 9-digit lines)."""
    from tarifflab.nomenclature.sectors import (
        DEFAULT_SECTORS,
        default_sector_of,
        icio_sector_of_hs,
    )
    from tarifflab.nomenclature.sectors import (
        sector_of_hs6 as concordance,
    )

    lines = us_rates_by_line(reference)
    mapping = dict(sector_of_hs6) if sector_of_hs6 is not None else concordance(tuple(sectors), reference)
    default_like = set(sectors) <= set(DEFAULT_SECTORS)

    def sector(hs6: str) -> str:
        if hs6 in mapping:
            return mapping[hs6]
        icio = icio_sector_of_hs(hs6)
        return default_sector_of(icio) if default_like else icio

    lines = lines.assign(sector=lines["hs6"].map(sector))
    for ov in overrides:
        if ov.sector is not None and ov.sector not in sectors:
            raise InvalidInputError(f"override sector {ov.sector!r} is not a model sector")
        hit = [ov.matches(c, s) for c, s in zip(lines["code9"], lines["sector"], strict=True)]
        lines.loc[hit, "rate"] = ov.rate
    out = lines.dropna(subset=["rate"]).groupby("sector")["rate"].mean()
    return out.reindex(list(sectors)).fillna(0.0).rename("japan_rate_on_us")


def coverage(reference: Path | None = None) -> dict[str, int]:
    """Counts of 9-digit lines by basis and of lines whose rate text could not be parsed."""
    lines = us_rates_by_line(reference)
    return {
        "lines": len(lines),
        "usjta": int((lines["basis"] == "USJTA").sum()),
        "mfn": int(((lines["basis"] == "MFN") & lines["rate"].notna()).sum()),
        "unparsed": int(lines["rate"].isna().sum()),
    }
