"""The reviewer's pages: assignments, conflict declarations, review sheets. (stub)"""
from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/review")
