"""docs/cli.md is generated from the Typer app and lists every command with its help."""

from __future__ import annotations

from pathlib import Path

import pytest
from scripts.cli_doc import render

from xuncha.api.cli.main import main

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_the_document_matches_the_command_line() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "run: .venv/bin/python scripts/cli_doc.py > docs/cli.md"
    )


@pytest.mark.parametrize(
    ("group", "commands"),
    [
        ("projections", ["run", "status", "parked", "retry", "verify", "rebuild"]),
        ("events", ["list", "schema", "integration-schemas"]),
        ("relay", ["run", "status"]),
        ("clock", ["tick"]),
        ("draw", ["verify"]),
        ("checkpoint", ["export", "public-key"]),
        ("db", ["migrate", "status", "grant-app-role"]),
        ("audit", ["export"]),
        ("import", ["ledger"]),
        ("proof", ["inclusion", "consistency"]),
        ("verify-proof", ["head", "inclusion", "consistency", "dossier"]),
    ],
)
def test_the_help_of_each_group_lists_its_commands(
    group: str, commands: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([group, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Usage: xuncha {group} ")
    listed = out.split("Commands:\n", 1)[1]
    assert [line.split()[0] for line in listed.splitlines() if line.strip()] == commands


def test_a_usage_error_says_what_is_wrong_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["projections", "rebuild"])
    assert exited.value.code == 2
    assert "Missing argument 'NAME'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["history", "not-a-uuid"])
    assert exited.value.code == 2
    assert "Invalid value for 'STREAM_ID'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["audit", "export", "--out", "x", "--since", "yesterday"])
    assert exited.value.code == 2
    assert "not an ISO date-time: 'yesterday'" in capsys.readouterr().err
