"""Around the call (수요·공급): firms' needs, suppliers' capabilities, alliances and their research
groups with task candidates, and what the other marketplace helpers add to them.

One blueprint, split into modules by job; ``register_web`` imports them (VIEW_MODULES).
"""
from flask import Blueprint

bp = Blueprint("market", __name__, url_prefix="/market")
