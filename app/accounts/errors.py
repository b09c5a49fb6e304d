"""What the accounts services refuse, shown to the person who asked."""
from __future__ import annotations

from app.core.errors import AccountsError


class AccountError(AccountsError):
    """A refusal that the caller shows to the person who asked."""


class EmailTaken(AccountError):
    pass


class InvalidBrn(AccountError):
    pass


class OrganisationDetailsMissing(AccountError):
    def __init__(self, missing: list[str]):
        super().__init__("missing organisation details: " + ", ".join(missing))
        self.missing = missing


class WeakPassword(AccountError):
    def __init__(self, problems: list[str]):
        super().__init__("weak password: " + ", ".join(problems))
        self.problems = problems


class UnknownUser(AccountError):
    pass


class UnknownRole(AccountError):
    pass
