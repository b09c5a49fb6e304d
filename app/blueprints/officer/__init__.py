"""The programme officer's console: calls, screening, reviewers, results, dashboard, exports.

One blueprint, split in modules by job.
"""
from flask import Blueprint

bp = Blueprint("officer", __name__, url_prefix="/officer")

from app.blueprints.officer import calls, dashboard, exports, objections, results, reviewers, screening  # noqa: E402,F401
