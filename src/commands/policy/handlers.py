"""The handler of the policy book (a module of its own: the unit of work reads the book)."""

from __future__ import annotations

from xuncha.commands.handling import Registered, on
from xuncha.commands.policy import POLICY, PublishPolicyVersion, policy_stream_id, publish_version
from xuncha.commands.unit_of_work import UnitOfWork


def publish_policy(uow: UnitOfWork, cmd: PublishPolicyVersion) -> None:
    stream_id = policy_stream_id(cmd.jurisdiction_id)
    book = uow.find(POLICY, stream_id)
    uow.record(POLICY, stream_id, publish_version(book, cmd, uow.ctx))


HANDLERS: tuple[Registered, ...] = (on(PublishPolicyVersion, publish_policy),)
