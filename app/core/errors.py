"""The refusals a service raises for the person who asked, one base per domain.

A service refuses a change by raising; the view catches the error by name, rolls back and
shows ``message`` (already translated, or a lazy string) next to ``field`` when it names
one. Errors that carry more than a sentence (a validation report, field errors, a status
code) keep their own attributes beside these.
"""
from __future__ import annotations


class GongmoError(Exception):
    """A refusal the user can read: ``message`` is shown as is, ``field`` names the form field."""

    def __init__(self, message="", field: str = ""):
        super().__init__(str(message))
        self.message = message
        self.field = field


class AccountsError(GongmoError):
    """Accounts, organisations, sign-in and roles."""


class CallsError(GongmoError):
    """Calls, their rubric and lifecycle, and the deadline."""


class ProposalsError(GongmoError):
    """Consortia, drafts, attachments and submission."""


class ReviewError(GongmoError):
    """The reviewer pool, assignments, conflicts of interest and review sheets."""


class SelectionError(GongmoError):
    """Screening, results, decisions and objections."""


class NotificationsError(GongmoError):
    """Mail, the outbox and reminders."""


class ProjectsError(GongmoError):
    """Projects after the agreement: reports, plan changes, inspections and the portfolio."""


class AgreementsError(GongmoError):
    """The agreement (협약): opening, plan revision, the document and its signatures."""


class MarketError(GongmoError):
    """Around the call: needs, capabilities, alliances, research groups and task candidates."""
