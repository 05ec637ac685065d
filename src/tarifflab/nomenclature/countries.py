"""Country codes. Inside tarifflab a country is an ISO3 code; the EU aggregate is ``EUN``.

Names, ISO2 codes and Census Schedule C codes are accepted at the edges and converted once here.
"""

from __future__ import annotations

from functools import lru_cache

import pycountry

from tarifflab.errors import UnknownCountryError

EU_AGGREGATE = "EUN"
WORLD = "ALL"

EU27: tuple[str, ...] = (
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "IRL",
    "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE",
)  # fmt: skip

# Names that pycountry does not resolve, or resolves to something other than what trade data means.
_ALIASES: dict[str, str] = {
    "EU": EU_AGGREGATE,
    "EUN": EU_AGGREGATE,
    "EUROPEAN UNION": EU_AGGREGATE,
    "EU27": EU_AGGREGATE,
    "EU-27": EU_AGGREGATE,
    "KOREA": "KOR",
    "SOUTH KOREA": "KOR",
    "KOREA, SOUTH": "KOR",
    "TAIWAN": "TWN",
    "VIETNAM": "VNM",
    "RUSSIA": "RUS",
    "UK": "GBR",
    "UNITED KINGDOM": "GBR",
    "BURMA": "MMR",
    "TURKEY": "TUR",
    "HONG KONG": "HKG",
    "MACAU": "MAC",
    "LAOS": "LAO",
    "IRAN": "IRN",
    "SYRIA": "SYR",
    "BOLIVIA": "BOL",
    "VENEZUELA": "VEN",
    "TANZANIA": "TZA",
    "MOLDOVA": "MDA",
    "BRUNEI": "BRN",
    "KOSOVO": "XKX",
    "ROW": "ROW",
    "REST OF WORLD": "ROW",
}


@lru_cache(maxsize=4096)
def to_iso3(value: str) -> str:
    """Resolve an ISO3/ISO2 code or an English country name to ISO3.

    Raises :class:`UnknownCountryError` naming the value when it resolves to nothing.
    """
    text = str(value).strip()
    if not text:
        raise UnknownCountryError("empty country code")
    key = text.upper()
    if key in _ALIASES:
        return _ALIASES[key]
    if key == WORLD:
        return WORLD
    try:
        country = pycountry.countries.lookup(text)
    except LookupError:
        raise UnknownCountryError(
            f"unknown country: {value!r} (use an ISO3 code such as JPN, or a name)"
        ) from None
    return str(country.alpha_3)


def country_name(iso3: str) -> str:
    """English short name for an ISO3 code (``EUN`` → "European Union")."""
    if iso3 == EU_AGGREGATE:
        return "European Union"
    if iso3 == WORLD:
        return "All partners"
    if iso3 == "ROW":
        return "Rest of world"
    country = pycountry.countries.get(alpha_3=iso3)
    return str(country.name) if country is not None else iso3
