"""Entry point for gunicorn and ``flask run``: ``gunicorn wsgi:app``."""
from app import create_app

app = create_app()
