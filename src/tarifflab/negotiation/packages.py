"""Packages (named lever settings) and lever grids, as YAML validated by pydantic.

A package file (``packages/<pair>.yaml``) maps names to ``{description, include: [...], levers: {...}}``;
``include`` merges other packages of the same file; ``override`` then changes chosen levers of the
result on purpose (``include: [july_2025_deal]`` + ``override: {us_auto_rate: 0.25}``). Contradictions
are named errors: the same lever set to different values by two included packages or by a package's
``levers`` and its includes (use ``override`` to mean it), or a partner that retaliates while conceding
(cuts, purchases or a pledge). On the CLI, ``--set LEVER=VALUE`` does the same as ``override``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from tarifflab.errors import InvalidInputError, ScenarioError
from tarifflab.negotiation.levers import Pair, get_pair


class ContradictoryPackageError(ScenarioError):
    """A package whose lever settings contradict each other."""


class UnknownPackageError(ScenarioError):
    """A package name that is neither built in nor a readable file."""


class EmptyGridError(InvalidInputError):
    """A lever grid with no packages."""


LeverValue = float | int | bool


class PackageSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    description: str = ""
    include: list[str] = []
    levers: dict[str, LeverValue] = {}
    override: dict[str, LeverValue] = {}


class PackageFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    pair: str
    packages: dict[str, PackageSpec]


class GridFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    pair: str
    base: dict[str, LeverValue] = {}
    grid: dict[str, list[LeverValue]]

    @field_validator("grid")
    @classmethod
    def _lists(cls, value: dict[str, list[LeverValue]]) -> dict[str, list[LeverValue]]:
        return value


@dataclass(frozen=True)
class Package:
    """A resolved package: every lever of the pair has a value."""

    name: str
    description: str
    levers: dict[str, float]

    def changed(self, pair: Pair) -> dict[str, float]:
        """Levers that differ from the status quo."""
        sq = pair.status_quo()
        return {k: v for k, v in self.levers.items() if v != sq[k]}


CONCESSIONS = (
    "partner_tariff_cut_agriculture", "partner_tariff_cut_food", "partner_tariff_cut_manufactures",
    "purchases_farm_usd_bn", "purchases_aircraft_usd_bn", "purchases_energy_usd_bn", "purchases_defence_usd_bn",
    "certification_cost_cut", "investment_pledge_usd_bn", "rice_purchase_increase",
)  # fmt: skip


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise UnknownPackageError(f"cannot read {path}: {err.strerror}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ScenarioError(f"{path}: malformed YAML ({str(err).splitlines()[0]})") from None


def _validation_message(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg']}"


def builtin_file(pair: Pair) -> Path:
    return Path(str(resources.files("tarifflab.negotiation").joinpath("packages", f"{pair.name}.yaml")))


def load_package_file(path: Path) -> PackageFile:
    raw = _read_yaml(path)
    try:
        return PackageFile.model_validate(raw)
    except ValidationError as err:
        raise ScenarioError(f"{path}: invalid package file ({_validation_message(err)})") from None


def check_consistency(pair: Pair, name: str, levers: dict[str, float]) -> None:
    """Named error for semantically contradictory settings."""
    if levers.get("partner_retaliation_rate", 0.0) > 0:
        conceding = [k for k in CONCESSIONS if levers.get(k, 0.0) > 0]
        if conceding:
            raise ContradictoryPackageError(
                f"package {name}: {pair.partner} retaliates and concedes at once ({', '.join(conceding)})"
            )


def _resolve(pair: Pair, file: PackageFile, name: str, seen: tuple[str, ...]) -> dict[str, float]:
    if name not in file.packages:
        raise UnknownPackageError(
            f"unknown package {name!r} for {pair.name}; built in: {', '.join(file.packages)}"
        )
    if name in seen:
        raise ContradictoryPackageError(f"package {name} includes itself ({' -> '.join((*seen, name))})")
    spec = file.packages[name]
    merged: dict[str, float] = {}
    origin: dict[str, str] = {}
    for inc in spec.include:
        for lever, value in _resolve(pair, file, inc, (*seen, name)).items():
            if lever in merged and merged[lever] != value:
                raise ContradictoryPackageError(
                    f"package {name}: lever {lever} is {merged[lever]:g} in {origin[lever]} but {value:g} in {inc}"
                )
            merged[lever], origin[lever] = value, inc
    for lever, value in spec.levers.items():
        pair.lever(lever)
        v = float(value)
        if lever in merged and merged[lever] != v:
            raise ContradictoryPackageError(
                f"package {name}: lever {lever} set to {v:g} but included package {origin[lever]} sets {merged[lever]:g}"
            )
        merged[lever] = v
    for lever, value in spec.override.items():
        pair.lever(lever)
        merged[lever] = float(value)
    return merged


def builtin_packages(pair: Pair) -> dict[str, Package]:
    """The pair's package file (or the 2024 status quo), plus ``record_threat`` and ``record_deal`` built
    from the deal record when the partner has a recorded 2025–2026 deal."""
    path = builtin_file(pair)
    if not path.exists():
        out = {"status_quo_2024": Package("status_quo_2024", "MFN tariffs only (2024)", pair.status_quo())}
    else:
        file = load_package_file(path)
        out = {name: resolve(pair, file, name) for name in file.packages}
    return {**out, **record_packages(pair)}


#: Disagreement and actual-deal packages in order of preference (the pair's own file first, then the deal record).
DISAGREEMENT_PREFERENCE = ("no_deal_july_letter", "record_threat", "liberation_day_annex", "status_quo_2024")
ACTUAL_PREFERENCE = ("july_2025_deal", "record_deal")


def default_disagreement(packages: dict[str, Package]) -> str:
    return next(n for n in DISAGREEMENT_PREFERENCE if n in packages)


def default_actual(packages: dict[str, Package]) -> str:
    """The actual deal's package name, or '' when the pair has none."""
    return next((n for n in ACTUAL_PREFERENCE if n in packages), "")


