"""Literal SQL from `op.execute`, read with sqlglot in the project's dialect.

Each statement becomes the same `changes` an alembic op would make: CREATE TABLE (with
inline and table-level keys), ALTER TABLE ADD [CONSTRAINT] FOREIGN KEY / PRIMARY KEY /
UNIQUE / COLUMN, DROP COLUMN / CONSTRAINT, CREATE [UNIQUE] INDEX [CONCURRENTLY] ...
[INCLUDE] [WHERE], DROP INDEX / TABLE, and the renames. Statements that change no table
(UPDATE, INSERT, GRANT, CREATE EXTENSION, COMMENT, ...) change nothing. Anything else,
and SQL sqlglot cannot parse, becomes `Unanalyzable`: the known tables it names turn
uncertain and the statement is reported as `unanalyzable-sql`.

sqlglot is imported only here, and this module only when there is SQL to read.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Literal

import sqlglot
from sqlglot import TokenType, exp
from sqlglot.errors import SqlglotError

from analyzer.positions import FILE_START
from analyzer.schema.changes import (
    AddCheck,
    AddColumn,
    AddForeignKey,
    AddIndex,
    Change,
    CreateTable,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropTable,
    MarkUncertain,
    RenameColumn,
    RenameConstraint,
    RenameIndex,
    RenameTable,
    Unanalyzable,
)
from analyzer.schema.constructs import (
    CheckSpec,
    ColumnSpec,
    ForeignKeySpec,
    IndexSpec,
    TableSpec,
    table_name,
)
from analyzer.schema.model import Origin, TableName

logging.getLogger("sqlglot").setLevel(logging.ERROR)  # its "falling back to Command" notes

SQLGLOT_DIALECTS = {
    "postgresql": "postgres",
    "mysql": "mysql",
    "sqlite": "sqlite",
    "mssql": "tsql",
    "oracle": "oracle",
}

NO_SCHEMA_CHANGE: tuple[type[exp.Expr], ...] = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Grant,
    exp.Revoke,
    exp.Set,
    exp.Comment,
    exp.Analyze,
    exp.TruncateTable,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Use,
    exp.Pragma,
    exp.Describe,
    exp.Show,
    exp.Copy,
)
"""Statements that leave every table's columns, indexes and keys as they were."""

HARMLESS_OBJECTS = frozenset(
    {
        "VIEW",
        "SCHEMA",
        "SEQUENCE",
        "TYPE",
        "FUNCTION",
        "PROCEDURE",
        "TRIGGER",
        "EXTENSION",
        "DATABASE",
        "ROLE",
        "USER",
        "DOMAIN",
        "MATERIALIZED VIEW",
        "STAGE",
        "MACRO",
    }
)
"""Kinds of CREATE / ALTER / DROP that do not change a table's indexes or keys."""

CASCADING_DROPS = frozenset({"TYPE", "DOMAIN", "EXTENSION"})
"""`DROP ... CASCADE` of these can drop columns of any table."""

