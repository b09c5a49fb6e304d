"""Officer console: screening. (stub)"""
from app.blueprints.officer import bp  # noqa: F401
