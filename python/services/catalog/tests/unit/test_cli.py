"""The command line: good arguments parse, bad ones give one line and exit code 2."""

import pytest

from catalog.entrypoints.cli import build_parser, main


def test_defaults() -> None:
    args = build_parser().parse_args([])
    assert (args.host, args.port) == ("127.0.0.1", 8000)


def test_port_zero_means_any_free_port() -> None:
    assert build_parser().parse_args(["--port", "0"]).port == 0


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--port", "abc"], "invalid port 'abc': not an integer"),
        (["--port", "70000"], "invalid port 70000: must be 0-65535"),
        (["--port", "-1"], "invalid port -1: must be 0-65535"),
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--port"], "expected one argument"),
    ],
)
def test_bad_arguments_print_one_line_and_exit_2(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("python -m catalog: error: ")
    assert expected in captured.err


def test_a_bad_catalog_variable_prints_one_line_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CATALOG_DEADLINE_MS", "soon")
    assert main(["--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "CATALOG_DEADLINE_MS" in err
    assert err.count("\n") == 1
