"""Builds one POST endpoint per command: request body -> command -> application -> response.

The request body is the command without the id that the path carries. `If-Match` carries the
expected version of the addressed record, `Idempotency-Key` makes retries safe.
"""

# No `from __future__ import annotations` here: FastAPI reads the endpoint's annotations,
# which name the body model made at run time.
import json
import re
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Path, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from xuncha.api import logs
from xuncha.api.http.access import command_route
from xuncha.api.http.deps import ContainerDep, CurrentActor
from xuncha.api.http.errors import BadRequest
from xuncha.commands.base import Command
from xuncha.commands.decision import WarningCode
from xuncha.commands.service import CommandResult

CORRELATION = (
    "The correlation id the command's events and the request's log lines carry; without it,"
    " the id the service makes for the request (echoed in the answer's X-Correlation-Id)"
)
ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,18})"?\s*$')


class AppendedEventOut(BaseModel):
    type: str
    version: int
    stream_id: UUID
    stream_version: int


class CommandWarningOut(BaseModel):
    """A consequence of the accepted command that the caller should know."""

    code: WarningCode = Field(description="Stable code of the consequence")
    message_zh: str = Field(description="What happened and what to do, in Chinese")
    message_en: str = Field(description="What happened and what to do, in English")


class CommandResponse(BaseModel):
    """The outcome of a command. `position` is the log position of its last event: pass it
    as `min_position` to a query to read your own write.

    `warnings` states consequences of an accepted command that its caller would not guess;
    a command whose consequence is not allowed is refused instead (422/409, nothing appended).
    Warned: recusing a member of a formed group (`group_back_to_proposed`) or its leader
    (`group_leaderless`); a recusal after the authorization (`member_left_inspections`,
    `findings_review_required`, `report_returned_for_revision`,
    `recused_findings_in_approved_report`); amending a reviewed or approved finding
    (`finding_back_to_drafted`); a plan item whose deadline has already passed, at
    submission and acceptance (`plan_item_deadline_passed`); closing (销号) an item after
    its deadline (`closed_after_deadline`), quickly after opening (`quick_closure`) or as one
    of many of an organization on one day (`bulk_closure`); a lead acknowledged or its
    outcome reported after the due day (`lead_acknowledged_late`, `lead_outcome_late`). An
    idempotent replay answers the first result's warnings.
    """

    command: str
    stream_id: UUID
    stream_version: int = Field(description="The addressed record's version (also the ETag)")
    position: int
    events: list[AppendedEventOut]
    created_id: UUID | None = None
    replayed: bool = Field(description="True when an Idempotency-Key replayed a first result")
    warnings: list[CommandWarningOut] = Field(
        default_factory=list,
        description="Consequences of the command, each a code with a Chinese and an English "
        "message; empty when there are none",
    )


def parse_if_match(value: str | None) -> int | None:
    if value is None:
        return None
    match = ETAG.match(value)
    if match is None:
        raise BadRequest(f'If-Match must carry a record version such as "3"; got {value!r}')
    return int(match.group(1))


def body_model(command: type[Command], path_param: str | None) -> type[BaseModel]:
    fields: Any = {
        name: (info.annotation, info)
        for name, info in command.model_fields.items()
        if name != path_param
    }
    config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    model: type[BaseModel] = create_model(f"{command.__name__}Request", __config__=config, **fields)
    model.__doc__ = command.__doc__
    return model


def _whole_number(text: str) -> float | int:
    number = float(text)
    return int(number) if number.is_integer() and abs(number) < 2**63 else number


def _whole_numbers_as_integers(body: bytes) -> bytes:
    """`2.0` is an integer in JSON Schema, but not in pydantic's strict mode: rewrite it `2`.
    Malformed or absurdly nested JSON is left for pydantic to report."""
    try:
        return json.dumps(json.loads(body, parse_float=_whole_number)).encode()
    except (ValueError, RecursionError):
        return body


def strict_body(body_type: type[BaseModel]) -> Any:
    """A dependency refusing what the schema refuses: the body is read as JSON in pydantic's
    strict mode, so 0 is not a boolean, "5" not an integer and 1.5 not a date, as in the
    OpenAPI document. (FastAPI's own validation of the body, which runs too, is lax.)"""

    async def check(request: Request, _: CurrentActor) -> None:  # authenticated first
        try:
            body = _whole_numbers_as_integers(await request.body() or b"null")
            body_type.model_validate_json(body, strict=True)
        except ValidationError as error:
            errors = [
                {**e, "loc": ("body", *e.get("loc", ()))}
                for e in error.errors(include_url=False, include_context=False)
            ]
            raise RequestValidationError(errors) from None

    return Depends(check)


