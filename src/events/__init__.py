"""The event contract of Xuncha: every stored event's model, stable name, version and envelope.

Nothing here imports the other packages. Importing this package registers every event type.
"""

from events import feedback, finding, inspection, policy, rectification, round  # noqa: F401
from events import reference  # noqa: F401
from events.base import Actor, DomainEvent, EventMetadata, RecordedEvent, Role
from events.registry import REGISTRY, EventRegistry

__all__ = [
    "REGISTRY",
    "Actor",
    "DomainEvent",
    "EventMetadata",
    "EventRegistry",
    "RecordedEvent",
    "Role",
]
