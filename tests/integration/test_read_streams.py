"""A command decided on a record it only read (If-Match on it, or a rule that depends on it) must
not commit after that record changed: the check happens under the append lock, at commit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from tests.support.api import LEADER, MEMBER, Api, Who
from tests.support.lifecycle import FINDING, Lifecycle
from xuncha.commands.errors import ConcurrencyConflict
from xuncha.commands.finding import DraftFinding
from xuncha.commands.inspection.preparation import EndStationing
from xuncha.commands.registry import HANDLERS
from xuncha.events.base import Actor
from xuncha.events.office_day import office_today


def actor(who: Who) -> Actor:
    return Actor(user_id=who.user_id, role=who.role, organization_id=who.organization_id)


def test_a_record_only_read_and_changed_meanwhile_is_a_conflict(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    life = Lifecycle(api)
    life.to_stationed()
    container: Any = api.client.app.state.container  # type: ignore[attr-defined]
    app, inspection_id = container.app, UUID(life.inspection_id)
    version = len(container.store.load(inspection_id))
    draft = HANDLERS[DraftFinding]

    def draft_while_the_group_withdraws(uow: Any, cmd: Any) -> Any:
        created = draft(uow, cmd)  # decided on the inspection as it stood at `version`
        withdrawn = office_today() - timedelta(days=40)
        app.execute(
            EndStationing(inspection_id=inspection_id, withdrawn_on=withdrawn), actor(LEADER)
        )
        return created

    monkeypatch.setitem(HANDLERS, DraftFinding, draft_while_the_group_withdraws)
    before = api.event_count()
    with pytest.raises(ConcurrencyConflict):
        app.execute(
            DraftFinding(inspection_id=inspection_id, content=FINDING),
            actor(MEMBER),
            expected_version=version,
        )
    assert api.event_count() == before + 2  # only the withdrawal, with its channels closed
