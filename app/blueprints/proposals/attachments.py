"""Uploading and downloading a proposal's attachments. (stub)"""
from app.blueprints.proposals import bp  # noqa: F401
