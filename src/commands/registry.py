"""The registry of command handlers: the tables of a fixed list of aggregate modules.

Each aggregate's module (or package) keeps one `HANDLERS` table beside its deciders
(`commands/handling.py::on` checks each entry's types); this module collects them and
refuses a command registered twice. `HANDLERS` maps each command type to its handler.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from uuid import UUID

from xuncha.commands import (
    audit_export,
    correction,
    cross,
    feedback,
    finding,
    follow_up,
    immediate_rectification,
    interview,
    petition,
    pool,
    reference,
    results,
    sealed_access,
    supplementary_report,
)
from xuncha.commands.base import Command
from xuncha.commands.fieldwork import handlers as fieldwork
from xuncha.commands.group import handlers as group
from xuncha.commands.handling import Registered
from xuncha.commands.inspection import handlers as inspection
from xuncha.commands.lead import handlers as lead
from xuncha.commands.management import handlers as management
from xuncha.commands.policy import handlers as policy
from xuncha.commands.rectification import handlers as rectification
from xuncha.commands.round import handlers as round_
from xuncha.commands.unit_of_work import UnitOfWork

TABLES: tuple[tuple[Registered, ...], ...] = (
    policy.HANDLERS,
    reference.HANDLERS,
    round_.HANDLERS,
    cross.HANDLERS,
    pool.HANDLERS,
    group.HANDLERS,
    inspection.HANDLERS,
    fieldwork.HANDLERS,
    management.HANDLERS,
    petition.HANDLERS,
    interview.HANDLERS,
    immediate_rectification.HANDLERS,
    lead.HANDLERS,
    finding.HANDLERS,
    supplementary_report.HANDLERS,
    feedback.HANDLERS,
    rectification.HANDLERS,
    follow_up.HANDLERS,
    results.HANDLERS,
    sealed_access.HANDLERS,
    correction.HANDLERS,
    audit_export.HANDLERS,
)
"""Every aggregate's table, in the order of the workflow."""


def collect(
    tables: Iterable[Iterable[Registered]],
) -> dict[type[Command], Callable[[UnitOfWork, Command], UUID | None]]:
    """One handler per command type; a command registered twice is an error."""
    found: dict[type[Command], Callable[[UnitOfWork, Command], UUID | None]] = {}
    for table in tables:
        for registration in table:
            if registration.command_type in found:
                raise ValueError(f"{registration.command_type.__name__} has a handler already")
            found[registration.command_type] = registration
    return found


HANDLERS = collect(TABLES)
