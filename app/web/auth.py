"""Accounts: register and verify the address, log in (with the second factor when on) and out,
reset the password. The signed-in person's own pages are in ``account``."""
from __future__ import annotations

import math

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from app.extensions import db, limiter
from app.accounts import accounts, login_throttle, sessions
from app.accounts import credentials
from app.accounts import signin
from app.accounts.signin import LoginStatus
from app.core.clock import now
from app.core.safe_redirect import safe_next
from forms.auth import (
    LoginCodeForm, LoginForm, RegisterForm, ResendVerificationForm, ResetPasswordForm, ResetRequestForm,
    VerifyEmailForm, error_messages,
)

bp = Blueprint("auth", __name__)

# Per client address, for every account at once; per account the login throttle adds growing delays.
SENSITIVE_POST_LIMIT = "10/minute"


def form_status(form, problem: str | None = None) -> int:
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
        "stamp": credentials.password_stamp(user),
        "until": int((now() + signin.CODE_STEP_WINDOW).timestamp()),
        "next": next_url or "",
    }


def _pending_login() -> dict | None:
    pending = session.get(PENDING_LOGIN)
    if not isinstance(pending, dict) or pending.get("until", 0) <= now().timestamp():
        session.pop(PENDING_LOGIN, None)
        return None
    return pending


def _refusal(outcome) -> str:
    if outcome.status == LoginStatus.THROTTLED:
        # Unknown addresses are throttled alike, so this tells nobody who has an account.
        seconds = login_throttle.wait_seconds(outcome.wait)
        if seconds >= 60:
            return _("로그인 시도가 너무 많습니다. %(minutes)d분 뒤에 다시 시도하십시오.", minutes=math.ceil(seconds / 60))
        return _("로그인 시도가 너무 많습니다. %(seconds)d초 뒤에 다시 시도하십시오.", seconds=seconds)
    # Told only to whoever typed the right password.
    if outcome.status == LoginStatus.INACTIVE:
        return _("사용이 중지된 계정입니다. 시스템 관리자에게 문의하십시오.")
    if outcome.status == LoginStatus.UNVERIFIED:
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
        outcome = signin.authenticate(form.email.data, form.password.data, request.remote_addr)
        db.session.commit()
        target = safe_next(form.next.data or request.args.get("next"))
        if outcome.ok:
            _start_session(outcome.user)
            return redirect(target or url_for("main.index"))
        if outcome.status == LoginStatus.CODE_REQUIRED:
            _await_code(outcome.user, target)
            return redirect(url_for("auth.login_code"))
        problem = _refusal(outcome)
        if outcome.status == LoginStatus.UNVERIFIED:
            resend = ResendVerificationForm(formdata=None, email=outcome.user.email)
    return render_template("auth/login.html", form=form, problem=problem, errors=error_messages(form),
                           resend=resend, **_throttle_notice()), form_status(form, problem)


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
        outcome = signin.complete_login(pending["user"], pending["stamp"], form.code.data, request.remote_addr)
        db.session.commit()
        if outcome.ok:
            _start_session(outcome.user)
            return redirect(safe_next(pending.get("next")) or url_for("main.index"))
        if outcome.status == LoginStatus.INVALID:
            problem = _("인증 코드가 올바르지 않습니다. 이미 사용한 코드는 다시 쓸 수 없으니 "
                        "앱에 새 코드가 나오면 그 코드를 입력하십시오.")
        elif outcome.status == LoginStatus.THROTTLED:
            problem = _refusal(outcome)
        elif outcome.status == LoginStatus.UNREADABLE:
            problem = _("2단계 인증 정보를 읽을 수 없습니다. 시스템 관리자에게 문의하십시오.")
        else:
            # Switched off or the password changed meanwhile: start again from the password.
            _clear_session()
            flash(_refusal(outcome) if outcome.status == LoginStatus.INACTIVE
                  else _("로그인 시간이 지났습니다. 이메일과 비밀번호를 다시 입력하십시오."), "error")
            return redirect(url_for("auth.login"))
    return render_template("auth/login_code.html", form=form, problem=problem, errors=error_messages(form),
                           **_throttle_notice()), form_status(form, problem)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        # Ends the server-side session: a copy of the cookie opens nothing from now on.
        signin.record_logout(current_user._get_current_object())
        db.session.commit()
    logout_user()
    _clear_session()
    flash(_("로그아웃했습니다."), "success")
    return redirect(url_for("main.index"))


