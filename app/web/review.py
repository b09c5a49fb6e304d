"""The reviewer's pages: assignments, conflict declarations, the proposal and the review sheet.

A reviewer reaches only their own assignments (``loaders.assignment_for_reviewer``: anyone
else's, and any for someone who is no reviewer, is 404) and opens a proposal's content only
after pledging no conflict of interest (403 before: the assignment is theirs to see). Only
the list of assignments, a page without an object, answers a non-reviewer 403. Nothing
here names another reviewer.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.models.review import CoiStatus
from app.proposals import snapshot
from app.proposals.attachments import storage_key
from app.review import conflicts, review_sheets, reviewers
from app.review import review_access as policy
from app.access import require, require_role
from app.web import flow
from app.web.documents import send_document
from app.web.loaders import assignment_for_reviewer
from forms.review import PledgeForm, RecuseForm, review_sheet_form, sheet_errors_to_form, sheet_values

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.route("/")
@login_required
def index():
    require_role("reviewer")
    return render_template("review/index.html", assignments=reviewers.assignments_for(current_user),
                           coi_labels=conflicts.COI_LABELS)


@bp.route("/a/<int:assignment_id>")
@login_required
def declare(assignment_id: int):
    a = assignment_for_reviewer(assignment_id)
    return _declaration_page(a, PledgeForm(), RecuseForm())


def _declaration_page(a, pledge_form, recuse_form, status: int = 200):
    from app.core import clock

    proposal = conflicts.proposal_with_members(a)
    preview = conflicts.pledge_text(a, current_user.name, clock.now()) if a.coi_status == CoiStatus.PENDING else ""
    settled = not review_sheets.may_change(a.call, a)
    return render_template(
        "review/declare.html", a=a, proposal=proposal, preview=preview, pledge_form=pledge_form,
        recuse_form=recuse_form, can_recuse=policy.can_recuse(current_user, a) and not settled,
        settled=settled, coi_labels=conflicts.COI_LABELS,
    ), status


@bp.route("/a/<int:assignment_id>/pledge", methods=["POST"])
@login_required
def pledge(assignment_id: int):
    a = assignment_for_reviewer(assignment_id)
    require(policy.can_declare(current_user, a))
    form = PledgeForm()
    return flow.post(form, lambda: conflicts.declare_no_conflict(a, current_user),
                     page=lambda: _declaration_page(a, form, RecuseForm(), 422), field=form.confirm,
                     done=_("이해충돌이 없음을 서약했습니다. 이제 신청서를 열람하고 평가할 수 있습니다."),
                     to=url_for("review.proposal", assignment_id=a.id))


@bp.route("/a/<int:assignment_id>/recuse", methods=["POST"])
@login_required
def recuse(assignment_id: int):
    a = assignment_for_reviewer(assignment_id)
    require(policy.can_recuse(current_user, a))
    form = RecuseForm()
    return flow.post(form, lambda: conflicts.recuse(a, current_user, form.reason.data),
                     page=lambda: _declaration_page(a, PledgeForm(), form, 422), field=form.reason,
                     done=_("회피 신청이 처리되었습니다. 이 신청서는 더 이상 평가하지 않습니다."),
                     to=url_for("review.index"))


@bp.route("/a/<int:assignment_id>/proposal")
@login_required
def proposal(assignment_id: int):
    a = assignment_for_reviewer(assignment_id)
    require(policy.can_open_proposal(current_user, a))
    version = snapshot.latest_version(a.proposal)
    return render_template("review/proposal.html", a=a, version=version,
                           snap=version.snapshot if version else {})


@bp.route("/a/<int:assignment_id>/files/<sha256>")
@login_required
def attachment(assignment_id: int, sha256: str):
    a = assignment_for_reviewer(assignment_id)
    require(policy.can_open_proposal(current_user, a))
    version = snapshot.latest_version(a.proposal)
    files = (version.snapshot or {}).get("attachments", []) if version else []
    item = next((f for f in files if f.get("sha256") == sha256), None)
    if item is None or len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        abort(404)
    # Blobs are kept by content hash (app/proposals/attachments.py), so a submitted version's
    # files stay readable whatever happened to the live attachment rows.
    return send_document(storage_key(sha256), item.get("filename") or "attachment", None, f"submitted file {sha256[:12]}")


@bp.route("/a/<int:assignment_id>/sheet", methods=["GET", "POST"])
@login_required
def sheet(assignment_id: int):
    a = assignment_for_reviewer(assignment_id)
    require(policy.can_edit_sheet(current_user, a))
    call = a.call
    existing = a.sheet
    status = 200
    if request.method == "POST":
        if not review_sheets.may_change(call, a):
            flash(str(review_sheets.SETTLED), "error")
            return redirect(url_for("review.sheet", assignment_id=a.id), 303)
        if existing is not None and existing.locked:
            flash(_("제출된 평가표는 수정할 수 없습니다. 수정이 필요하면 담당자에게 재개를 요청하십시오."), "error")
            return redirect(url_for("review.sheet", assignment_id=a.id), 303)
        form = review_sheet_form(a)
        submitting = form.submitting()
        if form.validate_on_submit():
            points, comments, opinion = sheet_values(form, a)
            try:
                if submitting:
                    review_sheets.submit(a, current_user, points=points, comments=comments, overall_opinion=opinion)
                else:
                    review_sheets.save_draft(a, current_user, points=points, comments=comments,
                                             overall_opinion=opinion)
            except review_sheets.SheetInvalid as exc:
                db.session.rollback()
                sheet_errors_to_form(form, exc.errors)
            except review_sheets.SheetError as exc:
                db.session.rollback()
                flash(exc.message, "error")
                return redirect(url_for("review.sheet", assignment_id=a.id), 303)
            else:
                db.session.commit()
                flash(_("평가표를 제출했습니다.") if submitting else _("임시 저장했습니다."), "success")
                return redirect(url_for("review.sheet", assignment_id=a.id), 303)
        status = 422
        points = {c.key: form[f"points_{c.key}"].data or "" for c in review_sheets.criteria(a)}
    else:
        data = {}
        if existing is not None:
            for c in review_sheets.criteria(a):
                data[f"points_{c.key}"] = (existing.points or {}).get(c.key, "")
                data[f"comment_{c.key}"] = (existing.comments or {}).get(c.key, "")
            data["overall_opinion"] = existing.overall_opinion
        form = review_sheet_form(a, data=data)
        points = dict(existing.points or {}) if existing else {}
    valid_points = {}
    for c in review_sheets.criteria(a):
        value, error = review_sheets.parse_value(a, c, points.get(c.key, ""))
        if value is not None and error is None:
            valid_points[c.key] = value
    errors = [e for f in form for e in (f.errors or [])]
    # The proposal sits beside the sheet (the reviewer reads and scores on one page).
    version = snapshot.latest_version(a.proposal)
    return render_template(
        "review/sheet.html", a=a, form=form, sheet=existing, criteria=review_sheets.criteria(a),
        version=version, snap=version.snapshot if version else {},
        settled=not review_sheets.may_change(call, a),
        grades={k: str(v) for k, v in (review_sheets.grades(a) or {}).items()},
        total=review_sheets.display(review_sheets.total(a, valid_points)),
        max_total=review_sheets.display(review_sheets.max_total(a)), errors=errors,
    ), status


@bp.route("/a/<int:assignment_id>/sheet/draft", methods=["POST"])
@login_required
def sheet_autosave(assignment_id: int):
    """The sheet page's autosave (js/autosave.js): the same draft save as the button, as JSON.

    It only ever keeps a draft: a post that asks to submit is refused, so a script can never
    lock a sheet. CSRF is checked like any form post (the token travels in the form data).
    """
    from app.core import clock

    a = assignment_for_reviewer(assignment_id)
    require(policy.can_edit_sheet(current_user, a))
    form = review_sheet_form(a)
    if form.submitting():
        return jsonify(ok=False, message=_("자동 저장은 임시 저장만 합니다.")), 400
    if not form.validate_on_submit():
        return jsonify(ok=False, errors=_field_errors(form)), 422
    points, comments, opinion = sheet_values(form, a)
    try:
        sheet = review_sheets.save_draft(a, current_user, points=points, comments=comments,
                                         overall_opinion=opinion)
    except review_sheets.SheetInvalid as exc:
        db.session.rollback()
        sheet_errors_to_form(form, exc.errors)
        return jsonify(ok=False, errors=_field_errors(form)), 422
    except review_sheets.SheetError as exc:
        db.session.rollback()
        return jsonify(ok=False, message=str(exc.message)), 409
    db.session.commit()
    saved = clock.to_kst(sheet.updated_at)
    return jsonify(ok=True, saved_at=saved.strftime("%H:%M:%S"), saved_at_iso=sheet.updated_at.isoformat(),
                   message=_("저장됨 %(time)s", time=saved.strftime("%H:%M:%S")))


def _field_errors(form) -> dict[str, list[str]]:
    return {f.name: [str(e) for e in f.errors] for f in form if f.errors}
