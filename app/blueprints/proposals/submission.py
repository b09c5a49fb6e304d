"""Submitting, withdrawing and resubmitting; receipts and frozen versions. (stub)"""
from app.blueprints.proposals import bp  # noqa: F401
