"""The applicant's area: consortia, proposal drafting, submission and attachments.

One blueprint, split into modules by job so each stays small.
"""
from flask import Blueprint

bp = Blueprint("proposals", __name__)

from app.blueprints.proposals import attachments, challenges, consortia, drafting, results, submission  # noqa: E402,F401,I001
