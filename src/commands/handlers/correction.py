"""Handler of corrections: an event recorded in error (DOMAIN.md §7.4)."""

from __future__ import annotations

from xuncha.commands import correction
from xuncha.commands.correction import CORRECTION, correction_stream_id
from xuncha.commands.registry import handles
from xuncha.commands.unit_of_work import UnitOfWork


@handles(correction.RecordEventInError)
def record_in_error(uow: UnitOfWork, cmd: correction.RecordEventInError) -> None:
    stream_id = correction_stream_id(cmd.stream_id)
    state = uow.find(CORRECTION, stream_id)
    recorded = uow.store.load(cmd.stream_id)
    events = correction.record_in_error(state, cmd, uow.ctx, recorded)
    uow.record(CORRECTION, stream_id, events)
