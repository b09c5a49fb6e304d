"""Officer console: results. (stub)"""
from app.blueprints.officer import bp  # noqa: F401
