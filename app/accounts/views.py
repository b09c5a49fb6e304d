"""Accounts: register and verify the address, log in (with the second factor when on) and out,
reset and change the password."""
from __future__ import annotations

import math

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from app.extensions import db, limiter
from app.models import User
from app import access
from app.accounts import accounts, login_throttle, membership, sessions, totp
from app.core.clock import now
from app.core.safe_redirect import safe_next
from forms.auth import (
    ChangePasswordForm, LoginCodeForm, LoginForm, MembershipDecisionForm, RegisterForm, ResendVerificationForm,
    ResetPasswordForm, ResetRequestForm, TotpConfirmForm, TotpDisableForm, TotpStartForm, VerifyEmailForm,
    error_messages,
)

bp = Blueprint("auth", __name__)

# Per client address, for every account at once; per account the login throttle adds growing delays.
SENSITIVE_POST_LIMIT = "10/minute"


def _status(form, problem: str | None = None) -> int:
    """422 for a submission sent back with errors, so clients and tests can tell it from a fresh form."""
    return 422 if form.errors or problem else 200


def _clear_session() -> None:
    """Forget everything in the session but the chosen language."""
    chosen = session.get("locale")
    session.clear()
    if chosen:
        session["locale"] = chosen


def _start_session(user) -> None:
    """A new server-side session and the cookie naming it; commits, as the row must exist first."""
    _clear_session()
    sessions.start(user, request.remote_addr)
    db.session.commit()
    login_user(user)


# The password was right and the code is awaited: who, under which password stamp, until when.
PENDING_LOGIN = "login_pending"


def _await_code(user, next_url: str | None) -> None:
    _clear_session()
    session[PENDING_LOGIN] = {
        "user": user.id,
        "stamp": accounts.password_stamp(user),
        "until": int((now() + accounts.CODE_STEP_WINDOW).timestamp()),
        "next": next_url or "",
    }


def _pending_login() -> dict | None:
    pending = session.get(PENDING_LOGIN)
    if not isinstance(pending, dict) or pending.get("until", 0) <= now().timestamp():
        session.pop(PENDING_LOGIN, None)
        return None
    return pending


def _refusal(outcome) -> str:
    if outcome.status == "throttled":
        # Unknown addresses are throttled alike, so this tells nobody who has an account.
        seconds = login_throttle.wait_seconds(outcome.wait)
        if seconds >= 60:
            return _("로그인 시도가 너무 많습니다. %(minutes)d분 뒤에 다시 시도하십시오.", minutes=math.ceil(seconds / 60))
        return _("로그인 시도가 너무 많습니다. %(seconds)d초 뒤에 다시 시도하십시오.", seconds=seconds)
    # Told only to whoever typed the right password.
    if outcome.status == "inactive":
        return _("사용이 중지된 계정입니다. 시스템 관리자에게 문의하십시오.")
    if outcome.status == "unverified":
        return _("이메일 주소 확인을 마치지 않은 계정입니다. 가입할 때 받은 메일의 링크를 여십시오.")
    # One message for an unknown address and a wrong password: nobody learns who has an account.
    return _("이메일 또는 비밀번호가 올바르지 않습니다.")


