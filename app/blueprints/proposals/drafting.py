"""Starting a proposal and filling its sections as a draft. (stub)"""
from app.blueprints.proposals import bp


@bp.route("/my/proposals")
def mine():
    return "mine"
