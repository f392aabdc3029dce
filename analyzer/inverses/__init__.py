"""Which changes of `upgrade()` its `downgrade()` undoes, by alembic's own inverse pairs.

`track_upgrade` walks the upgrade's ops and keeps one `Change` per schema object the
revision creates, drops or renames, under its name at the end of `upgrade()` (a table
created and then renamed is one change, named by its final name). `apply_downgrade`
walks the downgrade's ops over those changes and marks the ones it undoes:

- a drop (`drop_table`, `drop_column`, `drop_index`, `drop_constraint`) undoes the
  create of the object with that name; `drop_table` also undoes every column, index
  and constraint created on that table, and `drop_column` every index and constraint
  that uses the column (PostgreSQL drops them with it; on MySQL, which shrinks
  multi-column indexes instead, only when all their columns are dropped);
- a create undoes the drop of the object with that name (`create_table` also restores
  the columns, indexes and constraints of that table the upgrade dropped);
- a rename is undone when the name is back where it started at the end of
  `downgrade()`; renames in either function are followed when matching later ops;
- an index and a constraint with the same name are one object (a unique constraint is
  backed by an index of its name; MySQL drops either with `DROP INDEX`);
- a create without a name (its name comes from the database or a naming convention)
  is undone by dropping its table or one of its columns, or by a drop on its table
  that names no object this revision created (it may name the generated name).

Nothing is guessed: an op whose identifying argument is not a literal matches any
name; `op.execute` with SQL that is not a literal, or an op alembic does not define
with non-literal arguments, may undo anything; literal SQL (other than plain data
statements such as `UPDATE`) and custom ops with literal arguments may undo every
object whose names they mention. Such an object is never reported. A rename whose
names are not literals makes the whole revision unknowable (`track_upgrade` returns
None; `apply_downgrade` marks everything undone).
"""

from analyzer.inverses.changes import Change, apply_downgrade, track_upgrade
from analyzer.inverses.text import (
    change_key,
    quote,
    undo_op,
    what_downgrade_misses,
    what_upgrade_does,
)

__all__ = [
    "Change",
    "apply_downgrade",
    "change_key",
    "quote",
    "track_upgrade",
    "undo_op",
    "what_downgrade_misses",
    "what_upgrade_does",
]
