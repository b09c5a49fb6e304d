"""The applicant's area: consortia, proposal drafting, submission and attachments.

One blueprint, split into modules by job so each stays small; ``register_web`` imports them.
"""
from flask import Blueprint

bp = Blueprint("proposals", __name__)
