"""Forms of the account pages: register, verify the address, log in, reset and change the password,
the second factor."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from app.models.organisations import ORG_TYPES
from app.accounts import accounts, brn, passwords, totp
from app.accounts import credentials
# One list of labels for forms, lists and messages; views and forms import it from here too.
from app.accounts.org_types import ORG_TYPE_LABELS

assert set(ORG_TYPE_LABELS) == set(ORG_TYPES), "every organisation type needs a label"

# The seventeen provinces and metropolitan cities, in the short form used for complexes.
REGIONS = ("서울", "부산", "대구", "인천", "광주", "대전", "울산", "세종", "경기", "강원",
           "충북", "충남", "전북", "전남", "경북", "경남", "제주")

STRENGTH_MESSAGES = {
    "too_short": _l("비밀번호는 %(n)d자 이상이어야 합니다.", n=passwords.MIN_LENGTH),
    "too_simple": _l("영문 대문자, 영문 소문자, 숫자, 특수문자 중 세 종류 이상을 섞어 쓰십시오."),
    "contains_email": _l("비밀번호에 이메일 주소의 아이디 부분을 넣을 수 없습니다."),
}
_EMAIL_REQUIRED = _l("이메일 주소를 입력하십시오.")
_PASSWORD_REQUIRED = _l("비밀번호를 입력하십시오.")
_CONFIRM_MISMATCH = _l("두 번 입력한 비밀번호가 서로 다릅니다.")


def strength_messages(problems: list[str]) -> list[str]:
    return [str(STRENGTH_MESSAGES.get(p, _l("사용할 수 없는 비밀번호입니다."))) for p in problems]


def error_messages(form: FlaskForm) -> list[str]:
    """Every field error as "label: message", for the summary at the top of a form."""
    return [f"{field.label.text}: {e}" for field in form if field.errors for e in field.errors]


def _password_field(label, autocomplete: str = "new-password") -> PasswordField:
    return PasswordField(label, validators=[DataRequired(message=_PASSWORD_REQUIRED), Length(max=200)],
                         render_kw={"autocomplete": autocomplete})


def _confirm_field(label=_l("새 비밀번호 확인")) -> PasswordField:
    return PasswordField(label,
                         validators=[DataRequired(message=_l("비밀번호를 한 번 더 입력하십시오.")),
                                     EqualTo("password", message=_CONFIRM_MISMATCH)],
                         render_kw={"autocomplete": "new-password"})


class _NewPasswordMixin:
    """Strength rules for ``password``; the address and name come from the form or the user."""

    def _identity(self) -> tuple[str, str]:
        return "", ""

    def validate_password(self, field):
        email, name = self._identity()
        problems = passwords.strength_problems(field.data or "", email=email, name=name)
        if problems:
            raise ValidationError(" ".join(strength_messages(problems)))


class LoginForm(FlaskForm):
    email = EmailField(_l("이메일"), validators=[DataRequired(message=_EMAIL_REQUIRED), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = _password_field(_l("비밀번호"), autocomplete="current-password")
    next = HiddenField()


class RegisterForm(_NewPasswordMixin, FlaskForm):
    email = EmailField(_l("이메일"), validators=[DataRequired(message=_EMAIL_REQUIRED), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    name = StringField(_l("이름"), validators=[DataRequired(message=_l("이름을 입력하십시오.")), Length(max=100)],
                       render_kw={"autocomplete": "name"})
    password = _password_field(_l("비밀번호"))
    password_confirm = _confirm_field(_l("비밀번호 확인"))
    brn = StringField(_l("사업자등록번호"),
                      validators=[DataRequired(message=_l("소속 기관의 사업자등록번호를 입력하십시오."))],
                      render_kw={"inputmode": "numeric", "placeholder": "123-45-67890"})
    org_name = StringField(_l("기관명"), validators=[Length(max=200)], render_kw={"autocomplete": "organization"})
    # Checked in ``validate``: they matter only when the number is new.
    org_type = SelectField(_l("기관 유형"), validate_choice=False,
                           choices=[SelectChoice("", _l("선택하십시오"))]
                           + [SelectChoice(k, v) for k, v in ORG_TYPE_LABELS.items()])
    region = SelectField(_l("지역"), validate_choice=False,
                         choices=[SelectChoice("", _l("선택하십시오"))] + [SelectChoice(r, _l(r)) for r in REGIONS])

    def _identity(self) -> tuple[str, str]:
        return accounts.normalise_email(self.email.data), (self.name.data or "").strip()

    def validate_email(self, field):
        address = accounts.normalise_email(field.data)
        if not accounts.is_plausible_email(address):
            raise ValidationError(_l("이메일 주소 형식이 올바르지 않습니다. 예: hong@example.go.kr"))
        # A taken address is not refused here: the answer would tell who has an account.

    def validate_brn(self, field):
        if not brn.has_only_allowed_characters(field.data):
            raise ValidationError(brn.CHARACTERS_MESSAGE)
        if not brn.is_valid(field.data or ""):
            raise ValidationError(_l("사업자등록번호가 올바르지 않습니다. 10자리 숫자(예: 123-45-67890)와 "
                                     "마지막 검증번호를 확인하십시오."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.brn.errors or accounts.find_organisation_by_brn(self.brn.data) is not None:
            return valid
        # A number nobody has registered yet: the organisation is created from these fields.
        required = (
            (self.org_name, (self.org_name.data or "").strip(),
             _l("처음 등록되는 사업자등록번호입니다. 기관명을 입력하십시오.")),
            (self.org_type, self.org_type.data in ORG_TYPES,
             _l("처음 등록되는 사업자등록번호입니다. 기관 유형을 선택하십시오.")),
            (self.region, self.region.data in REGIONS,
             _l("처음 등록되는 사업자등록번호입니다. 지역을 선택하십시오.")),
        )
        for field, present, message in required:
            if not present:
                field.errors.append(message)
                valid = False
        return valid


class VerifyEmailForm(FlaskForm):
    """The verification link's page: the password of the registration completes it."""
    password = _password_field(_l("가입할 때 정한 비밀번호"), autocomplete="current-password")


