"""axe-core on the portal's main pages: no violation of serious or critical impact.

axe-core comes from the npm registry into tests/browser/node_modules
(``npm ci --prefix tests/browser``) and is injected from disk, never from a CDN.
``page.add_script_tag(path=...)`` inlines the file's content, which the portal's
Content-Security-Policy (no inline scripts) would block, so these contexts are
opened with Playwright's ``bypass_csp=True``. Only here: the journeys keep the CSP.

Every page's full report (moderate and minor findings too) is written to
test-output/browser/accessibility.txt.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from app.models import User
from app.review import assignment
from app.proposals import consortia
from app.selection import readiness, results
from tests.app.builders import complete_proposal
from tests.browser import scenario
from tests.browser.support import SCREENSHOTS
from tests.conftest import IN_CI
from tests.factories import applicant_with_consortium

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


@pytest.fixture
def axe_path() -> Path:
    if AXE.is_file():
        return AXE
    message = f"{AXE} is missing: run `npm ci --prefix tests/browser` (make test does)"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def audit(journey, axe_path: Path, paths: list[str], findings: list[dict], checked: list[str],
          current: str | None = None) -> None:
    """Run axe on each path, or on the page as it is now when ``current`` names it."""
    page = journey.page
    for path in paths or [current]:
        if current is None:
            response = journey.goto(path)
            assert response is not None and response.ok, f"{path}: HTTP {response.status if response else '-'}"
        page.add_script_tag(path=str(axe_path))
        report = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        assert len(report["passes"]) > 10, f"{path}: axe checked almost nothing ({len(report['passes'])} rules)"
        checked.append(f"{path} ({journey.name}): {len(report['passes'])} rules passed, "
                       f"{len(report['violations'])} violated; for a person to review: "
                       f"{', '.join(i['id'] for i in report['incomplete']) or 'nothing'}")
        for v in report["violations"]:
            findings.append({
                "page": path, "role": journey.name, "id": v["id"], "impact": v["impact"], "help": v["help"],
                "nodes": [" ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"])
                          for n in v["nodes"]],
            })
        journey.watch.check(f"accessibility of {path}")


def write_report(findings: list[dict], checked: list[str]) -> Path:
    out = SCREENSHOTS / "accessibility.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"axe-core on {len(checked)} pages: {len(findings)} finding(s)", *checked, ""]
    for f in findings:
        lines.append(f"[{f['impact']}] {f['page']} ({f['role']}) {f['id']}: {f['help']}")
        lines.extend(f"    {n}" for n in f["nodes"][:10])
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def assert_no_blocking(name: str, findings: list[dict], checked: list[str], *, strict: bool = False) -> None:
    """A journey's own report (test-output/browser/accessibility-<name>.txt), then fail on anything
    serious (``strict``: on any finding at all)."""
    report = SCREENSHOTS / f"accessibility-{name}.txt"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("\n".join([*checked, *(f"[{f['impact']}] {f['page']} {f['id']}: {f['help']}" for f in findings)])
                      + "\n", encoding="utf-8")
    blocking = findings if strict else [f for f in findings if f["impact"] in BLOCKING]
    assert not blocking, f"accessibility violations (full report: {report}):\n" + "\n".join(
        f"[{f['impact']}] {f['page']} {f['id']}: {f['help']} at {f['nodes'][:5]}" for f in blocking)


def test_main_pages_have_no_serious_or_critical_accessibility_violations(open_journey, db_session, axe_path):
    # An open call with a complete draft, and a closed call in review with its ranking computed.
    draft = complete_proposal(scenario.open_call(code="AX-2026"))
    applicant = db_session.get(User, draft.created_by_id)
    # Another consortium has listed the applicant's organisation: an invitation to answer.
    inviter, theirs = applicant_with_consortium()
    consortia.add_member(theirs, inviter, applicant.organisation.brn, "university")
    r = scenario.closed_round(code="AX-2025")
    scenario.screen_and_assign(r)
    reviewer = r.panel[0]
    # This reviewer has one assignment still to declare and one sheet still to fill in.
    undeclared, unscored = [a for a in assignment.assignments_of(r.call) if a.reviewer_id == reviewer.id][:2]
    scenario.score_all(r, pending={undeclared.id}, unscored={unscored.id})
    # Results compute only once the missing sheets are left out with a reason, short panels acknowledged.
    for a in (undeclared, unscored):
        readiness.leave_out(r.call, a, r.officer, "기한 내 미제출")
    results.compute(r.call, r.officer, acknowledge_short=True)
    db_session.commit()

    pid, cid = draft.id, r.call.id
    by_role = {
        "anonymous": ["/", "/calls", f"/calls/{draft.call.code}", "/login", "/register", "/password/reset"],
        "applicant": ["/my/proposals", "/my/consortia", "/my/consortia/invitations",
                      f"/my/consortia/{draft.consortium_id}", f"/proposals/{pid}",
                      *[f"/proposals/{pid}/{s}" for s in ("overview", "infra", "poc", "master_plan", "alliance", "aidc", "budget")],
                      f"/proposals/{pid}/attachments", f"/proposals/{pid}/submit", "/notifications"],
        "reviewer": ["/review/", f"/review/a/{undeclared.id}", f"/review/a/{unscored.id}",
                     f"/review/a/{unscored.id}/proposal", f"/review/a/{unscored.id}/sheet"],
        "officer": ["/officer/", f"/officer/calls/{cid}", f"/officer/calls/{cid}/screening",
                    f"/officer/calls/{cid}/reviewers", f"/officer/calls/{cid}/assignments",
                    f"/officer/calls/{cid}/results", f"/officer/calls/{cid}/step/decide",
                    f"/officer/calls/{cid}/audit"],
    }
    users = {"applicant": applicant, "reviewer": reviewer, "officer": r.officer}
    findings: list[dict] = []
    checked: list[str] = []
    for role, paths in by_role.items():
        journey = open_journey(f"accessibility-{role}", bypass_csp=True)
        if role in users:
            journey.goto("/")
            journey.log_in(users[role].email)
        audit(journey, axe_path, paths, findings, checked)
        if role == "anonymous":
            # A form sent back with its errors: the summary, aria-invalid and the messages by the inputs.
            journey.goto("/register")
            journey.watch.expect_console(r"status of 422")
            journey.page.get_by_role("button", name="가입하기").click()
            journey.page.locator(".error-summary").wait_for()
            audit(journey, axe_path, [], findings, checked, current="/register (sent back with errors)")

    report = write_report(findings, checked)
    blocking = [f for f in findings if f["impact"] in BLOCKING]
    assert not blocking, f"serious or critical accessibility violations (full report: {report}):\n" + "\n".join(
        f"[{f['impact']}] {f['page']} {f['id']}: {f['help']} at {f['nodes'][:5]}" for f in blocking)
