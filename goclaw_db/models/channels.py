"""Messaging channels, the contacts seen on them and buffered group messages."""

import uuid
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from goclaw_db.base import Base
from goclaw_db.ids import uuid7
from goclaw_db.models._columns import (
    tenant_fk,
    timestamp_now,
    timestamp_updated,
    uuid_pk,
    where,
)

if TYPE_CHECKING:
    from goclaw_db.models.agents import Agent
    from goclaw_db.models.tenants import Tenant


class ChannelInstance(Base):
    """A configured messaging channel (Telegram bot, Slack app...) bound to an agent."""

    __tablename__ = "channel_instances"
    __table_args__ = (
        sa.Index("idx_channel_instances_agent", "agent_id"),
        sa.Index("idx_channel_instances_tenant", "tenant_id"),
        sa.Index("idx_channel_instances_tenant_name", "tenant_id", "name", unique=True),
        sa.Index("idx_channel_instances_type", "channel_type"),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    name: Mapped[str] = mapped_column(sa.String(100), info={"doc": "Instance name, unique per tenant."})
    display_name: Mapped[str | None] = mapped_column(sa.String(255), server_default="", default=None)
    channel_type: Mapped[str] = mapped_column(
        sa.String(50), info={"doc": "Messaging platform, e.g. telegram or slack."}
    )
    agent_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"), default=None)
    credentials: Mapped[bytes | None] = mapped_column(
        sa.LargeBinary(), info={"doc": "Channel credentials, encrypted by the gateway."}, default=None
    )
    config: Mapped[dict[str, Any] | None] = mapped_column(
        server_default="{}", info={"doc": "Channel settings (JSON)."}, default=None
    )
    enabled: Mapped[bool | None] = mapped_column(server_default=sa.true(), default=None)
    created_by: Mapped[str | None] = mapped_column(sa.String(255), server_default="", default=None)
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated | None] = mapped_column(default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    agent: Mapped["Agent"] = relationship(back_populates="channel_instances", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)


class ChannelContact(Base):
    """A person or group seen on a messaging channel."""

    __tablename__ = "channel_contacts"
    __table_args__ = (
        sa.Index(
            "idx_channel_contacts_instance",
            "channel_instance",
            **where("channel_instance IS NOT NULL"),
        ),
        sa.Index(
            "idx_channel_contacts_merged",
            "merged_id",
            **where("merged_id IS NOT NULL"),
        ),
        sa.Index("idx_channel_contacts_search", "display_name", "username"),
        sa.Index("idx_channel_contacts_tenant", "tenant_id"),
        sa.Index(
            "idx_channel_contacts_tenant_type_sender",
            "tenant_id",
            "channel_type",
            "sender_id",
            sa.text("COALESCE(thread_id, '')"),
            unique=True,
        ),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    channel_type: Mapped[str] = mapped_column(sa.String(50), info={"doc": "Kind of channel the contact was seen on."})
    channel_instance: Mapped[str | None] = mapped_column(
        sa.String(255), default=None, info={"doc": "Name of the channel instance the contact was seen on."}
    )
    sender_id: Mapped[str] = mapped_column(sa.String(255), info={"doc": "The contact's id on the platform."})
    user_id: Mapped[str | None] = mapped_column(sa.String(255), default=None)
    display_name: Mapped[str | None] = mapped_column(sa.String(255), default=None)
    username: Mapped[str | None] = mapped_column(
        sa.String(255), default=None, info={"doc": "The contact's user name on the channel."}
    )
    avatar_url: Mapped[str | None] = mapped_column(default=None, info={"doc": "Address of the contact's picture."})
    peer_kind: Mapped[str | None] = mapped_column(
        sa.String(20), info={"doc": "Kind of chat the contact was seen in, e.g. direct or group."}, default=None
    )
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", server_default="{}", default=None)
    merged_id: Mapped[uuid.UUID | None] = mapped_column(
        info={"doc": "Contact this one was merged into, if any."}, default=None
    )
    first_seen_at: Mapped[timestamp_now] = mapped_column(default=None)
    last_seen_at: Mapped[timestamp_now] = mapped_column(default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)
    contact_type: Mapped[str] = mapped_column(
        sa.String(20), server_default="user", info={"doc": "Kind of contact, e.g. user."}, default=None
    )
    thread_id: Mapped[str | None] = mapped_column(
        sa.String(100), info={"doc": "Thread or topic inside a chat, if any."}, default=None
    )
    thread_type: Mapped[str | None] = mapped_column(
        sa.String(20), default=None, info={"doc": "Kind of conversation (direct or group)."}
    )

    tenant: Mapped["Tenant"] = relationship(default=None)


class ChannelPendingMessage(Base):
    """A group message buffered until the agent is addressed."""

    __tablename__ = "channel_pending_messages"
    __table_args__ = (
        sa.Index("idx_channel_pending_messages_lookup", "channel_name", "history_key", "created_at"),
        sa.Index("idx_channel_pending_messages_tenant", "tenant_id"),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    channel_name: Mapped[str] = mapped_column(sa.String(100), info={"doc": "Channel instance the message arrived on."})
    history_key: Mapped[str] = mapped_column(
        sa.String(200), info={"doc": "Conversation the buffered message belongs to."}
    )
    sender: Mapped[str] = mapped_column(sa.String(255), info={"doc": "Display name of the sender."})
    sender_id: Mapped[str] = mapped_column(sa.String(255), server_default="", default=None)
    body: Mapped[str] = mapped_column(info={"doc": "Message text."})
    platform_msg_id: Mapped[str] = mapped_column(
        sa.String(100), server_default="", default=None, info={"doc": "The message's id on the platform."}
    )
    is_summary: Mapped[bool] = mapped_column(
        server_default=sa.false(), info={"doc": "The row condenses older buffered messages."}, default=None
    )
    created_at: Mapped[timestamp_now] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated] = mapped_column(default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    tenant: Mapped["Tenant"] = relationship(default=None)
