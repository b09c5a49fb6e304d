"""The programme's portfolio for its agency's officers, and its downloads (XLSX, the e나라도움 CSV)."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, render_template
from flask_login import current_user, login_required

from app import audit
from app.extensions import db
from app.projects import portfolio as portfolios
from app.projects import portfolio_export
from app.proposals.drafts import SOURCE_LABELS
from app.web.loaders import programme_for_officer
from app.web.projects import bp

MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@bp.route("/portfolio/<int:programme_id>")
@login_required
def portfolio(programme_id: int):
    programme = programme_for_officer(programme_id)
    found = portfolios.build(programme)
    return render_template("projects/portfolio.html", portfolio=found, programme=programme,
                           charts=portfolios.charts(found), source_labels=SOURCE_LABELS)


def _download(programme, body: bytes, fmt: str, name: str, rows: int) -> Response:
    # Recorded before the bytes leave, like every officer download.
    audit.record(current_user, "portfolio.downloaded", programme, object_type="programme", format=fmt, file=name,
                 projects=rows)
    db.session.commit()
    filename = f"portfolio-{programme.id}-{name}.{fmt}"
    resp = Response(body, mimetype=MIMETYPES[fmt])
    resp.headers["Content-Disposition"] = f"attachment; filename={filename}; filename*=UTF-8''{quote(filename)}"
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.route("/portfolio/<int:programme_id>/portfolio.xlsx")
@login_required
def portfolio_xlsx(programme_id: int):
    programme = programme_for_officer(programme_id)
    found = portfolios.build(programme)
    return _download(programme, portfolio_export.to_xlsx(found), "xlsx", "projects", len(found.rows))


@bp.route("/portfolio/<int:programme_id>/enara.csv")
@login_required
def portfolio_enara(programme_id: int):
    programme = programme_for_officer(programme_id)
    found = portfolios.build(programme)
    return _download(programme, portfolio_export.enara_csv(found), "csv", "enara-execution", len(found.rows))
