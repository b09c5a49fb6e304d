"""The links that carry a selected proposal's readers to its agreement and then to its project, and back."""
from __future__ import annotations

from app.extensions import db
from tests.app.agreement_flow import opened, with_member
from tests.app.award_builders import signed_directly
from tests.app.builders import applicant_of, submitted_proposal
from tests.factories import closed_call, officer_for
from tests.support import sign_in


def _page(client, user, url: str) -> str:
    sign_in(client, user)
    resp = client.get(url)
    assert resp.status_code == 200, url
    return resp.get_data(as_text=True)


def test_the_proposal_pages_link_to_the_agreement_then_the_project_for_its_readers_only(app, client, clock,
                                                                                      isolated_dirs):
    call, officer, proposal, applicant, member = with_member()
    loser = submitted_proposal(call, "반월", title="반월 신청")
    outsider = applicant_of(loser)
    db.session.commit()
    pages = [f"/proposals/{proposal.id}", f"/my/proposals/{proposal.id}/result"]
    for user in (applicant, member):
        for url in pages:
            assert "/agreements/" not in _page(client, user, url)

    agreement = opened(proposal, officer)
    link = f'href="/agreements/{agreement.id}"'
    for user in (applicant, member):
        for url in pages:
            html = _page(client, user, url)
            assert link in html and "/projects/" not in html
    assert link in _page(client, officer, pages[0])
    # Another consortium of the same call, and another agency's officer, see none of it.
    assert "/agreements/" not in _page(client, outsider, f"/proposals/{loser.id}")
    sign_in(client, officer_for(closed_call()))
    assert client.get(pages[0]).status_code == 404

    db.session.delete(agreement)  # the agreement made directly as signed instead
    db.session.commit()
    project = signed_directly(proposal, officer, applicant)
    to_project = f'href="/projects/{project.id}"'
    for user in (applicant, member):
        for url in pages:
            html = _page(client, user, url)
            assert to_project in html and f'href="/agreements/{project.agreement_id}"' in html
    assert to_project in _page(client, officer, f"/officer/calls/{call.id}/agreements")
    assert to_project in _page(client, officer, f"/agreements/{project.agreement_id}")
    assert to_project not in _page(client, outsider, f"/proposals/{loser.id}")
    # The project page links back to its agreement; no PDF link where no document was issued.
    html = _page(client, member, f"/projects/{project.id}")
    assert f'href="/agreements/{project.agreement_id}"' in html and "/document" not in html
