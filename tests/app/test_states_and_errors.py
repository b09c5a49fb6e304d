"""States are StrEnums stored as their strings; refusals share one error base per domain."""
from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest
from sqlalchemy import text

from app.calls.call_admin import CallAdminError
from app.core import errors
from app.extensions import db
from app.models.calls import CallPhase, CallStatus
from app.models.consortia import MemberRole, MemberStatus
from app.models.decisions import EligibilityStatus, ObjectionStatus
from app.models.organisations import Role
from app.models.outbox import OutboxStatus
from app.models.proposals import ProposalStatus
from app.models.review import ChallengeStatus, CoiStatus, SheetStatus
from app.proposals.consortia import ConsortiumError
from tests.factories import CallFactory, ProposalFactory

ROOT = Path(__file__).resolve().parents[2]
STATES = (CallPhase, CallStatus, MemberRole, MemberStatus, EligibilityStatus, ObjectionStatus, Role, OutboxStatus,
          ProposalStatus, ChallengeStatus, CoiStatus, SheetStatus)
STATE_VALUES = {member.value for state in STATES for member in state}
STATE_FIELDS = {"phase", "status", "coi_status", "role"}


def _is_state_field(node: ast.AST) -> bool:
    """``x.status``, ``Model.phase`` or ``call.status()``."""
    if isinstance(node, ast.Call):
        node = node.func
    return isinstance(node, ast.Attribute) and node.attr in STATE_FIELDS


def _raw_states(node: ast.AST | None) -> list[str]:
    """The state strings written out in ``node``: a constant, or a tuple or list of them."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in STATE_VALUES:
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [v for elt in node.elts for v in _raw_states(elt)]
    return []


def _raw_state_uses(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_is_state_field(o) for o in operands):
                found += [(node.lineno, v) for o in operands for v in _raw_states(o)]
        elif isinstance(node, ast.Assign) and any(_is_state_field(t) for t in node.targets):
            found += [(node.lineno, v) for v in _raw_states(node.value)]
        elif isinstance(node, ast.keyword) and node.arg in STATE_FIELDS:
            found += [(node.value.lineno, v) for v in _raw_states(node.value)]
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and key.value in STATE_FIELDS:
                    found += [(value.lineno, v) for v in _raw_states(value)]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in ("in_", "not_in") and _is_state_field(node.func.value)):
            found += [(node.lineno, v) for arg in node.args for v in _raw_states(arg)]
    return found


def test_the_scan_sees_a_raw_state():
    # Guards the scan itself: one that found nothing would pass the test below.
    sample = ast.parse(
        'a.phase == "draft"\nb.coi_status.in_(("pending", "declared"))\nc.status = "sent"\n'
        'Call(phase="announced")\nx.status() not in ("open", "upcoming")\n{"status": "failed"}\n'
        'outcome.status == "throttled"\n'
    )
    assert sorted(v for _, v in _raw_state_uses(sample)) == [
        "announced", "declared", "draft", "failed", "open", "pending", "sent", "upcoming"]


def test_no_state_is_compared_or_set_as_a_raw_string():
    """``call.phase == CallPhase.DRAFT``, never ``call.phase == "draft"``: a typo in a member
    name fails at import, a typo in a string matches nothing, silently."""
    offences = []
    for package in ("app", "forms", "workers"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.parent.name == "models":
                continue  # the enums' own definitions
            tree = ast.parse(path.read_text(encoding="utf-8"))
            offences += [f"{path.relative_to(ROOT)}:{line}: {value!r}" for line, value in _raw_state_uses(tree)]
    assert offences == []


def test_states_are_stored_and_read_back_as_their_strings(app):
    call = CallFactory(phase=CallPhase.PUBLISHED)
    proposal = ProposalFactory(call=call)  # status left to the column's default
    db.session.commit()
    assert db.session.execute(text("SELECT phase FROM calls")).scalar_one() == "published"
    assert db.session.execute(text("SELECT status FROM proposals")).scalar_one() == "draft"

    db.session.expire_all()
    assert call.phase == CallPhase.PUBLISHED and proposal.status == ProposalStatus.DRAFT
    assert call.status() is CallStatus.OPEN
    call.phase = CallPhase.IN_REVIEW
    assert call.status() is CallStatus.IN_REVIEW


def _domain_modules():
    for domain in DOMAIN_BASES:
        for path in sorted((ROOT / "app" / domain).rglob("*.py")):
            yield importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))


DOMAIN_BASES = {
    "accounts": errors.AccountsError, "calls": errors.CallsError, "proposals": errors.ProposalsError,
    "review": errors.ReviewError, "selection": errors.SelectionError, "notifications": errors.NotificationsError,
}
# Not a refusal anyone reads: the mail transport's own failure, caught as the OSError it is.
TRANSPORT_ERRORS = {"app.notifications.mailer.OutcomeUnknown"}


def test_every_refusal_is_an_error_of_its_domain():
    found = []
    for module in _domain_modules():
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, Exception):
                continue
            if f"{module.__name__}.{name}" in TRANSPORT_ERRORS:
                continue
            found.append(cls)
            assert issubclass(cls, DOMAIN_BASES[module.__name__.split(".")[1]]), f"{module.__name__}.{name}"
    assert len(found) >= 20  # the walk reached the services


def test_a_refusal_carries_its_message_and_field():
    error = ConsortiumError("사업자등록번호를 확인하십시오.", "brn")
    assert (error.message, error.field, str(error)) == ("사업자등록번호를 확인하십시오.", "brn", "사업자등록번호를 확인하십시오.")
    assert isinstance(error, errors.ProposalsError) and isinstance(error, errors.GongmoError)

    refused = CallAdminError([("closes_at", "마감이 시작보다 늦어야 합니다."), ("awards", "1 이상")])
    assert (refused.field, refused.message) == ("closes_at", "마감이 시작보다 늦어야 합니다.")
    assert refused.problems[1] == ("awards", "1 이상")


@pytest.mark.parametrize("state", STATES, ids=lambda s: s.__name__)
def test_a_state_equals_and_formats_as_its_string(state):
    for member in state:
        assert member == member.value and f"{member}" == member.value and {member.value: 1}[member] == 1
