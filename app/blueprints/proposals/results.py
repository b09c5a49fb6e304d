"""Applicant area: results. (stub)"""
from app.blueprints.proposals import bp  # noqa: F401
