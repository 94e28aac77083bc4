"""Lead (问题线索) endpoints: the commands from registration to closure, and the register."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from xuncha.api.http.access import Scope, readable_by
from xuncha.api.http.deps import ReadConnection, consistent_read
from xuncha.api.http.routes.factory import add_command
from xuncha.api.http.schemas.common import Page, answer
from xuncha.api.http.schemas.leads import Lead, LeadSummary
from xuncha.commands import lead
from xuncha.commands.base import Command
from xuncha.commands.errors import NotFound
from xuncha.events.base import Actor, Role
from xuncha.events.vocabulary import LeadStage
from xuncha.projections import lead_register

REGISTER = Depends(consistent_read("lead_register"))
Limit = Annotated[int, Query(ge=1, le=500, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]

# Leads are classified: the inspected organization, outside experts, group members and the
# supervising department do not read them; a receiving authority reads only the leads
# transferred to it (not those only approved for transfer); a group leader or deputy only
# those of the inspections their group is authorized for (`Scope`). Dashboard readers see
# the summary's counts, never a lead.
INSPECTION_SIDE = (
    Role.COMMITTEE,
    Role.LEADING_GROUP,
    Role.INSPECTION_OFFICE,
    Role.GROUP_LEADER,
    Role.DEPUTY_GROUP_LEADER,
    Role.AUDITOR,
)
READERS = readable_by(*INSPECTION_SIDE, *lead.RECEIVERS)
SUMMARY_READERS = readable_by(*INSPECTION_SIDE, *lead.RECEIVERS, Role.DASHBOARD_READER)


def _receiver_scope(actor: Actor) -> str | None:
    """None for inspection-side readers; the actor's organization for a receiving authority."""
    return actor.organization_id if actor.role in lead.RECEIVERS else None


def commands() -> APIRouter:
    r = APIRouter(tags=["leads"])
    add_command(
        r,
        "/inspections/{inspection_id}/leads",
        lead.RegisterLead,
        path_param="inspection_id",
        created="/leads/{id}",
        summary="Register a lead (登记问题线索) about a person",
    )
    specs: list[tuple[str, type[Command], str]] = [
        ("/classify", lead.ClassifyLead, "Classify the lead in the group meeting (组务会)"),
        (
            "/approve-transfer",
            lead.ApproveLeadTransfer,
            "Approve the transfer (leading group); the receiver follows the management level",
        ),
        ("/transfer", lead.TransferLead, "Transfer the lead (office); the clocks start"),
        (
            "/transfer-during-fieldwork",
            lead.TransferLeadDuringFieldwork,
            "Fast track (边办案): transfer an 八项规定/四风 lead while stationed",
        ),
        ("/acknowledge", lead.AcknowledgeLead, "Acknowledge receipt (receiving authority)"),
        (
            "/disposition",
            lead.RecordLeadDisposition,
            "Record the disposition (处置方式; receiving authority)",
        ),
        ("/outcome", lead.ReportLeadOutcome, "Report the outcome (receiving authority)"),
        ("/close", lead.CloseLead, "Close the lead (销号办结; office)"),
    ]
    for path, command, summary in specs:
        add_command(r, "/leads/{lead_id}" + path, command, path_param="lead_id", summary=summary)
    return r


def queries() -> APIRouter:
    r = APIRouter(tags=["queries"])

    @r.get(
        "/leads",
        dependencies=[READERS, REGISTER],
        summary="The lead register (问题线索台账)",
        description="A receiving authority sees the leads transferred to its organization; a "
        "group leader or deputy those of the inspections their group is authorized for.",
    )
    def list_leads(
        conn: ReadConnection,
        scope: Scope,
        inspection_id: UUID | None = None,
        round_id: UUID | None = None,
        status: LeadStage | None = None,
        open: bool | None = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[Lead]:
        found = lead_register.list_leads(
            conn,
            inspection_id=inspection_id,
            round_id=round_id,
            receiver_organization_id=_receiver_scope(scope.actor),
            status=status,
            open=open,
            limit=limit,
            offset=offset,
            inspection_ids=scope.inspection_ids,
        )
        return answer(Page[Lead], found)

    @r.get(
        "/lead-summary",
        dependencies=[SUMMARY_READERS, REGISTER],
        summary="Open, closed and overdue leads; `cleared` is 见底清零",
        description="Counts only the leads the reader may see (see `/leads`).",
    )
    def lead_summary(
        conn: ReadConnection,
        scope: Scope,
        inspection_id: UUID | None = None,
        round_id: UUID | None = None,
    ) -> LeadSummary:
        found = lead_register.summary(
            conn,
            inspection_id=inspection_id,
            round_id=round_id,
            receiver_organization_id=_receiver_scope(scope.actor),
            inspection_ids=scope.inspection_ids,
        )
        return answer(LeadSummary, found)

    @r.get(
        "/leads/{lead_id}",
        dependencies=[READERS, REGISTER],
        summary="One lead (sealed fields omitted)",
        description="404 for a lead the reader may not see, as for an unknown one.",
    )
    def get_lead(lead_id: UUID, conn: ReadConnection, scope: Scope, response: Response) -> Lead:
        receiver = _receiver_scope(scope.actor)
        row = lead_register.get_lead(conn, lead_id)
        if receiver is not None and row is not None:
            sent_to_it = row["receiver_organization_id"] == receiver and row["transferred_on"]
            row = row if sent_to_it else None
        if row is not None and not scope.allows(inspection_id=row["inspection_id"]):
            row = None
        if row is None:
            raise NotFound(f"lead {lead_id} does not exist (or the read model has not seen it yet)")
        response.headers["ETag"] = f'"{row["stream_version"]}"'
        return answer(Lead, row)

    return r


def routers() -> list[APIRouter]:
    return [commands(), queries()]
