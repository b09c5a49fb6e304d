"""Officer console: calls. (stub)"""
from app.blueprints.officer import bp  # noqa: F401
