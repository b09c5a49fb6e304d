"""Officer console: XLSX and CSV downloads."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort, render_template
from flask_login import login_required

from app.web.officer import bp
from app.web.loaders import call_for_officer
from app.core import sheet_export
from app.selection import exports

MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@bp.route("/calls/<int:call_id>/exports")
@login_required
def exports_index(call_id: int):
    call = call_for_officer(call_id)
    return render_template("officer/exports.html", call=call, tables=exports.TABLES)


@bp.route("/calls/<int:call_id>/exports/<kind>.<fmt>")
@login_required
def export(call_id: int, kind: str, fmt: str):
    call = call_for_officer(call_id)
    if kind not in exports.TABLES or fmt not in MIMETYPES:
        abort(404)
    title, build = exports.TABLES[kind]
    headers, rows = build(call)
    body = sheet_export.to_xlsx(title, headers, rows) if fmt == "xlsx" else sheet_export.to_csv(headers, rows)
    filename = f"{call.code}-{kind}.{fmt}"
    resp = Response(body, mimetype=MIMETYPES[fmt])
    resp.headers["Content-Disposition"] = f"attachment; filename={filename}; filename*=UTF-8''{quote(filename)}"
    resp.headers["Cache-Control"] = "no-store"
    return resp