def _throttle_notice() -> dict:
    return {"free_failures": login_throttle.FREE_FAILURES,
            "max_wait_minutes": int(login_throttle.MAX_WAIT.total_seconds() // 60)}


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(SENSITIVE_POST_LIMIT, methods=["POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        if current_user.is_authenticated:
            return redirect(safe_next(form.next.data) or url_for("main.index"))
    problem = None
    resend = None
    if form.validate_on_submit():
        outcome = accounts.authenticate(form.email.data, form.password.data, request.remote_addr)
        db.session.commit()
        target = safe_next(form.next.data or request.args.get("next"))
        if outcome.ok:
            _start_session(outcome.user)
            return redirect(target or url_for("main.index"))
        if outcome.status == "code_required":
            _await_code(outcome.user, target)
            return redirect(url_for("auth.login_code"))
        problem = _refusal(outcome)
        if outcome.status == "unverified":
            resend = ResendVerificationForm(formdata=None, email=outcome.user.email)
    return render_template("auth/login.html", form=form, problem=problem, errors=error_messages(form),
                           resend=resend, **_throttle_notice()), _status(form, problem)


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(SENSITIVE_POST_LIMIT, methods=["POST"])
def login_code():
    """The second step of a login with the second factor on; nobody is logged in before it."""
    pending = _pending_login()
    if pending is None:
        flash(_("로그인 시간이 지났습니다. 이메일과 비밀번호를 다시 입력하십시오."), "error")
        return redirect(url_for("auth.login"))
    form = LoginCodeForm()
    problem = None
    if form.validate_on_submit():
        outcome = accounts.complete_login(pending["user"], pending["stamp"], form.code.data, request.remote_addr)
        db.session.commit()
        if outcome.ok:
            _start_session(outcome.user)
            return redirect(safe_next(pending.get("next")) or url_for("main.index"))
        if outcome.status == "invalid":
            problem = _("인증 코드가 올바르지 않습니다. 이미 사용한 코드는 다시 쓸 수 없으니 "
                        "앱에 새 코드가 나오면 그 코드를 입력하십시오.")
        elif outcome.status == "throttled":
            problem = _refusal(outcome)
        elif outcome.status == "unreadable":
            problem = _("2단계 인증 정보를 읽을 수 없습니다. 시스템 관리자에게 문의하십시오.")
        else:
            # Switched off or the password changed meanwhile: start again from the password.
            _clear_session()
            flash(_refusal(outcome) if outcome.status == "inactive"
                  else _("로그인 시간이 지났습니다. 이메일과 비밀번호를 다시 입력하십시오."), "error")
            return redirect(url_for("auth.login"))
    return render_template("auth/login_code.html", form=form, problem=problem, errors=error_messages(form),
                           **_throttle_notice()), _status(form, problem)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        # Ends the server-side session: a copy of the cookie opens nothing from now on.
        accounts.record_logout(current_user._get_current_object())
        db.session.commit()
    logout_user()
    _clear_session()
    flash(_("로그아웃했습니다."), "success")
    return redirect(url_for("main.index"))


def _registered_flash() -> None:
    flash(_("입력한 주소로 확인 메일을 보냈습니다. %(hours)d시간 안에 메일의 링크를 열어 이메일 주소를 확인하면 "
            "로그인할 수 있습니다.", hours=max(1, accounts.verification_max_age() // 3600)), "success")


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(SENSITIVE_POST_LIMIT, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    problem = None
    if form.validate_on_submit():
        details = dict(
            email=form.email.data, name=form.name.data, password=form.password.data,
            brn_number=form.brn.data, org_name=form.org_name.data, org_type=form.org_type.data,
            region=form.region.data, locale=session.get("locale", "ko"),
        )
        try:
            try:
                accounts.register(**details)
                db.session.commit()
            except IntegrityError:
                # The same address or organisation registered a moment ago: once more, now it exists.
                db.session.rollback()
                accounts.register(**details)
                db.session.commit()
        except (IntegrityError, accounts.AccountError):
            db.session.rollback()
            form.validate()
            problem = _("같은 정보로 방금 다른 가입이 처리되었습니다. 내용을 확인한 뒤 다시 제출하십시오.")
        else:
            # The same answer whether the address was free or taken (its owner is told by mail).
            _registered_flash()
            return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form, problem=problem, errors=error_messages(form)), _status(form, problem)


@bp.route("/verify/<token>", methods=["GET", "POST"])
@limiter.limit(SENSITIVE_POST_LIMIT, methods=["POST"])
def verify_email(token: str):
    """The link of the verification mail; the password typed at registration completes it.

    The link proves the mailbox, the password proves the registration: somebody who typed
    another person's address cannot have the owner finish it for them by a click.
    """
    user = accounts.user_for_verification_token(token)
    if user is None:
        return render_template("auth/verify_invalid.html", form=ResendVerificationForm(formdata=None)), 400
    form = VerifyEmailForm()
    problem = None
    if form.validate_on_submit():
        outcome = accounts.authenticate(user.email, form.password.data, request.remote_addr, verifying=user)
        db.session.commit()
        if outcome.ok:
            _start_session(outcome.user)
            _joined_flash(outcome.user)
            return redirect(url_for("main.index"))
        if outcome.status == "code_required":
            _await_code(outcome.user, None)
            return redirect(url_for("auth.login_code"))
        problem = _refusal(outcome)
    return render_template("auth/verify.html", form=form, email=user.email, problem=problem,
                           errors=error_messages(form)), _status(form, problem)


def _joined_flash(user) -> None:
    if user.organisation is None:
        flash(_("이메일 주소를 확인했습니다."), "success")
    elif user.acting_organisation_id is None:
        flash(_("가입을 마쳤습니다. %(org)s의 기존 회원이 소속을 확인하면 기관의 컨소시엄과 신청서를 이용할 수 있습니다.",
                org=user.organisation.name), "success")
    else:
        flash(_("가입을 마쳤습니다. %(org)s 소속 신청자로 등록되었습니다.", org=user.organisation.name), "success")


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(SENSITIVE_POST_LIMIT, methods=["POST"])
def resend_verification():
    form = ResendVerificationForm()
    if form.validate_on_submit():
        accounts.resend_verification(form.email.data)
        db.session.commit()
        # The same answer for an unknown, a verified and a waiting address.
        flash(_("입력한 주소로 확인을 기다리는 계정이 있으면 확인 메일을 다시 보냈습니다. "
                "%(hours)d시간 안에 메일의 링크를 여십시오.",
                hours=max(1, accounts.verification_max_age() // 3600)), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/verify_resend.html", form=form, errors=error_messages(form)), _status(form)


@bp.route("/password/reset", methods=["GET", "POST"])
@limiter.limit(SENSITIVE_POST_LIMIT, methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        db.session.commit()
        # The same answer whether or not the address has an account.
        flash(_("입력한 주소로 가입된 계정이 있으면 비밀번호 재설정 링크를 보냈습니다. "
                "%(minutes)d분 안에 메일의 링크를 여십시오.",
                minutes=max(1, current_app.config["PASSWORD_RESET_MAX_AGE"] // 60)), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form, errors=error_messages(form)), \
        _status(form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    user = accounts.user_for_reset_token(token)
    if user is None:
        return render_template("auth/reset_invalid.html"), 400
    form = ResetPasswordForm(user=user)
    if form.validate_on_submit():
        accounts.reset_password(user, form.password.data)
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
        flash(_("비밀번호를 바꾸었습니다. 새 비밀번호로 로그인하십시오."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, errors=error_messages(form)), \
        _status(form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    user = current_user._get_current_object()
    form = ChangePasswordForm(user=user)
    if form.validate_on_submit():
        # Every other session ends; this one goes on.
        accounts.change_password(user, form.password.data, keep_session=user.session_token)
        db.session.commit()
        flash(_("비밀번호를 바꾸었습니다. 다른 기기의 로그인은 모두 끝났습니다."), "success")
        return redirect(url_for("auth.password"))
    return render_template("auth/password.html", form=form, errors=error_messages(form),
                           totp_offered=totp.may_manage(user), totp_on=totp.is_enabled(user)), \
        _status(form)


# --- the second factor ---------------------------------------------------------------------

def _totp_page(user, *, confirm_form=None, disable_form=None, status: int = 200):
    secret = totp.enrolment_secret(user)
    qr = None
    if secret is not None:
        qr = totp.qr_svg(totp.provisioning_uri(user, secret), _("Gongmo 2단계 인증 등록용 QR 코드"))
    confirm_form = confirm_form or TotpConfirmForm(formdata=None)
    disable_form = disable_form or TotpDisableForm(formdata=None, user=user)
    errors = error_messages(confirm_form) + error_messages(disable_form)
    resp = make_response(render_template(
        "auth/totp.html", enabled=totp.is_enabled(user), pending=totp.is_pending(user),
        secret=totp.grouped(secret) if secret else None, qr=qr,
        start_form=TotpStartForm(), confirm_form=confirm_form, disable_form=disable_form, errors=errors), status)
    # The page shows the shared secret: no browser or proxy cache may keep it.
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _totp_user():
    user = current_user._get_current_object()
    access.require(totp.may_manage(user))
    return user


@bp.route("/account/totp")
@login_required
def totp_settings():
    return _totp_page(_totp_user())


@bp.route("/account/totp/start", methods=["POST"])
@login_required
def totp_start():
    user = _totp_user()
    form = TotpStartForm()
    if form.validate_on_submit() and not totp.is_enabled(user):
        totp.start_enrolment(user)
        db.session.commit()
    return redirect(url_for("auth.totp_settings"))


@bp.route("/account/totp/confirm", methods=["POST"])
@login_required
@limiter.limit(SENSITIVE_POST_LIMIT)
def totp_confirm():
    user = _totp_user()
    form = TotpConfirmForm()
    if not totp.is_pending(user):
        return redirect(url_for("auth.totp_settings"))
    if form.validate_on_submit():
        try:
            totp.confirm_enrolment(user, form.code.data)
        except totp.CodeRefused:
            db.session.commit()  # the refusal's audit entry
            form.code.errors.append(_("인증 코드가 올바르지 않습니다. 앱에 등록한 뒤 지금 표시된 코드를 입력하십시오."))
        else:
            db.session.commit()
            flash(_("2단계 인증을 켰습니다. 다음 로그인부터 비밀번호 다음에 인증 코드를 입력합니다."), "success")
            return redirect(url_for("auth.totp_settings"))
    return _totp_page(user, confirm_form=form, status=422)


@bp.route("/account/totp/disable", methods=["POST"])
@login_required
@limiter.limit(SENSITIVE_POST_LIMIT)
def totp_disable():
    user = _totp_user()
    form = TotpDisableForm(user=user)
    if not totp.is_enabled(user):
        return redirect(url_for("auth.totp_settings"))
    if form.validate_on_submit():
        try:
            totp.disable(user, form.code.data)
        except totp.CodeRefused:
            db.session.commit()  # the refusal's audit entry
            form.code.errors.append(_("인증 코드가 올바르지 않거나 이미 사용한 코드입니다."))
        else:
            db.session.commit()
            flash(_("2단계 인증을 껐습니다."), "success")
            return redirect(url_for("auth.totp_settings"))
    return _totp_page(user, disable_form=form, status=422)


@bp.route("/account/organisation")
@login_required
def organisation():
    user = current_user
    org = user.organisation
    # Nobody's names and addresses for someone a colleague has not confirmed yet: a public BRN is no introduction.
    colleagues = membership.visible_colleagues(user)
    pending = membership.pending_colleagues(org.id) if org and user.acting_organisation_id else []
    return render_template("auth/organisation.html", org=org, colleagues=colleagues, pending=pending,
                           form=MembershipDecisionForm())


@bp.route("/account/organisation/members/<int:user_id>", methods=["POST"])
@login_required
def organisation_decide(user_id: int):
    member = db.session.get(User, user_id)
    if member is None or not membership.may_decide(current_user, member):
        abort(404)
    form = MembershipDecisionForm()
    if not form.validate_on_submit():
        flash(_("처리 방법을 선택하십시오."), "error")
        return redirect(url_for("auth.organisation"))
    try:
        membership.decide(current_user, member, approve=form.decision.data == "confirm")
    except membership.MembershipError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("auth.organisation"))
    db.session.commit()
    flash(_("%(name)s님의 소속을 확인했습니다.", name=member.name) if form.decision.data == "confirm"
          else _("%(name)s님의 가입 요청을 거절했습니다.", name=member.name), "success")
    return redirect(url_for("auth.organisation"))