class ResendVerificationForm(FlaskForm):
    email = EmailField(_l("이메일"), validators=[DataRequired(message=_EMAIL_REQUIRED), Length(max=254)],
                       render_kw={"autocomplete": "email"})


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("이메일"), validators=[DataRequired(message=_EMAIL_REQUIRED), Length(max=254)],
                       render_kw={"autocomplete": "email"})


class ResetPasswordForm(_NewPasswordMixin, FlaskForm):
    password = _password_field(_l("새 비밀번호"))
    password_confirm = _confirm_field()

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def _identity(self) -> tuple[str, str]:
        return (self.user.email, self.user.name) if self.user else ("", "")


class ChangePasswordForm(ResetPasswordForm):
    current_password = _password_field(_l("현재 비밀번호"), autocomplete="current-password")
    # Declared again so that they follow the current password on the page and in the summary.
    password = _password_field(_l("새 비밀번호"))
    password_confirm = _confirm_field()

    def validate_current_password(self, field):
        if self.user is not None and not credentials.check_password(self.user, field.data or ""):
            raise ValidationError(_l("현재 비밀번호가 올바르지 않습니다."))

    def validate_password(self, field):
        super().validate_password(field)
        if self.user is not None and credentials.check_password(self.user, field.data or ""):
            raise ValidationError(_l("새 비밀번호가 현재 비밀번호와 같습니다. 다른 비밀번호를 정하십시오."))


# --- the second factor ---------------------------------------------------------------------

def _code_field(label=_l("인증 코드")) -> StringField:
    # People copy "123 456" as the app shows it; the spaces are not part of the code.
    return StringField(label, filters=[totp.normalise_code],
                       validators=[DataRequired(message=_l("인증 앱에 표시된 6자리 코드를 입력하십시오.")),
                                   Regexp(r"^[0-9]{6}$", message=_l("인증 코드는 숫자 6자리입니다."))],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"})


class LoginCodeForm(FlaskForm):
    code = _code_field()


class TotpStartForm(FlaskForm):
    """Only the CSRF token: starting an enrolment writes a new secret."""


class TotpConfirmForm(FlaskForm):
    code = _code_field()


class TotpDisableForm(FlaskForm):
    password = _password_field(_l("현재 비밀번호"), autocomplete="current-password")
    code = _code_field()

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_password(self, field):
        if self.user is not None and not credentials.check_password(self.user, field.data or ""):
            raise ValidationError(_l("현재 비밀번호가 올바르지 않습니다."))


class MembershipDecisionForm(FlaskForm):
    decision = SelectField(_l("처리"), choices=[("confirm", _l("소속 확인")), ("decline", _l("거절"))],
                           validators=[DataRequired(message=_l("처리 방법을 선택하십시오."))])
