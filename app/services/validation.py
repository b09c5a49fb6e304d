"""Full validation of a proposal before submission. (interface; filled by the submission work)

``validate(proposal)`` returns a ``Report``: every problem with the section and
field it belongs to, so the section pages can show each message next to its field
and the submit page can list them all with links.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Section keys, in the order of the proposal's pages.
SECTIONS = ("overview", "infra", "poc", "master_plan", "alliance", "aidc", "budget", "attachments")


@dataclass(frozen=True)
class Problem:
    section: str  # one of SECTIONS
    field: str  # the form field name on that section's page ("" for the section as a whole)
    message: str  # already translated


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def for_section(self, section: str) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for p in self.problems:
            if p.section == section:
                out.setdefault(p.field, []).append(p.message)
        return out


def validate(proposal) -> Report:
    return Report()
