"""Lead (问题线索): a problem of a person, handed to the authority that manages them.

Stages: registered → classified → transfer_approved → transferred → acknowledged
→ disposed (暂存待查 may be followed by another disposition) → outcome_reported → closed.
Timers flag an acknowledgement or an outcome that is late; they do not change the stage.

Who may do what (DOMAIN.md Appendix B, invariant 12): group members register, the group
leader classifies (组务会), the leading group approves the transfer, the office transfers and
closes (or the group leader transfers a fast-track lead during fieldwork), and only the
receiving authority, the very organization the lead was transferred to, acknowledges, disposes
and reports the outcome. The inspection side never records a discipline decision of its own.

One module per use case: `state` (the lead's stream), `registration` (registering and
classifying), `transfer` (approval and transfer, with the clocks), `receiving` (what the
receiving authority records, and the overdue flags); `handlers` holds the table.
"""

from xuncha.commands.lead.receiving import (
    AcknowledgeLead,
    CloseLead,
    MarkLeadAcknowledgementOverdue,
    MarkLeadOutcomeOverdue,
    RecordLeadDisposition,
    ReportLeadOutcome,
    acknowledge,
    close,
    mark_acknowledgement_overdue,
    mark_outcome_overdue,
    record_disposition,
    report_outcome,
)
from xuncha.commands.lead.registration import (
    ClassifyLead,
    RegisterLead,
    classify,
    register,
)
from xuncha.commands.lead.state import (
    CHANNEL,
    FINAL,
    LABELS,
    LEAD,
    NOT_TERMINAL,
    OFFICE,
    RECEIVERS,
    REGISTRARS,
    SYSTEM,
    LeadCommand,
    LeadState,
    evolve,
)
from xuncha.commands.lead.transfer import (
    ApproveLeadTransfer,
    TransferLead,
    TransferLeadDuringFieldwork,
    approve_transfer,
    transfer,
    transfer_during_fieldwork,
)

__all__ = [
    "CHANNEL",
    "FINAL",
    "LABELS",
    "LEAD",
    "NOT_TERMINAL",
    "OFFICE",
    "RECEIVERS",
    "REGISTRARS",
    "SYSTEM",
    "AcknowledgeLead",
    "ApproveLeadTransfer",
    "ClassifyLead",
    "CloseLead",
    "LeadCommand",
    "LeadState",
    "MarkLeadAcknowledgementOverdue",
    "MarkLeadOutcomeOverdue",
    "RecordLeadDisposition",
    "RegisterLead",
    "ReportLeadOutcome",
    "TransferLead",
    "TransferLeadDuringFieldwork",
    "acknowledge",
    "approve_transfer",
    "classify",
    "close",
    "evolve",
    "mark_acknowledgement_overdue",
    "mark_outcome_overdue",
    "record_disposition",
    "register",
    "report_outcome",
    "transfer",
    "transfer_during_fieldwork",
]