HARMLESS_COMMANDS = re.compile(
    r"""^(
        CREATE\s+(OR\s+REPLACE\s+)?(TRUSTED\s+)?(PROCEDURAL\s+)?
            (EXTENSION|FUNCTION|PROCEDURE|LANGUAGE|AGGREGATE|OPERATOR|COLLATION|TEXT\s+SEARCH
            |CAST|DOMAIN|ROLE|USER|GROUP|POLICY|PUBLICATION|SUBSCRIPTION|RULE|EVENT\s+TRIGGER
            |CONSTRAINT\s+TRIGGER|TRIGGER|STATISTICS|SERVER|FOREIGN\s+DATA\s+WRAPPER
            |USER\s+MAPPING|CONVERSION|ACCESS\s+METHOD|TRANSFORM|TABLESPACE|TYPE|SEQUENCE|VIEW)\b
        | ALTER\s+(EXTENSION|FUNCTION|PROCEDURE|TYPE|DOMAIN|ROLE|USER|GROUP|SEQUENCE|VIEW
            |MATERIALIZED\s+VIEW|DATABASE|DEFAULT\s+PRIVILEGES|POLICY|PUBLICATION|SUBSCRIPTION
            |TEXT\s+SEARCH|OPERATOR|AGGREGATE|COLLATION|LANGUAGE|STATISTICS|EVENT\s+TRIGGER
            |TRIGGER|SYSTEM|TABLESPACE|SERVER|FOREIGN\s+DATA\s+WRAPPER)\b
        | ALTER\s+TABLE\s+(IF\s+EXISTS\s+)?(ONLY\s+)?[\w."$]+\s+
            (OWNER\s+TO|ENABLE|DISABLE|VALIDATE\s+CONSTRAINT|SET\s*\(|RESET\s*\(|CLUSTER\s+ON
            |SET\s+WITHOUT|SET\s+TABLESPACE|SET\s+LOGGED|SET\s+UNLOGGED|REPLICA\s+IDENTITY
            |FORCE\s+ROW|NO\s+FORCE\s+ROW|ALTER\s+CONSTRAINT|SET\s+ACCESS\s+METHOD)\b
        | ALTER\s+TABLE\s+(IF\s+EXISTS\s+)?(ONLY\s+)?[\w."$]+\s+ALTER\s+(COLUMN\s+)?[\w"$]+\s+
            (ADD\s+GENERATED|SET\s+GENERATED|DROP\s+IDENTITY|RESTART)\b[^,]*$
        | ALTER\s+INDEX\s+(IF\s+EXISTS\s+)?[\w."$]+\s+(SET|RESET|ALTER|ATTACH)\b
        | DROP\s+(EXTENSION|FUNCTION|PROCEDURE|TRIGGER|POLICY|RULE|ROLE|USER|GROUP|AGGREGATE
            |OPERATOR|CAST|COLLATION|LANGUAGE|PUBLICATION|SUBSCRIPTION|STATISTICS|SERVER
            |TEXT\s+SEARCH|EVENT\s+TRIGGER|OWNED|TABLESPACE)\b(?!.*\bCASCADE\b)
        | (COMMENT|GRANT|REVOKE|REINDEX|VACUUM|ANALYZE|ANALYSE|CLUSTER|LOCK|REFRESH|SET|RESET
            |NOTIFY|LISTEN|UNLISTEN|CHECKPOINT|SECURITY\s+LABEL|DISCARD|SAVEPOINT|RELEASE
            |COMMIT|ROLLBACK|BEGIN|START\s+TRANSACTION|END|PRAGMA|IMPORT\s+FOREIGN\s+SCHEMA
            |ALTER\s+LARGE\s+OBJECT|SELECT|INSERT|UPDATE|DELETE|TRUNCATE|COPY|PREPARE|DEALLOCATE
            |EXPLAIN|SHOW|USE|EXEC\s+sp_rename)\b
    )""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)
"""Statements sqlglot keeps as text (`exp.Command`) that change no table's keys or indexes."""

HARMLESS_FUNCTIONS = frozenset(
    {
        "setval",
        "nextval",
        "currval",
        "set_config",
        "pg_advisory_lock",
        "pg_advisory_xact_lock",
        "pg_advisory_unlock",
        "pg_try_advisory_lock",
        "pg_try_advisory_xact_lock",
        "pg_sleep",
        "pg_notify",
        "pg_get_serial_sequence",
        "pg_catalog.setval",
        "to_regclass",
    }
)
"""Functions a `SELECT` may call in a migration without changing any table."""

_CREATE_INDEX_ON_ONLY = re.compile(
    r"^(?P<head>\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?"
    r"(?:[\w\"$]+\s+)?ON\s+)(?P<only>ONLY\s+)?",
    re.IGNORECASE,
)
_NULLS_DISTINCT = re.compile(r"\)\s*NULLS\s+(?:NOT\s+)?DISTINCT\b", re.IGNORECASE)


def _for_sqlglot(sql: str, dialect: str) -> str:
    """PostgreSQL's `CREATE INDEX ... ON ONLY t` (pg_dump's spelling) and `(...) NULLS
    [NOT] DISTINCT`, which sqlglot cannot read, without the words that do not change
    what the index covers: ONLY only stops it from recursing into partitions (on a plain
    table it is the same index, and pg_dump attaches the partitions' indexes right
    after, which makes it valid), and NULLS NOT DISTINCT only changes what is unique."""
    match = _CREATE_INDEX_ON_ONLY.match(sql) if dialect == "postgresql" else None
    if match is None:
        return sql
    if match["only"]:
        sql = match["head"] + sql[match.end() :]
    return _NULLS_DISTINCT.sub(")", sql, count=1)


_WORD = re.compile(r'"([^"]+)"|`([^`]+)`|\[([^\]]+)\]|([A-Za-z_][\w$]*)')
_RENAME_CONSTRAINT = re.compile(
    r"^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?P<table>[\w.\"]+)\s+RENAME\s+CONSTRAINT\s+"
    r"(?P<old>[\w\"]+)\s+TO\s+(?P<new>[\w\"]+)\s*$",
    re.IGNORECASE,
)
_UNIQUE_USING_INDEX = re.compile(
    r"^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?P<table>[\w.\"]+)\s+ADD\s+CONSTRAINT\s+"
    r"(?P<name>[\w\"]+)\s+(?P<kind>UNIQUE|PRIMARY\s+KEY)\s+USING\s+INDEX\s+(?P<index>[\w\"]+)"
    r"(?:\s+(?:NOT\s+)?DEFERRABLE(?:\s+INITIALLY\s+(?:DEFERRED|IMMEDIATE))?)?\s*$",
    re.IGNORECASE,
)


def words(sql: str) -> frozenset[str]:
    """Every identifier-like word in `sql` (string literals included), folded: a table it
    names may be among them."""
    found = set()
    for match in _WORD.finditer(sql):
        word = next(group for group in match.groups() if group is not None)
        found.add(word.casefold())
    return frozenset(found)


def changes_from_sql(sql: str, origin: Origin, dialect: str) -> list[Change]:
    """The changes that `sql` (one or more statements) makes."""
    reader = _Reader(origin, dialect)
    try:
        pieces = list(_statements(sql, reader.read))
    except SqlglotError as error:
        return [_unanalyzable(f"cannot be parsed ({_first_line(error)})", sql, origin)]
    changes: list[Change] = []
    for piece in pieces:
        changes.extend(reader.statement(piece))
    return changes


def index_element_column(sql: str, dialect: str) -> str | None | Literal[False]:
    """`sa.text("email DESC")` in an index: the column (`email`), None for an expression
    (`lower(email)`), False when it is not one index element sqlglot can read."""
    reader = _Reader(Origin("", FILE_START, ""), dialect)
    try:
        statement = sqlglot.parse_one(f"CREATE INDEX _i ON _t ({sql})", read=reader.read)
    except SqlglotError:
        return False
    index = statement.this
    params = index.args.get("params") if isinstance(index, exp.Index) else None
    elements = params.args.get("columns") if params is not None else None
    if not elements or len(elements) != 1:
        return False
    return reader.element(elements[0])


def expression_columns(sql: str, dialect: str, predicate: bool = False) -> tuple[str, ...]:
    """The columns an index element's expression (`lower(email)`) or, with `predicate`,
    a partial index's WHERE uses; none when sqlglot cannot read it."""
    reader = _Reader(Origin("", FILE_START, ""), dialect)
    wrapped = f"SELECT 1 WHERE {sql}" if predicate else f"CREATE INDEX _i ON _t ({sql})"
    try:
        statement = sqlglot.parse_one(wrapped, read=reader.read)
    except SqlglotError:
        return ()
    return reader.columns_in([statement])


_TOKEN = re.compile(r"<Token token_type: [^,]+, text: (?P<text>.*?), line: \d+, col: \d+[^>]*>")


def _first_line(error: Exception) -> str:
    """sqlglot's error as one short line: `Expected table name but got ONLY at 1:32`."""
    details = getattr(error, "errors", None)
    if isinstance(details, list) and details and isinstance(details[0], dict):
        first = details[0]
        description = _TOKEN.sub(lambda m: m["text"], str(first.get("description", "")))
        return f"{description} at {first.get('line')}:{first.get('col')}"
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _statements(sql: str, dialect: str) -> Iterator[str]:
    """The statements of `sql`, split where sqlglot's tokenizer sees a semicolon."""
    tokens = sqlglot.Dialect.get_or_raise(dialect).tokenize(sql)
    start: int | None = None
    end = 0
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            if start is not None:
                yield sql[start : end + 1]
            start = None
            continue
        if start is None:
            start = token.start
        end = token.end
    if start is not None:
        yield sql[start : end + 1]


def _unanalyzable(reason: str, sql: str, origin: Origin, everything: bool = False) -> Unanalyzable:
    return Unanalyzable(reason, words(sql), origin, everything)


def _kind(statement: exp.Expr) -> str:
    kind = statement.args.get("kind")
    return str(kind).upper() if kind is not None else ""


class _Reader:
    """Reads statements of one `op.execute` call."""

    def __init__(self, origin: Origin, dialect: str) -> None:
        self.origin = origin
        self.dialect = dialect
        self.read = SQLGLOT_DIALECTS.get(dialect, "postgres")

    # --- names --------------------------------------------------------------------------

    def name(self, node: exp.Expr | str | None) -> str:
        """An identifier as the database stores it (PostgreSQL folds unquoted ones)."""
        if node is None:
            return ""
        if isinstance(node, str):
            return node
        if isinstance(node, exp.Identifier):
            text = str(node.this)
            return text if node.quoted or self.dialect != "postgresql" else text.lower()
        if isinstance(node, exp.Column | exp.Table) and isinstance(node.this, exp.Identifier):
            return self.name(node.this)
        return node.name

    def table(self, node: exp.Expr) -> TableName:
        if isinstance(node, exp.Schema):
            node = node.this
        schema = self.name(node.args.get("db")) or None
        return table_name(self.name(node.args.get("this")), schema, self.dialect)

    def written_schema(self, node: exp.Expr) -> str | None:
        if isinstance(node, exp.Schema):
            node = node.this
        return self.name(node.args.get("db")) or None

    def identifiers(self, nodes: list[exp.Expr] | None) -> tuple[str, ...]:
        return tuple(self.name(node) for node in nodes or [])

    def element(self, node: exp.Expr) -> str | None:
        """An index element: the column it is, or None for an expression."""
        while isinstance(node, exp.Ordered | exp.Opclass | exp.Collate | exp.Paren):
            node = node.this
        if isinstance(node, exp.Column) and not node.table:
            return self.name(node)
        if isinstance(node, exp.Identifier):
            return self.name(node)
        return None

    def columns_in(self, nodes: list[exp.Expr | None]) -> tuple[str, ...]:
        """The columns that `nodes` use, each once (`_i` / `_t` are placeholders)."""
        found: dict[str, None] = {}
        for node in nodes:
            if node is None:
                continue
            for column in node.find_all(exp.Column):
                name = self.name(column)
                if name and name not in ("_i", "_t"):
                    found[name] = None
        return tuple(found)

    def expression_columns(
        self, elements: list[exp.Expr], where: exp.Expr | None
    ) -> tuple[str, ...]:
        """The columns that an index's expressions and predicate use."""
        expressions = [e for e in elements if self.element(e) is None]
        return self.columns_in([*expressions, where])

    # --- statements ---------------------------------------------------------------------

    def statement(self, sql: str) -> list[Change]:
        try:
            statement = sqlglot.parse_one(_for_sqlglot(sql, self.dialect), read=self.read)
        except SqlglotError as error:
            return [_unanalyzable(f"cannot be parsed ({_first_line(error)})", sql, self.origin)]
        try:
            return self._changes(statement, sql)
        except _NotUnderstood as problem:
            return [_unanalyzable(str(problem), sql, self.origin, problem.everything)]

    def _changes(self, statement: exp.Expr, sql: str) -> list[Change]:
        if isinstance(statement, NO_SCHEMA_CHANGE):
            return []
        if isinstance(statement, exp.Select):
            return self._select(statement)
        if isinstance(statement, exp.Create):
            return self._create(statement)
        if isinstance(statement, exp.Drop):
            return self._drop(statement)
        if isinstance(statement, exp.Alter):
            return self._alter(statement)
        if isinstance(statement, exp.Command):
            return self._command(sql)
        raise _NotUnderstood(f"is not understood ({type(statement).__name__} statement)")

    def _select(self, statement: exp.Select) -> list[Change]:
        """A SELECT changes nothing, unless it calls a function that might (such as
        TimescaleDB's `create_hypertable`)."""
        for call in statement.find_all(exp.Anonymous):
            if str(call.this).casefold() not in HARMLESS_FUNCTIONS:
                raise _NotUnderstood(f"calls {call.this}(), which may change tables")
        return []

    def _create(self, statement: exp.Create) -> list[Change]:
        kind = _kind(statement)
        if kind == "TABLE":
            return self._create_table(statement)
        if kind == "INDEX":
            return self._create_index(statement)
        if kind in HARMLESS_OBJECTS:
            return []
        raise _NotUnderstood(f"is not understood (CREATE {kind or '...'})")

    def _create_table(self, statement: exp.Create) -> list[Change]:
        properties = statement.args.get("properties")
        if properties is not None and properties.find(exp.TemporaryProperty):
            return []
        target = statement.this
        name = self.table(target)
        if_not_exists = bool(statement.args.get("exists"))
        elements = target.expressions if isinstance(target, exp.Schema) else []
        if not isinstance(target, exp.Schema) or any(
            isinstance(e, exp.LikeProperty) for e in elements
        ):
            return [
                CreateTable(name, TableSpec(), self.origin, if_not_exists=if_not_exists),
                MarkUncertain((name,), "created from a query, LIKE or PARTITION OF", self.origin),
            ]
        spec = TableSpec()
        for element in elements:
            if isinstance(element, exp.ColumnDef):
                column = self._column(element, name)
                spec.columns.append(column)
                spec.foreign_keys.extend(column.foreign_keys)
                if column.unique:
                    spec.indexes.append(self._unique((column.name,), None))
            else:
                self._table_constraint(element, name, spec)
        primary = [c.name for c in spec.columns if c.primary_key]
        if primary:
            spec.indexes.insert(0, IndexSpec(None, tuple(primary), "primary", self.origin.span))
        spec.columns = [_without_inline_keys(c) for c in spec.columns]
        return [CreateTable(name, spec, self.origin, self.written_schema(target), if_not_exists)]

    def _unique(self, columns: tuple[str, ...], name: str | None) -> IndexSpec:
        return IndexSpec(name, columns, "unique", self.origin.span, unique=True)

    def _column(self, node: exp.ColumnDef, table: TableName) -> ColumnSpec:
        name = self.name(node.this)
        kind = node.args.get("kind")
        nullable: bool | None = None
        primary_key = unique = False
        foreign_keys: list[ForeignKeySpec] = []
        for constraint in node.args.get("constraints") or []:
            inner = constraint.args.get("kind")
            constraint_name = self.name(constraint.this) or None
            if isinstance(inner, exp.PrimaryKeyColumnConstraint):
                primary_key = True
            elif isinstance(inner, exp.UniqueColumnConstraint):
                unique = True
            elif isinstance(inner, exp.NotNullColumnConstraint):
                nullable = bool(inner.args.get("allow_null"))
            elif isinstance(inner, exp.Reference):
                foreign_keys.append(self._reference(inner, (name,), constraint_name))
        return ColumnSpec(
            name=name,
            type=kind.sql(dialect=self.read) if kind is not None else "",
            nullable=nullable,
            primary_key=primary_key,
            index=False,
            unique=unique,
            foreign_keys=tuple(foreign_keys),
            span=self.origin.span,
        )

    def _reference(
        self, reference: exp.Reference, columns: tuple[str, ...], name: str | None
    ) -> ForeignKeySpec:
        target = reference.this
        referred_columns = (
            self.identifiers(target.expressions) if isinstance(target, exp.Schema) else ()
        )
        return ForeignKeySpec(
            name=name,
            columns=columns,
            referred_table=self.table(target),
            referred_columns=referred_columns,
            span=self.origin.span,
        )

    def _table_constraint(self, element: exp.Expr, table: TableName, spec: TableSpec) -> None:
        """`[CONSTRAINT name] FOREIGN KEY / PRIMARY KEY / UNIQUE / CHECK / EXCLUDE`."""
        name: str | None = None
        parts = [element]
        if isinstance(element, exp.Constraint):
            name = self.name(element.this) or None
            parts = list(element.expressions)
        for part in parts:
            if isinstance(part, exp.ForeignKey):
                reference = part.args.get("reference")
                if not isinstance(reference, exp.Reference):
                    raise _NotUnderstood("has a FOREIGN KEY without REFERENCES")
                columns = self.identifiers(part.expressions)
                spec.foreign_keys.append(self._reference(reference, columns, name))
            elif isinstance(part, exp.PrimaryKey):
                columns = tuple(self.element(c) or "" for c in part.expressions)
                spec.indexes.append(
                    IndexSpec(
                        name,
                        columns,
                        "primary",
                        self.origin.span,
                        unique=True,
                        include=self._include(part),
                    )
                )
            elif isinstance(part, exp.UniqueColumnConstraint):
                schema = part.this
                columns = self.identifiers(schema.expressions if schema is not None else [])
                spec.indexes.append(
                    IndexSpec(
                        name,
                        columns,
                        "unique",
                        self.origin.span,
                        unique=True,
                        include=self._include(part),
                    )
                )
            elif isinstance(part, exp.CheckColumnConstraint):
                spec.checks.append(CheckSpec(name, self.origin.span))
            elif isinstance(part, exp.ExcludeColumnConstraint):
                spec.indexes.append(self._exclude(part, name))
            elif isinstance(part, exp.IndexColumnConstraint):  # MySQL: INDEX [name] (columns)
                elements = tuple(self.element(c) for c in part.expressions)
                index_name = self.name(part.this) or name
                spec.indexes.append(IndexSpec(index_name, elements, "index", self.origin.span))
            else:
                raise _NotUnderstood(f"is not understood ({part.sql(dialect=self.read)[:40]})")

    def _include(self, node: exp.Expr) -> tuple[str, ...]:
        parameters = node.args.get("include")
        if isinstance(parameters, exp.IndexParameters):
            return self.identifiers(parameters.args.get("include"))
        return ()

    def _exclude(self, node: exp.ExcludeColumnConstraint, name: str | None) -> IndexSpec:
        parameters = node.this
        elements = parameters.args.get("columns") or [] if parameters is not None else []
        columns = tuple(
            self.element(e.this if isinstance(e, exp.WithOperator) else e) for e in elements
        )
        where = parameters.args.get("where") if parameters is not None else None
        elements = [e.this if isinstance(e, exp.WithOperator) else e for e in elements]
        return IndexSpec(
            name,
            columns,
            "exclude",
            self.origin.span,
            where=where.this.sql(dialect=self.read) if where is not None else None,
            expression_columns=self.expression_columns(elements, where),
        )

    def _create_index(self, statement: exp.Create) -> list[Change]:
        index = statement.this
        if not isinstance(index, exp.Index) or index.args.get("table") is None:
            raise _NotUnderstood("is not understood (CREATE INDEX without a table)")
        table_node = index.args["table"]
        params = index.args.get("params")
        elements = params.args.get("columns") or [] if params is not None else []
        where = params.args.get("where") if params is not None else None
        include = params.args.get("include") if params is not None else None
        spec = IndexSpec(
            name=self.name(index.this) or None,
            columns=tuple(self.element(element) for element in elements),
            kind="index",
            span=self.origin.span,
            unique=bool(statement.args.get("unique")),
            where=where.this.sql(dialect=self.read) if where is not None else None,
            include=self.identifiers(include),
            expression_columns=self.expression_columns(elements, where),
        )
        return [
            AddIndex(
                self.table(table_node),
                spec,
                self.origin,
                self.written_schema(table_node),
                bool(statement.args.get("exists")),
            )
        ]

    def _drop(self, statement: exp.Drop) -> list[Change]:
        kind = _kind(statement)
        targets = statement.args.get("tables") or [statement.this]
        if kind == "TABLE":
            return [DropTable(self.table(t), self.origin) for t in targets if t is not None]
        if kind == "INDEX":
            return [
                DropIndex(self.name(t.this), self.table(t).schema, None, self.origin)
                for t in targets
                if t is not None
            ]
        if kind == "SCHEMA" and statement.args.get("cascade"):
            raise _NotUnderstood("drops a schema with CASCADE", everything=True)
        if kind in CASCADING_DROPS and statement.args.get("cascade"):
            raise _NotUnderstood(f"drops a {kind.lower()} with CASCADE", everything=True)
        if kind in HARMLESS_OBJECTS:
            return []
        raise _NotUnderstood(f"is not understood (DROP {kind or '...'})")

    def _alter(self, statement: exp.Alter) -> list[Change]:
        kind = _kind(statement)
        target = statement.this
        actions = statement.args.get("actions") or []
        if kind == "INDEX":
            changes: list[Change] = []
            for action in actions:
                if not isinstance(action, exp.AlterRename):
                    raise _NotUnderstood("is not understood (ALTER INDEX)")
                old = self.table(target)
                changes.append(
                    RenameIndex(old.schema, old.name, self.name(action.this.this), self.origin)
                )
            return changes
        if kind in HARMLESS_OBJECTS:
            return []
        if kind != "TABLE":
            raise _NotUnderstood(f"is not understood (ALTER {kind or '...'})")
        table = self.table(target)
        renamed = self._column_renamed_without_column(statement, table)
        if renamed is not None:
            return [renamed]
        changes = []
        for action in actions:
            changes.extend(self._alter_table(action, table, self.written_schema(target)))
        return changes

    def _column_renamed_without_column(
        self, statement: exp.Alter, table: TableName
    ) -> RenameColumn | None:
        """`ALTER TABLE t RENAME x TO y` renames a column (COLUMN is optional in
        PostgreSQL); sqlglot reads it as a table rename to `x` with a `TO y` option."""
        actions = statement.args.get("actions") or []
        options = statement.args.get("options") or []
        targets = [o for o in options if isinstance(o, exp.ToTableProperty)]
        if len(actions) != 1 or not isinstance(actions[0], exp.AlterRename) or not targets:
            return None
        if len(targets) != 1 or len(options) != 1:
            raise _NotUnderstood("is not understood (ALTER TABLE ... RENAME)")
        old, new = actions[0].this, targets[0].this
        return RenameColumn(table, self.table(old).name, self.table(new).name, self.origin)

    def _alter_table(
        self, action: exp.Expr, table: TableName, written_schema: str | None
    ) -> list[Change]:
        if isinstance(action, exp.AddConstraint):
            spec = TableSpec()
            for element in action.expressions:
                self._table_constraint(element, table, spec)
            added: list[Change] = [
                AddIndex(table, index, self.origin, written_schema) for index in spec.indexes
            ]
            added.extend(AddForeignKey(table, fk, self.origin) for fk in spec.foreign_keys)
            added.extend(AddCheck(table, check, self.origin) for check in spec.checks)
            return added
        if isinstance(action, exp.ColumnDef):
            column = self._column(action, table)
            exists = bool(action.args.get("exists"))
            plain = _without_inline_keys(column)
            changes: list[Change] = [
                AddColumn(table, plain, self.origin, written_schema, if_not_exists=exists)
            ]
            if column.primary_key:
                index = IndexSpec(None, (column.name,), "primary", self.origin.span, unique=True)
                changes.append(AddIndex(table, index, self.origin, written_schema))
            if column.unique:
                changes.append(AddIndex(table, self._unique((column.name,), None), self.origin))
            changes.extend(AddForeignKey(table, fk, self.origin) for fk in column.foreign_keys)
            return changes
        if isinstance(action, exp.Drop):
            kind = _kind(action)
            targets = action.args.get("tables") or []
            if kind == "COLUMN":
                return [DropColumn(table, self.name(t), self.origin) for t in targets]
            if kind == "CONSTRAINT":
                cascade = bool(action.args.get("cascade"))
                return [
                    DropConstraint(table, self.name(t), None, self.origin, cascade) for t in targets
                ]
        if isinstance(action, exp.AlterRename):
            return [RenameTable(table, self.name(action.this.this), self.origin)]
        if isinstance(action, exp.RenameColumn):
            old, new = self.name(action.this), self.name(action.args.get("to"))
            return [RenameColumn(table, old, new, self.origin)]
        if isinstance(action, exp.AlterColumn):
            return []
        raise _NotUnderstood(f"is not understood ({action.sql(dialect=self.read)[:40]})")

    def _command(self, sql: str) -> list[Change]:
        """Statements sqlglot keeps as text."""
        text = " ".join(sql.split())
        rename = _RENAME_CONSTRAINT.match(text)
        if rename is not None:
            table = self._parse_table(rename["table"])
            return [
                RenameConstraint(
                    table, self._unquote(rename["old"]), self._unquote(rename["new"]), self.origin
                )
            ]
        using = _UNIQUE_USING_INDEX.match(text)
        if using is not None:
            table = self._parse_table(using["table"])
            return [
                RenameIndex(
                    table.schema,
                    self._unquote(using["index"]),
                    self._unquote(using["name"]),
                    self.origin,
                )
            ]
        if re.match(r"^(DO|CALL|EXECUTE)\b", text, re.IGNORECASE):
            dynamic = re.search(r"\bEXECUTE\b", text[2:], re.IGNORECASE) is not None
            what = "runs dynamic SQL" if dynamic else "runs procedural code"
            raise _NotUnderstood(what, everything=dynamic or text.upper().startswith("CALL"))
        if HARMLESS_COMMANDS.match(text):
            return []
        raise _NotUnderstood(f"is not understood ({' '.join(text.split()[:3])} ...)")

    def _unquote(self, text: str) -> str:
        if text.startswith('"') and text.endswith('"'):
            return text[1:-1]
        return text.lower() if self.dialect == "postgresql" else text

    def _parse_table(self, text: str) -> TableName:
        parts = [self._unquote(part) for part in text.split(".")]
        return table_name(parts[-1], ".".join(parts[:-1]) or None, self.dialect)


def _without_inline_keys(column: ColumnSpec) -> ColumnSpec:
    """The column alone: its inline PRIMARY KEY / UNIQUE / REFERENCES are added as
    separate constraints by the caller."""
    return ColumnSpec(
        name=column.name,
        type=column.type,
        nullable=column.nullable,
        primary_key=column.primary_key,
        index=False,
        unique=False,
        foreign_keys=(),
        span=column.span,
    )


class _NotUnderstood(Exception):
    def __init__(self, reason: str, everything: bool = False) -> None:
        super().__init__(reason)
        self.everything = everything
