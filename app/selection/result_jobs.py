"""The officer's heavy selection work as jobs (app/jobs): computing results, building exports.

Computing a stage's results runs the scoring engine over every submitted sheet, and an export
of a thousand proposals builds a spreadsheet in memory; both ran in a web worker and raised it
past its memory goal. Here they run in a Celery worker; the officer's pages read what they
stored (the ranking, the stage's results) and offer the file for download.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import jobs
from app.calls.stages import kind_label
from app.core import sheet_export
from app.core.errors import SelectionError
from app.extensions import db
from app.models import Call, User
from app.models.jobs import Job
from app.review import stage_scope
from app.selection import exports, results

COMPUTE = "results.compute"
EXPORT = "selection.export"

MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _call(job: Job) -> Call:
    call = db.session.get(Call, job.call_id) if job.call_id else None
    if call is None:
        raise SelectionError(_("공모를 찾을 수 없습니다."))
    return call


@jobs.kind(COMPUTE, _l("평가 결과 산출"))
def compute(job: Job, progress: jobs.Progress) -> jobs.Outcome:
    call = _call(job)
    stage = stage_scope.current_stage(call)
    progress(10, _("제출된 평가표로 점수를 계산하고 있습니다."))
    rows = results.compute(call, db.session.get(User, job.owner_id),
                           acknowledge_short=bool(job.params.get("acknowledge_short")))
    if stage_scope.is_last(stage):
        return jobs.Outcome(_("평가 결과를 산출했습니다 (%(n)s건).", n=len(rows)))
    return jobs.Outcome(_("%(stage)s 결과를 산출했습니다 (%(n)s건). 다음 단계 대상을 확인하고 단계를 확정하십시오.",
                          stage=kind_label(stage.kind), n=len(rows)))


def export_filename(call: Call, table: str, fmt: str) -> str:
    return f"{call.code}-{table}.{fmt}"


@jobs.kind(EXPORT, _l("내려받기 파일 만들기"))
def export(job: Job, progress: jobs.Progress) -> jobs.Outcome:
    call = _call(job)
    table, fmt = job.params.get("table"), job.params.get("format")
    if table not in exports.TABLES or fmt not in MIMETYPES:
        raise SelectionError(_("내려받을 수 없는 표입니다."))
    title, build = exports.TABLES[table]
    progress(10, _("표를 만들고 있습니다."))
    headers, rows = build(call)
    progress(60, _("파일을 만들고 있습니다."))
    body = sheet_export.to_xlsx(title, headers, rows) if fmt == "xlsx" else sheet_export.to_csv(headers, rows)
    return jobs.Outcome(_("%(title)s 파일을 만들었습니다.", title=title), data=body,
                        filename=export_filename(call, table, fmt), mimetype=MIMETYPES[fmt])
