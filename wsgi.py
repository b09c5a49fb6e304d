"""Entry point for gunicorn and ``flask run``: ``gunicorn wsgi:app``.

The configuration must be named: GONGMO_CONFIG=production for a server, or
GONGMO_CONFIG=development (what ``make run`` sets) for the demo on this machine. A server
started without it would otherwise run the development settings on a public address.
"""
import gc
import os
import sys

from app import create_app

SERVED = ("development", "production")
_name = os.environ.get("GONGMO_CONFIG", "")
if _name not in SERVED:
    sys.exit(
        f"Gongmo: set GONGMO_CONFIG to one of {', '.join(SERVED)} (got {_name or 'nothing'}). "
        "A server runs GONGMO_CONFIG=production with the settings in README, 'Production'; "
        "`make run` sets GONGMO_CONFIG=development for the demo."
    )

app = create_app(_name)

# What start-up built lives as long as the process: keep it out of the garbage collector's
# full collections, which a page of a thousand rows triggers several times per request
# (a third of the officer's ranking page's CPU time without this).
gc.freeze()
