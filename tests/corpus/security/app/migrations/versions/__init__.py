open(__import__("os").environ["ALEMBIC_ANALYZER_MARKER"], "a").write("versions_init\n")
