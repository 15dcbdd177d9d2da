"""`pysfn-emulate serve`: bad usage and bad input are one clear message and exit status 2."""

from __future__ import annotations

import socket

import pytest

from pysfn_compile import emulate  # the console script: pysfn-emulate = pysfn_compile.emulate:main
from pysfn_emulator import cli
from pysfn_emulator.sfn_api.command import load_lambdas


@pytest.mark.parametrize(("arguments", "message"), [
    (["--port", "http"], "argument --port: 'http' is not a port number (0 to 65535)"),
    (["--clock", "sundial"], "argument --clock: invalid choice: 'sundial'"),
    (["--lambdas", "no/such/handlers.py"], "no/such/handlers.py: no such handlers module"),
    (["--mock-config", "no/such/MockConfigFile.json"], "no/such/MockConfigFile.json: cannot read the mock config"),
    (["--definition", "x.json"], "unrecognized arguments: --definition x.json"),
])
def test_bad_usage_exits_2_with_one_message(arguments, message, capsys):
    assert cli.main(["serve", *arguments]) == 2
    error = capsys.readouterr().err
    assert message in error
    assert "Traceback" not in error


def test_serve_through_the_console_script(capsys):
    """pysfn-emulate is pysfn_compile.emulate.main, which hands the emulator's command line a
    compiler; `serve` still reaches the API server's command."""
    assert emulate.main(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: pysfn-emulate serve"), out
    assert emulate.main(["serve", "--port", "http"]) == 2
    assert "argument --port: 'http' is not a port number" in capsys.readouterr().err


def test_a_mock_config_that_is_not_json(tmp_path, capsys):
    config = tmp_path / "MockConfigFile.json"
    config.write_text("{nope")
    assert cli.main(["serve", "--mock-config", str(config)]) == 2
    assert f"{config}: the mock config is not JSON" in capsys.readouterr().err


def test_a_port_in_use(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["serve", "--port", str(port)]) == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_handlers_module_functions_are_lambda_functions(tmp_path):
    handlers = tmp_path / "handlers.py"
    handlers.write_text("import json\n\ndef charge(event, context):\n    return 1\n\ndef _helper():\n    pass\n")
    assert list(load_lambdas(str(handlers))) == ["charge"]
    handlers.write_text("def f(event, context):\n    return 1\n\nLAMBDAS = {'arn:aws:lambda:us-east-1:1:function:g': f}\n")
    assert list(load_lambdas(str(handlers))) == ["arn:aws:lambda:us-east-1:1:function:g"]
    # the public functions and the LAMBDAS entries both serve (LAMBDAS turned the functions off,
    # and pysfn-emulate's hint then asked for the function the module had)
    handlers.write_text("def greet(event, context):\n    return 1\n\ndef audit(event, context):\n    return 2\n\n"
                        "LAMBDAS = {'audit-v2': audit}\n")
    assert sorted(load_lambdas(str(handlers))) == ["audit-v2", "greet"]
    handlers.write_text("def greet(event, context):\n    return 1\n\nLAMBDAS = {}\n")
    assert list(load_lambdas(str(handlers))) == ["greet"]
