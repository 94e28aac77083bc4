"""The event contract of Xuncha: every stored event's model, stable name, version and envelope.

Nothing here imports the other packages. Importing this package registers every event type.
"""

from xuncha.events import (  # noqa: F401
    access,
    correction,
    cross,
    export,
    feedback,
    fieldwork,
    finding,
    follow_up,
    group,
    inspection,
    interview,
    lead,
    management,
    petition,
    policy,
    pool,
    rectification,
    rectification_plan,
    reference,
    results,
    round,
    supplementary_report,
)
from xuncha.events.base import Actor, DomainEvent, EventMetadata, RecordedEvent, Role
from xuncha.events.registry import REGISTRY, EventRegistry

__all__ = [
    "REGISTRY",
    "Actor",
    "DomainEvent",
    "EventMetadata",
    "EventRegistry",
    "RecordedEvent",
    "Role",
]
