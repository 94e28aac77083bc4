"""The DomainError hierarchy. The API maps each class to one HTTP status, in one place."""

from __future__ import annotations


class DomainError(Exception):
    """A command was refused; `message` says what is wrong in words a person can act on."""

    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The command or query names something that does not exist (404)."""

    code = "not_found"


class NotPermitted(DomainError):
    """The actor's role or organization may not do this (403), e.g. separation of duties."""

    code = "forbidden"


class InvalidTransition(DomainError):
    """The command does not fit the current state of the workflow (409)."""

    code = "invalid_transition"


class RuleViolated(DomainError):
    """The command breaks a hard invariant of its content (422)."""

    code = "rule_violated"


class ConcurrencyConflict(DomainError):
    """Another command changed the same stream first; reload and retry (409)."""

    code = "concurrency_conflict"


class VersionMismatch(DomainError):
    """The `If-Match` version is not the stream's current version (412)."""

    code = "version_mismatch"


class CommandTooLarge(DomainError):
    """The events of one command exceed what one append may carry (413)."""

    code = "command_too_large"


class IdempotencyKeyReused(DomainError):
    """The idempotency key was already used for a different request (422)."""

    code = "idempotency_key_reused"
