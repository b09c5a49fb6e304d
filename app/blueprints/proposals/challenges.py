"""Applicant area: challenges. (stub)"""
from app.blueprints.proposals import bp  # noqa: F401
