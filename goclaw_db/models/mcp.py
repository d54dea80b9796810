"""Model Context Protocol servers and who may use them."""

import uuid
from datetime import datetime
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
from goclaw_db.types import JSONB

if TYPE_CHECKING:
    from goclaw_db.models.agents import Agent
    from goclaw_db.models.tenants import Tenant


class MCPServer(Base):
    """A Model Context Protocol server the gateway can connect to."""

    __tablename__ = "mcp_servers"
    __table_args__ = (
        sa.Index("idx_mcp_servers_tenant", "tenant_id"),
        sa.Index("idx_mcp_servers_tenant_name", "tenant_id", "name", unique=True),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    name: Mapped[str] = mapped_column(sa.String(255))
    display_name: Mapped[str | None] = mapped_column(sa.String(255), default=None)
    transport: Mapped[str] = mapped_column(sa.String(50), info={"doc": "stdio, sse or streamable-http."})
    command: Mapped[str | None] = mapped_column(info={"doc": "Command that starts a stdio server."}, default=None)
    args: Mapped[list[str] | None] = mapped_column(
        JSONB(),
        server_default="[]",
        default=None,
        info={"doc": "Command-line arguments of a stdio server (JSON array)."},
    )
    url: Mapped[str | None] = mapped_column(info={"doc": "Endpoint of an HTTP-based server."}, default=None)
    headers: Mapped[dict[str, Any] | None] = mapped_column(server_default="{}", default=None)
    env: Mapped[dict[str, Any] | None] = mapped_column(server_default="{}", default=None)
    api_key: Mapped[str | None] = mapped_column(
        info={"doc": "Credential for the server, encrypted by the gateway."}, default=None
    )
    tool_prefix: Mapped[str | None] = mapped_column(
        sa.String(50), info={"doc": "Prefix added to the server's tool names."}, default=None
    )
    timeout_sec: Mapped[int | None] = mapped_column(
        server_default=sa.text("60"), default=None, info={"doc": "How long a tool call may take, in seconds."}
    )
    settings: Mapped[dict[str, Any]] = mapped_column(server_default="{}", default=None)
    enabled: Mapped[bool] = mapped_column(server_default=sa.true(), default=None)
    created_by: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated | None] = mapped_column(default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    agent_grants: Mapped[list["MCPAgentGrant"]] = relationship(
        back_populates="server", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    user_grants: Mapped[list["MCPUserGrant"]] = relationship(
        back_populates="server", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    access_requests: Mapped[list["MCPAccessRequest"]] = relationship(
        back_populates="server", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    user_credentials: Mapped[list["MCPUserCredential"]] = relationship(
        back_populates="server", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    tenant: Mapped["Tenant"] = relationship(default=None)


class MCPAgentGrant(Base):
    """An agent's access to an MCP server's tools."""

    __tablename__ = "mcp_agent_grants"
    __table_args__ = (
        sa.UniqueConstraint("server_id", "agent_id"),
        sa.Index("idx_mcp_agent_grants_agent", "agent_id"),
        sa.Index("idx_mcp_agent_grants_tenant", "tenant_id"),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    server_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("mcp_servers.id", ondelete="CASCADE"), default=None, info={"doc": "MCP server the agent may use."}
    )
    agent_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"), default=None)
    enabled: Mapped[bool] = mapped_column(server_default=sa.true(), default=None)
    tool_allow: Mapped[list[str] | None] = mapped_column(
        JSONB(), nullable=True, info={"doc": "Tools the grant allows; NULL allows all."}, default=None
    )
    tool_deny: Mapped[list[str] | None] = mapped_column(
        JSONB(), nullable=True, info={"doc": "Tools the grant withholds."}, default=None
    )
    config_overrides: Mapped[dict[str, Any] | None] = mapped_column(
        JSONB(), nullable=True, default=None, info={"doc": "Server settings overridden for this agent (JSON object)."}
    )
    granted_by: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    server: Mapped["MCPServer"] = relationship(back_populates="agent_grants", default=None)
    agent: Mapped["Agent"] = relationship(back_populates="mcp_grants", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)


class MCPUserGrant(Base):
    """A user's access to an MCP server's tools."""

    __tablename__ = "mcp_user_grants"
    __table_args__ = (
        sa.UniqueConstraint("server_id", "user_id"),
        sa.Index("idx_mcp_user_grants_tenant", "tenant_id"),
        sa.Index("idx_mcp_user_grants_user", "user_id"),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    server_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("mcp_servers.id", ondelete="CASCADE"), default=None, info={"doc": "MCP server the user may use."}
    )
    user_id: Mapped[str] = mapped_column(sa.String(255))
    enabled: Mapped[bool] = mapped_column(server_default=sa.true(), default=None)
    tool_allow: Mapped[list[str] | None] = mapped_column(
        JSONB(), nullable=True, info={"doc": "Tools the grant allows; NULL allows all."}, default=None
    )
    tool_deny: Mapped[list[str] | None] = mapped_column(
        JSONB(), nullable=True, default=None, info={"doc": "Tools the grant withholds (JSON array)."}
    )
    granted_by: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    server: Mapped["MCPServer"] = relationship(back_populates="user_grants", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)


class MCPAccessRequest(Base):
    """A request for access to an MCP server, awaiting review."""

    __tablename__ = "mcp_access_requests"
    __table_args__ = (
        sa.Index("idx_mcp_access_requests_tenant", "tenant_id"),
        sa.Index("idx_mcp_requests_server", "server_id"),
        sa.Index(
            "idx_mcp_requests_status",
            "status",
            **where("status = 'pending'"),
        ),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    server_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("mcp_servers.id", ondelete="CASCADE"),
        default=None,
        info={"doc": "MCP server access is requested to."},
    )
    agent_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"), default=None)
    user_id: Mapped[str | None] = mapped_column(sa.String(255), default=None)
    scope: Mapped[str] = mapped_column(sa.String(10), info={"doc": "Whether access is asked for an agent or a user."})
    status: Mapped[str] = mapped_column(
        sa.String(20),
        server_default="pending",
        info={"doc": "pending until someone reviews the request."},
        default=None,
    )
    reason: Mapped[str | None] = mapped_column(default=None, info={"doc": "Why access is requested."})
    tool_allow: Mapped[list[str] | None] = mapped_column(
        JSONB(), nullable=True, default=None, info={"doc": "Tools asked for; NULL asks for all (JSON array)."}
    )
    requested_by: Mapped[str] = mapped_column(sa.String(255), info={"doc": "User or agent that asked."})
    reviewed_by: Mapped[str | None] = mapped_column(sa.String(255), default=None)
    reviewed_at: Mapped[datetime | None] = mapped_column(default=None)
    review_note: Mapped[str | None] = mapped_column(default=None, info={"doc": "The reviewer's note."})
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    server: Mapped["MCPServer"] = relationship(back_populates="access_requests", default=None)
    agent: Mapped["Agent | None"] = relationship(back_populates="mcp_access_requests", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)


class MCPUserCredential(Base):
    """A user's own credentials for an MCP server."""

    __tablename__ = "mcp_user_credentials"
    __table_args__ = (
        sa.UniqueConstraint("server_id", "user_id", "tenant_id"),
        sa.Index("idx_mcp_user_credentials_server", "server_id"),
        sa.Index("idx_mcp_user_credentials_tenant", "tenant_id"),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    server_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("mcp_servers.id", ondelete="CASCADE"),
        default=None,
        info={"doc": "MCP server the credentials are for."},
    )
    user_id: Mapped[str] = mapped_column(sa.String(255))
    api_key: Mapped[str | None] = mapped_column(
        info={"doc": "The user's own credential for the server, encrypted."}, default=None
    )
    headers: Mapped[bytes | None] = mapped_column(sa.LargeBinary(), default=None)
    env: Mapped[bytes | None] = mapped_column(sa.LargeBinary(), default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)
    created_at: Mapped[timestamp_now] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated] = mapped_column(default=None)

    server: Mapped["MCPServer"] = relationship(back_populates="user_credentials", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)
