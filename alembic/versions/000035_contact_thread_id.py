"""Thread-aware channel contacts; plain sender ids

GoClaw version 35 lets a contact be tracked per thread (a forum topic or a
reply thread) by adding ``thread_id`` and ``thread_type``; the uniqueness of a
contact now includes its thread. It also settles the shape of ``sender_id``:
some channels stored ``<id>|<username>``, and from now on only the id is kept.
Where a sender exists under both spellings the suffixed duplicate is removed
(and of several suffixed rows for one sender the oldest is kept); the remaining
suffixed ids lose their suffix.

Revision ID: 000035
Revises: '000034'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.sql import first_part

revision: str = "000035"
down_revision: str | None = "000034"
branch_labels = None
depends_on = None

UNIQUE_CONTACT = "idx_channel_contacts_tenant_type_sender"


def _contacts(alias: str | None = None) -> sa.TableClause:
    table = sa.table(
        "channel_contacts",
        sa.column("id"),
        sa.column("tenant_id"),
        sa.column("channel_type", sa.String()),
        sa.column("sender_id", sa.String()),
        sa.column("thread_id", sa.String()),
    )
    return table.alias(alias) if alias else table


def upgrade() -> None:
    op.add_portable_columns(
        "channel_contacts",
        sa.Column("thread_id", sa.String(100)),
        sa.Column("thread_type", sa.String(20)),
    )

    contacts = _contacts()
    suffixed = contacts.c.sender_id.like("%|%")
    bare_id = first_part(contacts.c.sender_id, "|")
    # Rank the spellings of each sender: the plain row first, then suffixed rows
    # oldest first.  Every suffixed row that is not first goes.  (A window over
    # one sort, not a correlated search per row: the latter grows with the
    # square of the number of contacts.)
    ranked = sa.select(
        contacts.c.id,
        suffixed.label("suffixed"),
        sa.func.row_number()
        .over(
            partition_by=(contacts.c.tenant_id, contacts.c.channel_type, bare_id),
            order_by=(sa.case((suffixed, 1), else_=0), contacts.c.id),
        )
        .label("rank"),
    ).subquery()
    duplicates = sa.select(ranked.c.id).where(ranked.c.suffixed, ranked.c.rank > 1)
    op.execute(sa.delete(contacts).where(contacts.c.id.in_(duplicates)))
    op.execute(sa.update(contacts).where(suffixed).values(sender_id=bare_id))

    op.drop_portable_index(UNIQUE_CONTACT, "channel_contacts")
    op.create_portable_index(
        UNIQUE_CONTACT,
        "channel_contacts",
        ["tenant_id", "channel_type", "sender_id", sa.text("COALESCE(thread_id, '')")],
        unique=True,
    )


def downgrade() -> None:
    # Without threads a sender is one contact again: keep its thread-less row,
    # or failing that its oldest thread row, so the old unique index can be built.
    contacts, other = _contacts(), _contacts("other")
    op.execute(
        sa.delete(contacts).where(
            contacts.c.thread_id.is_not(None),
            sa.exists().where(
                other.c.tenant_id == contacts.c.tenant_id,
                other.c.channel_type == contacts.c.channel_type,
                other.c.sender_id == contacts.c.sender_id,
                other.c.id != contacts.c.id,
                sa.or_(other.c.thread_id.is_(None), other.c.id < contacts.c.id),
            ),
        )
    )
    op.drop_portable_index(UNIQUE_CONTACT, "channel_contacts")
    op.drop_portable_columns("channel_contacts", "thread_type", "thread_id")
    op.create_portable_index(
        UNIQUE_CONTACT, "channel_contacts", ["tenant_id", "channel_type", "sender_id"], unique=True
    )
