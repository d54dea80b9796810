"""The generated schema documentation: complete, current, and valid Mermaid.

Needs no database.  When ``test_committed_docs_are_current`` fails, run
``goclaw-db docs`` from the repository root and commit ``docs/schema/``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from goclaw_db import docs
from goclaw_db.cli import main
from goclaw_db.models import metadata
from goclaw_db.runner import script_location

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "docs" / "schema"


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return docs.render()


@pytest.fixture(scope="module")
def domains() -> list[docs.Domain]:
    return docs.collect_domains()


# --- completeness -------------------------------------------------------------------


def test_every_table_has_a_page_with_all_columns_and_indexes(pages):
    for table in metadata.tables.values():
        page = pages.get(f"{table.name}.md")
        assert page is not None, f"no page for {table.name}"
        assert "(no description)" not in page, f"{table.name}: give the model a docstring"
        for column in table.columns:
            assert re.search(rf"^\| `{re.escape(column.name)}` \|", page, re.M), (
                f"{table.name}.{column.name} missing from its page"
            )
        for index in table.indexes:
            assert f"`{index.name}`" in page, f"index {index.name} missing from {table.name}.md"
        for fk in table.foreign_key_constraints:
            assert f"[{fk.referred_table.name}]({fk.referred_table.name}.md)" in page
            assert (fk.ondelete or "NO ACTION").upper() in page


def test_readme_lists_every_table_once_per_domain(pages, domains):
    readme = pages["README.md"]
    listed = re.findall(r"^\| \[(\w+)\]\(\1\.md\) \|", readme, re.M)
    assert sorted(listed) == sorted(metadata.tables)
    for heading in ("## Extensions and functions", "## PostgreSQL and SQLite", "## Overview diagram"):
        assert heading in readme
    for name in ("uuid_generate_v7", "vector"):
        assert f"`{name}" in readme


def test_every_domain_has_an_er_diagram_with_its_tables(pages, domains):
    readme = pages["README.md"]
    sections = re.split(r"^## ", readme, flags=re.M)
    for domain in domains:
        section = next((s for s in sections if s.startswith(domain.title + "\n")), None)
        assert section is not None, f"no section for domain {domain.name}"
        blocks = _mermaid_blocks(section)
        assert len(blocks) == 1, f"domain {domain.name} needs exactly one ER diagram"
        entities = _parse_er(blocks[0]).entities
        for td in domain.tables:
            assert td.name in entities, f"{td.name} missing from the {domain.name} diagram"
    overview = next(s for s in sections if s.startswith("Overview diagram\n"))
    (block,) = _mermaid_blocks(overview)
    assert _parse_er(block).entities >= set(metadata.tables)


def test_the_expected_domains_exist(domains):
    names = {d.name for d in domains}
    assert {
        "agents",
        "sessions",
        "memory",
        "knowledge_graph",
        "vault",
        "teams",
        "tracing",
        "cron",
        "channels",
        "security",
        "tenants",
    } <= names


def test_tables_and_notable_columns_are_described(domains):
    for domain in domains:
        assert domain.doc, f"module of domain {domain.name} needs a docstring"
        for td in domain.tables:
            assert td.doc, f"{td.name} needs a docstring"
            described = [c for c in td.table.columns if c.info.get("doc")]
            assert described, f"{td.name}: describe its notable columns with info={{'doc': ...}}"


def test_column_facts(pages):
    agents = pages["agents.md"]
    assert "| `embedding` | `vector(1536)` | not stored |" in agents
    assert "| `id` | `uuid` | `TEXT` | no | `uuid_generate_v7()` (SQLite: set by the application) | PK |" in agents
    assert "FTS5 index over (display_name, frontmatter)" in agents
    episodic = pages["episodic_summaries.md"]
    assert re.search(r"`idx_episodic_embedding_hnsw` \| HNSW \(vector_cosine_ops, ef_construction=64, m=16\)", episodic)
    assert "`embedding IS NOT NULL`" in episodic
    assert re.search(r"`idx_episodic_search_vector` \| GIN \|", episodic)
    vault = pages["vault_documents.md"]
    assert "`trg_vault_docs_team_null_scope`" in vault
    assert "| `vault_documents_team_id_fkey` | `team_id` | [agent_teams](agent_teams.md) (`id`) | SET NULL |" in vault


def test_fts5_tables_come_from_table_info(pages):
    fts = {t.name for t in metadata.tables.values() if t.info.get("fts5")}
    assert fts == {"memory_chunks", "episodic_summaries", "kg_entities", "agents", "team_tasks", "vault_documents"}
    for table in metadata.tables.values():
        assert ("FTS5 index over" in pages[f"{table.name}.md"]) == (table.name in fts)


# --- revision history ------------------------------------------------------------------


def test_every_table_has_a_creating_revision():
    histories = docs.table_histories(docs.load_revisions())
    missing = [
        name
        for name in sorted(metadata.tables)
        if name not in docs.pg_only_tables() and not (histories.get(name) and histories[name].created)
    ]
    assert not missing, f"no revision creates {missing}"


def test_history_on_the_pages(pages):
    assert "- Created in [000001](../../alembic/versions/000001_init_schema.py) (init schema)." in pages["agents.md"]
    assert "[000043](../../alembic/versions/000043_vault_team_custom_scope.py)" in pages["vault_documents.md"]
    assert "Created in [000038]" in pages["vault_documents.md"]


def test_scanner_follows_helpers_loops_batches_and_sql():
    source = """
