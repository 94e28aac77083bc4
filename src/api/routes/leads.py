"""Lead (问题线索) endpoints: the commands from registration to closure, and the register."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from api.deps import CurrentActor, ReadConnection, consistent_read
from api.routes.factory import add_command
from commands import lead
from commands.base import Command
from commands.errors import NotFound, NotPermitted
from events.base import Actor, Role
from projections import lead_register

REGISTER = Depends(consistent_read("lead_register"))
Limit = Annotated[int, Query(ge=1, le=500, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]

# Leads are classified: the inspected organization and outside experts do not read them, and a
# receiving authority reads only the leads transferred to it.
READERS = frozenset(
    {
        Role.COMMITTEE,
        Role.LEADING_GROUP,
        Role.INSPECTION_OFFICE,
        Role.GROUP_LEADER,
        Role.DEPUTY_GROUP_LEADER,
        Role.AUDITOR,
    }
)


def _receiver_scope(actor: Actor) -> str | None:
    """None for inspection-side readers; the actor's organization for a receiving authority."""
    if actor.role in lead.RECEIVERS:
        return actor.organization_id
    if actor.role not in READERS:
        raise NotPermitted(f"the role '{actor.role}' may not read the lead register")
    return None


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

    @r.get("/leads", dependencies=[REGISTER], summary="The lead register (问题线索台账)")
    def list_leads(
        conn: ReadConnection,
        actor: CurrentActor,
        inspection_id: UUID | None = None,
        round_id: UUID | None = None,
        status: str | None = None,
        open: bool | None = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> list[dict[str, Any]]:
        return lead_register.list_leads(
            conn,
            inspection_id=inspection_id,
            round_id=round_id,
            receiver_organization_id=_receiver_scope(actor),
            status=status,
            open=open,
            limit=limit,
            offset=offset,
        )

    @r.get(
        "/lead-summary",
        dependencies=[REGISTER],
        summary="Open, closed and overdue leads; `cleared` is 见底清零",
    )
    def lead_summary(
        conn: ReadConnection,
        actor: CurrentActor,
        inspection_id: UUID | None = None,
        round_id: UUID | None = None,
    ) -> dict[str, Any]:
        return lead_register.summary(
            conn,
            inspection_id=inspection_id,
            round_id=round_id,
            receiver_organization_id=_receiver_scope(actor),
        )

    @r.get("/leads/{lead_id}", dependencies=[REGISTER], summary="One lead (sealed fields omitted)")
    def get_lead(
        lead_id: UUID, conn: ReadConnection, actor: CurrentActor, response: Response
    ) -> dict[str, Any]:
        scope = _receiver_scope(actor)
        row = lead_register.get_lead(conn, lead_id)
        if row is None or (scope is not None and row["receiver_organization_id"] != scope):
            raise NotFound(f"lead {lead_id} does not exist (or the read model has not seen it yet)")
        response.headers["ETag"] = f'"{row["stream_version"]}"'
        return row

    return r


def routers() -> list[APIRouter]:
    return [commands(), queries()]
