"""The object-scope rules of commands: which facts each role needs, which kind a path names."""

from __future__ import annotations

from xuncha.api.http import access
from xuncha.api.http.command_scope import RECORD_KINDS, facts_for, kind_of
from xuncha.commands import lead
from xuncha.events.base import Role

ITEM = "52b0dd3f-06df-5c27-aad1-11f3c1908b31"


def test_the_kind_is_the_segment_before_the_id() -> None:
    # `item_id` names two kinds of record; the path tells them apart.
    verify = kind_of(f"/rectification-items/{ITEM}/verify", ITEM)
    complete = kind_of(f"/immediate-rectifications/{ITEM}/complete", ITEM)
    assert (verify, complete) == (
        RECORD_KINDS["rectification-items"],
        RECORD_KINDS["immediate-rectifications"],
    )
    assert kind_of(f"/talent-pool/members/{ITEM}/admit", ITEM) == RECORD_KINDS["members"]
    assert kind_of(f"/unheard-of/{ITEM}/x", ITEM) is None


def test_each_scoped_role_mirrors_the_read_rules() -> None:
    item, group, lead_kind = (RECORD_KINDS[k] for k in ("rectification-items", "groups", "leads"))
    for role in access.GROUP:
        assert facts_for(role, item) == ("membership",)
        assert facts_for(role, group) == ("group_person",)
    for role in access.INSPECTED:
        assert facts_for(role, item) == ("organization", "receiver")
    assert facts_for(Role.SUPERVISING_DEPARTMENT, item) == ("supervision", "receiver")
    for role in lead.RECEIVERS:
        assert facts_for(role, lead_kind) == ("receiver",)
    # 纪委监委 and 组织部 read and verify everywhere; only leads are narrowed to theirs.
    for role in access.AUTHORITIES:
        assert facts_for(role, item) is None


def test_the_bodies_that_run_the_work_are_not_restricted() -> None:
    for role in (*access.OVERSIGHT, Role.DASHBOARD_READER):
        for kind in RECORD_KINDS.values():
            assert facts_for(role, kind) is None, (role, kind)
