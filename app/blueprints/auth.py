"""Accounts: register, log in and out, reset and change the password. (stub; filled by the auth work)"""
from flask import Blueprint

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    return "login"


@bp.route("/register", methods=["GET", "POST"])
def register():
    return "register"


@bp.route("/logout", methods=["POST"])
def logout():
    return "logout"


@bp.route("/account/password", methods=["GET", "POST"])
def password():
    return "password"
