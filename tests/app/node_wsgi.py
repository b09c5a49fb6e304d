"""One web node of tests/app/test_two_nodes.py, for gunicorn: ``gunicorn tests.app.node_wsgi:app``.

The settings come from GONGMO_SETTINGS (JSON), as the Celery workers of the tests get theirs;
each node has its own instance folder (GONGMO_INSTANCE) and shares the database, Redis and
storage named there.
"""
import json
import os

from app import create_app
from config import TestingConfig

app = create_app(TestingConfig, **json.loads(os.environ["GONGMO_SETTINGS"]))
