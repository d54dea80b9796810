"""Tenants, their users and their system settings."""

import uuid
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from goclaw_db.base import Base
from goclaw_db.ids import uuid7
from goclaw_db.models._columns import timestamp_now, timestamp_updated, uuid_pk, where

if TYPE_CHECKING:
    from goclaw_db.models.agents import Agent
    from goclaw_db.models.teams import AgentTeam

# GoClaw's version 27 creates this tenant and gives it every row that existed
# before tenants did; single-tenant installations keep using it.
MASTER_TENANT_ID = uuid.UUID("0193a5b0-7000-7000-8000-000000000001")


class Tenant(Base):
    """An isolated workspace (organisation) that owns agents, teams and configuration."""

    __tablename__ = "tenants"
    __table_args__ = (
        sa.Index("idx_tenants_slug", "slug"),
        sa.Index(
            "idx_tenants_status",
            "status",
            **where("status = 'active'"),
        ),
    )

    # GoClaw's schema gives this key no default; the application makes it.
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, insert_default=uuid7, default_factory=uuid7)
    name: Mapped[str] = mapped_column(sa.String(255))
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True, info={"doc": "URL-safe unique short name."})
    status: Mapped[str] = mapped_column(
        sa.String(20), server_default="active", info={"doc": "Lifecycle state, e.g. active."}, default=None
    )
    settings: Mapped[dict[str, Any]] = mapped_column(
        server_default="{}", info={"doc": "Tenant settings (JSON)."}, default=None
    )
    created_at: Mapped[timestamp_now] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated] = mapped_column(default=None)

    users: Mapped[list["TenantUser"]] = relationship(
        back_populates="tenant", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    agents: Mapped[list["Agent"]] = relationship(back_populates="tenant", passive_deletes="all", default_factory=list)
    teams: Mapped[list["AgentTeam"]] = relationship(
        back_populates="tenant", passive_deletes="all", default_factory=list
    )


class TenantUser(Base):
    """A user's membership of a tenant, with the role they hold there."""

    __tablename__ = "tenant_users"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "user_id"),
        sa.Index("idx_tenant_users_tenant", "tenant_id"),
        sa.Index("idx_tenant_users_user", "user_id"),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    tenant_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("tenants.id", ondelete="CASCADE"), default=None)
    user_id: Mapped[str] = mapped_column(sa.String(255), info={"doc": "The user's id in the gateway."})
    display_name: Mapped[str | None] = mapped_column(sa.String(255), default=None)
    role: Mapped[str] = mapped_column(
        sa.String(20),
        server_default="member",
        info={"doc": "Role inside the tenant (owner, admin, operator, member, viewer)."},
        default=None,
    )
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", server_default="{}", default=None)
    created_at: Mapped[timestamp_now] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated] = mapped_column(default=None)

    tenant: Mapped["Tenant"] = relationship(back_populates="users", default=None)


class SystemConfig(Base):
    """A tenant-scoped key/value setting of the gateway."""

    __tablename__ = "system_configs"
    __table_args__ = (sa.Index("idx_system_configs_tenant", "tenant_id"),)

    key: Mapped[str] = mapped_column(sa.String(100), primary_key=True, info={"doc": "Name of the setting."})
    value: Mapped[str] = mapped_column(info={"doc": "Setting value as text; interpretation depends on the key."})
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True, default=None
    )
    updated_at: Mapped[timestamp_updated] = mapped_column(default=None)

    tenant: Mapped["Tenant"] = relationship(default=None)
