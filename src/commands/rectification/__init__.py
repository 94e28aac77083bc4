"""RectificationItem (整改台账条目): opened → progress → closure requested with evidence
→ verified by a party other than the rectifying organization → closed (销号).
A failed verification returns the item to in-progress. A closure raises soft warnings of
纸面整改 (quick closure, many closures of one organization on one day) but is never refused.
Open work may be reclassified as long-term (持续整改, milestones; the last milestone is the
new deadline) or get an approved extension; a follow-up that finds 虚假整改/纸面整改 reopens a
closed item. Orthogonal: the three-colour deadline warnings (a timer), 督办单 and 约谈.

One module per use case: `state` (the item's stream), `closure` (progress, closure request,
verification, 销号 with the closure-day warnings), `escalation` (long-term, extension,
reopening, 督办, 约谈), `deadlines` (the three-colour timer's warnings), `programme` (the
rectification as a whole, one stream per inspection); `handlers` holds the table.
"""

from xuncha.commands.rectification.closure import (
    CLOSURE_DAY,
    CloseItem,
    Closure,
    ClosureDayState,
    FailItemVerification,
    ReportItemProgress,
    RequestItemClosure,
    VerifyItem,
    close,
    close_and_check,
    closing_day,
    closure_day_stream_id,
    evolve_closure_day,
    fail_verification,
    report_progress,
    request_closure,
    verify,
)
from xuncha.commands.rectification.deadlines import (
    WARNABLE,
    RaiseDeadlineWarnings,
    due_level,
    first_day_of,
    next_warning_day,
    raise_warnings,
)
from xuncha.commands.rectification.escalation import (
    OFFICE_ONLY,
    REOPENERS,
    REOPENING,
    ExtendItemDeadline,
    HoldAccountabilityTalk,
    IssueSupervisionNotice,
    ReclassifyItemAsLongTerm,
    ReopenItem,
    extend_deadline,
    hold_accountability_talk,
    issue_supervision_notice,
    reclassify_long_term,
    reopen,
)
from xuncha.commands.rectification.state import (
    INSPECTED,
    LEVELS,
    OPEN,
    RECTIFICATION_ITEM,
    VERIFIERS,
    ItemCommand,
    ItemState,
    dated,
    evolve,
    fact_date,
)

__all__ = [
    "CLOSURE_DAY",
    "INSPECTED",
    "LEVELS",
    "OFFICE_ONLY",
    "OPEN",
    "RECTIFICATION_ITEM",
    "REOPENERS",
    "REOPENING",
    "VERIFIERS",
    "WARNABLE",
    "CloseItem",
    "Closure",
    "ClosureDayState",
    "ExtendItemDeadline",
    "FailItemVerification",
    "HoldAccountabilityTalk",
    "IssueSupervisionNotice",
    "ItemCommand",
    "ItemState",
    "RaiseDeadlineWarnings",
    "ReclassifyItemAsLongTerm",
    "ReopenItem",
    "ReportItemProgress",
    "RequestItemClosure",
    "VerifyItem",
    "close",
    "close_and_check",
    "closing_day",
    "closure_day_stream_id",
    "dated",
    "due_level",
    "evolve",
    "evolve_closure_day",
    "extend_deadline",
    "fact_date",
    "fail_verification",
    "first_day_of",
    "hold_accountability_talk",
    "issue_supervision_notice",
    "next_warning_day",
    "raise_warnings",
    "reclassify_long_term",
    "reopen",
    "report_progress",
    "request_closure",
    "verify",
]
