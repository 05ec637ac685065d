"""Find HTS-10 lines by the words of their descriptions, or list the lines under a shorter code.

Ranking is Okapi BM25 (``bm25s``: sparse-matrix scoring, NumPy/SciPy only, no network, about two
seconds to index the 19,731 lines once per process) over each line's full text in the HTSUS indent
hierarchy: the heading, every parent line and the line itself, so "Smartphones" under heading 8517
is found by "telephone" as well. Words are stemmed (Snowball English, ``PyStemmer``) so "cars" finds
"car". DuckDB's full-text extension would need a download at run time; the embedded data must work
offline.

HTS text says "motor cars ... for the transport of persons", "portable automatic data processing
machines", "medicaments": :data:`SYNONYMS` adds the schedule's words to the everyday ones people type.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from tarifflab.data.embedded import embedded_path
from tarifflab.errors import UnknownProductError

# Everyday word → the words the HTSUS uses for it. Keys are lower case, single words; a query word that
# is a key adds its value's words to the query (the typed word stays, in case the schedule uses it too).
SYNONYMS: Mapping[str, str] = {
    "laptop": "portable automatic data processing machines",
    "laptops": "portable automatic data processing machines",
    "notebook": "portable automatic data processing machines",
    "computer": "automatic data processing machines",
    "computers": "automatic data processing machines",
    "pc": "automatic data processing machines",
    "server": "automatic data processing machines units",
    "car": "motor cars vehicles transport persons",
    "cars": "motor cars vehicles transport persons",
    "automobile": "motor cars vehicles transport persons",
    "automobiles": "motor cars vehicles transport persons",
    "passenger": "transport persons",
    "suv": "motor cars vehicles transport persons",
    "truck": "motor vehicles transport goods",
    "trucks": "motor vehicles transport goods",
    "lorry": "motor vehicles transport goods",
    "phone": "telephone sets smartphones",
    "phones": "telephone sets smartphones",
    "cellphone": "telephone sets smartphones cellular",
    "mobile": "telephone smartphones cellular",
    "iphone": "smartphones",
    "medicine": "medicaments mixed unmixed doses retail",
    "medicines": "medicaments mixed unmixed doses retail",
    "drug": "medicaments",
    "drugs": "medicaments",
    "pharmaceutical": "medicaments",
    "pharmaceuticals": "medicaments",
    "pill": "medicaments measured doses tablets",
    "pills": "medicaments measured doses tablets",
    "tv": "television reception apparatus",
    "tvs": "television reception apparatus",
    "shoes": "footwear",
    "shoe": "footwear",
    "sneakers": "footwear sports",
    "boots": "footwear",
    "chip": "electronic integrated circuits",
    "chips": "electronic integrated circuits",
    "microchip": "electronic integrated circuits",
    "semiconductor": "semiconductor devices electronic integrated circuits",
    "beef": "meat bovine animals",
    "pork": "meat swine",
    "chicken": "meat fowls gallus domesticus",
    "bike": "bicycles",
    "bikes": "bicycles",
    "motorbike": "motorcycles",
    "tire": "pneumatic tires",
    "tyre": "pneumatic tires",
    "tyres": "pneumatic tires",
    "fridge": "refrigerators",
    "plane": "aeroplanes aircraft",
    "airplane": "aeroplanes aircraft",
    "solar": "photovoltaic",
    "battery": "storage batteries accumulators",
    "batteries": "storage batteries accumulators",
    "whisky": "whiskies",
    "whiskey": "whiskies",
    "sake": "rice wine fermented beverages",
    "lumber": "wood sawn lengthwise",
    "timber": "wood sawn lengthwise",
    "toy": "toys",
    "tshirt": "t-shirts knitted crocheted",
    "vaccine": "vaccines",
    "gasoline": "motor spirit petroleum oils",
    "petrol": "motor spirit petroleum oils",
    "crude": "petroleum oils crude",
}

_WORD = re.compile(r"[a-z0-9]+")
_CODE = re.compile(r"^[\d.\s]+$")
_COLUMNS = ["hts10", "description", "heading", "score"]


def expand_query(text: str) -> list[str]:
    """The query's words plus the HTSUS words :data:`SYNONYMS` gives for them (lower case)."""
    words = _WORD.findall(text.lower().replace("-", ""))
    expanded = list(words)
    for word in words:
        expanded.extend(_WORD.findall(SYNONYMS.get(word, "")))
    return list(dict.fromkeys(expanded))


