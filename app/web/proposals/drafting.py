"""Starting a proposal and filling its sections as a draft.

Every section page works without JavaScript: rows are added by a submit button that
saves and shows one more blank row, and removed by a tick box. A request either saves
completely or, when a value cannot be parsed, saves nothing and shows the page again
with everything that was typed.
"""
from __future__ import annotations

import re
from types import SimpleNamespace

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.web.proposals import bp
from app.extensions import db
from app.models import Call, Consortium, Proposal
from app.models.calls import SectionKind
from app.models.proposals import BUDGET_SOURCES
from app import access
from app.agreements import opening
from app.web import loaders
from app.calls import calls, deadline
from app.proposals import drafts, sections, snapshot, validation
from app.proposals.consortia import led_by
from app.calls.deadline import ClosedError
from app.proposals.drafts import PROGRESS_LABELS, SOURCE_LABELS, STATUS_LABELS, AlreadyStarted, DraftInvalid
from forms.proposal import (
    MAX_BLANK_ROWS, InfraForm, OverviewForm, PocForm, StartForm, TextSectionForm, budget_form, has_errors, kept_rows,
    leaf_fields,
)

_ROW_KEY = re.compile(r"^(items|plans)-(\d+)-(.+)$")


def _labels(call: Call | None = None) -> dict:
    """The labels every proposal page uses; with a call, its pages and what they are called."""
    out = {"source_labels": SOURCE_LABELS, "status_labels": STATUS_LABELS, "progress_labels": PROGRESS_LABELS,
           "sources": BUDGET_SOURCES}
    if call is not None:
        locale = str(get_locale())
        out.update(section_labels=sections.labels(call, locale), editable_sections=sections.editable_keys(call),
                   site_label=sections.site_label(call, locale))
    return out


def _url_if(endpoint: str, **values) -> str | None:
    """A link to a page another module provides, or None while it does not exist yet."""
    if endpoint in current_app.view_functions:
        return url_for(endpoint, **values)
    return None


@bp.route("/my/proposals")
@login_required
def mine():
    access.require_role("applicant")
    return render_template(
        "proposals/mine.html", proposals=drafts.proposals_of(current_user), open_calls=calls.open_calls(),
        **_labels(),
    )


@bp.route("/calls/<code>/apply", methods=["GET", "POST"])
@login_required
def start(code: str):
    call = calls.public_call(code)
    if call is None:
        abort(404)
    access.require_role("applicant")
    consortia = led_by(current_user)
    complexes = drafts.eligible_complexes(call)
    form = StartForm().configure(consortia, complexes, sections.site_label(call, str(get_locale())))
    started = {c.id: drafts.existing(call, c) for c in consortia}
    closed_message = None
    try:
        # No proposal yet: the call's window is all the check looks at.
        deadline.ensure_writable(SimpleNamespace(call=call))
    except ClosedError as exc:
        closed_message = exc.message

    if request.method == "GET" and len(consortia) == 1 and started[consortia[0].id] is not None:
        # One consortium, already writing: "apply" means "continue".
        return redirect(url_for("proposals.show", proposal_id=started[consortia[0].id].id))
    if request.method == "POST":
        if closed_message:
            flash(closed_message, "error")
            return redirect(url_for("proposals.start", code=code))
        if form.validate_on_submit():
            consortium = next((c for c in consortia if str(c.id) == form.consortium_id.data), None)
            if consortium is None:
                form.consortium_id.errors = [_("주관기관으로 참여하는 컨소시엄만 신청할 수 있습니다.")]
            else:
                access.require(access.can_manage_consortium(current_user, consortium))
                return _start(call, consortium, form)
    return render_template("proposals/start.html", call=call, form=form, consortia=consortia, started=started,
                           closed_message=closed_message, **_labels(call)), 422 if form.errors else 200


