"""One handler per command: every command type a role may issue has exactly one registration,
each aggregate's table is collected once, and mypy refuses a handler of another command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from xuncha.commands import pool, registry
from xuncha.commands.base import Command
from xuncha.commands.handling import Registered, on
from xuncha.commands.registry import HANDLERS, TABLES, collect
from xuncha.commands.round import ApproveRound, ProposeRound
from xuncha.commands.round.handlers import approve_round, propose_round
from xuncha.commands.unit_of_work import UnitOfWork

ROOT = Path(__file__).resolve().parents[2]


def _subclasses(cls: type[Command]) -> set[type[Command]]:
    found: set[type[Command]] = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def commands() -> set[type[Command]]:
    """Every command a role may issue: a Command subclass naming its allowed roles (a part of
    a command, such as a survey's figures, names none)."""
    return {c for c in _subclasses(Command) if c.allowed_roles and not c.__subclasses__()}


def test_every_command_has_exactly_one_handler() -> None:
    registered = [r.command_type for table in TABLES for r in table]
    assert len(registered) == len(set(registered))
    assert set(registered) == commands()
    assert set(HANDLERS) == commands()


def test_a_command_registered_twice_is_refused() -> None:
    first: tuple[Registered, ...] = (on(ProposeRound, propose_round),)
    again: tuple[Registered, ...] = (on(ProposeRound, propose_round),)
    with pytest.raises(ValueError, match="ProposeRound has a handler already"):
        collect([first, again])


def test_a_registration_refuses_another_command() -> None:
    registration = on(ApproveRound, approve_round)
    other = ProposeRound.model_construct()

    class Unused(UnitOfWork):
        def __init__(self) -> None:
            pass

    with pytest.raises(TypeError, match="the handler of ApproveRound got ProposeRound"):
        registration(Unused(), other)


def test_every_table_is_listed_once() -> None:
    assert len({id(t) for t in TABLES}) == len(TABLES)
    assert pool.HANDLERS in TABLES
    assert registry.HANDLERS is HANDLERS


MISMATCHED = """
from uuid import UUID

from xuncha.commands.handling import Registered, on
from xuncha.commands.round import ApproveRound, ProposeRound
from xuncha.commands.unit_of_work import UnitOfWork


def approve(uow: UnitOfWork, cmd: ApproveRound) -> UUID | None:
    return None


MATCHED: Registered = on(ApproveRound, approve)
WRONG: Registered = on(ProposeRound, approve)
"""


def test_mypy_refuses_a_handler_of_another_command(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(MISMATCHED, encoding="utf-8")
    done = subprocess.run(
        [
            *(sys.executable, "-m", "mypy", "--no-incremental", "--config-file", "pyproject.toml"),
            *("--cache-dir", str(tmp_path / "cache"), str(probe)),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert done.returncode == 1, done.stdout + done.stderr
    assert len(errors) == 1, done.stdout
    assert "probe.py:14:" in errors[0], errors[0]
    assert 'Argument 2 to "on" has incompatible type' in errors[0], errors[0]