def respond(
    response: Response, result: CommandResult, location: str | None, addressed: UUID | None = None
) -> CommandResponse:
    """The command's answer; `Location` names the record created (`{id}`: its id) or, for a
    command that writes a record kept per addressed id, that record (`{id}`: the path id)."""
    response.headers["ETag"] = f'"{result.stream_version}"'
    response.headers["X-Xuncha-Position"] = str(result.position)
    record_id = result.created_id or addressed
    if location and record_id:
        response.headers["Location"] = location.format(id=record_id)
    return CommandResponse.model_validate(result.as_record())


def location_header(template: str) -> dict[str, Any]:
    """The OpenAPI description of the `Location` header an answer carries."""
    return {"Location": {"description": f"The record: {template}", "schema": {"type": "string"}}}


def add_command(
    router: APIRouter,
    path: str,
    command: type[Command],
    *,
    path_param: str | None = None,
    created: str | None = None,
    record: str | None = None,
    summary: str,
) -> None:
    """Register `POST path` for `command`; `created` is the Location template of a new record
    (answered 201), `record` that of the record the command writes, kept under the path's id
    (e.g. an inspection's report; answered 200)."""
    body_type = body_model(command, path_param)
    id_description = f"The {path_param.removesuffix('_id')} addressed" if path_param else ""

    def endpoint(
        body: body_type,  # type: ignore[valid-type]
        response: Response,
        actor: CurrentActor,
        container: ContainerDep,
        record_id: Annotated[UUID, Path(alias=path_param or "id", description=id_description)],
        if_match: Annotated[
            str | None,
            Header(
                description='Expected version of the addressed record, e.g. "3"',
                json_schema_extra={"pattern": ETAG.pattern},
            ),
        ] = None,
        idempotency_key: Annotated[
            str | None,
            Header(max_length=200, description="Retries with the same key return the first result"),
        ] = None,
        x_correlation_id: Annotated[UUID | None, Header(description=CORRELATION)] = None,
    ) -> CommandResponse:
        data = body.model_dump()  # type: ignore[attr-defined]
        if path_param:
            data[path_param] = record_id
        cmd = command.model_validate(data)
        result = container.app.execute(
            cmd,
            actor,
            expected_version=parse_if_match(if_match),
            idempotency_key=idempotency_key,
            # Without the header, the id the request's log lines carry (`api/logs.py`).
            correlation_id=x_correlation_id or logs.correlation_id(),
        )
        if created:
            return respond(response, result, created)
        return respond(response, result, record, record_id if record else None)

    if not path_param:  # no id in the path: drop the parameter FastAPI would otherwise expect

        def endpoint_without_id(
            body: body_type,  # type: ignore[valid-type]
            response: Response,
            actor: CurrentActor,
            container: ContainerDep,
            if_match: Annotated[
                str | None, Header(json_schema_extra={"pattern": ETAG.pattern})
            ] = None,
            idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
            x_correlation_id: Annotated[UUID | None, Header(description=CORRELATION)] = None,
        ) -> CommandResponse:
            return endpoint(
                body,
                response,
                actor,
                container,
                UUID(int=0),
                if_match,
                idempotency_key,
                x_correlation_id,
            )

        handler: Any = endpoint_without_id
    else:
        handler = endpoint
    handler.__name__ = re.sub(r"(?<!^)(?=[A-Z])", "_", command.__name__).lower()
    router.add_api_route(
        path,
        handler,
        # The role check runs before the body is read: a forbidden role always gets 403.
        route_class_override=command_route(command.allowed_roles, command.__name__),
        methods=["POST"],
        status_code=201 if created else 200,
        response_model=CommandResponse,
        responses=(
            {201 if created else 200: {"headers": location_header(created or record or "")}}
            if created or record
            else None
        ),
        summary=summary,
        description=command.__doc__ or "",
        name=handler.__name__,
        dependencies=[strict_body(body_type)],
        openapi_extra={"x-allowed-roles": sorted(role.value for role in command.allowed_roles)},
    )


CommandSpec = tuple[str, type[Command], str]


def add_commands(
    router: APIRouter, specs: list[CommandSpec], *, prefix: str = "", path_param: str | None = None
) -> None:
    """Register several commands at `prefix + path`, each addressing the same path id."""
    for path, command, summary in specs:
        add_command(router, prefix + path, command, path_param=path_param, summary=summary)
