"""What the parser extracts from revision files (SPEC §4), checked on exact facts."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from analyzer.facts import FileProblem, MigrationFacts, decode_facts, encode_facts
from analyzer.graph import RevisionGraph
from analyzer.parsing import parse_file
from analyzer.positions import Span
from analyzer.values import Call, Ref, Unknown


def parse(tmp_path: Path, source: str, name: str = "rev.py") -> MigrationFacts:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return parse_file(str(path))


def values(facts: MigrationFacts) -> dict[str, object]:
    return {name: a.value for name, a in facts.variables.items()}


def test_annotated_assignments_in_every_style(tmp_path: Path) -> None:
    facts = parse(
        tmp_path,
        '''\
        """add users

        Revision ID: stale
        """
        from typing import Sequence, Union

        revision: str = "ab12"
        down_revision: Union[str, None] = "9f8e"
        branch_labels: Union[str, Sequence[str], None] = None
        depends_on: str | None = None
        ''',
    )
    assert values(facts) == {
        "revision": "ab12",
        "down_revision": "9f8e",
        "branch_labels": None,
        "depends_on": None,
    }
    assert facts.title == "add users"
    assert facts.revision is not None
    assert facts.revision.span == Span(7, 1, 7, 23)


def test_merge_tuples_and_lists(tmp_path: Path) -> None:
    facts = parse(tmp_path, "revision = 'm'\ndown_revision = ('a', 'b')\nbranch_labels = ['x']\n")
    assert values(facts) == {"revision": "m", "down_revision": ("a", "b"), "branch_labels": ("x",)}


def test_non_literal_values_are_unknown_never_guessed(tmp_path: Path) -> None:
    facts = parse(
        tmp_path,
        """\
        import uuid
        revision = uuid.uuid4().hex
        down_revision = f"{revision}"
        if True:
            branch_labels = ("x",)
        """,
    )
    revision = facts.variables["revision"].value
    assert isinstance(revision, Unknown) and revision.text == "uuid.uuid4().hex"
    assert isinstance(facts.variables["down_revision"].value, Unknown)
    labels = facts.variables["branch_labels"].value
    assert isinstance(labels, Unknown)
    assert labels.text == "assigned inside a `if` statement"


def test_constants_and_repeated_assignments(tmp_path: Path) -> None:
    facts = parse(tmp_path, "BASE = 'a1'\nrevision = 'x'\ndown_revision = BASE\nrevision = 'b2'\n")
    assert values(facts) == {"revision": "b2", "down_revision": "a1"}
    assert facts.variables["revision"].earlier_lines == (2,)


def test_imported_names_are_marked_for_static_resolution(tmp_path: Path) -> None:
    facts = parse(
        tmp_path,
        "from myapp.db import cli\nrevision = 'a'\nbranch_labels = (cli.EXPAND_BRANCH,)\n",
    )
    (label,) = facts.variables["branch_labels"].value  # type: ignore[misc]
    assert isinstance(label, Ref)
    assert label.name == "myapp.db.cli.EXPAND_BRANCH" and label.imported


OPS_SOURCE = """\
from alembic import op
import sqlalchemy as sa

TABLE = "users"


def _add_fk(table, column, target="accounts"):
    op.create_foreign_key(None, table, target, [column], ["id"])


def upgrade():
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("users.id"), index=True),
    )
    op.add_column(TABLE, sa.Column("bio", sa.Text()))
    with op.batch_alter_table("posts", schema="blog") as batch_op:
        batch_op.create_index(batch_op.f("ix_posts_slug"), ["slug"], unique=True)
    for name in ("a", "b"):
        op.create_index(f"ix_{name}_user_id", name, ["user_id"])
    if op.get_context().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS citext")
    else:
        op.get_bind().execute(sa.text("SELECT 1"))
    _add_fk("comments", "author_id")
    try:
        conn = op.get_bind()
        conn.execute("UPDATE users SET bio = ''")
    except Exception:
        pass


def downgrade():
    \"\"\"Nothing to undo.\"\"\"
    pass
