from tests.factories import CallFactory, UserFactory, applicant_with_consortium


def test_home_lists_published_calls_in_korean(client, app):
    call = CallFactory()
    CallFactory(phase="draft", title="비공개 초안 공모")
    html = client.get("/").get_data(as_text=True)
    assert call.title in html
    assert "비공개 초안 공모" not in html
    assert 'lang="ko"' in html


def test_security_headers_on_every_page(client, app):
    resp = client.get("/")
    csp = resp.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "default-src 'self'" in csp
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_factories_build_a_consortium_led_by_the_applicant(app):
    user, consortium = applicant_with_consortium()
    assert consortium.lead_org_id == user.organisation_id
    assert user.has_role("applicant") and not user.has_role("officer")
    assert [m.role for m in consortium.members] == ["lead"]
    officer = UserFactory(roles=["officer"])
    assert officer.roles == {"officer"}
