"""Officer console: dashboard. (stub)"""
from app.blueprints.officer import bp  # noqa: F401
