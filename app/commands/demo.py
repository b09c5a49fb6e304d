"""``flask demo load``: the demo calls, with accounts to try every role."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db
from app.core import clock
from app.demo import demo

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("load")
def load() -> None:
    """Create the demo call, organisations, accounts and draft proposal (safe to run again)."""
    try:
        result = demo.load()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if result.changed:
        made = ", ".join(f"{kind} {n}" for kind, n in sorted(result.created.items()))
        click.echo(f"Demo data loaded ({made}).")
    else:
        click.echo("Demo data already present; nothing changed.")
    call = result.call
    click.echo(f"Call {call.code}: {call.title}")
    click.echo(f"  opens {clock.to_kst(call.opens_at):%Y-%m-%d %H:%M} KST, "
               f"closes {clock.to_kst(call.closes_at):%Y-%m-%d %H:%M} KST ({call.status()})")
    review = result.review_call
    if review is not None:
        click.echo(f"Call {review.code}: {review.title}")
        click.echo(f"  closed {clock.to_kst(review.closes_at):%Y-%m-%d %H:%M} KST ({review.status()}): "
                   "sign in as reviewer1 to score, then as the officer to compute, decide and announce")
    project = result.project
    if project is not None:
        click.echo(f"Call {project.call.code}: {project.call.title}")
        click.echo(f"  awarded and signed; project {project.period_start:%Y-%m-%d} – {project.period_end:%Y-%m-%d}: "
                   f"as the officer see /projects/portfolio/{project.call.programme_id}, "
                   f"as applicant or officer /projects/{project.id}")
    hub = result.hub_call
    if hub is not None:
        click.echo(f"Call {hub.code}: {hub.title} ({hub.programme.ministry}, a second programme)")
        click.echo(f"  opens {clock.to_kst(hub.opens_at):%Y-%m-%d %H:%M} KST, "
                   f"closes {clock.to_kst(hub.closes_at):%Y-%m-%d %H:%M} KST ({hub.status()}): "
                   "its own sections and rubric; sign in as hub-officer, hub-chungbuk (submitted) "
                   "or hub-gyeongnam (drafting)")
    for note in result.notes:
        click.echo(f"Note: {note}")
    click.echo("")
    click.echo("Accounts (every demo account has the same password):")
    width = max(len(email) for email, _, _ in result.accounts)
    for email, roles, org in result.accounts:
        click.echo(f"  {email:<{width}}  {roles:<10}  {org}")
    click.echo(f"  password: {demo.PASSWORD}")
    if not result.created.get("users") and result.accounts:
        click.echo("  (accounts that already existed keep whatever password they have now)")


@demo_cli.command("score-presentations")
def score_presentations() -> None:
    """In the demo's review call (``review_call.CALL_CODE``), the demo reviewers other than
    reviewer1 submit their 발표평가 sheets."""
    from sqlalchemy import select

    from app.demo import review_call, stage_work
    from app.models import Call

    call = db.session.scalar(select(Call).where(Call.code == review_call.CALL_CODE))
    if call is None:
        raise click.ClickException(f"{review_call.CALL_CODE} is not loaded: run `flask demo load` first")
    try:
        done = stage_work.score_presentations(call)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if done:
        click.echo(f"{done} presentation sheets submitted; reviewer1's are left to you.")
    else:
        click.echo("Nothing to score: confirm the 서면평가 and assign the 발표평가 panels first.")
