"""HTSUS revisions from the USITC's JSON export: parse, store under the user data directory, look up.

The USITC publishes each revision of the Harmonized Tariff Schedule as a JSON list of objects with the keys
``htsno``, ``indent``, ``description``, ``superior``, ``units``, ``general``, ``special``, ``other``,
``footnotes`` (each ``{"columns": [...], "value": "See 9903.88.15.", "type": "endnote"}``), ``quotaQuantity``
and ``additionalDuties``. A statistical suffix line (10 digits) usually leaves ``general`` empty: it takes the
rate of the line above it in the indentation, and the Chapter 99 references of every line above it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from tarifflab._io import atomic_write
from tarifflab.errors import DataError, UnknownProductError

USER_DIR_ENV = "TARIFFLAB_USER_DATA"
CHAPTER99 = re.compile(r"\b99\d{2}\.\d{2}\.\d{2}\b")
CHAPTER99_RANGE = re.compile(r"\b(99\d{2}\.\d{2}\.\d{2})\s*(?:-|–|through|to)\s*(99\d{2}\.\d{2}\.\d{2})\b")


def user_data_dir() -> Path:
    """Where tarifflab keeps what a user downloads: ``TARIFFLAB_USER_DATA`` or the OS user data folder."""
    configured = os.environ.get(USER_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("tarifflab"))


def revisions_dir() -> Path:
    return user_data_dir() / "hts"


def chapter99_references(footnotes: Any, known_headings: list[str]) -> list[str]:
    """Chapter 99 headings named in a line's footnotes; a range "9904.04.50-9904.05.01" becomes the headings
    of the revision inside it (its two ends when the revision lists none)."""
    found: list[str] = []
    for note in footnotes or []:
        text = str(note.get("value", "")) if isinstance(note, dict) else str(note)
        for first, last in CHAPTER99_RANGE.findall(text):
            inside = [h for h in known_headings if first <= h <= last]
            found.extend(inside or [first, last])
        found.extend(CHAPTER99.findall(CHAPTER99_RANGE.sub(" ", text)))
    return sorted(set(found))


def digits(code: str) -> str:
    return re.sub(r"[^0-9]", "", str(code))


def parse_export(payload: bytes | str) -> pd.DataFrame:
    """Lines of a USITC JSON export, with rates and Chapter 99 references inherited down the indentation.

    Columns: hts (digits), htsno, indent, description, general (rate text, own or inherited), chapter99
    (list), leaf (no line below it). Reading the rate texts is the policy layer's (``policy/hts_update``).
    """
    try:
        records = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        raise DataError("HTS export: not JSON (expected the USITC export, a list of objects)") from None
    if not isinstance(records, list) or not all(isinstance(r, dict) and "htsno" in r for r in records):
        raise DataError("HTS export: expected a list of objects with htsno, indent, general, footnotes")
    known = sorted({str(r["htsno"]).strip() for r in records if str(r["htsno"]).startswith("99")})
    rows: list[dict[str, Any]] = []
    stack: list[tuple[int, str, list[str]]] = []  # (indent, general text, references) of the lines above
    for record in records:
        htsno = str(record.get("htsno") or "").strip()
        try:
            indent = int(record.get("indent") or 0)
        except (TypeError, ValueError):
            raise DataError(f"HTS export: line {htsno or '?'}: indent is not a number") from None
        while stack and stack[-1][0] >= indent:
            stack.pop()
        own_general = str(record.get("general") or "").strip()
        general = own_general or next((g for _, g, _ in reversed(stack) if g), "")
        references = chapter99_references(record.get("footnotes"), known)
        inherited = sorted({ref for _, _, refs in stack for ref in refs} | set(references))
        stack.append((indent, own_general, references))
        if not htsno:
            continue  # a heading text without a number: it still passes its rate and notes down
        rows.append(
            {
                "hts": digits(htsno),
                "htsno": htsno,
                "indent": indent,
                "description": str(record.get("description") or ""),
                "general": general,
                "chapter99": inherited,
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        raise DataError("HTS export: no numbered lines")
    codes = frame["hts"].tolist()
    frame["leaf"] = [
        not (i + 1 < len(codes) and codes[i + 1].startswith(code) and len(codes[i + 1]) > len(code))
        for i, code in enumerate(codes)
    ]
    return frame


@dataclass(frozen=True)
class RevisionInfo:
    """A stored HTS revision: its id ("2026 Revision 21"), date, and the SHA-256 of the export as read."""

    revision: str
    date: str
    sha256: str
    source: str
    lines: int
    stored_on: str


def _slug(revision: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", revision).strip("-").lower()


def revision_from_name(name: str) -> str | None:
    """The revision id a USITC file name implies ("hts_2026_revision_21_json.json" → "2026 Revision 21")."""
    match = re.search(r"(20\d{2})\D{0,12}?rev(?:ision)?\D{0,3}(\d+)", name, re.IGNORECASE)
    if match:
        return f"{match.group(1)} Revision {int(match.group(2))}"
    match = re.search(r"(20\d{2})\D{0,12}basic", name, re.IGNORECASE)
    return f"{match.group(1)} Basic Edition" if match else None


def store_revision(payload: bytes, source: str, revision: str, date: dt.date) -> RevisionInfo:
    """Parse ``payload`` and store export, derived lines and metadata; make it the revision in use."""
    lines = parse_export(payload)
    info = RevisionInfo(
        revision=revision,
        date=date.isoformat(),
        sha256=hashlib.sha256(payload).hexdigest(),
        source=source,
        lines=len(lines),
        stored_on=dt.date.today().isoformat(),
    )
    folder = revisions_dir() / _slug(revision)
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_write(folder / "export.json", "wb") as handle:
        handle.write(payload)
    stored = lines.assign(chapter99=lines["chapter99"].map(json.dumps))
    with atomic_write(folder / "lines.parquet", "wb") as handle:
        stored.to_parquet(handle, index=False)
    with atomic_write(folder / "revision.json", "w") as handle:
        handle.write(json.dumps(asdict(info), indent=2))
    with atomic_write(revisions_dir() / "current.json", "w") as handle:
        handle.write(json.dumps({"revision": revision, "folder": folder.name}))
    return info


def current_revision() -> tuple[RevisionInfo, pd.DataFrame] | None:
    """The revision in use and its lines, or None if none was stored."""
    pointer = revisions_dir() / "current.json"
    if not pointer.exists():
        return None
    try:
        folder = revisions_dir() / json.loads(pointer.read_text(encoding="utf-8"))["folder"]
        info = RevisionInfo(**json.loads((folder / "revision.json").read_text(encoding="utf-8")))
        lines = pd.read_parquet(folder / "lines.parquet")
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise DataError(
            f"stored HTS revision under {revisions_dir()} is damaged ({error}); run data update"
        ) from None
    lines["chapter99"] = lines["chapter99"].map(json.loads)
    return info, lines


def require_revision() -> tuple[RevisionInfo, pd.DataFrame]:
    found = current_revision()
    if found is None:
        raise DataError("no HTS revision stored: run `tarifflab data update hts --from FILE_OR_URL` first")
    return found


def find_line(lines: pd.DataFrame, code: str, revision: str) -> pd.Series:
    """The line whose number is ``code`` (dots optional)."""
    wanted = digits(code)
    if not 4 <= len(wanted) <= 10 or len(wanted) != len(str(code).replace(".", "").strip()):
        raise UnknownProductError(f"malformed HTS number: {code!r} (e.g. 8703.23.01.40)")
    match = lines[lines["hts"] == wanted]
    if match.empty:
        raise UnknownProductError(f"HTS {code} is not in {revision}")
    return match.iloc[0]