def _start(call: Call, consortium: Consortium, form: StartForm):
    try:
        proposal = drafts.start(call, consortium, current_user, _optional_int(form.complex_id.data))
    except AlreadyStarted as exc:
        db.session.rollback()
        flash(_("이 컨소시엄은 이미 이 공모에 신청서를 작성하고 있습니다. 작성 중인 신청서로 이동합니다."), "info")
        return redirect(url_for("proposals.show", proposal_id=exc.proposal.id))
    except ClosedError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("proposals.start", code=call.code))
    except DraftInvalid as exc:
        db.session.rollback()
        for name in ("consortium_id", "complex_id"):
            form[name].errors = [str(exc.errors[name])] if name in exc.errors else []
        return render_template("proposals/start.html", call=call, form=form, consortia=led_by(current_user),
                               started={}, closed_message=None, **_labels(call)), 422
    db.session.commit()
    flash(_("신청서 작성을 시작했습니다. 작성한 내용은 언제든 임시 저장할 수 있습니다."), "success")
    return redirect(url_for("proposals.show", proposal_id=proposal.id))


def _optional_int(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


@bp.route("/proposals/<int:proposal_id>")
@login_required
def show(proposal_id: int):
    proposal = loaders.proposal(proposal_id)
    report = validation.validate(proposal)
    problems = {s: sum(len(v) for v in report.for_section(s).values()) for s in sections.keys(proposal.call)}
    return render_template(
        "proposals/show.html", proposal=proposal, progress=drafts.section_progress(proposal),
        problems=problems, budget=drafts.budget_summary(proposal),
        can_edit=access.can_edit_proposal(current_user, proposal), writable=deadline.writable(proposal),
        revising=None if deadline.writable(proposal) else deadline.revising(proposal),
        attachments_url=_url_if("proposals.attachments", proposal_id=proposal.id),
        submit_url=_url_if("proposals.submit", proposal_id=proposal.id),
        versions_url=_url_if("proposals.versions", proposal_id=proposal.id),
        latest_version=snapshot.latest_version(proposal), followed=opening.followed(proposal, current_user),
        **_labels(proposal.call),
    )


# ----- section pages -------------------------------------------------------------------------

_FORMS = {sections.OVERVIEW: OverviewForm, SectionKind.ITEMS: InfraForm, SectionKind.PLANS: PocForm,
          SectionKind.TEXT: TextSectionForm}
_TEMPLATES = {sections.OVERVIEW: "overview", SectionKind.ITEMS: "infra", SectionKind.PLANS: "poc",
              SectionKind.TEXT: "text", sections.BUDGET: "budget"}


def _form_class(proposal: Proposal, kind: str):
    if kind == sections.BUDGET:
        return budget_form(proposal.call.years)
    return _FORMS[kind]


def _save(proposal: Proposal, page, form) -> None:
    data = form.draft_data()
    if page.kind == sections.OVERVIEW:
        drafts.save_overview(proposal, current_user, data)
    elif page.kind == SectionKind.ITEMS:
        drafts.replace_infra_items(proposal, current_user, data)
    elif page.kind == SectionKind.PLANS:
        drafts.replace_poc_plans(proposal, current_user, data)
    elif page.kind == sections.BUDGET:
        drafts.save_budget(proposal, current_user, data)
    else:
        drafts.save_text_section(proposal, current_user, page.key, data)


def _configure(form, proposal: Proposal, key: str):
    call = proposal.call
    locale = str(get_locale())
    return form.configure(proposal, complexes=drafts.eligible_complexes(call), locale=locale,
                          section=call.section(key), site_label=sections.site_label(call, locale))


def _attach(form, errors: dict, groups: dict) -> list[str]:
    """Put service messages next to their inputs; returns those that belong to no input.

    Service row indexes count only the rows that were sent to it (deleted and blank
    rows are not), so they are mapped back to the rows on the page.
    """
    return _place(form, {_page_name(form, key): [message] for key, message in errors.items()}, groups)


def _place(form, messages: dict, groups: dict) -> list[str]:
    """Messages by field name: onto inputs, into ``groups`` for lists and tables, or loose."""
    by_name = {f.name: f for f in leaf_fields(form)}
    loose = []
    for name, found in messages.items():
        found = [str(m) for m in found]
        target = by_name.get(name)
        if target is not None and target.type != "FieldList":
            target.errors = [*target.errors, *found]
        elif target is not None or name == "table" or name.startswith("total-"):
            groups.setdefault(name, []).extend(found)
        else:
            loose.extend(found)
    return loose


def _page_name(form, key: str) -> str:
    match = _ROW_KEY.match(key)
    if match is None or not hasattr(form, "kept"):
        return key
    rows = form.kept()
    index = int(match.group(2))
    if index >= len(rows):
        return key
    entry, subform = rows[index]
    rest = match.group(3)
    kpi = re.match(r"^kpis-(\d+)-(.+)$", rest)
    if kpi and hasattr(subform, "kpis"):
        kpi_rows = kept_rows(subform.kpis)
        j = int(kpi.group(1))
        if j < len(kpi_rows):
            return f"{kpi_rows[j][0].name}-{kpi.group(2)}"
    return f"{entry.name}-{rest}"


def _disable(form) -> None:
    for f in leaf_fields(form):
        f.render_kw = {**(f.render_kw or {}), "disabled": True}


def _budget_totals(form) -> dict:
    return drafts.budget_table(form.draft_data(), form.years)


@bp.route("/proposals/<int:proposal_id>/<section>", methods=["GET", "POST"])
@login_required
def section(proposal_id: int, section: str):
    proposal = loaders.proposal(proposal_id, for_update=request.method == "POST")
    page = sections.page(proposal.call, section, str(get_locale()))
    if page is None or page.kind == sections.ATTACHMENTS:
        abort(404)
    can_edit = access.can_edit_proposal(current_user, proposal)
    form_class = _form_class(proposal, page.kind)
    loose: list[str] = []
    groups: dict[str, list[str]] = {}

    if request.method == "POST":
        access.require(can_edit)
        try:
            deadline.ensure_plan_writable(proposal)
        except ClosedError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for("proposals.show", proposal_id=proposal.id))
        form = _configure(form_class(), proposal, section)
        form.validate()
        if not has_errors(form):
            try:
                _save(proposal, page, form)
            except DraftInvalid as exc:
                db.session.rollback()
                loose = _attach(form, exc.errors, groups)
            except ClosedError as exc:
                db.session.rollback()
                flash(exc.message, "error")
                return redirect(url_for("proposals.show", proposal_id=proposal.id))
            else:
                db.session.commit()
                flash(_("임시 저장되었습니다."), "success")
                return redirect(_after_save(proposal, page, form))
        else:
            db.session.rollback()
        editable = True
        # 422: sent back with errors and nothing saved, as the other forms of the portal answer.
        status = 422
    else:
        editable = can_edit and deadline.plan_writable(proposal)
        form = _configure(form_class.stored(proposal, blank=_blank_param(), more_kpis=_kpi_param(), section_key=section),
                          proposal, section)
        if request.args.get("check"):
            # What submission would refuse, shown where it must be fixed.
            loose = _place(form, validation.validate(proposal).for_section(section), groups)
        if not editable:
            _disable(form)
        status = 200

    return render_template(
        f"proposals/section_{_TEMPLATES[page.kind]}.html",
        proposal=proposal, section=section, page=page, form=form, editable=editable, can_edit=can_edit,
        writable=deadline.plan_writable(proposal), loose=loose, groups=groups,
        revising=None if deadline.writable(proposal) else deadline.revising(proposal),
        field_problems=[(f, e) for f in leaf_fields(form) if f.type != "FieldList" for e in f.errors],
        checking=bool(request.args.get("check")),
        totals=_budget_totals(form) if page.kind == sections.BUDGET else None,
        attachments_url=_url_if("proposals.attachments", proposal_id=proposal.id),
        submit_url=_url_if("proposals.submit", proposal_id=proposal.id),
        **_labels(proposal.call),
    ), status


def _blank_param() -> int:
    try:
        return max(1, min(MAX_BLANK_ROWS, int(request.args.get("blank", 1))))
    except ValueError:
        return 1


def _kpi_param() -> int | None:
    value = request.args.get("kpi", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


def _after_save(proposal: Proposal, page, form) -> str:
    """Back to the same page; a pressed "add row" button shows one more blank row there."""
    args: dict = {}
    if getattr(form, "add_row", None) is not None and form.add_row.data:
        args["blank"] = min(MAX_BLANK_ROWS, form.blank_rows() + 1)
    elif page.kind == SectionKind.PLANS:
        plan = form.kpi_requested()
        if plan is not None:
            args["kpi"] = plan
        if form.blank_rows() > 1:
            args["blank"] = min(MAX_BLANK_ROWS, form.blank_rows())
    elif form.blank_rows() > 1:
        args["blank"] = min(MAX_BLANK_ROWS, form.blank_rows())
    return url_for("proposals.section", proposal_id=proposal.id, section=page.key, **args)
