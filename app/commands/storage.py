"""``flask storage sweep`` and ``flask storage migrate --to s3://bucket/prefix``."""
from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

storage_cli = AppGroup("storage", help="The blob storage: orphan sweep, moving to S3.")


@storage_cli.command("sweep")
@click.option("--grace-hours", type=float, default=None,
              help="Keep unnamed blobs younger than this (default: STORAGE_ORPHAN_GRACE_HOURS).")
def sweep_command(grace_hours: float | None) -> None:
    """Delete blobs that no row names and that are older than the grace period."""
    from app.blobs import sweep
    from app.extensions import db

    if grace_hours is not None and grace_hours < 0:
        raise click.BadParameter("must not be negative", param_hint="--grace-hours")
    try:
        result = sweep.sweep(None if grace_hours is None else timedelta(hours=grace_hours))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(f"storage sweep: {result.scanned} blobs, {result.referenced} named, "
               f"{result.young} young orphans kept, {result.deleted} orphans deleted, "
               f"{result.spooled} stale spool files removed")


@storage_cli.command("migrate")
@click.option("--to", "target_url", required=True, help="The target, e.g. s3://bucket/prefix.")
def migrate_command(target_url: str) -> None:
    """Copy every blob to the target and verify each one's SHA-256 by reading it back."""
    from app.blobs import migrate
    from app.core import storage

    source = storage.get()
    try:
        target = storage.for_config(current_app.config, url=target_url)
    except storage.StorageError as exc:
        raise click.BadParameter(str(exc), param_hint="--to") from None
    if target.url == source.url:
        raise click.BadParameter("the target is the storage in use", param_hint="--to")

    def progress(key: str, status: str) -> None:
        if status != "ok":
            click.echo(f"MISMATCH {key}: the copy does not have the blob's SHA-256", err=True)

    result = migrate.migrate(source, target, progress)
    click.echo(f"storage migrate {source.url} -> {target.url}: {result.copied} copied, "
               f"{result.present} already there, {result.verified} verified, {len(result.mismatched)} mismatched")
    if not result.ok:
        click.echo("migration NOT complete: fix or delete the mismatched blobs at the target and run again",
                   err=True)
        raise SystemExit(1)
    click.echo("all blobs copied and verified; set STORAGE_URL to the target and restart every node")
