"""Accounts: register, log in and out, reset and change the password."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from app.extensions import db, limiter
from app.services import accounts
from app.services.safe_redirect import safe_next
from forms.auth import (
    ChangePasswordForm, LoginForm, RegisterForm, ResetPasswordForm, ResetRequestForm,
    error_messages,
)

bp = Blueprint("auth", __name__)

# Per client address; a guesser is slowed here and stopped per account by the lock-out.
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
    _clear_session()
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(SENSITIVE_POST_LIMIT, methods=["POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        if current_user.is_authenticated:
            return redirect(safe_next(form.next.data) or url_for("main.index"))
    problem = None
    if form.validate_on_submit():
        outcome = accounts.authenticate(form.email.data, form.password.data)
        db.session.commit()
        if outcome.ok:
            _start_session(outcome.user)
            return redirect(safe_next(form.next.data or request.args.get("next")) or url_for("main.index"))
        if outcome.status == "locked":
            until = accounts.unlock_display_time(outcome.locked_until)
            problem = _("로그인에 %(n)d번 연속 실패하여 계정이 잠겼습니다. %(until)s 이후에 다시 시도하십시오.",
                        n=accounts.MAX_FAILED_LOGINS, until=format_datetime(until, "yyyy-MM-dd HH:mm") + " KST")
        elif outcome.status == "inactive":
            problem = _("사용이 중지된 계정입니다. 시스템 관리자에게 문의하십시오.")
        else:
            # One message for an unknown address and a wrong password: nobody learns who has an account.
            problem = _("이메일 또는 비밀번호가 올바르지 않습니다.")
    return render_template("auth/login.html", form=form, problem=problem, errors=error_messages(form),
                           max_failures=accounts.MAX_FAILED_LOGINS,
                           lock_minutes=int(accounts.LOCK_DURATION.total_seconds() // 60)), \
        _status(form, problem)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        accounts.record_logout(current_user._get_current_object())
        db.session.commit()
    logout_user()
    _clear_session()
    flash(_("로그아웃했습니다."), "success")
    return redirect(url_for("main.index"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    problem = None
    if form.validate_on_submit():
        try:
            user = accounts.register(
                email=form.email.data, name=form.name.data, password=form.password.data,
                brn_number=form.brn.data, org_name=form.org_name.data, org_type=form.org_type.data,
                region=form.region.data, locale=session.get("locale", "ko"),
            )
            db.session.commit()
        except (IntegrityError, accounts.AccountError):
            # Someone registered the same address or organisation a moment ago; the form shows why.
            db.session.rollback()
            form.validate()
            problem = _("같은 정보로 방금 다른 가입이 처리되었습니다. 내용을 확인한 뒤 다시 제출하십시오.")
        else:
            _start_session(user)
            flash(_("가입을 마쳤습니다. %(org)s 소속 신청자로 등록되었습니다.", org=user.organisation.name), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/register.html", form=form, problem=problem, errors=error_messages(form)), _status(form, problem)


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
        accounts.change_password(user, form.password.data)
        db.session.commit()
        # The new password stamp ends every other session; this one continues under the new stamp.
        _start_session(user)
        flash(_("비밀번호를 바꾸었습니다. 다른 기기의 로그인은 모두 끝났습니다."), "success")
        return redirect(url_for("auth.password"))
    return render_template("auth/password.html", form=form, errors=error_messages(form)), \
        _status(form)
