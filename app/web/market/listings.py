"""Needs (수요) and capabilities (공급 역량): the lists with their filters (GET, so a filter is a link),
the detail pages, publishing, editing and the owner's state changes."""
from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access
from app.market import listings
from app.models.marketplace import Capability, Need
from app.web import flow
from app.web.loaders import capability as load_capability
from app.web.loaders import need as load_need
from app.web.market import bp
from forms.auth import ORG_TYPE_LABELS
from forms.market import (
    STATE_LABELS, VISIBILITY_LABELS, CapabilityForm, ListFilterForm, NeedForm, StateForm,
)

KINDS = {"needs": (Need, NeedForm), "capabilities": (Capability, CapabilityForm)}


def _labels() -> dict:
    return {"states": STATE_LABELS, "visibilities": VISIBILITY_LABELS, "org_types": ORG_TYPE_LABELS}


def _list(kind: str):
    model = KINDS[kind][0]
    complexes = listings.complexes()
    form = ListFilterForm(formdata=request.args).configure(complexes)
    form.validate()
    page, complex_id = request.args.get("page", "1"), request.args.get("complex_id", "")
    f = listings.ListFilter(
        industry=(form.industry.data or "").strip()[:100], region=form.region.data or "",
        complex_id=int(complex_id) if complex_id.isdigit() and len(complex_id) < 10 else None,
        state=form.state.data if form.state.data in STATE_LABELS else "",
        page=int(page) if page.isascii() and page.isdigit() and len(page) < 7 else 1)
    result = listings.search(model, current_user, f)
    query = {k: v for k, v in request.args.items() if k != "page" and v}
    can_publish = (access.can_publish_need if model is Need else access.can_publish_capability)(current_user)
    return render_template("market/list.html", kind=kind, form=form, result=result, query=query,
                           can_publish=can_publish, **_labels())


@bp.route("/needs")
@login_required
def needs():
    return _list("needs")


@bp.route("/capabilities")
@login_required
def capabilities():
    return _list("capabilities")


def _edit(kind: str, listing=None):
    model, form_class = KINDS[kind]
    # The listing fills the form only on GET: a post, even an empty one, is checked as sent.
    form = form_class(obj=listing) if listing is not None and request.method == "GET" else form_class()
    if isinstance(form, NeedForm):
        form.configure(listings.my_alliances(current_user), listings.complexes())
        if listing is not None and not form.is_submitted():
            form.work_process.data = listing.process
    else:
        form.configure(listings.my_alliances(current_user))

    def page():
        status = 422 if request.method == "POST" else 200
        return render_template("market/edit.html", kind=kind, form=form, listing=listing), status

    if listing is None:
        publish = listings.publish_need if model is Need else listings.publish_capability
        return flow.post(form, lambda: publish(current_user, form.values()), page=page, done=_("게시했습니다."),
                         to=_show_url)
    return flow.post(form, lambda: listings.update(listing, current_user, form.values()), page=page,
                     done=_("저장했습니다."), to=_show_url(listing))


def _show_url(listing) -> str:
    if isinstance(listing, Need):
        return url_for("market.need", need_id=listing.id)
    return url_for("market.capability", capability_id=listing.id)


@bp.route("/needs/new", methods=["GET", "POST"])
@login_required
def need_new():
    access.require(access.can_publish_need(current_user))
    return _edit("needs")


@bp.route("/capabilities/new", methods=["GET", "POST"])
@login_required
def capability_new():
    access.require(access.can_publish_capability(current_user))
    return _edit("capabilities")


@bp.route("/needs/<int:need_id>")
@login_required
def need(need_id: int):
    return _show(load_need(need_id))


@bp.route("/capabilities/<int:capability_id>")
@login_required
def capability(capability_id: int):
    return _show(load_capability(capability_id))


def _show(listing):
    editable = access.can_edit_listing(current_user, listing)
    state_form = StateForm(state=listing.state) if editable else None
    template = "market/need.html" if isinstance(listing, Need) else "market/capability.html"
    return render_template(template, listing=listing, editable=editable, state_form=state_form, **_labels())


@bp.route("/needs/<int:need_id>/edit", methods=["GET", "POST"])
@login_required
def need_edit(need_id: int):
    listing = load_need(need_id)
    access.require(access.can_edit_listing(current_user, listing))
    return _edit("needs", listing)


@bp.route("/capabilities/<int:capability_id>/edit", methods=["GET", "POST"])
@login_required
def capability_edit(capability_id: int):
    listing = load_capability(capability_id)
    access.require(access.can_edit_listing(current_user, listing))
    return _edit("capabilities", listing)


def _state(listing):
    access.require(access.can_edit_listing(current_user, listing))
    form = StateForm()
    if not form.validate_on_submit():
        return _show(listing), 422
    return flow.act(lambda: listings.set_state(listing, current_user, form.state.data),
                    done=_("상태를 바꿨습니다."), to=_show_url(listing))


@bp.route("/needs/<int:need_id>/state", methods=["POST"])
@login_required
def need_state(need_id: int):
    return _state(load_need(need_id))


@bp.route("/capabilities/<int:capability_id>/state", methods=["POST"])
@login_required
def capability_state(capability_id: int):
    return _state(load_capability(capability_id))
