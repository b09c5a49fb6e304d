"""Forms of the administrator's pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import DataRequired

from app.models.organisations import ROLES

ROLE_LABELS = {"applicant": _l("신청자"), "reviewer": _l("평가위원"), "officer": _l("사업 담당자"), "admin": _l("시스템 관리자"),
               "finance": _l("회계 담당자")}


class RoleForm(FlaskForm):
    role = SelectField(_l("역할"), choices=[(r, ROLE_LABELS[r]) for r in ROLES],
                       validators=[DataRequired(message=_l("역할을 선택하십시오."))])
    action = SelectField(_l("처리"), choices=[("grant", _l("부여")), ("revoke", _l("해제"))],
                         validators=[DataRequired(message=_l("처리 방법을 선택하십시오."))])


class ActiveForm(FlaskForm):
    active = SelectField(_l("계정 상태"), choices=[("on", _l("활성")), ("off", _l("비활성"))],
                         validators=[DataRequired(message=_l("처리 방법을 선택하십시오."))])
