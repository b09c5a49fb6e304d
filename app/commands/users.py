"""``flask users create-admin`` and ``flask users grant EMAIL ROLE``. (stub)"""
import click
from flask.cli import AppGroup

users_cli = AppGroup("users", help="Manage accounts and roles.")
