"""``tarifflab serve`` and ``tarifflab report``: options, defaults and the one-line error convention."""

from __future__ import annotations

from cli_helpers import run_cli
from tarifflab.cli.app_cmds import APP_SCRIPT, streamlit_argv


def test_serve_defaults_to_loopback_without_error_details() -> None:
    argv = streamlit_argv("127.0.0.1", 8501)
    options = dict(zip(argv[5::2], argv[6::2], strict=True))
    assert argv[1:5] == ["-m", "streamlit", "run", str(APP_SCRIPT)]
    assert options["--server.address"] == "127.0.0.1"
    assert options["--client.showErrorDetails"] == "false"
    assert options["--browser.gatherUsageStats"] == "false"
    assert options["--server.enableStaticServing"] == "true"
    assert APP_SCRIPT.exists()


def test_serve_rejects_a_bad_port_in_one_line() -> None:
    done = run_cli("serve", "--port", "70000")
    assert done.returncode == 2
    assert done.stderr.strip() == "error: port must be between 1 and 65535, got 70000"


def test_help_lists_both_commands() -> None:
    done = run_cli("--help")
    assert done.returncode == 0
    assert "serve" in done.stdout and "report" in done.stdout
