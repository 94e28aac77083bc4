"""Preparation and fieldwork records: authorization scope (一次一授权), configured briefing
departments and visit methods, the documents custody ledger, group meetings and "1+5"."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from tests.unit.builders import (
    DEPUTY,
    INSPECTION_ID,
    LEADER,
    MEMBER,
    OFFICE,
    OUTSIDER,
    TARGET_ORG,
    authorized,
    stationed,
    withdrawn,
)
from tests.unit.fieldwork_builders import (
    FIELD_DAY,
    NEW_ID,
    REQUEST_ID,
    SURVEY_ID,
    at,
    documents_received,
    inspection_stationed,
)
from tests.unit.gwt import given, refused, then
from xuncha.commands import fieldwork as fw
from xuncha.commands.errors import InvalidTransition, NotFound, NotPermitted, RuleViolated
from xuncha.commands.fieldwork import FIELDWORK, FieldworkState
from xuncha.commands.inspection import INSPECTION
from xuncha.events.fieldwork import (
    BriefingRequested,
    DocumentCustodyClosed,
    DocumentsReturned,
    GroupMeetingHeld,
    InterimReportSubmitted,
    SiteVisitConducted,
    WorkReportHeard,
)
from xuncha.events.policy import PolicyParameters

P = PolicyParameters()
EMPTY = FieldworkState(INSPECTION_ID)


def visit(day: date = FIELD_DAY, method: str = "四不两直") -> fw.ConductSiteVisit:
    return fw.ConductSiteVisit(
        inspection_id=INSPECTION_ID,
        site="第二水厂",
        method=method,
        visited_on=day,
        visitors=["member-1", "member-2"],
    )


def test_a_group_member_visits_a_site_while_stationed() -> None:
    events = fw.conduct_site_visit(EMPTY, inspection_stationed(), visit(), at(MEMBER), P, NEW_ID)
    then(
        events,
        [
            SiteVisitConducted(
                inspection_id=INSPECTION_ID,
                visit_id=NEW_ID,
                site="第二水厂",
                method="四不两直",
                visited_on=FIELD_DAY,
                visitors=["member-1", "member-2"],
                notes="",
            )
        ],
    )


def test_someone_outside_the_authorized_group_has_no_fieldwork_powers() -> None:
    with refused(NotPermitted, "members of the group authorized"):
        fw.conduct_site_visit(EMPTY, inspection_stationed(), visit(), at(OUTSIDER), P, NEW_ID)


def test_fieldwork_acts_outside_the_authorization_window_are_refused() -> None:
    late = date(2026, 5, 2)  # window ends 30 Apr; the group is still recorded as stationed
    with refused(NotPermitted, "outside the group's authorization window"):
        fw.conduct_site_visit(
            EMPTY, inspection_stationed(), visit(late), at(MEMBER, late), P, NEW_ID
        )


def test_fieldwork_acts_need_the_group_stationed() -> None:
    before = given(INSPECTION, *authorized())
    with refused(InvalidTransition, "conduct a site visit", "stationed"):
        fw.conduct_site_visit(EMPTY, before, visit(), at(MEMBER), P, NEW_ID)
    after = given(INSPECTION, *withdrawn())
    with refused(InvalidTransition, "stationed"):
        fw.request_documents(
            EMPTY,
            after,
            fw.RequestDocuments(inspection_id=INSPECTION_ID, items=["x"], requested_on=FIELD_DAY),
            at(MEMBER),
            P,
            NEW_ID,
        )


def test_a_fieldwork_act_cannot_precede_stationing_or_be_in_the_future() -> None:
    with refused(RuleViolated, "before the group was stationed"):
        fw.conduct_site_visit(
            EMPTY, inspection_stationed(), visit(date(2026, 3, 5)), at(MEMBER), P, NEW_ID
        )
    with refused(RuleViolated, "future"):
        fw.conduct_site_visit(
            EMPTY, inspection_stationed(), visit(date(2026, 3, 21)), at(MEMBER), P, NEW_ID
        )


def test_site_visit_methods_and_visitors_are_checked() -> None:
    with refused(RuleViolated, "not a configured site-visit method"):
        fw.conduct_site_visit(
            EMPTY, inspection_stationed(), visit(method="随便看看"), at(MEMBER), P, NEW_ID
        )
    cmd = visit().model_copy(update={"visitors": ["member-1", "member-9"]})
    with refused(RuleViolated, "member-9"):
        fw.conduct_site_visit(EMPTY, inspection_stationed(), cmd, at(MEMBER), P, NEW_ID)


def test_briefings_come_only_from_configured_departments() -> None:
    state = given(INSPECTION, *authorized())
    cmd = fw.RequestPreInspectionBriefing(
        inspection_id=INSPECTION_ID, provider="audit", subject="近三年审计", requested_on=FIELD_DAY
    )
    then(
        fw.request_briefing(EMPTY, state, cmd, at(OFFICE), P, NEW_ID),
        [
            BriefingRequested(
                inspection_id=INSPECTION_ID,
                briefing_id=NEW_ID,
                provider="audit",
                subject="近三年审计",
                requested_on=FIELD_DAY,
            )
        ],
    )
    other = cmd.model_copy(update={"provider": "tax"})
    with refused(RuleViolated, "not a configured briefing department", "discipline"):
        fw.request_briefing(EMPTY, state, other, at(OFFICE), P, NEW_ID)
    local = PolicyParameters(briefing_providers=["tax"])
    assert fw.request_briefing(EMPTY, state, other, at(OFFICE), local, NEW_ID)


def test_a_briefing_is_received_once_for_a_request() -> None:
    state = given(INSPECTION, *authorized())
    requested = fw.request_briefing(
        EMPTY,
        state,
        fw.RequestPreInspectionBriefing(
            inspection_id=INSPECTION_ID, provider="audit", subject="s", requested_on=FIELD_DAY
        ),
        at(OFFICE),
        P,
        NEW_ID,
    )
    fieldwork = given(FIELDWORK, *requested)
    receive = fw.RecordBriefingReceived(
        inspection_id=INSPECTION_ID,
        briefing_id=NEW_ID,
        classification="C",
        received_on=FIELD_DAY,
        content="审计发现的问题",
    )
    (received,) = fw.record_briefing(fieldwork, state, receive, at(OFFICE), P, NEW_ID)
    with refused(InvalidTransition, "already received"):
        fw.record_briefing(
            FIELDWORK.fold([received], fieldwork), state, receive, at(OFFICE), P, NEW_ID
        )
    with refused(NotFound, "no briefing"):
        fw.record_briefing(EMPTY, state, receive, at(OFFICE), P, NEW_ID)


def test_work_plan_approval_is_of_the_latest_version() -> None:
    state = given(INSPECTION, *authorized())
    content = fw.WorkPlanText(focus="四个落实", schedule="30天", division_of_labor="三个小组")
    submit = fw.SubmitGroupWorkPlan(inspection_id=INSPECTION_ID, content=content)
    first = fw.submit_work_plan(EMPTY, state, submit, at(LEADER), P, NEW_ID)
    plans = FIELDWORK.fold(
        [
            *first,
            *fw.submit_work_plan(given(FIELDWORK, *first), state, submit, at(LEADER), P, NEW_ID),
        ]
    )
    assert plans is not None
    with refused(RuleViolated, "latest work plan (version 2)"):
        fw.approve_work_plan(
            plans,
            state,
            fw.ApproveGroupWorkPlan(inspection_id=INSPECTION_ID, plan_version=1),
            at(OFFICE),
            P,
            NEW_ID,
        )
    with refused(InvalidTransition, "no group work plan"):
        fw.approve_work_plan(
            EMPTY,
            state,
            fw.ApproveGroupWorkPlan(inspection_id=INSPECTION_ID, plan_version=1),
            at(OFFICE),
            P,
            NEW_ID,
        )


def test_the_temporary_branch_secretary_is_the_leader_by_default() -> None:
    state = given(INSPECTION, *authorized())
    cmd = fw.EstablishTemporaryPartyBranch(
        inspection_id=INSPECTION_ID,
        secretary_user_id="deputy-1",
        member_user_ids=["member-1", "member-2"],
        established_on=FIELD_DAY,
    )
    with refused(RuleViolated, "group leader is the branch secretary"):
        fw.establish_branch(EMPTY, state, cmd, at(LEADER), P, NEW_ID)
    relaxed = PolicyParameters(temp_branch_secretary_is_leader=False)
    assert fw.establish_branch(EMPTY, state, cmd, at(LEADER), relaxed, NEW_ID)


def _receive(docs: list[fw.DocumentIn]) -> fw.ReceiveDocuments:
    return fw.ReceiveDocuments(
        inspection_id=INSPECTION_ID,
        request_id=REQUEST_ID,
        documents=docs,
        received_on=FIELD_DAY,
        handed_over_by="办公室主任",
    )


def test_documents_are_received_only_against_a_request_and_not_twice() -> None:
    doc = fw.DocumentIn(doc_no="D-9", title="合同")
    with refused(NotFound, "no document request"):
        fw.receive_documents(EMPTY, inspection_stationed(), _receive([doc]), at(MEMBER), P, NEW_ID)
    held = given(FIELDWORK, *documents_received())
    again = fw.DocumentIn(doc_no="D-1", title="党组会议记录")
    with refused(RuleViolated, "already in the group's custody"):
        fw.receive_documents(held, inspection_stationed(), _receive([again]), at(MEMBER), P, NEW_ID)


def _return(nos: list[str]) -> fw.ReturnDocuments:
    return fw.ReturnDocuments(
        inspection_id=INSPECTION_ID, doc_nos=nos, returned_on=FIELD_DAY, received_back_by="主任"
    )


def _close(day: date = FIELD_DAY) -> fw.CloseDocumentCustody:
    return fw.CloseDocumentCustody(inspection_id=INSPECTION_ID, closed_on=day)


def test_custody_closes_only_when_every_received_document_is_returned() -> None:
    held = given(FIELDWORK, *documents_received())
    inspection = inspection_stationed()
    with refused(RuleViolated, "must be returned", "D-1", "D-2"):
        fw.close_custody(held, inspection, _close(), at(LEADER), P, NEW_ID)
    partly = FIELDWORK.fold(
        fw.return_documents(held, inspection, _return(["D-1"]), at(MEMBER), P, NEW_ID), held
    )
    assert partly is not None
    with refused(RuleViolated, "still held: ['D-2']"):
        fw.close_custody(partly, inspection, _close(), at(LEADER), P, NEW_ID)
    returned = fw.return_documents(partly, inspection, _return(["D-2"]), at(MEMBER), P, NEW_ID)
    then(
        returned,
        [
            DocumentsReturned(
                inspection_id=INSPECTION_ID,
                doc_nos=["D-2"],
                returned_on=FIELD_DAY,
                received_back_by="主任",
            )
        ],
    )
    all_back = FIELDWORK.fold(returned, partly)
    assert all_back is not None
    then(
        fw.close_custody(all_back, inspection, _close(), at(LEADER), P, NEW_ID),
        [
            DocumentCustodyClosed(
                inspection_id=INSPECTION_ID, closed_on=FIELD_DAY, documents_returned=2
            )
        ],
    )


def test_documents_can_be_returned_after_withdrawal_but_not_unknown_ones() -> None:
    held = given(FIELDWORK, *documents_received())
    after = given(INSPECTION, *withdrawn())
    assert fw.return_documents(held, after, _return(["D-1", "D-2"]), at(MEMBER), P, NEW_ID)
    with refused(RuleViolated, "not in the group's custody", "D-7"):
        fw.return_documents(held, after, _return(["D-7"]), at(MEMBER), P, NEW_ID)


def test_a_closed_custody_ledger_takes_no_more_documents() -> None:
    closed = replace(given(FIELDWORK, *documents_received()), held={}, custody_closed=True)
    doc = fw.DocumentIn(doc_no="D-3", title="x")
    with refused(InvalidTransition, "custody ledger of this inspection is closed"):
        fw.receive_documents(closed, inspection_stationed(), _receive([doc]), at(MEMBER), P, NEW_ID)


def test_survey_aggregates_need_enough_responses_and_a_distributed_survey() -> None:
    surveys = FieldworkState(INSPECTION_ID, surveys={SURVEY_ID: 50})
    cmd = fw.RecordSurveyResults(
        inspection_id=INSPECTION_ID,
        survey_id=SURVEY_ID,
        responses=3,
        aggregates=[fw.SurveyFigureIn(item="好", count=2, share_percent=66)],
        raw_data="答卷",
        recorded_on=FIELD_DAY,
    )
    with refused(RuleViolated, "fewer than 5"):
        fw.record_survey(surveys, inspection_stationed(), cmd, at(MEMBER), P, NEW_ID)
    too_many = cmd.model_copy(update={"responses": 51})
    with refused(RuleViolated, "exceed the 50 copies"):
        fw.record_survey(surveys, inspection_stationed(), too_many, at(MEMBER), P, NEW_ID)
    with refused(NotFound, "no survey"):
        fw.record_survey(EMPTY, inspection_stationed(), cmd, at(MEMBER), P, NEW_ID)


def test_a_work_report_below_the_problem_share_norm_is_flagged_not_refused() -> None:
    cmd = fw.HearWorkReport(
        inspection_id=INSPECTION_ID,
        heard_on=FIELD_DAY,
        reporter_kind=fw.ReporterKind.PRINCIPAL,
        reporter="党组书记",
        summary="工作汇报",
        self_identified_problem_share=40,
    )
    (heard,) = fw.hear_work_report(EMPTY, inspection_stationed(), cmd, at(MEMBER), P, NEW_ID)
    assert isinstance(heard, WorkReportHeard)
    assert heard.below_norm


def _meeting(attendees: list[str]) -> fw.HoldGroupMeeting:
    return fw.HoldGroupMeeting(
        inspection_id=INSPECTION_ID,
        held_on=FIELD_DAY,
        agenda=["信访件分类"],
        decisions=["第1件受理"],
        attendees=attendees,
    )


def test_group_meetings_are_numbered_and_held_by_this_group() -> None:
    then(
        fw.hold_group_meeting(
            EMPTY, inspection_stationed(), _meeting(["leader-1", "deputy-1"]), at(LEADER), P, NEW_ID
        ),
        [
            GroupMeetingHeld(
                inspection_id=INSPECTION_ID,
                meeting_id=NEW_ID,
                meeting_no=1,
                held_on=FIELD_DAY,
                agenda=["信访件分类"],
                decisions=["第1件受理"],
                attendees=["leader-1", "deputy-1"],
            )
        ],
    )
    with refused(RuleViolated, "member-9"):
        fw.hold_group_meeting(
            EMPTY, inspection_stationed(), _meeting(["leader-1", "member-9"]), at(LEADER), P, NEW_ID
        )
    with refused(RuleViolated, "chairs"):
        fw.hold_group_meeting(
            EMPTY, inspection_stationed(), _meeting(["deputy-1"]), at(LEADER), P, NEW_ID
        )


def test_serious_matters_make_an_interim_report_immediate() -> None:
    cmd = fw.SubmitInterimReport(
        inspection_id=INSPECTION_ID,
        submitted_on=FIELD_DAY,
        summary="进驻两周情况",
        serious_matters=["局长涉嫌严重违纪"],
    )
    then(
        fw.submit_interim_report(EMPTY, inspection_stationed(), cmd, at(LEADER), P, NEW_ID),
        [
            InterimReportSubmitted(
                inspection_id=INSPECTION_ID,
                report_no=1,
                submitted_on=FIELD_DAY,
                summary="进驻两周情况",
                serious_matters=["局长涉嫌严重违纪"],
                immediate=True,
            )
        ],
    )
    with refused(NotPermitted, "group leader"):
        fw.submit_interim_report(
            EMPTY,
            inspection_stationed(),
            cmd,
            at(DEPUTY.model_copy(update={"role": LEADER.role})),
            P,
            NEW_ID,
        )


def test_a_system_improvement_to_the_inspected_organization_is_addressed_to_it() -> None:
    cmd = fw.RecommendSystemImprovement(
        inspection_id=INSPECTION_ID,
        addressee_kind=fw.AddresseeKind.INSPECTED_ORGANIZATION,
        addressee_organization_id="org-other",
        recommendation="建立采购审查制度",
        recommended_on=FIELD_DAY,
    )
    with refused(RuleViolated, TARGET_ORG):
        fw.recommend_improvement(EMPTY, inspection_stationed(), cmd, at(LEADER), P, NEW_ID)
    supervising = cmd.model_copy(update={"addressee_kind": fw.AddresseeKind.SUPERVISING_DEPARTMENT})
    assert fw.recommend_improvement(
        EMPTY, inspection_stationed(), supervising, at(LEADER), P, NEW_ID
    )


def test_the_fieldwork_stream_id_is_derived_from_the_inspection() -> None:
    assert fw.fieldwork_stream_id(INSPECTION_ID) == fw.fieldwork_stream_id(INSPECTION_ID)
    assert fw.fieldwork_stream_id(INSPECTION_ID) != INSPECTION_ID
    cmd = fw.CloseDocumentCustody(inspection_id=INSPECTION_ID, closed_on=FIELD_DAY)
    assert cmd.fieldwork_id == fw.fieldwork_stream_id(INSPECTION_ID)
    assert given(INSPECTION, *stationed()).stage == "stationed"
