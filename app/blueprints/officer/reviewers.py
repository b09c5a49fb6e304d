"""Officer console: reviewer pool, assignment and challenges. (stub)"""
from app.blueprints.officer import bp  # noqa: F401
