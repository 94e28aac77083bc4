"""Fieldwork over HTTP on real PostgreSQL: records, petitions, interviews, "1+5" and group
management, refusals that append nothing, and sealed data absent from every read model."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import psycopg

from tests.support.api import DEPUTY, LEADER, LEADING_GROUP, MEMBER, OFFICE, PRINCIPAL, Api, Who
from tests.support.lifecycle import Lifecycle, day
from xuncha.commands.fieldwork import fieldwork_stream_id
from xuncha.events.base import Role
from xuncha.projections.wait import wait_for_position

OUTSIDER = Who("member-9", Role.GROUP_MEMBER, "org-audit")
LETTERS = Who("xfj-1", Role.SUPERVISING_DEPARTMENT, "org-xfj")
ELSEWHERE = Who("dept-9", Role.SUPERVISING_DEPARTMENT, "org-elsewhere")
MEMBER_2 = Who("member-2", Role.GROUP_MEMBER, "org-audit")

PETITIONER = "举报人王秘密"
PETITION_TEXT = "反映局长收受工程老板红包二十万元"
INTERVIEWEE = "被谈话人赵隐名"
INTERVIEW_TEXT = "谈话笔录：副局长承认违规报销"
SURVEY_RAW = "原始答卷：第7份写明了某科长姓名"
BRIEFING_TEXT = "纪委函：某科长有信访举报三件"
SECRETS = [PETITIONER, PETITION_TEXT, INTERVIEWEE, INTERVIEW_TEXT, SURVEY_RAW, BRIEFING_TEXT]


def records(api: Api, life: Lifecycle, type_: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = api.get(f"{life.at}/fieldwork-records", type=type_)["items"]
    return rows


def refused(api: Api, path: str, body: Any, who: Who, status: int) -> dict[str, Any]:
    """The command is refused with `status` and appends nothing."""
    before = api.event_count()
    response = api.post(path, body, who)
    assert response.status_code == status, (path, response.status_code, response.text)
    assert api.event_count() == before
    problem: dict[str, Any] = response.json()
    return problem


def meeting(api: Api, life: Lifecycle) -> str:
    body = {
        "held_on": day(-60),
        "agenda": ["信访件分类", "问题底稿审议"],
        "decisions": ["第1件受理，第2件转办"],
        "attendees": ["leader-1", "deputy-1", "member-1"],
    }
    created = api.command(f"{life.at}/group-meetings", body, LEADER, 201)["created_id"]
    (row,) = records(api, life, "fieldwork.group_meeting_held")
    assert row["data"]["meeting_no"] == 1
    assert row["record_id"] == created  # the id the next command names, answered at once
    return str(row["record_id"])


def petition(api: Api, life: Lifecycle, **changes: Any) -> str:
    body = {
        "channel": "letter",
        "received_on": day(-60),
        "petitioner": {"name": PETITIONER, "contact": "13800000000"},
        "content": PETITION_TEXT,
        **changes,
    }
    return str(api.command(f"{life.at}/petitions", body, MEMBER, 201)["created_id"])


def test_petitions_from_intake_to_forwarding_acknowledgement_and_finding(api: Api) -> None:
    life = Lifecycle(api)
    life.to_stationed()
    meeting_id = meeting(api, life)
    named = petition(api, life)
    anonymous = petition(api, life, petitioner=None, anonymous=True, channel="qr")

    problem = refused(
        api,
        f"{life.at}/petitions",
        {"channel": "phone", "received_on": day(-44), "anonymous": True, "content": "x"},
        MEMBER,
        422,
    )
    assert "intake deadline" in problem["detail"]
    refused(
        api,
        f"{life.at}/petitions",
        {"channel": "phone", "received_on": day(-60), "anonymous": True, "content": "x"},
        OUTSIDER,
        404,  # not of this inspection's group: answered as an unknown inspection
    )

    triage = {
        "decision": "in_scope",
        "meeting_id": meeting_id,
        "basis": "leadership_team",
        "disciplines": ["integrity"],
    }
    api.command(f"/petitions/{named}/triage", triage, DEPUTY)
    out = {
        "decision": "out_of_scope",
        "meeting_id": meeting_id,
        "out_of_scope_reason": "personal_claim",
        "note": "个人诉求",
    }
    api.command(f"/petitions/{anonymous}/triage", out, DEPUTY)
    refused(api, f"/petitions/{named}/triage", triage, DEPUTY, 409)  # triaged already
    third = petition(api, life, received_on=day(-50))
    no_meeting = {**triage, "meeting_id": named}  # not a group meeting of this inspection
    problem = refused(api, f"/petitions/{third}/triage", no_meeting, DEPUTY, 404)
    assert "no group meeting" in problem["detail"]

    close = {"reason_text": "无需处理", "meeting_id": meeting_id}
    problem = refused(api, f"/petitions/{anonymous}/close-no-action", close, DEPUTY, 409)
    assert "must be forwarded" in problem["detail"]
    forward = {"department_id": "org-xfj", "department_name": "市信访局", "forwarded_on": day(-58)}
    api.command(f"/petitions/{anonymous}/forward", forward, DEPUTY)
    ack = {"acknowledged_on": day(-55), "receipt_no": "XF-88"}
    # Neither forwarded to it nor of an organization it supervises: 404 as an unknown petition.
    refused(api, f"/petitions/{anonymous}/acknowledge-forward", ack, ELSEWHERE, 404)
    api.command(f"/petitions/{anonymous}/acknowledge-forward", ack, LETTERS)

    life.draft_finding()
    link = {"finding_id": life.finding_ids[0]}
    api.command(f"/petitions/{named}/link-finding", link, MEMBER)

    rows = {r["petition_id"]: r for r in api.get(f"{life.at}/petitions")["items"]}
    assert (rows[named]["status"], rows[named]["finding_ids"]) == ("linked", life.finding_ids)
    assert (rows[anonymous]["status"], rows[anonymous]["forwarded_to"]) == (
        "acknowledged",
        "org-xfj",
    )
    assert rows[anonymous]["anonymous"] is True


def test_interviews_need_two_inspectors_and_a_signature(api: Api) -> None:
    life = Lifecycle(api)
    life.to_stationed()
    body = {
        "interviewers": ["member-1"],
        "category": "leadership_team",
        "conducted_on": day(-60),
        "interviewee": {"name": INTERVIEWEE, "position": "副局长"},
        "record": INTERVIEW_TEXT,
    }
    problem = refused(api, f"{life.at}/interviews", body, MEMBER, 422)
    assert "at least 2 inspectors" in problem["detail"]
    late = {**body, "interviewers": ["member-1", "member-2"], "conducted_on": day(-5)}
    refused(api, f"{life.at}/interviews", late, MEMBER, 403)  # after the window ended
    two = {**body, "interviewers": ["member-1", "member-2"]}
    interview_id = api.command(f"{life.at}/interviews", two, MEMBER, 201)["created_id"]
    (row,) = api.get(f"{life.at}/interviews")["items"]
    assert (row["signed"], row["interviewers"]) == (False, ["member-1", "member-2"])
    api.command(f"/interviews/{interview_id}/sign", {"signed_on": day(-60)}, MEMBER_2)
    refused(api, f"/interviews/{interview_id}/sign", {"signed_on": day(-60)}, MEMBER_2, 409)
    (row,) = api.get(f"{life.at}/interviews")["items"]
    assert (row["signed"], row["signed_on"]) == (True, day(-60))


def test_documents_custody_closes_only_when_everything_is_returned(api: Api) -> None:
    life = Lifecycle(api)
    life.to_stationed()
    api.command(
        f"{life.at}/documents/request",
        {"items": ["2025年党组会议记录", "采购合同"], "requested_on": day(-65)},
        MEMBER,
        201,
    )
    (request,) = records(api, life, "fieldwork.documents_requested")
    receive = {
        "request_id": request["record_id"],
        "documents": [
            {"doc_no": "D-1", "title": "党组会议记录"},
            {"doc_no": "D-2", "title": "合同"},
        ],
        "received_on": day(-64),
        "handed_over_by": "办公室主任",
    }
    api.command(f"{life.at}/documents/receive", receive, MEMBER)
    refused(api, f"{life.at}/documents/receive", receive, MEMBER, 422)  # already held
    close = {"closed_on": day(-40)}
    problem = refused(api, f"{life.at}/documents/close-custody", close, LEADER, 422)
    assert "D-1" in problem["detail"]
    back = {"doc_nos": ["D-1", "D-2"], "returned_on": day(-41), "received_back_by": "办公室主任"}
    api.command(f"{life.at}/documents/return", back, MEMBER)
    life.withdraw()
    stale = api.post(f"{life.at}/documents/close-custody", close, LEADER, **{"If-Match": '"1"'})
    assert stale.status_code == 412  # If-Match refers to the fieldwork record, now at 3
    result = api.command(f"{life.at}/documents/close-custody", close, LEADER, **{"If-Match": '"3"'})
    assert result["events"][0]["type"] == "fieldwork.document_custody_closed"
    assert (result["stream_id"], result["stream_version"]) == (
        str(fieldwork_stream_id(UUID(life.inspection_id))),
        4,
    )
    refused(
        api, f"{life.at}/documents/request", {"items": ["x"], "requested_on": day(-40)}, MEMBER, 409
    )


def test_a_full_fieldwork_scenario_leaves_no_sealed_data_in_any_read_model(api: Api) -> None:
    life = Lifecycle(api)
    life.propose_round()
    life.approve_round()
    life.plan_inspection()
    life.authorize_group()
    at = life.at
    api.command(
        f"{at}/briefings",
        {"provider": "discipline", "subject": "信访与问题线索", "requested_on": day(-79)},
        OFFICE,
        201,
    )
    (briefing,) = records(api, life, "fieldwork.briefing_requested")
    refused(
        api,
        f"{at}/briefings",
        {"provider": "tax", "subject": "s", "requested_on": day(-79)},
        OFFICE,
        422,
    )
    api.command(
        f"{at}/briefings/receive",
        {
            "briefing_id": briefing["record_id"],
            "classification": "confidential",
            "received_on": day(-78),
            "content": BRIEFING_TEXT,
        },
        OFFICE,
    )
    api.command(
        f"{at}/pre-inspection-analysis",
        {
            "focus_areas": ["工程建设"],
            "key_persons": ["某科长"],
            "key_matters": ["水厂改造"],
            "key_problems": ["拆分采购"],
            "taxonomy_version": "four-implementations-2022",
        },
        LEADER,
    )
    plan = {
        "content": {
            "focus": "四个落实",
            "interview_list": ["班子成员"],
            "schedule": "30天",
            "division_of_labor": "三个小组",
        }
    }
    api.command(f"{at}/work-plan", plan, LEADER)
    api.command(f"{at}/work-plan/approve", {"plan_version": 1}, OFFICE)
    api.command(
        f"{at}/temporary-party-branch",
        {
            "secretary_user_id": "leader-1",
            "member_user_ids": ["deputy-1", "member-1"],
            "established_on": day(-78),
        },
        LEADER,
    )
    api.command(
        f"{at}/management/training",
        {
            "kind": "pre_inspection_study",
            "user_ids": ["leader-1", "member-1"],
            "title": "巡前集中学习",
            "provider": "市委巡察办",
            "completed_on": day(-76),
            "hours": 16,
        },
        OFFICE,
    )
    life.issue_notice()
    life.announce()
    life.station()

    api.command(
        f"{at}/mobilization-meeting",
        {"held_on": day(-70), "presided_by": "党组书记", "attendees": ["班子成员", "中层干部"]},
        LEADER,
    )
    api.command(
        f"{at}/surveys",
        {"instrument": "民主测评表", "distributed": 60, "distributed_on": day(-69)},
        MEMBER,
        201,
    )
    (survey,) = records(api, life, "fieldwork.survey_distributed")
    api.command(
        f"{at}/surveys/results",
        {
            "survey_id": survey["record_id"],
            "responses": 52,
            "aggregates": [{"item": "好", "count": 30, "share_percent": 58}],
            "raw_data": SURVEY_RAW,
            "recorded_on": day(-66),
        },
        MEMBER,
    )
    api.command(
        f"{at}/work-reports",
        {
            "heard_on": day(-69),
            "reporter_kind": "principal",
            "reporter": "党组书记",
            "summary": "工作汇报",
            "self_identified_problem_share": 40,
        },
        MEMBER,
    )
    api.command(
        f"{at}/site-visits",
        {
            "site": "第二水厂",
            "method": "四不两直",
            "visited_on": day(-62),
            "visitors": ["member-1", "member-2"],
        },
        MEMBER,
        201,
    )
    refused(
        api,
        f"{at}/site-visits",
        {"site": "x", "method": "四不两直", "visited_on": day(-62), "visitors": ["member-1"]},
        OUTSIDER,
        404,  # not of this inspection's group: answered as an unknown inspection
    )
    api.command(
        f"{at}/special-checks",
        {
            "subject": "财务收支",
            "conducted_by": ["member-1"],
            "summary": "抽查凭证",
            "completed_on": day(-61),
        },
        MEMBER,
        201,
    )
    meeting_id = meeting(api, life)
    named = petition(api, life)
    triage = {
        "decision": "in_scope",
        "meeting_id": meeting_id,
        "basis": "key_posts",
        "disciplines": ["integrity", "work"],
    }
    api.command(f"/petitions/{named}/triage", triage, DEPUTY)
    api.command(
        f"{at}/interviews",
        {
            "interviewers": ["member-1", "member-2"],
            "category": "leadership_team",
            "conducted_on": day(-59),
            "interviewee": {"name": INTERVIEWEE, "position": "副局长"},
            "record": INTERVIEW_TEXT,
        },
        MEMBER,
        201,
    )
    api.command(
        f"{at}/interim-reports",
        {"submitted_on": day(-58), "summary": "进驻两周情况", "serious_matters": ["涉嫌严重违纪"]},
        LEADER,
    )
    api.command(
        f"{at}/interim-bulletins",
        {"issued_on": day(-57), "audience": "全市各单位", "content": "边巡边改情况通报"},
        LEADING_GROUP,
    )
    api.command(
        f"{at}/system-improvements",
        {
            "addressee_kind": "inspected_organization",
            "addressee_organization_id": "org-water-bureau",
            "recommendation": "建立采购审查制度",
            "recommended_on": day(-56),
        },
        LEADER,
    )
    item = api.command(
        f"{at}/immediate-rectifications",
        {"problem": "公车私用", "measures": "收回车辆", "requested_on": day(-56)},
        LEADER,
        201,
    )["created_id"]
    api.command(
        f"/immediate-rectifications/{item}/complete",
        {"completed_on": day(-50), "outcome": "已收回", "evidence_refs": ["doc-77"]},
        PRINCIPAL,
    )
    api.command(
        f"{at}/management/sign-in",
        {"signed_in_at": f"{day(-60)}T08:30:00+08:00", "place": "驻点办公室"},
        MEMBER,
    )
    api.command(f"{at}/management/work-log", {"day": day(-60), "content": "谈话两人"}, MEMBER)
    api.command(
        f"{at}/management/leave",
        {"first_day": day(-55), "last_day": day(-54), "reason_text": "家中有事"},
        MEMBER,
        201,
    )
    (leave,) = records(api, life, "management.leave_requested")
    api.command(f"{at}/management/leave/approve", {"leave_id": leave["record_id"]}, LEADER)
    api.command(
        f"{at}/management/other",
        {"system": "廉洁自律", "held_on": day(-55), "description": "签订廉洁承诺"},
        LEADER,
    )
    refused(
        api,
        f"{at}/management/other",
        {"system": "无此制度", "held_on": day(-55), "description": "d"},
        LEADER,
        422,
    )

    (immediate,) = api.get(f"{at}/immediate-rectifications")["items"]
    assert (immediate["status"], immediate["problem"]) == ("completed", "公车私用")
    report = records(api, life, "fieldwork.work_report_heard")[0]
    assert report["data"]["below_norm"] is True

    _assert_sealed_data_absent_from_read_models(api)


def _assert_sealed_data_absent_from_read_models(api: Api) -> None:
    container = api.client.app.state.container  # type: ignore[attr-defined]
    names = [p.name for p in container.projections]
    assert wait_for_position(container.read_pool, names, api.position, 10)

    trail = json.dumps(api.get("/audit-trail", limit=500)["items"], ensure_ascii=False)
    assert "[sealed]" in trail
    leaked = [s for s in SECRETS if s in trail]
    assert leaked == [], f"sealed data in /audit-trail: {leaked}"

    with psycopg.connect(container.conninfo) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename LIKE 'rm\\_%'"
            ).fetchall()
        ]
        assert {"rm_audit_event", "rm_petition", "rm_interview", "rm_fieldwork_record"} <= set(
            tables
        )
        for table in tables:
            rows = conn.execute(f"SELECT row_to_json(t)::text FROM {table} t").fetchall()
            text = "\n".join(r[0] for r in rows)
            leaked = [s for s in SECRETS if s in text]
            assert leaked == [], f"sealed data in {table}: {leaked}"
        rows = conn.execute(
            "SELECT topic, state FROM stored_events WHERE state IS NOT NULL"
        ).fetchall()
    # The event store keeps them encrypted only; unsealed they are all there, so the checks
    # above would see them if they leaked.
    stored = "".join(bytes(state).decode() for _, state in rows)
    assert [s for s in SECRETS if s in stored] == []
    mapper = container.store.mapper
    opened = "".join(
        json.dumps(
            mapper.decode(bytes(state), topic, unseal=True).event.model_dump(mode="json"),
            ensure_ascii=False,
        )
        for topic, state in rows
    )
    assert all(s in opened for s in SECRETS)
