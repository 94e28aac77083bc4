"""Say what happens, over HTTP on real PostgreSQL: an accepted command with a consequence the
caller would not guess answers it in `warnings`, and an idempotent replay answers the same."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.support import lifecycle
from tests.support.api import LEADING_GROUP, MEMBER_3, OFFICE, PRINCIPAL, Api
from tests.support.lifecycle import Lifecycle, day


def codes(answer: dict[str, Any]) -> list[str]:
    return [w["code"] for w in answer["warnings"]]


def test_recusing_a_member_of_a_formed_group_says_the_group_is_proposed_again(api: Api) -> None:
    life = Lifecycle(api)
    life.propose_round()
    life.approve_round()
    life.plan_inspection()
    life.form_group()
    at = f"/groups/{life.group_id}/recuse-member"
    body = {"user_id": MEMBER_3.user_id, "why": "配偶在被巡察单位任职"}
    first = api.command(at, body, OFFICE, **{"Idempotency-Key": "recuse-member-3"})
    assert codes(first) == ["group_back_to_proposed"]
    (warning,) = first["warnings"]
    assert "拟组建" in warning["message_zh"]
    assert "'proposed'" in warning["message_en"]

    before = api.event_count()
    again = api.command(at, body, OFFICE, **{"Idempotency-Key": "recuse-member-3"})
    assert (again["replayed"], again["warnings"]) == (True, first["warnings"])
    assert api.event_count() == before
    # Authorizing needs the group formed again, as the warning said.
    window = {"group_id": life.group_id, "window_start": day(-80), "window_end": day(-10)}
    refused = api.post(f"{life.at}/authorize-group", window, LEADING_GROUP)
    assert refused.status_code == 409


def test_a_command_without_consequences_answers_no_warnings(api: Api) -> None:
    life = Lifecycle(api)
    assert life.propose_round()["warnings"] == []


def test_a_plan_entered_after_its_deadlines_passed_says_its_items_open_overdue(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The whole inspection happened in the first half of 2026 (see test_fact_dates.py); the
    # plan's item is due 2026-05-31, before the day it is entered.
    monkeypatch.setattr(lifecycle, "TODAY", date(2026, 5, 1))
    life = Lifecycle(api)
    life.to_report_approved()
    life.feedback()
    item = {
        "ledger_item_no": 1,
        "measures": "重新招标",
        "responsible_leader": "局长",
        "responsible_department": "财务科",
        "deadline": "2026-05-31",
    }
    submitted = api.command(f"{life.at}/rectification-plan", {"items": [item]}, PRINCIPAL)
    assert codes(submitted) == ["plan_item_deadline_passed"]
    accept = api.command(f"{life.at}/rectification-plan/accept", {"plan_version": 1}, OFFICE)
    assert codes(accept) == ["plan_item_deadline_passed"]
    assert "ledger problems 1 " in accept["warnings"][0]["message_en"]
