"""Packages read from the law: ``law:YYYY-MM-DD`` is the US lever settings the measure library (with any
scenario files applied) gives for the partner on that date; the partner's levers stay at the status quo."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tarifflab.errors import InvalidDateError, InvalidInputError
from tarifflab.negotiation.levers import Pair
from tarifflab.negotiation.packages import Package
from tarifflab.policy.library import COVERAGE_START
from tarifflab.policy.scenario import library_with_scenarios
from tarifflab.studies.negotiation_levers import us_levers_on

PREFIX = "law:"


def is_law_package(name: str) -> bool:
    return name.startswith(PREFIX)


def law_package(pair: Pair, name: str, scenarios: list[Path] | None = None) -> tuple[Package, str | None]:
    """The package ``law:DATE`` for ``pair`` and the scenario hash it was read with (None without)."""
    text = name.removeprefix(PREFIX)
    try:
        on = dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidDateError(f"package {name!r}: malformed date (use law:YYYY-MM-DD)") from None
    if on < COVERAGE_START:
        raise InvalidDateError(f"package {name!r}: before the first covered date {COVERAGE_START}")
    library = library_with_scenarios(list(scenarios or []))
    levers = pair.status_quo()
    for lever, value in us_levers_on(library, pair.partner, on).items():
        if lever in pair.levers:
            levers[lever] = pair.lever(lever).check(value)
    stale = library.stale_days(on)
    description = (
        f"US tariffs on {pair.partner} in the law as known on {library.law_known_on}, entry date {on}"
    )
    if stale:
        description += f" ({stale} days past the library's date)"
    if library.scenario_hash:
        description += f", scenario {library.scenario_hash}"
    return Package(name, description, levers), library.scenario_hash


def package_scenario_text(
    pair: Pair, package: Package, on: dt.date, scenarios: list[Path] | None = None
) -> tuple[str, int]:
    """The scenario file (YAML text) that puts ``package``'s US levers for ``pair`` in force on ``on``
    (over the law with ``scenarios`` applied), and its number of records; see
    :mod:`tarifflab.studies.package_scenarios`."""
    from tarifflab.studies.package_scenarios import US_LEVERS, package_scenario_records, scenario_yaml

    if on < COVERAGE_START:
        raise InvalidDateError(f"date {on} is before the first covered date {COVERAGE_START}")
    library = library_with_scenarios(list(scenarios or []))
    levers = {name: package.levers[name] for name in US_LEVERS}
    records = package_scenario_records(library, pair.partner, levers, on)
    settings = ", ".join(f"{k}={v:g}" for k, v in levers.items())
    header = (
        f"Package {package.name} of {pair.name}: US levers on {pair.partner} from {on} as a tariff-engine "
        f"scenario\n(tarifflab negotiate scenario; law known on {library.law_known_on}"
        + (f", over scenario {library.scenario_hash}" if library.scenario_hash else "")
        + f")\n{settings}\n"
    )
    if not records:
        raise InvalidInputError(
            f"the law on {on} already gives package {package.name}'s US levers for {pair.partner}: "
            "no scenario to write (use the law as it is)"
        )
    return scenario_yaml(records, header), len(records)
