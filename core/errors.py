"""Named domain errors. Each carries an i18n key and parameters; the UI translates them."""

from __future__ import annotations


class DomainError(Exception):
    key = "error.generic"

    def __init__(self, key: str | None = None, **params) -> None:
        self.key = key or self.key
        self.params = params
        super().__init__(f"{self.key} {params}" if params else self.key)


class NotAllowed(DomainError):
    key = "error.not_allowed"


class NotFound(DomainError):
    key = "error.not_found"


class EditConflict(DomainError):
    key = "error.edit_conflict"


class InvalidTransition(DomainError):
    key = "error.invalid_transition"


class ValidationFailed(DomainError):
    """Field errors: {field_name: (i18n key, params)}; nothing was saved."""

    key = "error.validation_failed"

    def __init__(self, errors: dict[str, tuple[str, dict]]) -> None:
        self.errors = errors
        super().__init__(self.key, fields=", ".join(errors))


class CycleDetected(DomainError):
    key = "error.cycle"


class AccountLocked(DomainError):
    key = "auth.account_locked"


class DuplicateCustomer(DomainError):
    key = "error.duplicate_customer"


class PoolLimitReached(DomainError):
    key = "error.pool_limit_reached"


class ClaimTooSoon(DomainError):
    key = "error.claim_too_soon"
