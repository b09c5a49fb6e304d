"""Officer console: a call's audit trail, filtered by who, what and when."""
from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import login_required
from wtforms import SelectChoice

from app.web.officer import bp
from app.web.loaders import call_for_officer
from app import audit_trail
from forms.audit import TrailFilterForm


def _page_number() -> int:
    text = request.args.get("page", "1")
    return int(text) if text.isdigit() and len(text) < 7 else 1


@bp.route("/calls/<int:call_id>/audit")
@login_required
def audit(call_id: int):
    call = call_for_officer(call_id)
    form = TrailFilterForm(request.args)
    form.who.choices = [SelectChoice("", _("전체")), SelectChoice(audit_trail.SYSTEM, _("시스템"))] + [
        SelectChoice(str(id_), f"{name} ({email})") for id_, name, email in audit_trail.actors(call)]
    form.what.choices = [SelectChoice("", _("전체"))] + [
        SelectChoice(key, label) for key, (label, _prefixes) in audit_trail.KINDS.items()]
    if not form.validate():
        # A filter that cannot be read filters nothing: the page says which, and lists nothing.
        return render_template("officer/audit.html", call=call, form=form, page=None), 422
    filters = audit_trail.Filters(who=form.who.data or "", what=form.what.data or "",
                                  since=form.since.data, until=form.until.data)
    page = audit_trail.page_of(call, filters, _page_number())
    # The pager's links keep the filters, and nothing else the address carried.
    args = {name: request.args[name] for name in form._fields if request.args.get(name)}
    return render_template("officer/audit.html", call=call, form=form, page=page, args=args)
