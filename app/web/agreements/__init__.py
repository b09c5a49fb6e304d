"""협약 (the agreement): plan revision after the announcement, the document and its signatures,
for the consortium and the call's officers.

One blueprint, split into modules by job; ``register_web`` imports them.
"""
from flask import Blueprint

bp = Blueprint("agreements", __name__, url_prefix="/agreements")
