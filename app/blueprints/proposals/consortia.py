"""Forming a consortium: the lead organisation and members by business registration number. (stub)"""
from app.blueprints.proposals import bp


@bp.route("/my/consortia")
def consortia():
    return "consortia"
