"""The generated schema documentation: complete, current, linked, and valid Mermaid of legible size.

Needs no database.  When ``test_committed_docs_are_current`` fails, run
``goclaw-db docs`` from the repository root and commit ``docs/schema/``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from goclaw_db import docs
from goclaw_db.cli import main
from goclaw_db.docs import chain, descriptions, mermaid, schema
from goclaw_db.docs.history import table_histories
from goclaw_db.docs.statements import effects_of, split_statements
from goclaw_db.models import metadata

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "docs" / "schema"
# The most tables one diagram may draw and still be read at page width.  Checked
# by rendering the diagrams with Mermaid 11 in Chromium: the largest today (agents,
# 11 tables) is 668 px wide at full scale.
MAX_TABLES_PER_DIAGRAM = 14
# ... and the most tables on one path of foreign keys, which sets a left-to-right diagram's width.
MAX_CHAIN_PER_DIAGRAM = 4


@pytest.fixture(scope="module")
def revisions() -> list[chain.Revision]:
    return chain.load_revisions()


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return docs.render(COMMITTED)


@pytest.fixture(scope="module")
def domains() -> list[schema.Domain]:
    return schema.collect_domains()


# --- completeness -------------------------------------------------------------------


def test_every_table_has_a_page_with_all_columns_and_indexes(pages):
    for table in metadata.tables.values():
        page = pages.get(f"{table.name}.md")
        assert page is not None, f"no page for {table.name}"
        for column in table.columns:
            assert re.search(rf"^\| `{re.escape(column.name)}` \|", page, re.M), (
                f"{table.name}.{column.name} missing from its page"
            )
        for index in table.indexes:
            assert f"`{index.name}`" in page, f"index {index.name} missing from {table.name}.md"
        for fk in table.foreign_key_constraints:
            assert f"[{fk.referred_table.name}]({fk.referred_table.name}.md)" in page
            assert (fk.ondelete or "NO ACTION").upper() in page


def test_every_table_and_column_is_described(domains):
    undescribed = [
        f"{td.name}.{column.name}"
        for domain in domains
        for td in domain.tables
        for column in td.table.columns
        if not descriptions.column_doc(td.table, column)
    ]
    assert not undescribed, f"describe these columns with info={{'doc': ...}} on their model: {undescribed}"
    for domain in domains:
        assert domain.doc, f"module of domain {domain.name} needs a docstring"
        for td in domain.tables:
            assert td.doc, f"{td.name} needs a docstring"


def test_every_index_says_which_query_it_serves(pages):
    for table in metadata.tables.values():
        for index in table.indexes:
            row = next(
                line for line in pages[f"{table.name}.md"].splitlines() if line.startswith(f"| `{index.name}` |")
            )
            serves = row.rstrip(" |").rsplit(" | ", 1)[1]
            assert serves.endswith("."), f"{index.name}: {row}"
    assert "Nearest-neighbour search: `ORDER BY embedding <=> :query LIMIT k`" in pages["memory_chunks.md"]


def test_json_columns_show_their_typed_dict_shape(pages):
    sessions = pages["sessions.md"]
    assert "Array of [`SessionMessage`](#sessionmessage)." in sessions
    # The nested shapes are shown too, each key with its type and whether it is always there.
    assert "| `tool_calls` | `list[ToolCall]` | no |" in sessions
    assert "### ToolCall" in sessions
    assert "| `arguments` | `dict[str, Any]` | yes |" in sessions
    for table in metadata.tables.values():
        for column in table.columns:
            held = descriptions.column_shape(table, column)
            if held is not None:
                assert f"### {held[0].__name__}" in pages[f"{table.name}.md"], f"{table.name}.{column.name}"


def test_readme_lists_every_table_once_per_domain(pages, domains):
    readme = pages["README.md"]
    listed = re.findall(r"^\| \[(\w+)\]\(\1\.md\) \|", readme, re.M)
    assert sorted(listed) == sorted(metadata.tables)
    for heading in ("## Extensions and functions", "## PostgreSQL and SQLite", "## Overview diagram", "## Revisions"):
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
    assert _parse_flowchart(block) == {d.name for d in domains}


def _longest_chain(er: _ER) -> int:
    """Tables on the longest path of foreign keys: the columns a left-to-right layout needs."""
    children: dict[str, set[str]] = {}
    for parent, child in er.relations:
        if parent != child:
            children.setdefault(parent, set()).add(child)

    def depth(table: str, seen: frozenset[str]) -> int:
        return 1 + max((depth(c, seen | {c}) for c in children.get(table, ()) if c not in seen), default=0)

    return max(depth(t, frozenset({t})) for t in er.entities)


def test_every_diagram_is_small_enough_to_read_at_page_width(pages, domains):
    # Rendered with Mermaid 11 in Chromium at 980 px: the old 64-table overview was
    # 15,862 px wide (text shrunk 16 times); the domain overview is 741 px, and the
    # domain diagrams, left to right, at most 1,537 px (teams, four tables deep).
    for domain in domains:
        assert len(mermaid.diagram_tables(domain)) <= MAX_TABLES_PER_DIAGRAM, domain.name
    for block in _mermaid_blocks(pages["README.md"]):
        if block.startswith("erDiagram"):
            er = _parse_er(block)
            assert er.direction == "LR", block.splitlines()[2]
            assert len(er.entities) <= MAX_TABLES_PER_DIAGRAM, block.splitlines()[2]
            assert _longest_chain(er) <= MAX_CHAIN_PER_DIAGRAM, block.splitlines()[2]


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


# --- revision history, from the chain's offline SQL ---------------------------------------------


def test_every_revision_is_read_with_its_docstring_title(revisions):
    assert [r.id for r in revisions] == [f"{n:06d}" for n in range(1, len(revisions) + 1)]
    assert revisions[0].title == "Initial multi-tenant schema"
    assert all(r.title and r.path.is_file() for r in revisions)


def test_every_table_has_a_creating_revision(revisions):
    histories = table_histories(revisions)
    missing = [
        name
        for name in sorted(metadata.tables)
        if name not in schema.pg_only_tables() and not (histories.get(name) and histories[name].created)
    ]
    assert not missing, f"no revision creates {missing}"


def test_what_revisions_do_is_read_from_their_sql(revisions):
    by_id = {r.id: r.effects for r in revisions}
    # GoClaw 23 moves group file writers into config permissions and drops their table.
    assert by_id["000023"].dropped == {"group_file_writers"}
    assert "agent_config_permissions" in by_id["000023"].data
    # GoClaw 44 seeds two context files for every agent and changes no schema.
    assert by_id["000044"].data == {"agent_context_files"} and not by_id["000044"].changed
    # A DROP INDEX names no table: it is the table the chain created the index on.
    assert "secure_cli_agent_grants" not in by_id["000036"].changed - by_id["000036"].created
    assert "usage_snapshots" in by_id["000026"].changed or "usage_snapshots" in by_id["000027"].changed
    assert by_id["000043"].triggers["trg_vault_docs_team_null_scope"].table == "vault_documents"
    assert by_id["000001"].extensions == {"pgcrypto", "vector"}
    # Version bookkeeping each revision updates is not part of what it does.
    assert not any({"alembic_version", "schema_migrations"} & effects.tables() for effects in by_id.values())


def test_statements_are_split_outside_quotes_and_dollar_quotes():
    script = (
        "INSERT INTO notes (body) VALUES ('a; DROP TABLE x; it''s');\n"
        "-- a comment; with a semicolon\n"
        "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN UPDATE y SET a = 1; END $body$;\n"
        "DROP TABLE z"
    )
    statements = split_statements(script)
    assert len(statements) == 3
    effects = effects_of(script)
    assert effects.data == {"notes"} and effects.dropped == {"z"}
    assert effects.functions["f"].returns == "trigger"


def test_statement_heads_decide_what_a_statement_does():
    effects = effects_of(
        "CREATE TABLE a (id int);\n"
        "ALTER TABLE b ADD COLUMN c int;\n"
        "COMMENT ON COLUMN c.owner IS 'x';\n"
        "CREATE UNIQUE INDEX idx_d ON d (x) WHERE x IS NOT NULL;\n"
        "UPDATE e SET x = 1;\n"
        "DELETE FROM f;\n"
        "ALTER TABLE g RENAME TO h;\n"
        "CREATE TRIGGER t BEFORE UPDATE OF x ON i FOR EACH ROW EXECUTE FUNCTION fn();\n"
        "DROP INDEX idx_old;\n"
        "UPDATE alembic_version SET version_num = '2';\n"
        "INSERT INTO a (id) VALUES (1)",
        ignore_tables=frozenset({"alembic_version"}),
    )
    assert effects.created == {"a"}
    assert effects.changed == {"b", "c", "d", "i"}
    assert effects.data == {"e", "f"}
    assert effects.renamed == [("g", "h")]
    assert effects.indexes == {"idx_d": "d"} and effects.dropped_indexes == {"idx_old"}
    assert effects.triggers["t"].timing == "BEFORE UPDATE OF x"


def test_history_on_the_pages(pages):
    assert (
        "- Created in [000001](../../alembic/versions/000001_init_schema.py) (Initial multi-tenant schema)."
        in pages["agents.md"]
    )
    assert "[000043](../../alembic/versions/000043_vault_team_custom_scope.py)" in pages["vault_documents.md"]
    assert "Created in [000038]" in pages["vault_documents.md"]


# --- the committed copy, and links wherever the pages are written -------------------------------


def test_committed_docs_are_current(pages):
    committed = {p.name: p.read_text(encoding="utf-8") for p in COMMITTED.glob("*.md")}
    stale = sorted(name for name in pages.keys() | committed.keys() if pages.get(name) != committed.get(name))
    assert not stale, f"docs/schema is stale ({', '.join(stale[:10])}): run `goclaw-db docs` and commit the result"


def test_output_is_deterministic(pages):
    assert docs.render(COMMITTED) == pages


def _anchors(markdown: str) -> set[str]:
    """Heading anchors as GitHub makes them: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#+ (.+)$", markdown, re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_every_link_resolves_wherever_the_pages_are_written(tmp_path, capsys, monkeypatch):
    # Written far from the checkout, from another working directory.
    out = tmp_path / "elsewhere" / "schema"
    monkeypatch.chdir(tmp_path)
    assert main(["docs", "--output", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    written = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.md")}
    assert written.keys() == {f"{t}.md" for t in metadata.tables} | {"README.md"}
    linked = set()
    for name, text in written.items():
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            assert "://" not in target and not target.startswith("/"), f"{name}: link {target} is not relative"
            path, _, anchor = target.partition("#")
            file = (out / path).resolve() if path else out / name
            assert file.exists(), f"{name}: link target {target} does not exist"
            if anchor:
                assert anchor in _anchors(file.read_text(encoding="utf-8")), f"{name}: no heading for {target}"
            linked.add(name)
    assert linked == written.keys()  # every page links back to the overview, at least


def test_cli_removes_stale_pages_and_keeps_other_files(tmp_path):
    out = tmp_path / "schema"
    assert main(["docs", "--output", str(out)]) == 0
    (out / "gone.md").write_text(docs.GENERATED_NOTE + "\n", encoding="utf-8")
    (out / "notes.md").write_text("mine\n", encoding="utf-8")
    assert main(["docs", "--output", str(out)]) == 0
    assert not (out / "gone.md").exists()
    assert (out / "notes.md").exists()


# --- Mermaid --------------------------------------------------------------------------------
# A strict check of the erDiagram grammar (as Mermaid's erDiagram parser accepts it):
#   erDiagram
#   direction LR                             optional, right after the first line
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
        self.direction = "TB"


def _parse_er(block: str) -> _ER:
    lines = [line.strip() for line in block.splitlines()]
    lines = [line for line in lines if line and not line.startswith("%%")]
    if not lines or lines[0] != "erDiagram":
        raise MermaidError("an ER diagram starts with 'erDiagram'")
    er, current, declared = _ER(), None, set()
    if len(lines) > 1 and lines[1].startswith("direction"):
        if lines[1] not in ("direction LR", "direction RL", "direction TB", "direction BT"):
            raise MermaidError(f"line 2: not a direction: {lines[1]!r}")
        er.direction = lines[1].split()[1]
        lines = [lines[0], *lines[2:]]
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


_RE_NODE = re.compile(rf'^({_NAME})\["[^"\n]*"\]$')
_RE_EDGE = re.compile(rf"^({_NAME})\s+-->\s+({_NAME})$")


def _parse_flowchart(block: str) -> set[str]:
    """The nodes of a ``flowchart LR`` of labelled boxes and arrows; an arrow must join declared boxes."""
    lines = [line.strip() for line in block.splitlines() if line.strip()]
    if not lines or lines[0] != "flowchart LR":
        raise MermaidError("the overview starts with 'flowchart LR'")
    nodes: set[str] = set()
    for number, line in enumerate(lines[1:], start=2):
        if match := _RE_NODE.match(line):
            nodes.add(match.group(1))
        elif (match := _RE_EDGE.match(line)) and {match.group(1), match.group(2)} <= nodes:
            continue
        else:
            raise MermaidError(f"line {number}: not a declared box or an arrow between boxes: {line!r}")
    return nodes


def _mermaid_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```mermaid\n(.*?)^```$", markdown, re.M | re.S)


def test_every_mermaid_block_parses(pages):
    blocks = [(name, b) for name, text in sorted(pages.items()) for b in _mermaid_blocks(text)]
    assert len(blocks) >= 1 + len(schema.collect_domains())
    for name, block in blocks:
        try:
            _parse_flowchart(block) if block.startswith("flowchart") else _parse_er(block)
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
    assert mermaid.mermaid_type("timestamp with time zone") == "timestamptz"
    assert mermaid.mermaid_type("numeric(12, 6)") == "numeric_12_6"
    assert mermaid.mermaid_type("text[]") == "text_array"
    assert mermaid.mermaid_type("vector(1536)") == "vector_1536"
    assert mermaid.mermaid_type("double precision") == "double_precision"
