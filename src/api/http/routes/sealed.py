"""Justified reads of sealed records: a petition's petitioner and content, an interview's
interviewee and record (docs/security.md, "Sealed personal data and crypto-shredding").

`POST /petitions/{id}/sealed-reads` and `POST /interviews/{id}/sealed-reads` are POSTs
because every read is an audited act: it first appends `audit.sensitive_record_accessed`
(who, what, why) on the record's access stream, then answers the decrypted fields, or
`"[erased]"` for a subject whose key was destroyed. Allowed to the inspection office,
auditors and the leader of the record's inspection group.
"""

# No `from __future__ import annotations`: FastAPI reads the endpoints' annotations.
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from xuncha.api import logs
from xuncha.api.http.access import command_route
from xuncha.api.http.deps import ContainerDep, CurrentActor
from xuncha.api.http.routes.factory import CORRELATION
from xuncha.commands.sealed_access import (
    JUSTIFICATION_MIN,
    SEALED_READERS,
    ReadSealedRecord,
    open_sealed,
)
from xuncha.events.access import SealedRecordType


class SealedReadRequest(BaseModel):
    """Why the sealed record must be read; recorded in the audit trail (do not quote the
    record in it)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    justification: str = Field(min_length=JUSTIFICATION_MIN, max_length=2000)


class SealedReadResponse(BaseModel):
    record_type: SealedRecordType
    record_id: UUID
    subject_id: str = Field(description="The data subject whose key seals these fields")
    erased: bool = Field(description="True when the subject's key was destroyed")
    fields: dict[str, Any] = Field(description='The sealed fields, or "[erased]"')
    access_stream_id: UUID = Field(description="The stream recording reads of this record")
    position: int = Field(description="Log position of the recorded access")


def _read(
    kind: SealedRecordType,
    record_id: UUID,
    body: SealedReadRequest,
    actor: Any,
    container: Any,
    response: Response,
    correlation_id: UUID | None,
) -> SealedReadResponse:
    cmd = ReadSealedRecord(record_type=kind, record_id=record_id, justification=body.justification)
    result = container.app.execute(
        cmd, actor, correlation_id=correlation_id or logs.correlation_id()
    )
    opened = open_sealed(container.store, kind, record_id)
    response.headers["X-Xuncha-Position"] = str(result.position)
    return SealedReadResponse(
        record_type=kind,
        record_id=record_id,
        subject_id=opened.subject_id,
        erased=opened.erased,
        fields=opened.fields,
        access_stream_id=UUID(result.stream_id),
        position=result.position,
    )


def routers() -> list[APIRouter]:
    r = APIRouter(tags=["petitions and interviews"])
    route = command_route(SEALED_READERS, ReadSealedRecord.__name__)
    roles = {"x-allowed-roles": sorted(role.value for role in SEALED_READERS)}

    def read_petition(
        petition_id: Annotated[UUID, Path()],
        body: SealedReadRequest,
        actor: CurrentActor,
        container: ContainerDep,
        response: Response,
        x_correlation_id: Annotated[UUID | None, Header(description=CORRELATION)] = None,
    ) -> SealedReadResponse:
        return _read(
            SealedRecordType.PETITION,
            petition_id,
            body,
            actor,
            container,
            response,
            x_correlation_id,
        )

    def read_interview(
        interview_id: Annotated[UUID, Path()],
        body: SealedReadRequest,
        actor: CurrentActor,
        container: ContainerDep,
        response: Response,
        x_correlation_id: Annotated[UUID | None, Header(description=CORRELATION)] = None,
    ) -> SealedReadResponse:
        return _read(
            SealedRecordType.INTERVIEW,
            interview_id,
            body,
            actor,
            container,
            response,
            x_correlation_id,
        )

    description = (
        "Records `audit.sensitive_record_accessed` (who, which record, the justification) and "
        'then returns the sealed fields decrypted, or `"[erased]"` once the data subject\'s '
        "key was destroyed (`xuncha erase-subject`). Inspection office, auditors, and the "
        "leader of the record's inspection group; a justification of at least "
        f"{JUSTIFICATION_MIN} characters is required (422 otherwise, nothing recorded)."
    )
    for path, handler, summary in (
        (
            "/petitions/{petition_id}/sealed-reads",
            read_petition,
            "Read a petition's sealed petitioner and content (justified, audited)",
        ),
        (
            "/interviews/{interview_id}/sealed-reads",
            read_interview,
            "Read an interview's sealed interviewee and record (justified, audited)",
        ),
    ):
        r.add_api_route(
            path,
            handler,
            methods=["POST"],
            response_model=SealedReadResponse,
            summary=summary,
            description=description,
            route_class_override=route,
            openapi_extra=roles,
        )
    return [r]
