"""Officer console: exports. (stub)"""
from app.blueprints.officer import bp  # noqa: F401
