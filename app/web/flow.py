"""The one lifecycle of a form post, after the object is loaded and the access checked.

Validate the form; act through a service; on success commit, say so and redirect (303);
when the form is invalid, or the service refuses with its domain's error, roll back and show
the same page again with the reasons beside the fields (422). A view states only what is its
own: which service call, which page, which message, where to go next.
"""
from __future__ import annotations

from typing import Any, Callable

from flask import flash, redirect, request
from flask_wtf import FlaskForm
from wtforms import Field

from app.core.errors import GongmoError
from app.extensions import db

Page = Callable[[], Any]


def refuse(form: FlaskForm, field: Field | None, error: GongmoError) -> None:
    """Show a service's refusal beside the field it names, else beside ``field``; an error that lists
    several ``problems`` ((field name, message) pairs) has each placed, the rest flashed."""
    if getattr(error, "problems", None):
        for message in place(form, error.problems):
            flash(message, "error")
        return
    target = form[error.field] if error.field and error.field in form else field
    if target is None:
        flash(error.message, "error")
        return
    target.errors = [*target.errors, error.message]


def post(form: FlaskForm, act: Callable[[], Any], *, page: Page, done: str | Callable[[Any], str] | None,
         to: str | Callable[[Any], str], field: Field | None = None):
    """Run ``act`` for a valid ``form`` and commit; ``page()`` re-renders the form with its errors.

    ``done`` (the message) and ``to`` (the next URL) may be functions of what ``act`` returned,
    e.g. the object it created.
    """
    if not form.validate_on_submit():
        return page()
    try:
        result = act()
    except GongmoError as error:
        db.session.rollback()
        refuse(form, field, error)
        return page()
    db.session.commit()
    message = done(result) if callable(done) else done
    if message:
        flash(message, "success")
    return redirect(to(result) if callable(to) else to, 303)


def act(do: Callable[[], Any], *, done: str | Callable[[Any], str] | None, to: str | Callable[[Any], str],
        back: str | None = None):
    """A button with nothing to fill in: act and commit, or roll back; either way say why and redirect.

    A refusal goes back to ``back`` (default: ``to``) with the service's message.
    """
    try:
        result = do()
    except GongmoError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(back or (to if isinstance(to, str) else request.path), 303)
    db.session.commit()
    message = done(result) if callable(done) else done
    if message:
        flash(message, "success")
    return redirect(to(result) if callable(to) else to, 303)


def field_named(form: FlaskForm, name: str) -> Field | None:
    """The field a service problem names: a top-level one, or ``<list>-<i>-<sub>`` in a FieldList."""
    head, _, rest = name.partition("-")
    if rest and head in form and hasattr(form[head], "entries"):
        index, _, sub = rest.partition("-")
        try:
            return getattr(form[head].entries[int(index)].form, sub, None)
        except (IndexError, ValueError):
            return None
    return form[name] if name in form else None


def place(form: FlaskForm, problems) -> list[str]:
    """Put each service problem ``(field name, message)`` beside its field; return those without one."""
    loose = []
    for name, message in problems:
        target = field_named(form, name)
        if target is not None:
            target.errors = [*target.errors, message]
        else:
            loose.append(message)
    return loose
