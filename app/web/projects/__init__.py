"""과제 (projects after the agreement): one page per project for the consortium and the call's officers,
with its reports, plan changes and inspections; and the programme's portfolio for officers.

One blueprint, split into modules by job; ``register_web`` imports them.
"""
from flask import Blueprint

bp = Blueprint("projects", __name__, url_prefix="/projects")
