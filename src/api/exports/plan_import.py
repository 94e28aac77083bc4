"""Importing a 三清单/整改台账 workbook as a rectification plan (整改方案).

The rows become the items of one ordinary `SubmitRectificationPlan`, so every rule the
decider enforces applies (each ledger problem covered, deadlines after feedback and within
the policy's months, the principal's role). Idempotent by content: the Idempotency-Key is
the file's SHA-256, so the same file imported twice appends once (the second answers the
first result, `replayed`). A dry run decides the command on the current state and shows the
events it would append, appending nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

from xuncha.api.exports.ledger_import import ParsedLedger, parse
from xuncha.commands.base import Context
from xuncha.commands.errors import NotPermitted
from xuncha.commands.inspection.plan import SubmitRectificationPlan
from xuncha.commands.registry import HANDLERS
from xuncha.commands.service import Application, CommandResult
from xuncha.commands.unit_of_work import UnitOfWork
from xuncha.events.base import Actor
from xuncha.events.values import PlanItem


@dataclass(frozen=True)
class Imported:
    """What an import did (or, dry, would do)."""

    sha256: str
    items: list[PlanItem]
    rows: list[int]
    dry_run: bool
    would_append: list[str] = field(default_factory=list)
    already_imported: bool = False
    result: CommandResult | None = None


def key_of(sha256: str) -> str:
    return f"ledger-import:{sha256}"


def command_of(inspection_id: UUID, parsed: ParsedLedger) -> SubmitRectificationPlan:
    return SubmitRectificationPlan(inspection_id=inspection_id, items=parsed.items)


def import_plan(
    app: Application, actor: Actor, inspection_id: UUID, data: bytes, *, dry_run: bool
) -> Imported:
    """Validate the whole file, then submit (or, dry, decide) the plan it holds."""
    if actor.role not in SubmitRectificationPlan.allowed_roles:
        raise NotPermitted(f"the role '{actor.role}' may not import a rectification plan")
    parsed = parse(data)
    command = command_of(inspection_id, parsed)
    shown = (parsed.sha256, parsed.items, parsed.rows)
    if dry_run:
        scope = f"{actor.user_id}:{key_of(parsed.sha256)}"
        if app.store.recorder.find_idempotency(scope) is not None:
            return Imported(*shown, dry_run=True, already_imported=True)
        return Imported(*shown, dry_run=True, would_append=_decide(app, actor, command))
    result = app.execute(command, actor, idempotency_key=key_of(parsed.sha256))
    return Imported(*shown, dry_run=False, already_imported=result.replayed, result=result)


def _decide(app: Application, actor: Actor, command: SubmitRectificationPlan) -> list[str]:
    """The event types the command would append now (decided, never appended)."""
    uow = UnitOfWork(
        app.store,
        Context(app.clock(), actor),
        target=command.inspection_id,
        expected_version=None,
        new_id=app.new_id,
    )
    HANDLERS[SubmitRectificationPlan](uow, command)
    return [r.event.type_name for r in app.envelopes(uow, command, uuid4())]


def as_json(done: Imported) -> dict[str, Any]:
    return {
        "sha256": done.sha256,
        "dry_run": done.dry_run,
        "already_imported": done.already_imported,
        "items": [
            {**item.model_dump(mode="json"), "row": row}
            for item, row in zip(done.items, done.rows, strict=True)
        ],
        "would_append": done.would_append,
        "result": done.result.as_record() if done.result else None,
    }
