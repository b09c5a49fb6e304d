"""Entry point for gunicorn and ``flask run``: ``gunicorn wsgi:app``."""
import gc

from app import create_app

app = create_app()

# What start-up built lives as long as the process: keep it out of the garbage collector's
# full collections, which a page of a thousand rows triggers several times per request
# (a third of the officer's ranking page's CPU time without this).
gc.freeze()