def record_packages(pair: Pair) -> dict[str, Package]:
    """Packages of the partner's recorded deal (``deals/deals_2025_2026.yaml``): the threat it faced and
    the deal's US terms (headline rate, all-in rule, auto cap, investment pledge, per-year farm and energy
    purchases; lever ranges clip larger values, as the description says). Empty without a record."""
    from tarifflab.errors import DealRecordError
    from tarifflab.negotiation.deals import get_deal

    try:
        deal = get_deal(pair.partner)
    except DealRecordError:
        return {}
    rate = pair.lever("us_reciprocal_rate")
    threat = min(deal.threat_rate_pct / 100.0, rate.high)
    clipped = " (clipped to the lever's range)" if deal.threat_rate_pct / 100.0 > rate.high else ""
    threat_levers = pair.validate({"us_reciprocal_rate": threat, "us_auto_rate": 0.25, "us_steel_rate": 0.5})
    terms: dict[str, float] = {
        "us_reciprocal_rate": min(deal.agreed_rate_pct / 100.0, rate.high),
        "us_all_in_rule": 1.0 if deal.agreed.all_in else 0.0,
        "us_auto_rate": 0.25,
        "us_steel_rate": 0.5,
    }
    autos = [c for c in deal.sector_caps if c.sector == "autos" and c.rate_pct is not None]
    if autos and autos[0].rate_pct is not None:
        # the cap's own all-in flag (Japan 15% all-in, the UK's 10% = 7.5% + 2.5% MFN); without a cap
        # cars keep the s.232 25% on top of MFN (Proclamation 10908), whatever the headline's rule
        terms["us_auto_rate"] = autos[0].rate_pct / 100.0
        terms["us_auto_all_in_rule"] = 1.0 if autos[0].all_in else 0.0
    if deal.investment.value:
        terms["investment_pledge_usd_bn"] = min(
            deal.investment.value, pair.lever("investment_pledge_usd_bn").high
        )
    for purchase in deal.purchases:
        lever = None
        if purchase.per_year and purchase.usd_bn and "farm" in purchase.item.lower():
            lever = "purchases_farm_usd_bn"
        elif purchase.per_year and purchase.usd_bn and "energy" in purchase.item.lower():
            lever = "purchases_energy_usd_bn"
        if lever is not None and purchase.usd_bn is not None:
            terms[lever] = min(purchase.usd_bn, pair.lever(lever).high)
    return {
        "record_threat": Package(
            "record_threat",
            f"Deal record: the rate {deal.partner} faced before its deal, {deal.threat_rate_pct:g}% "
            f"({deal.threat.basis}){clipped}; autos 25%, steel 50%.",
            threat_levers,
        ),
        "record_deal": Package(
            "record_deal",
            f"Deal record: {deal.partner}'s deal, {deal.agreed_rate_pct:g}%"
            + (" all-in" if deal.agreed.all_in else " on top of MFN")
            + "; auto cap (with its own all-in rule; else s.232 25% on top of MFN), pledge and per-year"
            " farm/energy purchases as recorded; steel 50%.",
            pair.validate(terms),
        ),
    }


def resolve(pair: Pair, file: PackageFile, name: str) -> Package:
    if get_pair(file.pair).name != pair.name:
        raise ScenarioError(f"package file is for {file.pair}, not {pair.name}")
    levers = _resolve(pair, file, name, ())
    full = pair.validate(levers)
    check_consistency(pair, name, full)
    return Package(name, file.packages[name].description, full)


