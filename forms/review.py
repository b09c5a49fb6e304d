"""Forms of the review: invitations, assignment, declarations, review sheets, challenges.

The review sheet's fields come from the call's rubric, so its class is built per call
(``review_sheet_form``). The rules on points live in app/review/review_sheets.py;
the form only carries values, and the view puts the service's messages on the fields.
"""
from __future__ import annotations


from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, EmailField, HiddenField, RadioField, SelectChoice, SelectField, StringField,
    SubmitField, TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from forms.fields import KstDateTimeField
from app.review.review_sheets import MAX_COMMENT, MAX_OPINION, _plain, criteria, grades

REQUIRED_REASON = _l("사유를 입력하십시오.")


class InviteReviewerForm(FlaskForm):
    email = EmailField(_l("이메일"), validators=[
        DataRequired(_l("이메일을 입력하십시오.")), Email(_l("올바른 이메일 주소를 입력하십시오.")), Length(max=254)])
    name = StringField(_l("이름"), validators=[DataRequired(_l("이름을 입력하십시오.")), Length(max=100)])
    organisation_name = StringField(_l("소속 기관"), validators=[
        DataRequired(_l("소속 기관을 입력하십시오.")), Length(max=200)])
    department = StringField(_l("부서"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("초대"))


class PledgeForm(FlaskForm):
    confirm = BooleanField(_l("위 내용을 확인하였으며 이해충돌이 없음을 서약합니다."),
                           validators=[DataRequired(_l("서약 내용을 확인하고 동의란에 표시하십시오."))])
    submit = SubmitField(_l("서약하고 평가 시작"))


class RecuseForm(FlaskForm):
    reason = TextAreaField(_l("회피 사유"), validators=[DataRequired(REQUIRED_REASON), Length(max=2000)])
    confirm = BooleanField(_l("회피하면 이 신청서를 다시 맡을 수 없으며, 되돌릴 수 없음을 확인합니다."),
                           validators=[DataRequired(_l("회피하려면 확인란에 표시하십시오."))])
    submit = SubmitField(_l("회피 신청"))


class ReopenForm(FlaskForm):
    reason = TextAreaField(_l("재개 사유"), validators=[DataRequired(REQUIRED_REASON), Length(max=2000)])
    submit = SubmitField(_l("평가표 재개"))


class AutoAssignForm(FlaskForm):
    # Own ids: the manual form shares the page, and a label must point at one input only.
    distinct_organisations = BooleanField(_l("한 신청서에 같은 기관 평가위원을 두 명 이상 배정하지 않음"))
    due_at = KstDateTimeField(_l("평가 마감 (비우면 공모의 평가 마감)"),
                                validators=[Optional()], id="auto-due_at")
    submit = SubmitField(_l("자동 배정"), id="auto-submit")


class ManualAssignForm(FlaskForm):
    proposal_id = SelectField(_l("신청서"), coerce=int, validators=[InputRequired(_l("신청서를 고르십시오."))])
    reviewer_id = SelectField(_l("평가위원"), coerce=int, validators=[InputRequired(_l("평가위원을 고르십시오."))])
    due_at = KstDateTimeField(_l("평가 마감 (비우면 공모의 평가 마감)"),
                                validators=[Optional()], id="manual-due_at")
    submit = SubmitField(_l("배정"), id="manual-submit")


class RemoveAssignmentForm(FlaskForm):
    reason = StringField(_l("해제 사유"), validators=[DataRequired(REQUIRED_REASON), Length(max=2000)])
    submit = SubmitField(_l("배정 해제 후 재배정"))


class DueForm(FlaskForm):
    due_at = KstDateTimeField(_l("평가 마감"), validators=[Optional()])
    submit = SubmitField(_l("마감 변경"))


class ChallengeForm(FlaskForm):
    target_organisation = StringField(_l("기피 대상 평가위원의 소속 기관"), validators=[Optional(), Length(max=200)])
    target_person = StringField(_l("기피 대상 평가위원의 이름 (알고 있는 경우)"), validators=[Optional(), Length(max=100)])
    reason = TextAreaField(_l("기피 사유"), validators=[DataRequired(_l("기피 사유를 입력하십시오.")), Length(max=4000)])
    submit = SubmitField(_l("기피신청"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not (self.target_organisation.data or "").strip() and not (self.target_person.data or "").strip():
            self.target_organisation.errors.append(_l("기피 대상 평가위원의 소속 기관이나 이름을 입력하십시오."))
            ok = False
        return ok


class ChallengeDecisionForm(FlaskForm):
    decision = RadioField(_l("처리 결과"), choices=[SelectChoice("uphold", _l("인용 (평가위원 배제 후 재배정)")),
                                                 SelectChoice("reject", _l("기각"))],
                          validators=[InputRequired(_l("인용 또는 기각을 고르십시오."))])
    assignment_id = SelectField(_l("배제할 평가위원 (인용 시)"), coerce=int, validate_choice=False,
                                validators=[Optional()])
    reason = TextAreaField(_l("처리 사유"), validators=[DataRequired(REQUIRED_REASON), Length(max=4000)])
    submit = SubmitField(_l("처리"))


class _SheetBase(FlaskForm):
    overall_opinion = TextAreaField(_l("종합의견"), validators=[Length(max=MAX_OPINION)])
    action = HiddenField()
    save = SubmitField(_l("임시 저장"))
    submit_sheet = SubmitField(_l("제출 (제출 후에는 수정할 수 없습니다)"))
    # Asked only of a submission: a draft can be saved as often as the reviewer likes.
    confirm_submit = BooleanField(_l("제출하면 평가표를 고칠 수 없고, 담당자가 재개해야만 다시 고칠 수 있음을 확인합니다."))

    def submitting(self) -> bool:
        return bool(self.submit_sheet.data) or self.action.data == "submit"

    def validate_confirm_submit(self, field) -> None:
        if self.submitting() and not field.data:
            raise ValidationError(_l("제출하려면 확인란에 표시하십시오. 임시 저장은 확인 없이 할 수 있습니다."))


def _grade_choices(call, criterion) -> list[tuple[str, str]]:
    g = grades(call) or {}
    choices = [SelectChoice("", _l("선택"))]
    for letter, ratio in g.items():
        choices.append(SelectChoice(letter, f"{letter} ({_plain(ratio * criterion.max_points)}점)"))
    return choices


def review_sheet_form(call, **kwargs) -> FlaskForm:
    """A form with points_<key> and comment_<key> for every review criterion of the sheet's rubric.

    ``call`` is whatever ``review_sheets.rubric`` reads: the assignment, for its stage's rubric.
    """

    class SheetForm(_SheetBase):
        pass

    has_grades = grades(call) is not None
    for c in criteria(call):
        label = f"{c.label} ({_plain(c.max_points)}점)"
        if has_grades:
            field = SelectField(label, choices=_grade_choices(call, c), validate_choice=False,
                                render_kw={"data-max": _plain(c.max_points)})
        else:
            field = StringField(label, render_kw={"inputmode": "decimal", "data-max": _plain(c.max_points),
                                                  "autocomplete": "off"})
        setattr(SheetForm, f"points_{c.key}", field)
        setattr(SheetForm, f"comment_{c.key}",
                TextAreaField(_l("%(label)s 평가의견", label=c.label), validators=[Length(max=MAX_COMMENT)]))
    return SheetForm(**kwargs)


def sheet_values(form, call) -> tuple[dict, dict, str]:
    points = {c.key: form[f"points_{c.key}"].data or "" for c in criteria(call)}
    comments = {c.key: form[f"comment_{c.key}"].data or "" for c in criteria(call)}
    return points, comments, form.overall_opinion.data or ""


def sheet_errors_to_form(form, errors: dict[str, list[str]]) -> None:
    for key, messages in errors.items():
        kind, _, crit = key.partition(":")
        name = {"points": f"points_{crit}", "comment": f"comment_{crit}"}.get(kind, key)
        field = form[name]
        field.errors = list(field.errors or []) + list(messages)
