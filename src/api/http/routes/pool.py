"""The command endpoints of the talent pool (`commands/pool`): members, outside experts, draws."""

from __future__ import annotations

from fastapi import APIRouter

from xuncha.api.http.routes.factory import CommandSpec, add_command, add_commands
from xuncha.commands import pool


def talent_pool() -> APIRouter:
    r = APIRouter(prefix="/talent-pool", tags=["talent pool"])
    add_command(
        r,
        "/members",
        pool.NominatePoolMember,
        created="/talent-pool/members/{id}",
        summary="Nominate a member of the talent pool (人才库)",
    )
    add_command(
        r,
        "/experts",
        pool.EngageExternalExpert,
        created="/talent-pool/members/{id}",
        summary="Engage an outside expert (外聘专家), flagged external",
    )
    specs: list[CommandSpec] = [
        ("/admit", pool.AdmitPoolMember, "Admit a nominated member (leading group)"),
        ("/suspend", pool.SuspendPoolMember, "Suspend a member"),
        ("/remove", pool.RemovePoolMember, "Remove a member from the pool"),
        (
            "/service-evaluations",
            pool.IssueServiceEvaluation,
            "Issue a service evaluation (鉴定) for a dissolved group, sent to the employer",
        ),
    ]
    add_commands(r, specs, prefix="/members/{member_id}", path_param="member_id")
    add_command(
        r,
        "/draws",
        pool.DrawPoolMembers,
        created="/talent-pool/draws/{id}",
        summary="Draw pool members at random; re-derive with `xuncha draw verify <id>`",
    )
    return r


def routers() -> list[APIRouter]:
    return [talent_pool()]
