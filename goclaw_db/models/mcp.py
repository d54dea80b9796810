"""Model Context Protocol servers and who may use them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from goclaw_db.base import Base
from goclaw_db.types import JSONB, Timestamp, UUID, now, uuid_generate_v7


class MCPServer(Base):
    """A Model Context Protocol server the gateway can connect to."""

    __tablename__ = "mcp_servers"
    __table_args__ = (
        sa.Index("idx_mcp_servers_tenant", "tenant_id"),
        sa.Index("idx_mcp_servers_tenant_name", "tenant_id", "name", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(), primary_key=True, server_default=uuid_generate_v7())
    name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    display_name: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    transport: Mapped[str] = mapped_column(
        sa.String(50), nullable=False, info={"doc": "stdio, sse or streamable-http."}
    )
    command: Mapped[str | None] = mapped_column(
        sa.Text(), nullable=True, info={"doc": "Command that starts a stdio server."}
    )
    args: Mapped[list[Any] | None] = mapped_column(JSONB(), nullable=True, server_default="[]")
    url: Mapped[str | None] = mapped_column(
        sa.Text(), nullable=True, info={"doc": "Endpoint of an HTTP-based server."}
    )
    headers: Mapped[dict[str, Any] | None] = mapped_column(JSONB(), nullable=True, server_default="{}")
    env: Mapped[dict[str, Any] | None] = mapped_column(JSONB(), nullable=True, server_default="{}")
    api_key: Mapped[str | None] = mapped_column(
        sa.Text(), nullable=True, info={"doc": "Credential for the server, encrypted by the gateway."}
    )
    tool_prefix: Mapped[str | None] = mapped_column(
        sa.String(50), nullable=True, info={"doc": "Prefix added to the server's tool names."}
    )
    timeout_sec: Mapped[int | None] = mapped_column(sa.Integer(), nullable=True, server_default=sa.text("60"))
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB(), nullable=False, server_default="{}")
    enabled: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, server_default=sa.true())
    created_by: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    created_at: Mapped[datetime | None] = mapped_column(Timestamp(), nullable=True, server_default=now())
    updated_at: Mapped[datetime | None] = mapped_column(Timestamp(), nullable=True, server_default=now())
    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(), sa.ForeignKey("tenants.id"), nullable=False)

    agent_grants: Mapped[list[MCPAgentGrant]] = relationship(
        back_populates="server", cascade="all, delete-orphan", passive_deletes=True
    )
    user_grants: Mapped[list[MCPUserGrant]] = relationship(
        back_populates="server", cascade="all, delete-orphan", passive_deletes=True
    )
    access_requests: Mapped[list[MCPAccessRequest]] = relationship(
        back_populates="server", cascade="all, delete-orphan", passive_deletes=True
    )
    user_credentials: Mapped[list[MCPUserCredential]] = relationship(
        back_populates="server", cascade="all, delete-orphan", passive_deletes=True
    )


class MCPAgentGrant(Base):
    """An agent's access to an MCP server's tools."""

    __tablename__ = "mcp_agent_grants"
    __table_args__ = (
        sa.UniqueConstraint("server_id", "agent_id"),
        sa.Index("idx_mcp_agent_grants_agent", "agent_id"),
        sa.Index("idx_mcp_agent_grants_tenant", "tenant_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(), primary_key=True, server_default=uuid_generate_v7())
    server_id: Mapped[uuid.UUID] = mapped_column(
        UUID(), sa.ForeignKey("mcp_servers.id", ondelete="CASCADE"), nullable=False
    )
    agent_id: Mapped[uuid.UUID] = mapped_column(
        UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False
    )
    enabled: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, server_default=sa.true())
    tool_allow: Mapped[Any] = mapped_column(
        JSONB(), nullable=True, info={"doc": "Tools the grant allows; NULL allows all."}
    )
    tool_deny: Mapped[Any] = mapped_column(JSONB(), nullable=True, info={"doc": "Tools the grant withholds."})
    config_overrides: Mapped[Any] = mapped_column(JSONB(), nullable=True)
    granted_by: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    created_at: Mapped[datetime | None] = mapped_column(Timestamp(), nullable=True, server_default=now())
    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(), sa.ForeignKey("tenants.id"), nullable=False)

    server: Mapped[MCPServer] = relationship(back_populates="agent_grants")


class MCPUserGrant(Base):
    """A user's access to an MCP server's tools."""

    __tablename__ = "mcp_user_grants"
    __table_args__ = (
        sa.UniqueConstraint("server_id", "user_id"),
        sa.Index("idx_mcp_user_grants_tenant", "tenant_id"),
        sa.Index("idx_mcp_user_grants_user", "user_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(), primary_key=True, server_default=uuid_generate_v7())
    server_id: Mapped[uuid.UUID] = mapped_column(
        UUID(), sa.ForeignKey("mcp_servers.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    enabled: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, server_default=sa.true())
    tool_allow: Mapped[Any] = mapped_column(
        JSONB(), nullable=True, info={"doc": "Tools the grant allows; NULL allows all."}
    )
    tool_deny: Mapped[Any] = mapped_column(JSONB(), nullable=True)
    granted_by: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    created_at: Mapped[datetime | None] = mapped_column(Timestamp(), nullable=True, server_default=now())
    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(), sa.ForeignKey("tenants.id"), nullable=False)

    server: Mapped[MCPServer] = relationship(back_populates="user_grants")


class MCPAccessRequest(Base):
    """A request for access to an MCP server, awaiting review."""

    __tablename__ = "mcp_access_requests"
    __table_args__ = (
        sa.Index("idx_mcp_access_requests_tenant", "tenant_id"),
        sa.Index("idx_mcp_requests_server", "server_id"),
        sa.Index(
            "idx_mcp_requests_status",
            "status",
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(), primary_key=True, server_default=uuid_generate_v7())
    server_id: Mapped[uuid.UUID] = mapped_column(
        UUID(), sa.ForeignKey("mcp_servers.id", ondelete="CASCADE"), nullable=False
    )
    agent_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=True
    )
    user_id: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    scope: Mapped[str] = mapped_column(
        sa.String(10), nullable=False, info={"doc": "Whether access is asked for an agent or a user."}
    )
    status: Mapped[str] = mapped_column(
        sa.String(20),
        nullable=False,
        server_default="pending",
        info={"doc": "pending until someone reviews the request."},
    )
    reason: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    tool_allow: Mapped[Any] = mapped_column(JSONB(), nullable=True)
    requested_by: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    reviewed_by: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(Timestamp(), nullable=True)
    review_note: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    created_at: Mapped[datetime | None] = mapped_column(Timestamp(), nullable=True, server_default=now())
    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(), sa.ForeignKey("tenants.id"), nullable=False)

    server: Mapped[MCPServer] = relationship(back_populates="access_requests")


class MCPUserCredential(Base):
    """A user's own credentials for an MCP server."""

    __tablename__ = "mcp_user_credentials"
    __table_args__ = (
        sa.UniqueConstraint("server_id", "user_id", "tenant_id"),
        sa.Index("idx_mcp_user_credentials_server", "server_id"),
        sa.Index("idx_mcp_user_credentials_tenant", "tenant_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(), primary_key=True, server_default=uuid_generate_v7())
    server_id: Mapped[uuid.UUID] = mapped_column(
        UUID(), sa.ForeignKey("mcp_servers.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    api_key: Mapped[str | None] = mapped_column(
        sa.Text(), nullable=True, info={"doc": "The user's own credential for the server, encrypted."}
    )
    headers: Mapped[bytes | None] = mapped_column(sa.LargeBinary(), nullable=True)
    env: Mapped[bytes | None] = mapped_column(sa.LargeBinary(), nullable=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(), sa.ForeignKey("tenants.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(Timestamp(), nullable=False, server_default=now())
    updated_at: Mapped[datetime] = mapped_column(Timestamp(), nullable=False, server_default=now())

    server: Mapped[MCPServer] = relationship(back_populates="user_credentials")
