"""The signed-in person's own pages: password, the second factor, the organisation's members."""
from __future__ import annotations

from flask import flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access
from app.web import loaders
from app.accounts import credentials, membership, totp
from app.web.auth import SENSITIVE_POST_LIMIT, bp, form_status
from app.extensions import db, limiter
from forms.auth import (
    ChangePasswordForm, MembershipDecisionForm, TotpConfirmForm, TotpDisableForm, TotpStartForm, error_messages,
)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    user = current_user._get_current_object()
    form = ChangePasswordForm(user=user)
    if form.validate_on_submit():
        # Every other session ends; this one goes on.
        credentials.change_password(user, form.password.data, keep_session=user.session_token)
        db.session.commit()
        flash(_("비밀번호를 바꾸었습니다. 다른 기기의 로그인은 모두 끝났습니다."), "success")
        return redirect(url_for("auth.password"))
    return render_template("auth/password.html", form=form, errors=error_messages(form),
                           totp_offered=totp.may_manage(user), totp_on=totp.is_enabled(user)), \
        form_status(form)


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
    return _totp_step(form, lambda: totp.confirm_enrolment(user, form.code.data),
                      refused=_("인증 코드가 올바르지 않습니다. 앱에 등록한 뒤 지금 표시된 코드를 입력하십시오."),
                      done=_("2단계 인증을 켰습니다. 다음 로그인부터 비밀번호 다음에 인증 코드를 입력합니다."),
                      page=lambda: _totp_page(user, confirm_form=form, status=422))


@bp.route("/account/totp/disable", methods=["POST"])
@login_required
@limiter.limit(SENSITIVE_POST_LIMIT)
def totp_disable():
    user = _totp_user()
    form = TotpDisableForm(user=user)
    if not totp.is_enabled(user):
        return redirect(url_for("auth.totp_settings"))
    return _totp_step(form, lambda: totp.disable(user, form.code.data),
                      refused=_("인증 코드가 올바르지 않거나 이미 사용한 코드입니다."), done=_("2단계 인증을 껐습니다."),
                      page=lambda: _totp_page(user, disable_form=form, status=422))


def _totp_step(form, step, *, refused: str, done: str, page):
    """A code-checked step; a refused code is committed too, because its audit entry must stay."""
    if form.validate_on_submit():
        try:
            step()
        except totp.CodeRefused:
            db.session.commit()
            form.code.errors.append(refused)
        else:
            db.session.commit()
            flash(done, "success")
            return redirect(url_for("auth.totp_settings"))
    return page()


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
    member = loaders.colleague(user_id)
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
