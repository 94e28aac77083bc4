"""The random draw (随机抽取) of pool members: a pure, documented, deterministic algorithm.

Algorithm ``sha256-rank`` version 1, which anyone can re-run by hand from a stored
`draw.pool_members_drawn` event:

1. A candidate is *eligible* when every filter admits it: it has at least one of
   `specialties_any` (if any are given); it is not external unless `include_external`; none of
   its `organizations` is in `exclude_organizations`; its `home_jurisdiction` is not in
   `exclude_home_jurisdictions`; its `user_id` is not in `exclude_user_ids`.
2. Each eligible candidate's rank key is the hexadecimal SHA-256 of the UTF-8 bytes of
   ``seed + ":" + str(member_id)`` (the member id in its lowercase hyphenated form).
3. Eligible candidates are sorted by (rank key, member id) and the first `count` are drawn, in
   that order.

Nothing depends on the order of the candidate list or on Python's `random` module. The
event's `digest` is the SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of
``{"algorithm", "algorithm_version", "candidates", "count", "filters", "seed"}``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from xuncha.events.pool import DrawCandidate, DrawFilters, PoolMembersDrawn

ALGORITHM = "sha256-rank"
ALGORITHM_VERSION = 1


class UnknownAlgorithm(ValueError):
    """The draw names an algorithm (or version) this code does not implement."""


def eligible(candidate: DrawCandidate, filters: DrawFilters) -> bool:
    if filters.specialties_any and not set(candidate.specialties) & set(filters.specialties_any):
        return False
    if candidate.external and not filters.include_external:
        return False
    if set(candidate.organizations) & set(filters.exclude_organizations):
        return False
    if candidate.home_jurisdiction in filters.exclude_home_jurisdictions:
        return False
    return candidate.user_id not in filters.exclude_user_ids


def rank_key(seed: str, member_id: UUID) -> str:
    return hashlib.sha256(f"{seed}:{member_id}".encode()).hexdigest()


def draw(
    candidates: Sequence[DrawCandidate],
    filters: DrawFilters,
    count: int,
    seed: str,
    algorithm: str = ALGORITHM,
    algorithm_version: int = ALGORITHM_VERSION,
) -> list[UUID]:
    """The member ids drawn: at most `count` (fewer if fewer are eligible)."""
    if (algorithm, algorithm_version) != (ALGORITHM, ALGORITHM_VERSION):
        raise UnknownAlgorithm(f"unknown draw algorithm {algorithm} v{algorithm_version}")
    pool = [c for c in candidates if eligible(c, filters)]
    pool.sort(key=lambda c: (rank_key(seed, c.member_id), str(c.member_id)))
    return [c.member_id for c in pool[:count]]


def digest(
    candidates: Sequence[DrawCandidate],
    filters: DrawFilters,
    count: int,
    seed: str,
    algorithm: str,
    algorithm_version: int,
) -> str:
    body: dict[str, Any] = {
        "algorithm": algorithm,
        "algorithm_version": algorithm_version,
        "candidates": [c.model_dump(mode="json") for c in candidates],
        "count": count,
        "filters": filters.model_dump(mode="json"),
        "seed": seed,
    }
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Verification:
    draw_id: UUID
    digest_matches: bool
    result_matches: bool
    recorded: list[UUID]
    recomputed: list[UUID]
    problem: str | None = None

    @property
    def matches(self) -> bool:
        return self.digest_matches and self.result_matches

    def as_json(self) -> dict[str, Any]:
        return {
            "draw_id": str(self.draw_id),
            "matches": self.matches,
            "digest_matches": self.digest_matches,
            "result_matches": self.result_matches,
            "recorded": [str(i) for i in self.recorded],
            "recomputed": [str(i) for i in self.recomputed],
            "problem": self.problem,
        }


def verify(event: PoolMembersDrawn) -> Verification:
    """Re-derive a stored draw: recompute its digest and its result from the event alone."""
    args = (event.candidates, event.filters, event.count, event.seed)
    try:
        recomputed = draw(*args, event.algorithm, event.algorithm_version)
    except UnknownAlgorithm as error:
        return Verification(event.draw_id, False, False, event.drawn, [], str(error))
    same_digest = digest(*args, event.algorithm, event.algorithm_version) == event.digest
    same_result = recomputed == event.drawn
    problem = None
    if not same_digest:
        problem = "the recorded digest does not match the candidates, filters, count and seed"
    elif not same_result:
        problem = "the recorded result is not what the algorithm draws"
    return Verification(event.draw_id, same_digest, same_result, event.drawn, recomputed, problem)
