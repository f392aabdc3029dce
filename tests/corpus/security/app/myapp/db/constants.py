"""Constants the revisions import: read with ast, never imported."""
open(__import__("os").environ["ALEMBIC_ANALYZER_MARKER"], "a").write("imported_module\n")

EXPAND_BRANCH = "expand"
PARENT = open(__import__("os").environ["ALEMBIC_ANALYZER_MARKER"], "a").write("module_constant\n")
