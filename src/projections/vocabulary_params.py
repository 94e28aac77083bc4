"""Vocabulary values as named SQL parameters, so read-model SQL compares and writes the enum
members of `events.vocabulary` instead of repeating their strings as SQL literals."""

from __future__ import annotations

from enum import StrEnum


def value_params(prefix: str, enum: type[StrEnum]) -> dict[str, str]:
    """One named parameter per member, `%(<prefix>_<member name>)s`: for example
    `value_params("status", RectificationItemStatus)["status_closed"] == "closed"`."""
    return {f"{prefix}_{member.name.lower()}": member.value for member in enum}
