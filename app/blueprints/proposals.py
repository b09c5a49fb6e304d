"""The applicant's consortia and proposals. (stub)"""
from flask import Blueprint

bp = Blueprint("proposals", __name__)


@bp.route("/my/proposals")
def mine():
    return "mine"


@bp.route("/my/consortia")
def consortia():
    return "consortia"
