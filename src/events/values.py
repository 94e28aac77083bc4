"""Value objects shared by several events of the contract."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID

from pydantic import Field

from xuncha.events.base import Contract


class RoundType(StrEnum):
    """Kinds of round (巡察轮次类型)."""

    REGULAR = "regular"  # 常规巡察
    SPECIAL = "special"  # 专项巡察
    MOBILE = "mobile"  # 机动巡察
    LOOKBACK = "lookback"  # 巡察"回头看"
    CROSS = "cross"  # 交叉巡察
    ESCALATED = "escalated"  # 提级巡察
    LINKED = "linked"  # 上下联动
    VILLAGE = "village"  # 对村巡察


class PolicyRef(Contract):
    """Which policy version a clock started under (effective-dated, per jurisdiction)."""

    jurisdiction_id: str
    version: int
    effective_from: date


class Member(Contract):
    """A person in an inspection group."""

    user_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=100)


class Contacts(Contract):
    """联系方式 of an announcement: at least one channel is required."""

    phone: str | None = Field(default=None, max_length=40)
    phone_hours: str | None = Field(default=None, max_length=100)
    mailbox: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=200)
    drop_boxes: list[str] = Field(default_factory=list, max_length=50)
    qr_code_url: str | None = Field(default=None, max_length=500)


class FindingRef(Contract):
    """A finding as it stood at one version (reports cite exact versions)."""

    finding_id: UUID
    version: int


class LedgerItem(Contract):
    """One problem of the feedback's problem ledger (问题台账), mapped to approved findings."""

    item_no: int = Field(ge=1)
    problem: str = Field(min_length=1, max_length=4000)
    finding_ids: list[UUID] = Field(min_length=1)


class PlanItem(Contract):
    """One item of the rectification plan (整改方案): what, who, by when."""

    ledger_item_no: int = Field(ge=1)
    measures: str = Field(min_length=1, max_length=4000)
    responsible_leader: str = Field(min_length=1, max_length=100)  # 责任领导
    responsible_department: str = Field(min_length=1, max_length=200)  # 责任部门
    deadline: date
