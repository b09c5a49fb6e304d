"""Officer console: objections. (stub)"""
from app.blueprints.officer import bp  # noqa: F401
