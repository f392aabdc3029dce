open(__import__("os").environ["ALEMBIC_ANALYZER_MARKER"], "a").write("package_init\n")
