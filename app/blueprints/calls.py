"""Public pages of calls. (stub)"""
from flask import Blueprint

bp = Blueprint("calls", __name__)


@bp.route("/calls")
def index():
    return "calls"


@bp.route("/calls/<code>")
def show(code):
    return code
