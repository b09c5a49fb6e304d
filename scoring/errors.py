"""The one exception the engine raises for bad input."""

from __future__ import annotations


class ScoringInputError(ValueError):
    """Input the engine refuses, located by proposal, reviewer and criterion.

    ``str(error)`` is a single line, because the command prints it as the one line on
    standard error and the web app shows it next to the offending row.
    """

    def __init__(
        self,
        message: str,
        *,
        proposal: object = None,
        reviewer: object = None,
        criterion: object = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.proposal = proposal
        self.reviewer = reviewer
        self.criterion = criterion
        self.field = field
        super().__init__(message)

    def at(
        self,
        *,
        proposal: object = None,
        reviewer: object = None,
        criterion: object = None,
        field: str | None = None,
    ) -> ScoringInputError:
        """Return a copy with missing locations filled in; inner, more precise ones win.

        Low-level checks do not know which proposal they are looking at, so callers
        add what they know while the error travels up.
        """
        return ScoringInputError(
            self.message,
            proposal=self.proposal if self.proposal is not None else proposal,
            reviewer=self.reviewer if self.reviewer is not None else reviewer,
            criterion=self.criterion if self.criterion is not None else criterion,
            field=self.field if self.field is not None else field,
        )

    def __str__(self) -> str:
        where = []
        if self.proposal is not None:
            where.append(f"proposal {self.proposal}")
        if self.reviewer is not None:
            where.append(f"reviewer {self.reviewer}")
        if self.criterion is not None:
            where.append(f"criterion {self.criterion}")
        if self.field is not None:
            where.append(self.field)
        line = f"{', '.join(where)}: {self.message}" if where else self.message
        # Ids come from applicants' data; a newline in one must not split the line.
        return " ".join(line.split())
