"""Finance (재무 담당): the calls with 평가수당 to pay, closing a stage's batch, the batch XLSX.

Finance of a call's agency closes each stage's batch (amounts frozen from then on) and downloads
the batch with full account numbers; the call's officers open the same call page and download
the same XLSX with the account numbers masked (``access.can_read_bank_details``). The index, a
page without an object, answers 403 to anyone without the finance role; a call's pages are
404 to whoever may not see them (``loaders.call_for_honoraria``).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from app import access
from app.extensions import db
from app.models.organisations import Role
from app.review import honorarium_export, stage_scope
from app.review import honorarium_service as service
from app.core.sheet_export import to_xlsx
from app.web import flow, loaders
from app.web.documents import send_local_file
from forms.honoraria import CloseForm

bp = Blueprint("finance", __name__, url_prefix="/finance")


@bp.route("/")
@login_required
def index():
    access.require_role(Role.FINANCE, Role.ADMIN)
    calls = service.calls_for_finance(current_user)
    return render_template("finance/index.html", calls=[(c, service.statements(c)) for c in calls])


def _page(call, form: CloseForm | None = None, status: int = 200):
    stages = [(s, service.rate_of(s), service.batch_of(s), service.rows(s)) for s in stage_scope.evaluation_stages(call)]
    posted = getattr(form, "posted_stage", None)
    # A refusal shows beside the stage's checkbox when the stage still offers one, else above.
    inline = any(s.id == posted and rate is not None and batch is None for s, rate, batch, _rows in stages)
    return render_template("finance/call.html", call=call, stages=stages, form=form,
                           posted_stage=posted if inline else None, statements=service.statements(call),
                           may_close=access.is_finance_for_call(current_user, call)), status


@bp.route("/calls/<int:call_id>")
@login_required
def call(call_id: int):
    return _page(loaders.call_for_honoraria(call_id))


@bp.route("/calls/<int:call_id>/close", methods=["POST"])
@login_required
def close(call_id: int):
    call = loaders.call_for_honoraria(call_id)
    access.require(access.is_finance_for_call(current_user, call))
    form = CloseForm()
    raw = form.stage_id.data or ""
    stage = stage_scope.stage_of(call, int(raw)) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
    form.posted_stage = stage.id if stage is not None else None
    if stage is None:
        form.confirm.errors = [_("지급을 확정할 평가 단계를 고르십시오.")]
        return _page(call, form, 422)
    return flow.post(form, lambda: service.close_batch(stage, current_user), page=lambda: _page(call, form, 422),
                     done=_("지급을 확정했습니다. 이 단계의 지급 명세는 더 이상 바뀌지 않습니다."),
                     to=url_for("finance.call", call_id=call.id), field=form.confirm)


@bp.route("/calls/<int:call_id>/honoraria.xlsx")
@login_required
def batch_xlsx(call_id: int):
    call = loaders.call_for_honoraria(call_id)
    headers, rows = honorarium_export.batch_table(call, current_user)
    db.session.commit()  # the record of whose bank details were read, before they leave
    body = to_xlsx("평가수당", headers, rows)
    handle, name = tempfile.mkstemp(suffix=".xlsx")
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(body)
        # send_local_file opens the file before we unlink it, so the response still reads it whole.
        return send_local_file(path, f"{call.code}-honoraria.xlsx", "xlsx")
    finally:
        path.unlink(missing_ok=True)