def get_package(pair: Pair, name_or_file: str) -> Package:
    """A built-in package by name, or a YAML file: a package file (first package) or a single
    package ``{description, levers}``."""
    builtin = builtin_file(pair)
    if builtin.exists():
        file = load_package_file(builtin)
        if name_or_file in file.packages:
            return resolve(pair, file, name_or_file)
    extra = builtin_packages(pair)
    if name_or_file in extra and not name_or_file.endswith((".yaml", ".yml")):
        return extra[name_or_file]
    path = Path(name_or_file)
    if not (path.suffix in (".yaml", ".yml") or path.exists()):
        known = ", ".join(builtin_packages(pair))
        raise UnknownPackageError(f"unknown package {name_or_file!r} for {pair.name}; built in: {known}")
    raw = _read_yaml(path)
    if isinstance(raw, dict) and "packages" in raw:
        file = load_package_file(path)
        first = next(iter(file.packages), None)
        if first is None:
            raise ScenarioError(f"{path}: no packages")
        # includes may name built-in packages
        if builtin.exists():
            merged = dict(load_package_file(builtin).packages)
            merged.update(file.packages)
            file = PackageFile(pair=file.pair, packages=merged)
        return resolve(pair, file, first)
    try:
        spec = PackageSpec.model_validate(raw)
    except ValidationError as err:
        raise ScenarioError(f"{path}: invalid package ({_validation_message(err)})") from None
    packages = dict(load_package_file(builtin).packages) if builtin.exists() else {}
    packages[path.stem] = spec
    return resolve(pair, PackageFile(pair=pair.name, packages=packages), path.stem)


def parse_setting(text: str) -> tuple[str, float]:
    """``"us_auto_rate=0.25"`` → ``("us_auto_rate", 0.25)``; one-line error otherwise."""
    name, sep, value = text.partition("=")
    name, value = name.strip(), value.strip()
    if not sep or not name or not value:
        raise InvalidInputError(f"--set {text!r}: expected LEVER=VALUE, e.g. us_auto_rate=0.25")
    try:
        number = float(value)
    except ValueError:
        raise InvalidInputError(f"--set {text!r}: {value!r} is not a number") from None
    return name, number


def with_settings(pair: Pair, package: Package, settings: list[str]) -> Package:
    """``package`` with some levers changed (``LEVER=VALUE`` strings; checked names, ranges and
    consistency). The name records the change, e.g. ``july_2025_deal [us_auto_rate=0.25]``."""
    if not settings:
        return package
    changes = dict(parse_setting(t) for t in settings)
    levers = dict(package.levers)
    for name, value in changes.items():
        levers[name] = pair.lever(name).check(value)
    label = ", ".join(f"{k}={v:g}" for k, v in changes.items())
    name = f"{package.name} [{label}]"
    check_consistency(pair, name, levers)
    return Package(name, f"{package.description.rstrip('.')}. Changed: {label}.", levers)


#: Grid used for pairs without a grid file of their own (levers every pair has; 810 packages).
GENERIC_BASE: dict[str, LeverValue] = {"us_all_in_rule": 1, "us_auto_all_in_rule": 1, "us_steel_rate": 0.5}
GENERIC_GRID: dict[str, list[LeverValue]] = {
    "us_reciprocal_rate": [0.0, 0.05, 0.10, 0.15, 0.20, 0.25],
    "us_auto_rate": [0.0, 0.025, 0.075, 0.15, 0.25],
    "partner_tariff_cut_manufactures": [0.0, 0.5, 1.0],
    "purchases_energy_usd_bn": [0.0, 10.0, 30.0],
    "investment_pledge_usd_bn": [0.0, 300.0, 600.0],
}


def load_grid(pair: Pair, path: Path | None = None) -> list[dict[str, float]]:
    """Packages of a grid file (Cartesian product of the listed lever values over ``base``)."""
    if path is None:
        path = Path(
            str(resources.files("tarifflab.negotiation").joinpath("packages", f"grid-{pair.name}.yaml"))
        )
        if not path.exists():
            return grid_packages(pair, GENERIC_BASE, GENERIC_GRID)
    raw = _read_yaml(path)
    try:
        spec = GridFile.model_validate(raw)
    except ValidationError as err:
        raise ScenarioError(f"{path}: invalid grid file ({_validation_message(err)})") from None
    if get_pair(spec.pair).name != pair.name:
        raise ScenarioError(f"grid file is for {spec.pair}, not {pair.name}")
    return grid_packages(pair, spec.base, spec.grid)


def grid_packages(
    pair: Pair, base: dict[str, LeverValue], grid: dict[str, list[LeverValue]]
) -> list[dict[str, float]]:
    if not grid or any(len(v) == 0 for v in grid.values()):
        raise EmptyGridError(f"empty lever grid for {pair.name}: every listed lever needs at least one value")
    names = list(grid)
    for name in names:
        lever = pair.lever(name)
        for v in grid[name]:
            lever.check(float(v))
    base_values = pair.validate({k: float(v) for k, v in base.items()})
    out = []
    for combo in itertools.product(*(grid[n] for n in names)):
        values = dict(base_values)
        values.update({n: float(v) for n, v in zip(names, combo, strict=True)})
        check_consistency(pair, "grid point", values)
        out.append(values)
    return out
