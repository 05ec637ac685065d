"""pandera schemas of the frames that cross layer boundaries; a violation is a named DataError."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError, SchemaErrors

from tarifflab.errors import DataError

IMPORT_LINES = pa.DataFrameSchema(
    {
        "hs10": pa.Column(str, pa.Check.str_matches(r"^\d{10}$")),
        "partner": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")),
        "imports_usd": pa.Column(float, [pa.Check.ge(0), pa.Check(lambda s: s.notna() & (s < 1e13))]),
        "duty_usd": pa.Column(float, pa.Check.ge(0)),
    },
    unique=["hs10", "partner"],
    strict=False,
    coerce=True,
)


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema, what: str) -> pd.DataFrame:
    """Validate ``frame``; raise :class:`DataError` naming the first failing column and check."""
    try:
        return schema.validate(frame)
    except (SchemaError, SchemaErrors) as error:
        first = str(error).strip().splitlines()[0][:200]
        raise DataError(f"{what} failed validation: {first}") from None
