"""Officer console: the reviewer pool (후보단) shared by every agency: search, XLSX import, template.

The pool is not one call's: officers of any agency (and admins) search and import it. The
search is a GET form, so its state is the URL (``/officer/pool?code=0301&region=경남``), which
other pages link to.
"""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access
from app.extensions import db
from app.review import expertise, pool_import, pool_search
from app.web.officer import bp
from forms.auth import ORG_TYPE_LABELS
from forms.pool import PoolImportForm, PoolSearchForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_pool() -> None:
    access.require(access.can_search_pool(current_user))


@bp.route("/pool")
@login_required
def pool():
    _require_pool()
    tree = expertise.tree()
    form = PoolSearchForm(formdata=request.args).configure(tree, _("전체"), str(get_locale()))
    form.validate()
    page = request.args.get("page", "1")
    f = pool_search.PoolFilter(
        code=form.code.data or "", keyword=(form.keyword.data or "").strip()[:100], region=form.region.data or "",
        org_type=form.org_type.data or "", available_on=form.available_on.data if not form.available_on.errors else None,
        page=int(page) if page.isascii() and page.isdigit() and len(page) < 7 else 1)
    result = pool_search.search(f)
    # The filter without its page, for the pagination links.
    query = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("officer/pool.html", form=form, result=result, query=query,
                           labels=expertise.labels(str(get_locale())), org_types=ORG_TYPE_LABELS)


def _import_page(form, problems=(), status: int = 200):
    return render_template("officer/pool_import.html", form=form, columns=pool_import.COLUMNS,
                           problems=list(problems), max_rows=pool_import.MAX_ROWS), status


@bp.route("/pool/import")
@login_required
def pool_import_page():
    _require_pool()
    return _import_page(PoolImportForm())


@bp.route("/pool/import", methods=["POST"])
@login_required
def pool_import_upload():
    _require_pool()
    form = PoolImportForm()
    if not form.validate_on_submit():
        return _import_page(form, status=422)
    upload = form.file.data
    try:
        result = pool_import.import_file(upload.read(), current_user, filename=upload.filename or "")
    except pool_import.PoolImportError as error:
        db.session.rollback()
        form.file.errors = [*form.file.errors, error.message]
        return _import_page(form, error.problems, 422)
    db.session.commit()
    flash(_("%(rows)d행을 가져왔습니다: 새 계정 %(accounts)d, 새 프로필 %(created)d, 갱신 %(updated)d, 변경 없음 %(same)d.",
            rows=result.rows, accounts=result.accounts_created, created=result.profiles_created,
            updated=result.profiles_updated, same=result.unchanged), "success")
    return redirect(url_for("officer.pool"), 303)


@bp.route("/pool/import/template.xlsx")
@login_required
def pool_import_template():
    _require_pool()
    filename = "reviewer-pool-template.xlsx"
    resp = Response(pool_import.template_xlsx(), mimetype=XLSX)
    resp.headers["Content-Disposition"] = f"attachment; filename={filename}; filename*=UTF-8''{quote(filename)}"
    return resp
