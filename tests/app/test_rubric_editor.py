"""The call and rubric editors: rows added, removed and moved by posting the form back (nothing
saved), the rule builder that writes the engine's rules, and field-level messages."""
import json
from html.parser import HTMLParser
from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from app.calls import call_admin
from app.models import AuditEntry
from tests.factories import CallFactory, officer_for
from tests.support import visible_text

EXAMPLE = json.loads((Path(__file__).resolve().parents[1] / "scoring" / "examples" / "ax-2025-input.json").read_text())


class _Form(HTMLParser):
    """The values a browser would post from the page's form with id ``form_id`` (no button)."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.pairs = form_id, False, []
        self._select = self._textarea = None
        self._option = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit",):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.pairs.append((a["name"], a.get("value", "y")))
            else:
                self.pairs.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select, self._option = a["name"], None
        elif tag == "option" and self._select:
            if self._option is None or "selected" in a:
                self._option = a.get("value", "")
        elif tag == "textarea":
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            self.pairs.append((self._select, self._option))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.pairs.append(tuple(self._textarea))
            self._textarea = None


def form_values(html: str, form_id: str = "rubric-editor") -> dict:
    parser = _Form(form_id)
    parser.feed(html)
    values: dict = {}
    for name, value in parser.pairs:
        values.setdefault(name, []).append(value.strip("\n") if value else value)
    return {k: v if len(v) > 1 else v[0] for k, v in values.items()}


def _audits():
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def test_the_ax2025_rubric_round_trips_through_the_editor(app, client, login, db_session):
    source = CallFactory(phase="draft", rubric=EXAMPLE["rubric"], policy=EXAMPLE["policy"])
    target = CallFactory(phase="draft", programme=source.programme, rubric={"criteria": [], "total_points": "100"})
    db_session.commit()
    login(officer_for(source))
    html = client.get(f"/officer/calls/{source.id}/rubric").get_data(as_text=True)
    assert "criteria-4-rule\"" not in html and '"type"' not in html  # no JSON to type
    assert '<option selected value="private_matching_ratio">민간부담금 비율</option>' in html
    assert not any(fact in visible_text(html) for fact in call_admin.FACTS)  # the facts in Korean words only
    data = form_values(html)
    assert data["criteria-6-steps-1-threshold"] == "0.2" and data["criteria-4-required"] == "openlab"
    resp = client.post(f"/officer/calls/{target.id}/rubric", data={**data, "save": "1"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    db_session.refresh(target)
    assert target.rubric == {**EXAMPLE["rubric"], "total_points": "100"}
    policy = {k: v for k, v in EXAMPLE["policy"].items() if k not in ("awards", "budget_cap")}
    assert {k: target.policy[k] for k in policy} == policy


def test_row_buttons_change_the_rows_and_save_nothing(app, client, login, db_session):
    call = CallFactory(phase="draft", rubric=EXAMPLE["rubric"], policy=EXAMPLE["policy"])
    db_session.commit()
    login(officer_for(call))
    url = f"/officer/calls/{call.id}/rubric"
    data = form_values(client.get(url).get_data(as_text=True))
    before = (dict(call.rubric), _audits())

    resp = client.post(url, data={**data, "row": "add:criteria"})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'id="criteria-7-key"' in html and 'autofocus id="criteria-7-key"' in html

    moved = form_values(client.post(url, data={**data, "row": "up:criteria-2"}).get_data(as_text=True))
    assert [moved[f"criteria-{i}-key"] for i in range(3)] == ["infra", "plan", "poc"]
    removed = form_values(client.post(url, data={**data, "row": "remove:criteria-0"}).get_data(as_text=True))
    assert removed["criteria-0-key"] == "poc" and "criteria-6-key" not in removed
    # the steps table moved with its criterion, and is renumbered
    assert removed["criteria-5-steps-2-ratio"] == "0.3"
    step = form_values(client.post(url, data={**data, "row": "remove:criteria-6-steps-0"}).get_data(as_text=True))
    assert (step["criteria-6-steps-0-threshold"], "criteria-6-steps-2-threshold" in step) == ("0.2", False)
    added = client.post(url, data={**data, "row": "add:criteria-6-steps"}).get_data(as_text=True)
    assert 'id="criteria-6-steps-3-threshold"' in added
    # a button naming no list of the form changes nothing and is no save either
    assert client.post(url, data={**data, "row": "remove:pass_mark-0"}).status_code == 200

    db_session.refresh(call)
    assert (call.rubric, _audits()) == before


def test_the_sum_of_points_is_shown_after_each_post(app, client, login, db_session):
    call = CallFactory(phase="draft", rubric=EXAMPLE["rubric"], policy=EXAMPLE["policy"])
    db_session.commit()
    login(officer_for(call))
    url = f"/officer/calls/{call.id}/rubric"
    data = form_values(client.get(url).get_data(as_text=True))
    html = client.post(url, data={**data, "criteria-0-max_points": "35", "row": "add:criteria"}).get_data(as_text=True)
    assert '<output data-sum>105</output>' in html and 'class="points-sum off"' in html


def test_the_rule_builder_says_what_is_wrong_beside_the_field(app, client, login, db_session):
    call = CallFactory(phase="draft", rubric=EXAMPLE["rubric"], policy=EXAMPLE["policy"])
    db_session.commit()
    login(officer_for(call))
    url = f"/officer/calls/{call.id}/rubric"
    data = form_values(client.get(url).get_data(as_text=True))
    before = dict(call.rubric)
    for change, field, message in [
        ({"criteria-5-rule_type": "coverage"}, "criteria-5-rule_type", "포괄성은 인프라 지원유형처럼"),
        ({"criteria-5-target": "0"}, "criteria-5-target", "목표치는 1에서 1,000,000 사이의 정수로"),
        ({"criteria-6-steps-0-ratio": "1.5"}, "criteria-6-steps-0-ratio", "비율은 0에서 1 사이로"),
        ({"criteria-6-steps-0-ratio": ""}, "criteria-6-steps", "구간마다 기준값과 비율을 모두"),
        ({"criteria-4-fact": ""}, "criteria-4-fact", "산정 근거 자료를 선택하십시오"),
        ({"criteria-1-key": "infra"}, "criteria-1-key", "중복되었습니다"),  # the service's check
    ]:
        resp = client.post(url, data={**data, **change, "save": "1"})
        html = resp.get_data(as_text=True)
        assert resp.status_code == 422 and f'id="{field}-error"' in html and message in html, field
    db_session.refresh(call)
    assert call.rubric == before


def test_the_call_editor_has_rows_instead_of_pipes(app, client, login, db_session):
    call = CallFactory(phase="draft")
    db_session.commit()
    login(officer_for(call))
    url = f"/officer/calls/{call.id}/edit"
    html = client.get(url).get_data(as_text=True)
    data = form_values(html, "call-editor")
    assert data["infra_types-0-key"] == call.infra_types[0].key and " | " not in html
    kinds = len(call.attachment_kinds)

    resp = client.post(url, data={**data, "row": "add:attachment_kinds"})
    assert resp.status_code == 200
    added = form_values(resp.get_data(as_text=True), "call-editor")
    assert f"attachment_kinds-{kinds}-key" in added
    added.update({f"attachment_kinds-{kinds}-key": "letter", f"attachment_kinds-{kinds}-label_ko": "추천서",
                  f"attachment_kinds-{kinds}-required": "y"})
    twice = {**added, "infra_types-1-key": data["infra_types-0-key"]}
    html = client.post(url, data=twice).get_data(as_text=True)
    assert 'id="infra_types-1-key-error"' in html and "위의 줄과 키가 같습니다" in html
    removed = form_values(client.post(url, data={**added, "row": "remove:infra_types-0"}).get_data(as_text=True),
                          "call-editor")
    db_session.refresh(call)
    assert len(call.attachment_kinds) == kinds  # nothing saved yet

    assert client.post(url, data=removed).status_code == 302
    db_session.refresh(call)
    assert call.attachment_kinds[-1].key == "letter" and call.attachment_kinds[-1].required
    assert call.attachment_kinds[-1].label_en == "추천서"  # no English name: the Korean one
    keys = [data[f"infra_types-{i}-key"] for i in range(1, 100) if f"infra_types-{i}-key" in data]
    assert [t.key for t in call.infra_types] == keys


def test_odd_numbers_in_the_rule_builder_are_messages_not_errors(app, client, login, db_session):
    call = CallFactory(phase="draft", rubric=EXAMPLE["rubric"], policy=EXAMPLE["policy"])
    db_session.commit()
    login(officer_for(call))
    url = f"/officer/calls/{call.id}/rubric"
    data = form_values(client.get(url).get_data(as_text=True))
    for change, field in [({"criteria-5-target": "²"}, "criteria-5-target"),
                          ({"criteria-6-steps-1-ratio": "abc"}, "criteria-6-steps-1-ratio"),
                          ({"criteria-6-steps-1-threshold": "NaN"}, "criteria-6-steps-1-threshold")]:
        resp = client.post(url, data={**data, **change, "save": "1"})
        assert resp.status_code == 422 and f'id="{field}-error"' in resp.get_data(as_text=True), field


def test_row_actions_keep_to_the_forms_lists_and_limits():
    from werkzeug.datastructures import MultiDict

    from forms import rows

    lists = {"criteria": 40, r"criteria-\d+-steps": 2}
    posted = MultiDict([("criteria-0-key", "a"), ("criteria-0-steps-0-ratio", "1"), ("criteria-0-steps-1-ratio", "0.5"),
                        ("criteria-1-key", "b"), ("criteria-1-required", "x"), ("criteria-1-required", "y"),
                        ("pass_mark", "70"), ("row", "down:criteria-0")])
    data, focus = rows.apply(posted, "down:criteria-0", lists)
    assert (data["criteria-0-key"], data.getlist("criteria-0-required"), data["criteria-1-steps-1-ratio"]) == \
        ("b", ["x", "y"], "0.5")
    assert focus == "criteria-1" and "row" not in data and data["pass_mark"] == "70"
    full, focus = rows.apply(posted, "add:criteria-0-steps", lists)  # at its most rows already
    assert focus is None and "criteria-0-steps-2-new" not in full
    for action in ("add:pass_mark", "up:criteria-x", "remove:criteria-7", "jump:criteria-0", ""):
        assert rows.apply(posted, action, lists)[0] == MultiDict([p for p in posted.items(multi=True) if p[0] != "row"])


def test_tie_breaks_are_rows_of_the_criteria_by_name(app, client, login, db_session):
    call = CallFactory(phase="draft", rubric=EXAMPLE["rubric"], policy=EXAMPLE["policy"])
    db_session.commit()
    login(officer_for(call))
    url = f"/officer/calls/{call.id}/rubric"
    html = client.get(url).get_data(as_text=True)
    infra = next(c["label"] for c in EXAMPLE["rubric"]["criteria"] if c["key"] == "infra")
    assert f'<option selected value="criterion:infra">{infra}</option>' in html
    assert "criterion:항목키" not in html and "제출 시각 (먼저 제출한 신청)" in html
    data = form_values(html)
    assert [data.get(f"tie_breaks-{i}-rule") for i in range(3)] == [*EXAMPLE["policy"]["tie_breaks"], None]

    # a row added and left blank is no rule; the order is the rows' order
    added = form_values(client.post(url, data={**data, "row": "add:tie_breaks"}).get_data(as_text=True))
    moved = form_values(client.post(url, data={**added, "row": "down:tie_breaks-0"}).get_data(as_text=True))
    assert [moved[f"tie_breaks-{i}-rule"] for i in range(3)] == ["submitted_at", "criterion:infra", ""]
    refused = client.post(url, data={**moved, "tie_breaks-2-rule": "criterion:gone", "save": "1"})
    assert refused.status_code == 422 and 'id="tie_breaks-error"' in refused.get_data(as_text=True)
    db_session.refresh(call)
    assert call.policy["tie_breaks"] == EXAMPLE["policy"]["tie_breaks"]
    removed = form_values(client.post(url, data={**moved, "row": "remove:tie_breaks-0"}).get_data(as_text=True))
    assert client.post(url, data={**removed, "save": "1"}).status_code == 302
    db_session.refresh(call)
    assert call.policy["tie_breaks"] == ["criterion:infra"]
