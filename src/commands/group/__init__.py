"""Inspection group (巡察组): leadership proposal, recusal (回避), formation with balance checks,
confidentiality pledges, pre-stationing training, secondment (市县联动) and, with the
inspection, authorization (一次一授权, in `commands.inspection.preparation`).

Stages: proposed → formed → authorized (for one or more of its targets). Recusing a person
after formation sends the group back to proposed (form it again with a replacement);
recusing the leader leaves it leaderless (propose a new group). A person recused after the
authorization (a conflict found later) leaves the authorized inspections, and their findings
go back for review (`late_recusal`).

One module per use case: `state` (the group and the leadership register), `leadership`
(proposal, conflicts, rotation), `recusal`, `formation` (composition, pledge, training,
secondment, dissolution, readiness for the authorization); `handlers` holds the table.
"""

from xuncha.commands.group.formation import (
    BEFORE_THE_END_OF_FIELDWORK,
    SECONDMENT_ROLES,
    DissolveGroup,
    FormInspectionGroup,
    Known,
    RecordPreStationingTraining,
    SecondInspector,
    SignConfidentialityPledge,
    authorized_for_target,
    composition_warnings,
    dissolve_group,
    form_group,
    members_of,
    readiness_gaps,
    record_training,
    second_inspector,
    sign_pledge,
)
from xuncha.commands.group.leadership import (
    ProposeGroupLeadership,
    Ties,
    find_conflicts,
    lookback_start,
    profile_ties,
    propose_leadership,
    secondment_ties,
)
from xuncha.commands.group.recusal import (
    BEFORE_AUTHORIZATION,
    REPORT_PENDING,
    ClearRecusal,
    LateRecusal,
    RecuseMember,
    SubmitRecusalDeclaration,
    clear_recusal,
    late_recusal,
    recuse_member,
    submit_declaration,
)
from xuncha.commands.group.state import (
    INSPECTION_GROUP,
    LEADERSHIP_REGISTER,
    OFFICE,
    PROPOSERS,
    REGIONAL_ROUNDS,
    SELF,
    GroupCommand,
    GroupState,
    RegisterState,
    evolve,
    evolve_register,
    register_stream_id,
)

__all__ = [
    "BEFORE_AUTHORIZATION",
    "BEFORE_THE_END_OF_FIELDWORK",
    "INSPECTION_GROUP",
    "LEADERSHIP_REGISTER",
    "OFFICE",
    "PROPOSERS",
    "REGIONAL_ROUNDS",
    "REPORT_PENDING",
    "SECONDMENT_ROLES",
    "SELF",
    "ClearRecusal",
    "DissolveGroup",
    "FormInspectionGroup",
    "GroupCommand",
    "GroupState",
    "Known",
    "LateRecusal",
    "ProposeGroupLeadership",
    "RecordPreStationingTraining",
    "RecuseMember",
    "RegisterState",
    "SecondInspector",
    "SignConfidentialityPledge",
    "SubmitRecusalDeclaration",
    "Ties",
    "authorized_for_target",
    "clear_recusal",
    "composition_warnings",
    "dissolve_group",
    "evolve",
    "evolve_register",
    "find_conflicts",
    "form_group",
    "late_recusal",
    "lookback_start",
    "members_of",
    "profile_ties",
    "propose_leadership",
    "readiness_gaps",
    "record_training",
    "recuse_member",
    "register_stream_id",
    "second_inspector",
    "secondment_ties",
    "sign_pledge",
    "submit_declaration",
]
