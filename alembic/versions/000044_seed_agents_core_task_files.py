"""Seed the core and task operating-rules context files for every agent

GoClaw version 44 splits an agent's operating rules into two context files
that the gateway loads depending on the kind of run: ``AGENTS_CORE.md`` holds
the rules every run needs (reply language, handling internal system messages,
saving for real when asked to remember), and ``AGENTS_TASK.md`` adds the
rules for full task runs (using memory, keeping private memory out of shared
chats, scheduling with cron). Every agent that is not deleted and lacks one of
these files gets our default text; files an operator already wrote are left
alone. The deprecated ``AGENTS_MINIMAL.md`` files are removed.

Revision ID: 000044
Revises: '000043'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import UUID, Timestamp, uuid_generate_v7

revision: str = "000044"
down_revision: str | None = "000043"
branch_labels = None
depends_on = None

_SHARED_RULES = """\
## Replying

- Answer in the language the user writes in, and keep to it for the rest of the conversation.

## System messages

- A block marked `[System Message]` is internal context for you (a scheduled job's result, a subagent \
that finished); the user never sees it.
- When such a block says work is done, tell the user about it in your own words instead of passing the \
raw text along.
- Do not send messages with `exec` or `curl`: the gateway delivers your replies to the right channel itself.
- When the user asks you to save or remember something, call `write_file` or `edit` in this same turn. \
Never say something is saved unless a tool call saved it.
"""

AGENTS_CORE = "# Operating rules: core\n\n" + _SHARED_RULES

AGENTS_TASK = (
    "# Operating rules: tasks\n\n"
    + _SHARED_RULES
    + """
## Memory

- Before answering about earlier work, decisions or preferences, look them up with `memory_search`; \
then read just the lines you need with `memory_get`. Where `knowledge_graph_search` is available, use it \
too for questions that connect several facts.
- Keep what matters in files with `write_file`: notes of the day in `memory/YYYY-MM-DD.md`, lasting \
decisions and lessons in `MEMORY.md`.
- Nothing is remembered unless it is written down, so write it now rather than intending to later.

### Privacy of MEMORY.md

- Draw on `MEMORY.md` only in a private chat with its owner.
- In group chats and shared sessions, keep its contents to yourself.

## Scheduling

- Use the `cron` tool for anything periodic or due at a set time, with a precise, actionable message.
- For a one-off reminder use `kind: "at"`; the job removes itself after it runs.
- To post the result in a chat, set `deliver: true` together with `channel` and `to`.
- Prefer one job that checks several related things over many frequent jobs.
"""
)

SEEDED_FILES = {"AGENTS_CORE.md": AGENTS_CORE, "AGENTS_TASK.md": AGENTS_TASK}

agents = sa.table(
    "agents", sa.column("id", UUID()), sa.column("tenant_id", UUID()), sa.column("deleted_at", Timestamp())
)
context_files = sa.table(
    "agent_context_files",
    sa.column("id", UUID()),
    sa.column("agent_id", UUID()),
    sa.column("tenant_id", UUID()),
    sa.column("file_name", sa.String(255)),
    sa.column("content", sa.Text()),
)


def upgrade() -> None:
    for file_name, content in SEEDED_FILES.items():
        has_file = sa.exists().where(context_files.c.agent_id == agents.c.id, context_files.c.file_name == file_name)
        op.execute(
            context_files.insert().from_select(
                ["id", "agent_id", "tenant_id", "file_name", "content"],
                sa.select(
                    uuid_generate_v7(), agents.c.id, agents.c.tenant_id, sa.literal(file_name), sa.literal(content)
                ).where(agents.c.deleted_at.is_(None), ~has_file),
            )
        )
    op.execute(sa.delete(context_files).where(context_files.c.file_name == "AGENTS_MINIMAL.md"))


def downgrade() -> None:
    # Older gateways do not read these files, so the upgrade's own copies go:
    # a file whose text is not ours, word for word, was written by an operator
    # (before version 44 or since) and stays.  The removed AGENTS_MINIMAL.md
    # files are not restored.
    for file_name, content in SEEDED_FILES.items():
        op.execute(
            sa.delete(context_files).where(context_files.c.file_name == file_name, context_files.c.content == content)
        )
