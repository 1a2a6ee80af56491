"""Alembic environment: online migrations through shadowproxy (a plain MySQL endpoint for
SQLAlchemy + PyMySQL). The URL comes from `-x url=...`, SHADOWPROXY_ALEMBIC_URL, or alembic.ini."""

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)


def database_url():
    return (context.get_x_argument(as_dictionary=True).get("url")
            or os.environ.get("SHADOWPROXY_ALEMBIC_URL")
            or config.get_main_option("sqlalchemy.url"))


def run_migrations_online():
    engine = create_engine(database_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=None)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) mode is not supported: SHADOW SYNC needs the live proxy")
run_migrations_online()
