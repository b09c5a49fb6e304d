"""The submitted proposal as PDF, and the comparison of two submitted versions."""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from app.extensions import db
from app.models import Proposal
from app.proposals import diff
from tests.app.builders import complete_proposal
from tests.factories import ConsortiumMember, OrganisationFactory, UserFactory, applicant_with_consortium, officer_for
from tests.support import link_path, mails, sign_in
from app.core.clock import now

pytestmark = pytest.mark.usefixtures("isolated_dirs")


@pytest.fixture
def team(app):
    lead, consortium = applicant_with_consortium()
    member_org = OrganisationFactory(type="local_government")
    consortium.members.append(ConsortiumMember(organisation=member_org, role="local_government", confirmed_at=now()))
    member = UserFactory(organisation=member_org)
    db.session.flush()
    return lead, member, consortium


def submit(client, proposal):
    resp = client.post(f"/proposals/{proposal.id}/submit", data={"confirm": "y"})
    assert resp.status_code == 303, re.findall(r"<li>.*?</li>", resp.get_data(as_text=True))


def save_overview(client, proposal, **changes):
    data = {"title": proposal.title, "summary": proposal.summary or "", "complex_id": str(proposal.complex_id),
            "strategic_industries": proposal.strategic_industries or "", **changes}
    resp = client.post(f"/proposals/{proposal.id}/overview", data=data)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/overview"), resp.get_data(as_text=True)[:300]
    return resp


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_is_the_frozen_version_in_korean_and_the_receipt_mail_links_to_it(client, team, clock, app):
    lead, member, consortium = team
    p = complete_proposal(user=lead, consortium=consortium)
    db.session.commit()
    submitted_title = p.title
    sign_in(client, lead)
    submit(client, p)
    p = db.session.get(Proposal, p.id)
    sha = p.attachments[0].sha256
    clock.shift(60)
    save_overview(client, p, title="나중에 고친 사업명")  # the live draft moves on

    mail = mails(app)[f"proposal_submitted:{p.id}:v1:u{lead.id}"]
    path = link_path(mail, r"https?://\S+/versions/1/pdf")
    assert path == f"/proposals/{p.id}/versions/1/pdf"

    for reader in (member, officer_for(p.call)):
        resp = sign_in(app.test_client(), reader).get(path)
        assert resp.status_code == 200 and resp.mimetype == "application/pdf"
        assert resp.data.startswith(b"%PDF")
        assert f"{p.receipt_no}-v1.pdf" in resp.headers["Content-Disposition"]
        pages, text = pdf_text(resp.data)
        assert pages >= 2
        flat = re.sub(r"\s+", "", text)
        assert re.sub(r"\s+", "", submitted_title) in flat and "나중에고친사업명" not in flat
        for expected in (p.receipt_no, "제1판", "창원", "불량률", "비전AI검사", "국비대비지방비비율:40.0%",
                         "14,000,000,000", "23,600,000,000", consortium.name.replace(" ", ""), sha[:20]):
            assert expected in flat, expected

    # Another consortium's applicant does not learn the document exists.
    stranger, _ = applicant_with_consortium()
    db.session.commit()
    assert sign_in(app.test_client(), stranger).get(path).status_code == 404


def test_the_proposal_page_versions_and_receipt_link_to_the_pdf(client, team, clock):
    lead, _, consortium = team
    p = complete_proposal(user=lead, consortium=consortium)
    db.session.commit()
    sign_in(client, lead)
    submit(client, p)
    link = f"/proposals/{p.id}/versions/1/pdf"
    for page in (f"/proposals/{p.id}", f"/proposals/{p.id}/versions", f"/proposals/{p.id}/receipt",
                 f"/proposals/{p.id}/versions/1"):
        assert link in client.get(page).get_data(as_text=True), page


def test_two_versions_compare_field_by_field_and_cell_by_cell(client, team, clock):
    lead, member, consortium = team
    p = complete_proposal(user=lead, consortium=consortium, summary="첫 요약 문장입니다. 둘째 문장.")
    db.session.commit()
    sign_in(client, lead)
    submit(client, p)
    assert "판 비교" not in client.get(f"/proposals/{p.id}/versions").get_data(as_text=True)
    html = client.get(f"/proposals/{p.id}/versions/diff").get_data(as_text=True)
    assert "두 번 이상 제출한 판이 있어야" in html

    clock.shift(60)
    p = db.session.get(Proposal, p.id)
    save_overview(client, p, summary="첫 요약 문장입니다. 고친 문장.")
    year = p.call.years[0]
    local = p.budget_amount(year, "local")
    cells = {f"{s}-{y}": f"{p.budget_amount(y, s):,}" for y in p.call.years
             for s in ("national", "local", "private_cash", "private_inkind")}
    cells[f"local-{year}"] = f"{local + 1_000_000:,}"  # more local money, less private: the total stays
    cells[f"private_cash-{year}"] = f"{p.budget_amount(year, 'private_cash') - 1_000_000:,}"
    assert client.post(f"/proposals/{p.id}/budget", data=cells).status_code == 302
    submit(client, p)

    versions = client.get(f"/proposals/{p.id}/versions").get_data(as_text=True)
    assert f"/proposals/{p.id}/versions/diff" in versions
    html = sign_in(client, member).get(f"/proposals/{p.id}/versions/diff").get_data(as_text=True)
    assert '<del class="diff-del">둘째</del>' in html and '<ins class="diff-add">고친</ins>' in html
    assert "바뀐 항목 2개" in html  # the summary and the budget; nothing else
    assert f"{local + 1_000_000:,}" in html and "(+1,000,000)" in html and f'<del class="diff-del">{local:,}</del>' in html
    assert "(-1,000,000)" in html and "2칸 바뀜" in html  # two cells; their row's total stays

    same = client.get(f"/proposals/{p.id}/versions/diff?from=2&to=2").get_data(as_text=True)
    assert "바뀐 항목 0개" in same
    assert client.get(f"/proposals/{p.id}/versions/diff?from=9&to=2").status_code == 404


def test_text_diff_marks_words():
    change = diff.text_diff("요약", "가 나 다", "가 라 다")
    assert change.changed and ("del", "나") in change.parts and ("add", "라") in change.parts
    assert not diff.text_diff("요약", None, "").changed
