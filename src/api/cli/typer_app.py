"""What every `xuncha` group shares: how a Typer app is made, the parameter types the
commands share, and their parsers."""

from __future__ import annotations

import getpass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import typer

from xuncha.events.base import Role

# Plain help (no Rich markup: help texts name `[erased]`, `<id>` and such literally); -h too.
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def new_app(help: str, *, no_args_is_help: bool = True) -> typer.Typer:
    return typer.Typer(
        help=help,
        add_completion=False,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        no_args_is_help=no_args_is_help,
        context_settings=CONTEXT,
    )


# The roles a person acts in: no token or command line acts as `system` (api/http/auth.py).
ActingRole = StrEnum(  # type: ignore[misc]
    "ActingRole", {r.name: r.value for r in Role if r is not Role.SYSTEM}
)


def iso_datetime(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"not an ISO date-time: {text!r}") from None


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"not a date YYYY-MM-DD: {text!r}") from None


CURRENT_USER = "当前系统用户 / the current login"


def current_user() -> str:
    return getpass.getuser()


Json = Annotated[bool, typer.Option("--json", help="JSON 输出 / print JSON")]
BatchSize = Annotated[
    int | None, typer.Option(help="每批事件数 / events per batch (default: the setting's)")
]