import sqlalchemy as sa
from alembic import op

TABLES = ("alpha", "beta")
PAIRS = (("gamma", "idx_gamma"), ("delta", "idx_delta"))
rows = sa.table("epsilon", sa.column("x"))

def _table(alias=None):
    t = sa.table("zeta", sa.column("id"))
    return t.alias(alias) if alias else t

def _add(table, name):
    op.add_column(table, sa.Column(name, sa.Text()))

def upgrade():
    create_table("new_one", sa.Column("id", sa.Integer))
    for table in TABLES:
        _add(table, "x")
    for table, index in PAIRS:
        op.create_index(index, table, ["x"])
    with op.batch_alter_table("eta") as batch:
        batch.alter_column("memory_chunks")
    op.execute(sa.update(rows).values(x=1))
    z = _table("z")
    op.execute(sa.delete(z))
    execute_on_postgresql(sa.text("CREATE TRIGGER t1 BEFORE UPDATE ON theta FOR EACH ROW EXECUTE FUNCTION f1()"))
    op.execute("CREATE OR REPLACE FUNCTION f1() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN END $$")
    op.drop_table("iota")
    op.drop_index("idx_kappa", table_name="kappa")

def downgrade():
    op.drop_table("new_one")
"""
    effects = docs.scan_source(source)
    assert effects.created == {"new_one"}
    assert effects.changed == {"alpha", "beta", "gamma", "delta", "eta", "theta", "kappa"}
    assert effects.dropped == {"iota"}
    assert effects.data == {"epsilon", "zeta"}
    assert effects.functions["f1"]["returns"] == "trigger"
    assert effects.triggers["t1"]["table"] == "theta"


# --- the committed copy -------------------------------------------------------------------


def test_committed_docs_are_current(pages):
    committed = {p.name: p.read_text(encoding="utf-8") for p in COMMITTED.glob("*.md")}
    stale = sorted(name for name in pages.keys() | committed.keys() if pages.get(name) != committed.get(name))
    assert not stale, f"docs/schema is stale ({', '.join(stale[:10])}): run `goclaw-db docs` and commit the result"


def test_output_is_deterministic(pages):
    assert docs.render() == pages


def test_cli_writes_the_docs(tmp_path, capsys):
    out = tmp_path / "schema"
    assert main(["docs", "--output", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    written = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.md")}
    # Links to the revisions are made relative to where the pages are written, so they resolve there.
    link = os.path.relpath(Path(script_location()) / "versions", out.resolve())
    assert written == {name: text.replace(docs.REVISIONS_LINK, link) for name, text in docs.render().items()}
    targets = re.findall(r"\]\(([^)]*/versions/[^)]+\.py)\)", written["agents.md"])
    assert targets and all((out / target).resolve().is_file() for target in targets)
    # A page for a table that no longer exists is removed on the next run; other files stay.
    (out / "gone.md").write_text(docs.GENERATED_NOTE + "\n", encoding="utf-8")
    (out / "notes.md").write_text("mine\n", encoding="utf-8")
    assert main(["docs", "--output", str(out)]) == 0
    assert not (out / "gone.md").exists()
    assert (out / "notes.md").exists()


# --- Mermaid --------------------------------------------------------------------------------
# A strict check of the erDiagram grammar (as Mermaid's erDiagram parser accepts it):
#   erDiagram
#   ENTITY                                   a bare entity
#   ENTITY {                                 an entity with attributes ...
#       TYPE NAME [KEY[, KEY]...] ["comment"]
#   }
#   ENTITY CARD_LEFT(--|..)CARD_RIGHT ENTITY : "label"
# Entity and attribute names: [A-Za-z_][A-Za-z0-9_-]*; attribute types are kept
# to [A-Za-z_][A-Za-z0-9_]* so every Mermaid version reads them; keys PK, FK, UK.

_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_TYPE = r"[A-Za-z_][A-Za-z0-9_]*"
_KEYS = r"(?:PK|FK|UK)(?:\s*,\s*(?:PK|FK|UK))*"
_LEFT = r"(?:\|o|\|\||\}o|\}\|)"
_RIGHT = r"(?:o\||\|\||o\{|\|\{)"
_RE_BARE = re.compile(rf"^({_NAME})$")
_RE_OPEN = re.compile(rf"^({_NAME})\s*\{{$")
_RE_ATTRIBUTE = re.compile(rf'^({_TYPE})\s+({_NAME})(?:\s+({_KEYS}))?(?:\s+"[^"\n]*")?$')
_RE_RELATION = re.compile(rf'^({_NAME})\s+{_LEFT}(?:--|\.\.){_RIGHT}\s+({_NAME})\s*:\s*(?:"[^"\n]*"|{_NAME})$')
_RESERVED = {"erDiagram", "title", "accTitle", "accDescr", "direction", "style", "classDef", "class", "PK", "FK", "UK"}


class MermaidError(ValueError):
    pass


class _ER:
    def __init__(self):
        self.entities: set[str] = set()
        self.relations: list[tuple[str, str]] = []


def _parse_er(block: str) -> _ER:
    lines = [line.strip() for line in block.splitlines()]
    lines = [line for line in lines if line and not line.startswith("%%")]
    if not lines or lines[0] != "erDiagram":
        raise MermaidError("an ER diagram starts with 'erDiagram'")
    er, current, declared = _ER(), None, set()
    for number, line in enumerate(lines[1:], start=2):
        if current is not None:
            if line == "}":
                current = None
                continue
            match = _RE_ATTRIBUTE.match(line)
            if not match:
                raise MermaidError(f"line {number}: not an attribute: {line!r}")
            keys = [k.strip() for k in (match.group(3) or "").split(",") if k.strip()]
            if len(keys) != len(set(keys)):
                raise MermaidError(f"line {number}: repeated key in {line!r}")
            continue
        if match := _RE_OPEN.match(line):
            name = match.group(1)
            if name in declared:
                raise MermaidError(f"line {number}: entity {name} declared twice")
            declared.add(name)
            current = name
        elif match := _RE_BARE.match(line):
            name = match.group(1)
        elif match := _RE_RELATION.match(line):
            er.relations.append((match.group(1), match.group(2)))
            er.entities |= {match.group(1), match.group(2)}
            continue
        else:
            raise MermaidError(f"line {number}: not valid erDiagram syntax: {line!r}")
        if name in _RESERVED:
            raise MermaidError(f"line {number}: {name} is a Mermaid keyword")
        er.entities.add(name)
    if current is not None:
        raise MermaidError(f"entity {current} is not closed")
    return er


def _mermaid_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```mermaid\n(.*?)^```$", markdown, re.M | re.S)


def test_every_mermaid_block_parses(pages):
    blocks = [(name, b) for name, text in sorted(pages.items()) for b in _mermaid_blocks(text)]
    assert len(blocks) >= 1 + len(docs.collect_domains())
    for name, block in blocks:
        try:
            _parse_er(block)
        except MermaidError as exc:
            pytest.fail(f"{name}: {exc}\n{block}")
    # Every fence that opens is a closed mermaid block.
    for name, text in pages.items():
        assert text.count("```mermaid") == len(_mermaid_blocks(text)), name


@pytest.mark.parametrize(
    "bad",
    [
        "graph TD\n  a --> b",
        "erDiagram\n  agents {\n    timestamp with time zone created_at\n  }",
        "erDiagram\n  agents {\n    numeric(12, 6) cost\n  }",
        "erDiagram\n  agents {\n    uuid id PK\n",
        'erDiagram\n  agents ||--o< sessions : "agent_id"',
        'erDiagram\n  agents ||->o{ sessions : "agent_id"',
        "erDiagram\n  agents ||--o{ sessions",
        "erDiagram\n  agents {\n    uuid id PK, PK\n  }",
        "erDiagram\n  agents {\n    uuid id XK\n  }",
    ],
)
def test_the_mermaid_check_rejects_bad_diagrams(bad):
    with pytest.raises(MermaidError):
        _parse_er(bad)


def test_mermaid_types_are_sanitised():
    assert docs.mermaid_type("timestamp with time zone") == "timestamptz"
    assert docs.mermaid_type("numeric(12, 6)") == "numeric_12_6"
    assert docs.mermaid_type("text[]") == "text_array"
    assert docs.mermaid_type("vector(1536)") == "vector_1536"
    assert docs.mermaid_type("double precision") == "double_precision"