def _registered_flash() -> None:
    flash(_("입력한 주소로 확인 메일을 보냈습니다. %(hours)d시간 안에 메일의 링크를 열어 이메일 주소를 확인하면 "
            "로그인할 수 있습니다.", hours=max(1, credentials.verification_max_age() // 3600)), "success")


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
    return render_template("auth/register.html", form=form, problem=problem, errors=error_messages(form)), form_status(form, problem)


@bp.route("/verify/<token>", methods=["GET", "POST"])
@limiter.limit(SENSITIVE_POST_LIMIT, methods=["POST"])
def verify_email(token: str):
    """The link of the verification mail; the password typed at registration completes it.

    The link proves the mailbox, the password proves the registration: somebody who typed
    another person's address cannot have the owner finish it for them by a click.
    """
    user = credentials.user_for_verification_token(token)
    if user is None:
        return render_template("auth/verify_invalid.html", form=ResendVerificationForm(formdata=None)), 400
    form = VerifyEmailForm()
    problem = None
    if form.validate_on_submit():
        outcome = signin.authenticate(user.email, form.password.data, request.remote_addr, verifying=user)
        db.session.commit()
        if outcome.ok:
            _start_session(outcome.user)
            _joined_flash(outcome.user)
            return redirect(url_for("main.index"))
        if outcome.status == LoginStatus.CODE_REQUIRED:
            _await_code(outcome.user, None)
            return redirect(url_for("auth.login_code"))
        problem = _refusal(outcome)
    return render_template("auth/verify.html", form=form, email=user.email, problem=problem,
                           errors=error_messages(form)), form_status(form, problem)


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
    # The same answer for an unknown, a verified and a waiting address.
    return _mail_a_link(form, credentials.resend_verification, "auth/verify_resend.html",
                        _("입력한 주소로 확인을 기다리는 계정이 있으면 확인 메일을 다시 보냈습니다. "
                          "%(hours)d시간 안에 메일의 링크를 여십시오.",
                          hours=max(1, credentials.verification_max_age() // 3600)))


@bp.route("/password/reset", methods=["GET", "POST"])
@limiter.limit(SENSITIVE_POST_LIMIT, methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    # The same answer whether or not the address has an account.
    return _mail_a_link(form, credentials.request_password_reset, "auth/reset_request.html",
                        _("입력한 주소로 가입된 계정이 있으면 비밀번호 재설정 링크를 보냈습니다. "
                          "%(minutes)d분 안에 메일의 링크를 여십시오.",
                          minutes=max(1, current_app.config["PASSWORD_RESET_MAX_AGE"] // 60)))


def _mail_a_link(form, send, template: str, answer: str):
    """Mail a link to the address given, if it has one coming; the answer never says whether it had."""
    if form.validate_on_submit():
        send(form.email.data)
        db.session.commit()
        flash(answer, "success")
        return redirect(url_for("auth.login"))
    return render_template(template, form=form, errors=error_messages(form)), form_status(form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    user = credentials.user_for_reset_token(token)
    if user is None:
        return render_template("auth/reset_invalid.html"), 400
    form = ResetPasswordForm(user=user)
    if form.validate_on_submit():
        credentials.reset_password(user, form.password.data)
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
        flash(_("비밀번호를 바꾸었습니다. 새 비밀번호로 로그인하십시오."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, errors=error_messages(form)), \
        form_status(form)
