"""The ``tarifflab`` command. Every named error becomes one line on stderr and exit code 2."""

from __future__ import annotations

import sys

import typer

from tarifflab import __version__
from tarifflab.errors import TariffLabError

app = typer.Typer(
    name="tarifflab",
    help="Tariff policy and trade negotiation workbench.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
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


def _register() -> None:
    """Attach the command groups. Imported here so each group owns its module."""
    from tarifflab.cli import tariffs

    tariffs.register(app)
    from tarifflab.cli import search

    search.register(app)
    from tarifflab.cli import pe, reciprocal

    app.add_typer(pe.app, name="pe")
    reciprocal.register(app)
    from tarifflab.cli import data_cmds

    app.add_typer(data_cmds.app, name="data")
    from tarifflab.cli import ge

    app.add_typer(ge.app, name="ge")
    from tarifflab.cli import sweep

    app.add_typer(sweep.app, name="sweep")
    from tarifflab.cli import negotiate

    app.add_typer(negotiate.app, name="negotiate")
    from tarifflab.cli import app_cmds

    app_cmds.register(app)


_register()


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
