"""Schema documentation generated from the models and the revision chain.

``goclaw-db docs [--output DIR]`` writes, by default to ``docs/schema/``:

* ``README.md``: a diagram of the domains (one module of
  :mod:`goclaw_db.models` each) and the links between them, each domain's
  tables with an ER diagram, the extensions and functions, how PostgreSQL and
  SQLite differ, and what each revision does;
* one page per table: its purpose, columns (PostgreSQL and SQLite type,
  nullability, default, description), the shapes of its JSON columns,
  constraints, foreign keys, indexes and the queries they serve, SQLite
  full-text search, triggers and the revisions that created and changed it.

The modules: :mod:`~goclaw_db.docs.chain` reads the revision chain (docstrings
and its offline SQL), :mod:`~goclaw_db.docs.statements` what that SQL does,
:mod:`~goclaw_db.docs.history` each table's history, :mod:`~goclaw_db.docs.schema`
the facts the models state, :mod:`~goclaw_db.docs.descriptions` the words,
:mod:`~goclaw_db.docs.mermaid` the diagrams and :mod:`~goclaw_db.docs.pages`
the pages, from the templates in ``templates/``.  The output is deterministic,
so a test can tell when the committed copy is stale.
"""

from goclaw_db.docs.pages import DEFAULT_OUTPUT, GENERATED_NOTE, render, write

__all__ = ["DEFAULT_OUTPUT", "GENERATED_NOTE", "render", "write"]
