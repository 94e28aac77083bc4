"""An HTTP driver for tests: actors with tokens, commands that expect a status, reads that
wait for the command's position."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from fastapi.testclient import TestClient

from xuncha.api.http.auth import mint
from xuncha.api.settings import Settings
from xuncha.events.base import Role


@dataclass(frozen=True)
class Who:
    user_id: str
    role: Role
    organization_id: str


OFFICE = Who("office-1", Role.INSPECTION_OFFICE, "org-xcb")
COMMITTEE = Who("secretary-1", Role.COMMITTEE, "org-city-committee")
LEADING_GROUP = Who("lg-1", Role.LEADING_GROUP, "org-leading-group")
LEADER = Who("leader-1", Role.GROUP_LEADER, "org-xcb")
DEPUTY = Who("deputy-1", Role.DEPUTY_GROUP_LEADER, "org-xcb")
MEMBER = Who("member-1", Role.GROUP_MEMBER, "org-audit")
MEMBER_2 = Who("member-2", Role.GROUP_MEMBER, "org-audit")
MEMBER_3 = Who("member-3", Role.GROUP_MEMBER, "org-audit")
TARGET_ORG = "org-water-bureau"
PRINCIPAL = Who("principal-1", Role.INSPECTED_ORG_PRINCIPAL, TARGET_ORG)
LIAISON = Who("liaison-1", Role.INSPECTED_ORG_LIAISON, TARGET_ORG)
DISCIPLINE = Who("dc-1", Role.DISCIPLINE_COMMISSION, "org-jw")


class Api:
    def __init__(self, client: TestClient, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self.position = 0

    def headers(self, who: Who | None, **extra: str) -> dict[str, str]:
        headers = dict(extra)
        if who is not None:
            token = mint(
                self.settings,
                user_id=who.user_id,
                role=who.role,
                organization_id=who.organization_id,
            )
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def post(self, path: str, body: Any, who: Who | None, **headers: str) -> Any:
        return self.client.post(path, json=body, headers=self.headers(who, **headers))

    def command(self, path: str, body: Any, who: Who, status: int = 200, **headers: str) -> Any:
        response = self.post(path, body, who, **headers)
        assert response.status_code == status, (path, response.status_code, response.text)
        data = response.json()
        self.position = max(self.position, data["position"])
        return data

    def get(self, path: str, who: Who = OFFICE, **params: Any) -> Any:
        params.setdefault("min_position", self.position)
        response = self.client.get(path, params=params, headers=self.headers(who))
        assert response.status_code == 200, (path, response.status_code, response.text)
        return response.json()

    def event_count(self) -> int:
        conninfo = self.client.app.state.container.conninfo  # type: ignore[attr-defined]
        with psycopg.connect(conninfo) as conn:
            row = conn.execute("SELECT count(*) FROM stored_events").fetchone()
        assert row is not None
        return int(row[0])
