open(__import__("os").environ["ALEMBIC_ANALYZER_MARKER"], "a").write("subpackage_init\n")
