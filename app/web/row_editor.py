"""The view side of the row editors (forms/rows.py), shared by the call, rubric and stage-rubric pages.

A row button's post is shown again with the rows changed, never validated nor saved; with htmx
only the form is swapped, without JavaScript the page reloads.
"""
from __future__ import annotations

from flask import request

from forms import rows


def status(moved: bool = False) -> int:
    """422 when a submission is sent back (invalid, or refused by the service: nothing saved).

    Every accepted submission redirects, so a POST that renders the form again was refused,
    unless it was a row button's (``moved``): that one only changes the rows and saves nothing.
    """
    return 422 if request.method == "POST" and not moved else 200


def bound(form_class):
    """The form, bound to the post with a row added, removed or moved when a row button sent it.

    Returns (form, moved): a moved form is shown again, never validated nor saved.
    """
    action = request.form.get(rows.BUTTON) if request.method == "POST" else None
    if not action:
        return form_class(), False
    data, focus = rows.apply(request.form, action, form_class.ROW_LISTS)
    form = form_class(formdata=data)
    if focus:
        autofocus(form, focus)
    return form, True


def autofocus(form, name: str) -> None:
    """Put the keyboard on the first field of row ``name`` (e.g. ``criteria-1-steps-0``)."""
    node, parts = form, name.split("-")
    for list_name, index in zip(parts[::2], parts[1::2]):
        entries = getattr(node, list_name, None)
        if entries is None or not index.isdigit() or int(index) >= len(entries.entries):
            return
        node = entries.entries[int(index)].form
    first = next(iter(node), None)
    if first is not None:
        first.render_kw = {**(first.render_kw or {}), "autofocus": True}
