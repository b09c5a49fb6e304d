"""Budget moves of a plan change (사업비 변경): checked against the plan, then applied to its lines.

A move takes ``amount`` won from one (year, source) and gives it to another; so the project's total
never changes. The rules, checked on the request and again on approval (the plan may have
changed in between):

- both ends lie within the project's years, the sources are the four of the plan, and they differ;
- the amount is a positive whole number of won;
- after every move in order, no planned line is negative (money moved away must be there);
- 국비 (national) may move between years, or away to another source, but never grows: no move
  brings money into 국비 from another source.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from app.models.projects import Project, ProjectBudgetLine
from app.models.proposals import BUDGET_SOURCES

NATIONAL = "national"


@dataclass(frozen=True)
class Move:
    from_year: int
    from_source: str
    to_year: int
    to_source: str
    amount: int

    def as_dict(self) -> dict:
        return {"from_year": self.from_year, "from_source": self.from_source, "to_year": self.to_year,
                "to_source": self.to_source, "amount": self.amount}


def plan_of(project: Project) -> dict[tuple[int, str], int]:
    return {(line.year, line.source): line.amount for line in project.budget_lines}


def _int(value) -> int | None:
    try:
        return int(str(value).replace(",", "").strip())
    except (TypeError, ValueError):
        return None


def parse(rows: list[dict]) -> tuple[list[Move], list[int], list[tuple[str, str]]]:
    """The moves of the posted rows (``moves-<i>-<field>``), blank rows skipped: the moves, the row
    each came from, and the problems of rows that are not numbers."""
    moves, where, problems = [], [], []
    for i, row in enumerate(rows):
        if not any(str(row.get(k) or "").strip() for k in ("from_year", "to_year", "amount")):
            continue
        values = {k: _int(row.get(k)) for k in ("from_year", "to_year", "amount")}
        bad = [k for k, v in values.items() if v is None]
        for k in bad:
            problems.append((f"moves-{i}-{k}", _("숫자로 입력하십시오.")))
        if bad:
            continue
        moves.append(Move(values["from_year"], str(row.get("from_source") or ""), values["to_year"],
                          str(row.get("to_source") or ""), values["amount"]))
        where.append(i)
    return moves, where, problems


def check(project: Project, moves: list[Move], rows: list[int] | None = None) -> list[tuple[str, str]]:
    """The problems of ``moves`` against the current plan; ``rows`` are the form rows they came from."""
    rows = rows if rows is not None else list(range(len(moves)))
    if not moves:
        return [("moves-0-amount", _("옮길 금액을 한 줄 이상 입력하십시오."))]
    years = set(project.years)
    plan = plan_of(project)
    problems = []
    for move, i in zip(moves, rows):
        where = f"moves-{i}-"
        if move.from_year not in years:
            problems.append((where + "from_year", _("협약 기간의 연도(%(a)s~%(b)s)를 입력하십시오.",
                                                   a=min(years), b=max(years))))
        if move.to_year not in years:
            problems.append((where + "to_year", _("협약 기간의 연도(%(a)s~%(b)s)를 입력하십시오.",
                                                 a=min(years), b=max(years))))
        if move.from_source not in BUDGET_SOURCES:
            problems.append((where + "from_source", _("재원을 고르십시오.")))
        if move.to_source not in BUDGET_SOURCES:
            problems.append((where + "to_source", _("재원을 고르십시오.")))
        if move.amount <= 0:
            problems.append((where + "amount", _("옮길 금액은 1원 이상이어야 합니다.")))
        if (move.from_year, move.from_source) == (move.to_year, move.to_source):
            problems.append((where + "to_source", _("옮겨 갈 곳이 옮겨 올 곳과 같습니다.")))
        if move.to_source == NATIONAL and move.from_source != NATIONAL and move.from_source in BUDGET_SOURCES:
            problems.append((where + "to_source", _("국비는 늘릴 수 없습니다. 다른 재원에서 국비로 옮길 수 없습니다.")))
        if any(p[0].startswith(where) for p in problems):
            continue
        left = plan.get((move.from_year, move.from_source), 0) - move.amount
        if left < 0:
            problems.append((where + "amount", _("%(year)s년 해당 재원의 계획액(%(have)s원)보다 많이 옮길 수 없습니다.",
                                                year=move.from_year, have=f"{plan.get((move.from_year, move.from_source), 0):,}")))
            continue
        plan[(move.from_year, move.from_source)] = left
        plan[(move.to_year, move.to_source)] = plan.get((move.to_year, move.to_source), 0) + move.amount
    return problems


def moves_of(details: dict) -> list[Move]:
    return [Move(int(m["from_year"]), m["from_source"], int(m["to_year"]), m["to_source"], int(m["amount"]))
            for m in details.get("moves", [])]


def apply(project: Project, moves: list[Move]) -> tuple[dict, dict]:
    """Edit the plan's lines (a line that reaches zero goes); (before, after) as ``"year/source": won``."""
    before = {f"{y}/{s}": a for (y, s), a in sorted(plan_of(project).items())}
    plan = plan_of(project)
    for move in moves:
        plan[(move.from_year, move.from_source)] = plan.get((move.from_year, move.from_source), 0) - move.amount
        plan[(move.to_year, move.to_source)] = plan.get((move.to_year, move.to_source), 0) + move.amount
    lines = {(line.year, line.source): line for line in project.budget_lines}
    for key, amount in plan.items():
        line = lines.get(key)
        if line is not None and amount == 0:
            project.budget_lines.remove(line)
        elif line is not None:
            line.amount = amount
        elif amount:
            project.budget_lines.append(ProjectBudgetLine(year=key[0], source=key[1], amount=amount))
    after = {f"{y}/{s}": a for (y, s), a in sorted(plan.items()) if a}
    return before, after