"""


def test_ops_in_execution_order_with_their_arguments(tmp_path: Path) -> None:
    facts = parse(tmp_path, OPS_SOURCE)
    assert facts.upgrade is not None
    ops = facts.upgrade.ops
    assert [op.name for op in ops] == [
        "create_table",
        "add_column",
        "create_index",
        "create_index",
        "create_index",
        "execute",
        "execute",
        "create_foreign_key",
        "execute",
    ]
    create_table = ops[0]
    assert create_table.span == Span(12, 5, 16, 6)
    owner = create_table.args[2]
    assert isinstance(owner, Call) and owner.func == "sqlalchemy.Column"
    foreign_key = owner.args[2]
    assert isinstance(foreign_key, Call) and foreign_key.short_name == "ForeignKey"
    assert foreign_key.args == ("users.id",)
    assert foreign_key.span == Span(15, 45, 15, 70)
    assert owner.kwarg("index") is True
    assert ops[1].args[0] == "users"  # module constant resolved
    batch_index = ops[2]
    assert batch_index.batch is not None
    assert (batch_index.batch.table, batch_index.batch.schema) == ("posts", "blog")
    assert batch_index.args == ("ix_posts_slug", ("slug",))
    assert [(op.args[0], op.args[1]) for op in ops[3:5]] == [
        ("ix_a_user_id", "a"),
        ("ix_b_user_id", "b"),
    ]
    assert ops[5].args == ("CREATE EXTENSION IF NOT EXISTS citext",)
    text_call = ops[6].args[0]
    assert isinstance(text_call, Call) and text_call.func == "sqlalchemy.text"
    assert ops[7].args == (None, "comments", "accounts", ("author_id",), ("id",))
    assert ops[7].via == "_add_fk"
    assert ops[7].span.start_line == 8
    assert facts.upgrade.helpers == ("_add_fk",)
    assert ops[8].args == ("UPDATE users SET bio = ''",)
    assert facts.upgrade.shape == "statements"
    assert facts.downgrade is not None
    assert facts.downgrade.shape == "empty"
    assert facts.downgrade.span == Span(34, 1, 34, 17)


@pytest.mark.parametrize(
    "imports,call",
    [
        ("from alembic import op", "op.drop_table('t')"),
        ("from alembic import op as alembic_op", "alembic_op.drop_table('t')"),
        ("import alembic.op as o", "o.drop_table('t')"),
        ("import alembic", "alembic.op.drop_table('t')"),
        ("from alembic.op import drop_table", "drop_table('t')"),
    ],
)
def test_every_import_spelling_of_op(tmp_path: Path, imports: str, call: str) -> None:
    facts = parse(tmp_path, f"{imports}\nrevision = 'a'\n\ndef upgrade():\n    {call}\n")
    assert facts.upgrade is not None
    assert [(op.name, op.args) for op in facts.upgrade.ops] == [("drop_table", ("t",))]


def test_recursive_helpers_terminate(tmp_path: Path) -> None:
    facts = parse(
        tmp_path,
        """\
        from alembic import op

        def a():
            op.drop_table("x")
            b()

        def b():
            a()

        def upgrade():
            a()
        """,
    )
    assert facts.upgrade is not None
    assert [op.args for op in facts.upgrade.ops] == [("x",)]
    assert facts.upgrade.helpers == ("a", "b")


@pytest.mark.parametrize(
    "body,shape",
    [
        ("pass", "empty"),
        ('"""docstring"""', "empty"),
        ("...", "empty"),
        ("return", "empty"),
        ("return None", "empty"),
        ("# only a comment\n    pass", "empty"),
        ("raise NotImplementedError", "not-implemented"),
        ('"""doc"""\n    raise NotImplementedError("no way back")', "not-implemented"),
        ('raise RuntimeError("irreversible")', "statements"),
        ("helper()", "statements"),
    ],
)
def test_body_shapes(tmp_path: Path, body: str, shape: str) -> None:
    facts = parse(tmp_path, f"revision = 'a'\n\ndef downgrade():\n    {body}\n")
    assert facts.downgrade is not None
    assert facts.downgrade.shape == shape


def test_columns_count_code_points_and_crlf_keeps_lines(tmp_path: Path) -> None:
    source = (
        "revision = 'a'\r\n\r\ndef upgrade():\r\n    op.execute('-- é'); op.drop_table('ü')\r\n"
    )
    path = tmp_path / "crlf.py"
    path.write_bytes(source.encode("utf-8"))
    facts = parse_file(str(path))
    assert facts.upgrade is not None
    assert [op.span for op in facts.upgrade.ops] == [Span(4, 5, 4, 23), Span(4, 25, 4, 43)]


def test_facts_survive_a_json_round_trip(tmp_path: Path) -> None:
    facts = parse(tmp_path, OPS_SOURCE)
    assert decode_facts(encode_facts(facts)) == facts


@pytest.mark.parametrize(
    "content,message",
    [
        (b"revision = 'a'\ndef upgrade(:\n", "syntax error: invalid syntax"),
        (b"print 'x'\n", "syntax error: Missing parentheses in call to 'print'"),
        (b"revision = '\xe9'\n", "the file is not valid UTF-8: byte 0xe9 cannot be decoded"),
        (b"\x00\x01binary", "the file contains NUL bytes (is it a binary file?)"),
        (b"x = " + b" or ".join([b"a"] * 200) + b"\n", "an expression nests more than 100"),
    ],
)
def test_problems_become_facts_not_exceptions(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.py"
    path.write_bytes(content)
    facts = parse_file(str(path))
    assert facts.problem is not None
    assert facts.problem.message.startswith(message)


def test_declared_encoding_is_honoured(tmp_path: Path) -> None:
    path = tmp_path / "latin.py"
    path.write_bytes(b"# -*- coding: latin-1 -*-\nrevision = '\xe9t\xe9'\n")
    assert parse_file(str(path)).revision_id() == "été"


def test_undecodable_bytes_in_a_comment_are_accepted_like_python_does(tmp_path: Path) -> None:
    path = tmp_path / "comment.py"
    path.write_bytes(b"# caf\xe9\nrevision = 'a'\n")
    facts = parse_file(str(path))
    assert facts.problem is None
    assert facts.revision_id() == "a"


def test_revision_variables_are_read_from_a_file_python_cannot_parse(tmp_path: Path) -> None:
    """A Python 2 file stays a problem, but its one-line literal revision variables keep
    its place in the graph (its children do not name a missing revision)."""
    facts = parse(
        tmp_path,
        """\
        revision = 'b2'  # the id
        down_revision = ('a1', u'z9')
        branch_labels = None
        depends_on = compute()

        def upgrade():
            print "no parentheses"
        """,
    )
    assert facts.problem is not None
    found = values(facts)
    assert found["revision"] == "b2"
    assert found["down_revision"] == ("a1", "z9")
    assert found["branch_labels"] is None
    assert isinstance(found["depends_on"], Unknown)
    assert facts.variables["down_revision"].span.start_line == 2
    assert decode_facts(encode_facts(facts)) == facts


def test_unreadable_down_revision_of_an_unparsable_file_is_unknown(tmp_path: Path) -> None:
    facts = parse(tmp_path, "revision = 'b2'\ndown_revision = (\n    'a1',\n)\nprint 'x'\n")
    assert facts.problem is not None
    assert facts.variables["revision"].value == "b2"
    assert isinstance(facts.variables["down_revision"].value, Unknown)  # never a base
    facts = parse(tmp_path, "revision = 'b2'\nprint 'x'\n")
    assert isinstance(facts.variables["down_revision"].value, Unknown)
    facts = parse(tmp_path, "x = 1\nprint 'x'\n")
    assert facts.variables == {}


def test_a_file_that_cannot_be_parsed_keeps_its_place_in_the_graph(tmp_path: Path) -> None:
    base = parse(tmp_path, "revision = 'a1'\ndown_revision = None\n", "base.py")
    broken = parse(tmp_path, "revision = 'b2'\ndown_revision = 'a1'\nprint 'x'\n", "b.py")
    child = parse(tmp_path, "revision = 'c3'\ndown_revision = 'b2'\ndepends_on = 'b2'\n", "c.py")
    graph = RevisionGraph([base, broken, child])
    assert sorted(graph.revisions) == ["a1", "c3"]  # the broken file is no node
    assert graph.missing == []  # but naming it is not a missing revision
    assert graph.heads == ("c3",)  # and its parent is no head
    assert "c3" in graph.broken  # the history above it is unknown


@pytest.mark.parametrize(
    ("source", "how"),
    [
        ("revision = 'b'\nrevision += '2'\n", "augmented assignment"),
        ("(revision := 'b2')\n", "assignment expression"),
        ("from common import revision\n", "imported"),
        ("import revision\n", "imported"),
    ],
)
def test_other_module_level_bindings_of_a_revision_variable_are_unknown(
    tmp_path: Path, source: str, how: str
) -> None:
    """Not ignored (the first literal, or the file name, would be a wrong id)."""
    facts = parse(tmp_path, source + "down_revision = None\n", "b.py")
    value = facts.variables["revision"].value
    assert isinstance(value, Unknown) and how in value.text


def test_a_function_past_the_op_limit_makes_the_file_invalid(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Half a function's ops would mislead every rule: past the limit the file is
    `invalid-revision-file` (its revision variables still place it in the graph)."""
    from analyzer.parsing import extract

    monkeypatch.setattr(extract, "MAX_OPS", 3)
    source = (
        'revision = "a1"\ndown_revision = None\nfrom alembic import op\n\n\n'
        "def upgrade():\n"
        + "".join(f'    op.drop_table("t{n}")\n' for n in range(3))
        + "\n\ndef downgrade():\n    pass\n"
    )
    facts = extract.parse_bytes("a1.py", source.encode())
    assert facts.problem == FileProblem(
        "upgrade() makes 3 or more op calls: too large to analyze", Span(6, 1, 6, 15)
    )
    assert facts.revision_id() == "a1"
    assert facts.upgrade is None and facts.downgrade is None
    fewer = extract.parse_bytes("a1.py", source.replace('    op.drop_table("t2")\n', "").encode())
    assert fewer.problem is None and fewer.upgrade is not None and len(fewer.upgrade.ops) == 2
