"""The ``tarifflab`` command. Every named error becomes one line on stderr and exit code 2.

Commands load lazily: ``tarifflab --version`` and ``--help`` import no command module, and
``tarifflab duty`` imports only the tariff-engine commands. To add a command, add one row to
:data:`COMMANDS`: its name, the module that defines it, and the one-line help ``--help`` shows.
The module either has ``register(app)`` (attaches top-level commands, e.g. cli/tariffs.py) or an
``app`` Typer mounted under the name (a command group, e.g. cli/pe.py). A test checks every row.
"""

from __future__ import annotations

import importlib
import sys
from difflib import get_close_matches
from typing import Any

import typer
from typer.core import TyperGroup

from tarifflab._version import __version__
from tarifflab.errors import TariffLabError

# name: (module, one-line help shown by ``tarifflab --help``), in the order --help lists them.
COMMANDS: dict[str, tuple[str, str]] = {
    "duty": (
        "tarifflab.cli.tariffs",
        "The duty on one product from one origin on one date, layer by layer with its legal basis.",
    ),
    "etr": (
        "tarifflab.cli.tariffs",
        "Effective tariff rate (2024 import weights) by partner or sector on a date, or a daily series;"
        " etr compare: beside the public trackers.",
    ),
    "refunds": (
        "tarifflab.cli.tariffs",
        "IEEPA duties owed back after the Supreme Court ruling, by partner (behaviour-free 2024 weights).",
    ),
    "search": (
        "tarifflab.cli.search",
        "HTS-10 lines whose heading, parent lines or own text match QUERY, best first (BM25).",
    ),
    "reciprocal": (
        "tarifflab.cli.reciprocal",
        "Δτ = (m − x)/(ε·φ·m) per partner, halved, rounded and floored as in EO 14257 Annex I.",
    ),
    "serve": ("tarifflab.cli.app_cmds", "Start the dashboard (Streamlit) on http://HOST:PORT."),
    "report": (
        "tarifflab.cli.app_cmds",
        "Write a self-contained HTML report (charts inlined; opens offline).",
    ),
    "pe": (
        "tarifflab.cli.pe",
        "Product-level partial equilibrium (WITS-SMART): trade creation and diversion, revenue, welfare.",
    ),
    "data": ("tarifflab.cli.data_cmds", "Reference data: original public sources and the embedded default."),
    "ge": ("tarifflab.cli.ge", "General-equilibrium trade models: Liberation Day counterfactuals."),
    "sweep": ("tarifflab.cli.sweep", "Run many GE scenarios × elasticity draws on Dask (resumable)."),
    "negotiate": (
        "tarifflab.cli.negotiate",
        "Negotiation analysis: levers, packages, Pareto frontier, bargaining, trade wars.",
    ),
}


def load_command(name: str, module_name: str) -> Any:
    """The click command ``name`` as defined in ``module_name`` (imports that module only)."""
    module = importlib.import_module(module_name)
    holder = typer.Typer()
    holder.callback()(_no_op)  # a callback keeps a one-command holder a group
    if hasattr(module, "register"):
        module.register(holder)
    else:
        holder.add_typer(module.app, name=name)
    group = typer.main.get_command(holder)
    assert isinstance(group, TyperGroup)
    return group.commands.get(name)


def _no_op() -> None:
    """Holder of lazily loaded commands."""


class _Listed(typer.core.TyperCommand):
    """Stands in for a command in ``--help`` without importing its module."""


class LazyGroup(TyperGroup):
    """The root group: imports a command's module only when that command runs."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*COMMANDS, *(name for name in self.commands if name not in COMMANDS)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name in COMMANDS:
            return _Listed(name=cmd_name, help=COMMANDS[cmd_name][1], callback=None)
        return None

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else None
        if name in COMMANDS and name not in self.commands:
            command = load_command(name, COMMANDS[name][0])
            if command is not None:
                self.commands[name] = command
        try:
            return super().resolve_command(ctx, args)
        except typer.core._click.exceptions.UsageError as error:
            close = get_close_matches(str(name), list(COMMANDS)) if name not in COMMANDS else []
            if close:
                error.message = f"{error.message.rstrip('.')}. Did you mean {close[0]!r}?"
            raise


app = typer.Typer(
    name="tarifflab",
    help="Tariff policy and trade negotiation workbench.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=LazyGroup,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", is_eager=True, callback=_print_version, help="Print the version and exit."
    ),
) -> None:
    """Tariff policy and trade negotiation workbench."""


def run(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning tarifflab errors into one line and exit code 2."""
    try:
        result = app(args=argv, standalone_mode=False)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except typer.TyperException as usage:
        # Usage errors (unknown option, bad parameter): one line, exit 2 as for every bad input.
        typer.echo(f"error: {usage.format_message()}", err=True)
        sys.exit(2)
    except TariffLabError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(2)
    except (KeyboardInterrupt, BrokenPipeError):
        sys.exit(130)
    sys.exit(result if isinstance(result, int) else 0)