@lru_cache(maxsize=1)
def _lines() -> pd.DataFrame:
    """The embedded HTS-10 lines: ``hts10, description, hierarchy, heading`` (one row per line)."""
    frame = pd.read_parquet(
        embedded_path("hts_products.parquet"), columns=["hs10", "description", "hierarchy"]
    )
    frame = frame.rename(columns={"hs10": "hts10"}).reset_index(drop=True)
    heading_text = frame["hierarchy"].str.split(" > ", n=1).str[0].str.slice(0, 80)
    frame["heading"] = frame["hts10"].str[:4] + " " + heading_text
    return frame


class _Index:
    """BM25 over each line's hierarchy text (built once per process)."""

    def __init__(self, lines: pd.DataFrame) -> None:
        import bm25s
        import Stemmer

        self._stemmer = Stemmer.Stemmer("english")
        # The line's own short description is added to its parents' text so its words count twice.
        documents = (lines["hierarchy"] + " " + lines["description"]).tolist()
        tokens = bm25s.tokenize(documents, stopwords="en", stemmer=self._stemmer, show_progress=False)
        self.vocabulary: dict[str, int] = dict(tokens.vocab)
        self._retriever: Any = bm25s.BM25()
        self._retriever.index(tokens, show_progress=False)

    def scores(self, words: list[str]) -> np.ndarray:
        stems = [s for s in self._stemmer.stemWords(words) if s in self.vocabulary]
        if not stems:
            return np.zeros(0)
        return np.asarray(self._retriever.get_scores(stems), dtype="float64")


@lru_cache(maxsize=1)
def _index() -> _Index:
    return _Index(_lines())


def lines_under(code: str) -> pd.DataFrame:
    """Every HTS-10 line whose code starts with ``code`` (2–10 digits, dots optional), by code.

    Columns ``hts10, description, heading``. Raises :class:`UnknownProductError` when none does.
    """
    digits = re.sub(r"[.\s]", "", str(code))
    if not digits.isdigit() or not 2 <= len(digits) <= 10:
        raise UnknownProductError(
            f"malformed HTS code: {code!r} (give 2 to 10 digits, e.g. 8703 or 8703.23.01)"
        )
    lines = _lines()
    found = lines[lines["hts10"].str.startswith(digits)]
    if found.empty:
        raise UnknownProductError(f"no HTS line starts with {digits} in the 2025 HTSUS")
    return found[["hts10", "description", "heading"]].sort_values("hts10").reset_index(drop=True)


def search_products(query: str, limit: int = 20) -> pd.DataFrame:
    """HTS-10 lines ranked by how well their text matches ``query``, best first.

    A query of digits (dots optional) lists the lines under that code instead (score 0). Columns
    ``hts10, description, heading, score`` (BM25 score, unitless; higher is a better match; ties by code).
    Raises :class:`UnknownProductError` when the query is empty or nothing matches.
    """
    text = str(query).strip()
    if not text:
        raise UnknownProductError("search needs words (e.g. laptop) or the start of a code (e.g. 8703)")
    if limit < 1:
        raise UnknownProductError(f"limit must be at least 1, got {limit}")
    if _CODE.match(text):
        listed = lines_under(text).assign(score=0.0)
        return listed.head(limit)[_COLUMNS]
    words = expand_query(text)
    scores = _index().scores(words)
    if scores.size == 0 or not (scores > 0).any():
        raise UnknownProductError(f"no HTS line matches {text!r} (try other words or a code such as 8703)")
    lines = _lines()
    order = np.lexsort((lines["hts10"].to_numpy(), -scores))
    order = order[scores[order] > 0][:limit]
    hits = lines.iloc[order][["hts10", "description", "heading"]].copy()
    hits["score"] = scores[order].round(3)
    return hits.reset_index(drop=True)[_COLUMNS]
