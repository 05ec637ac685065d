"""Federal Register documents on tariffs, read through the Federal Register's public API (no key needed).

This lists documents so that a person can encode them in the measure library; it never turns a document
into law by itself. API: https://www.federalregister.gov/developers/documentation/api/v1
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd

from tarifflab.errors import DataError

API = "https://www.federalregister.gov/api/v1/documents.json"
FIELDS = ("document_number", "publication_date", "type", "title", "agencies", "html_url", "citation")
# Rules, proclamations/executive orders and notices: where tariff actions and HTSUS modifications appear.
TYPES = ("RULE", "PRESDOCU", "NOTICE")
MAX_PAGES = 10


def _http_get(url: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """GET a JSON document (the one place this module touches the network; tests replace it)."""
    import requests

    try:
        response = requests.get(url, params=params, timeout=30)
        response.raise_for_status()
        payload: dict[str, Any] = response.json()
    except requests.RequestException as error:
        raise DataError(f"Federal Register API unreachable: {type(error).__name__}: {error}") from None
    except ValueError:
        raise DataError("Federal Register API answered something that is not JSON") from None
    return payload


def tariff_documents(
    since: dt.date,
    term: str = "tariff",
    get: Callable[[str, dict[str, Any] | None], dict[str, Any]] | None = None,
) -> pd.DataFrame:
    """Documents published on or after ``since`` matching ``term``, oldest first.

    Columns: publication_date, document_number, type, title, agencies, citation, html_url.
    """
    fetch = get or _http_get
    params: dict[str, Any] | None = {
        "conditions[term]": term,
        "conditions[publication_date][gte]": since.isoformat(),
        "conditions[type][]": list(TYPES),
        "fields[]": list(FIELDS),
        "order": "oldest",
        "per_page": 100,
    }
    url: str | None = API
    rows: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        if url is None:
            break
        page = fetch(url, params)
        if not isinstance(page, dict) or not isinstance(page.get("results", []), list):
            raise DataError("Federal Register API: unexpected answer (no results list)")
        for item in page.get("results", []):
            agencies = item.get("agencies") or []
            rows.append(
                {
                    "publication_date": item.get("publication_date"),
                    "document_number": item.get("document_number"),
                    "type": item.get("type"),
                    "title": item.get("title"),
                    "agencies": "; ".join(
                        str(a.get("name", a)) if isinstance(a, dict) else str(a) for a in agencies
                    ),
                    "citation": item.get("citation"),
                    "html_url": item.get("html_url"),
                }
            )
        url, params = page.get("next_page_url"), None  # the next page URL carries the query
    columns = ["publication_date", "document_number", "type", "title", "agencies", "citation", "html_url"]
    return pd.DataFrame(rows, columns=columns)
