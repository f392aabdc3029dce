revision = "e1"
down_revision = None
