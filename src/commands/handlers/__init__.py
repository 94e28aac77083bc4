"""Command handlers, one module per area of the workflow; importing this registers them all.

Each handler loads what the decision needs through a UnitOfWork, decides, and records the
events, and returns the id of a record it created, or None.
"""

from xuncha.commands.handlers import (
    audit_export,  # noqa: F401
    correction,  # noqa: F401
    fieldwork,  # noqa: F401
    group,  # noqa: F401
    lead,  # noqa: F401
    lifecycle,  # noqa: F401
    pool,  # noqa: F401
    rectification_followup,  # noqa: F401
    reference,  # noqa: F401
    sealed_access,  # noqa: F401
    supplementary_report,  # noqa: F401
)
from xuncha.commands.registry import HANDLERS

__all__ = ["HANDLERS"]
