"""An env.py that runs code: alembic imports it for every command."""
open(__import__("os").environ["ALEMBIC_ANALYZER_MARKER"], "a").write("env_py\n")

from alembic import context  # noqa: E402

config = context.config
