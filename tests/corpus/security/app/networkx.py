"""Shadows the networkx module if this directory comes first on sys.path."""
open(__import__("os").environ["ALEMBIC_ANALYZER_MARKER"], "a").write("shadowed_networkx\n")
