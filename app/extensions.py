"""Flask extensions, created unbound and initialised in the factory."""
from __future__ import annotations

from flask_babel import Babel, Domain
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from app.core import particles

# Explicit constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()


class GongmoBabel(Babel):
    """Flask-Babel whose messages come back with their Korean particles resolved (app/core/particles.py)."""

    domain_class = particles.domain_class(Domain)

    @property
    def domain_instance(self):
        return self.domain_class(domain=self.domain)


babel = GongmoBabel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
