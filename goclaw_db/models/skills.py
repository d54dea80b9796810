"""Skills and built-in tools, and who may use them."""

import uuid
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from goclaw_db.base import Base
from goclaw_db.ids import uuid7
from goclaw_db.models._columns import (
    embedding_vector,
    gin_index,
    hnsw_index,
    tenant_fk,
    timestamp_now,
    timestamp_updated,
    uuid_pk,
    where,
)
from goclaw_db.types import JSONB, TextArray, empty_array

if TYPE_CHECKING:
    from goclaw_db.models.agents import Agent
    from goclaw_db.models.tenants import Tenant


class Skill(Base):
    """A packaged skill (instructions and files) agents can use."""

    __tablename__ = "skills"
    __table_args__ = (
        hnsw_index("idx_skills_embedding"),
        sa.Index(
            "idx_skills_enabled",
            "enabled",
            **where("enabled = false"),
        ),
        sa.Index("idx_skills_owner", "owner_id"),
        sa.Index("idx_skills_slug", "slug"),
        sa.Index(
            "idx_skills_system",
            "is_system",
            **where("is_system = true"),
        ),
        gin_index("idx_skills_tags", "tags"),
        sa.Index("idx_skills_tenant", "tenant_id"),
        sa.Index("idx_skills_tenant_slug", "tenant_id", "slug", unique=True),
        sa.Index(
            "idx_skills_visibility",
            "visibility",
            **where("status = 'active'"),
        ),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    name: Mapped[str] = mapped_column(sa.String(255))
    slug: Mapped[str] = mapped_column(
        sa.String(255), info={"doc": "URL-safe identifier of the skill, unique per tenant."}
    )
    description: Mapped[str | None] = mapped_column(default=None)
    owner_id: Mapped[str] = mapped_column(sa.String(255), info={"doc": "User who owns the skill."})
    visibility: Mapped[str] = mapped_column(
        sa.String(10), server_default="private", info={"doc": "private, internal or public."}, default=None
    )
    version: Mapped[int] = mapped_column(
        server_default=sa.text("1"), info={"doc": "Version number of the skill."}, default=None
    )
    status: Mapped[str] = mapped_column(
        sa.String(20), server_default="active", info={"doc": "Lifecycle state, e.g. active."}, default=None
    )
    frontmatter: Mapped[dict[str, Any]] = mapped_column(
        server_default="{}", info={"doc": "Metadata read from the skill's header (JSON)."}, default=None
    )
    file_path: Mapped[str] = mapped_column(info={"doc": "Where the skill's files are stored."})
    file_size: Mapped[int] = mapped_column(sa.BigInteger(), server_default=sa.text("0"), default=None)
    file_hash: Mapped[str | None] = mapped_column(
        sa.String(64), default=None, info={"doc": "Hash of the skill's files, for change detection."}
    )
    embedding: Mapped[embedding_vector] = mapped_column(
        info={"doc": "Embedding of the skill description for semantic search."}, default=None
    )
    tags: Mapped[list[str] | None] = mapped_column(default=None)
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated | None] = mapped_column(default=None)
    is_system: Mapped[bool] = mapped_column(
        server_default=sa.false(), info={"doc": "Shipped with the gateway rather than uploaded."}, default=None
    )
    deps: Mapped[dict[str, Any]] = mapped_column(
        server_default="{}", info={"doc": "What the skill needs to run (JSON)."}, default=None
    )
    enabled: Mapped[bool] = mapped_column(server_default=sa.true(), default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    agent_grants: Mapped[list["SkillAgentGrant"]] = relationship(
        back_populates="skill", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    user_grants: Mapped[list["SkillUserGrant"]] = relationship(
        back_populates="skill", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    tenant_configs: Mapped[list["SkillTenantConfig"]] = relationship(
        back_populates="skill", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    tenant: Mapped["Tenant"] = relationship(default=None)


class SkillAgentGrant(Base):
    """An agent's access to a skill, optionally pinned to a version."""

    __tablename__ = "skill_agent_grants"
    __table_args__ = (
        sa.UniqueConstraint("skill_id", "agent_id"),
        sa.Index("idx_skill_agent_grants_agent", "agent_id"),
        sa.Index("idx_skill_agent_grants_tenant", "tenant_id"),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    skill_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("skills.id", ondelete="CASCADE"), default=None, info={"doc": "Skill the agent may use."}
    )
    agent_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"), default=None)
    pinned_version: Mapped[int] = mapped_column(info={"doc": "Skill version the agent uses."})
    granted_by: Mapped[str] = mapped_column(sa.String(255), info={"doc": "Who granted the access."})
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    skill: Mapped["Skill"] = relationship(back_populates="agent_grants", default=None)
    agent: Mapped["Agent"] = relationship(back_populates="skill_grants", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)


class SkillUserGrant(Base):
    """A user's access to a skill."""

    __tablename__ = "skill_user_grants"
    __table_args__ = (
        sa.UniqueConstraint("skill_id", "user_id"),
        sa.Index("idx_skill_user_grants_tenant", "tenant_id"),
        sa.Index("idx_skill_user_grants_user", "user_id"),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    skill_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("skills.id", ondelete="CASCADE"), default=None, info={"doc": "Skill the user may use."}
    )
    user_id: Mapped[str] = mapped_column(sa.String(255), info={"doc": "User who may use the skill."})
    granted_by: Mapped[str] = mapped_column(sa.String(255), info={"doc": "Who granted the access."})
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    skill: Mapped["Skill"] = relationship(back_populates="user_grants", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)


class SkillTenantConfig(Base):
    """A tenant's switch for a skill."""

    __tablename__ = "skill_tenant_configs"
    __table_args__ = (sa.Index("idx_skill_tenant_configs_tenant", "tenant_id"),)

    skill_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("skills.id", ondelete="CASCADE"),
        primary_key=True,
        default=None,
        info={"doc": "Skill this tenant's setting applies to."},
    )
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True, default=None
    )
    enabled: Mapped[bool] = mapped_column(
        server_default=sa.true(), info={"doc": "Whether the skill is enabled for the tenant."}, default=None
    )
    updated_at: Mapped[timestamp_updated] = mapped_column(default=None)

    skill: Mapped["Skill"] = relationship(back_populates="tenant_configs", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)


class BuiltinTool(Base):
    """A tool built into the gateway, with its default settings."""

    __tablename__ = "builtin_tools"
    __table_args__ = (sa.Index("idx_builtin_tools_category", "category"),)

    name: Mapped[str] = mapped_column(sa.String(100), primary_key=True, info={"doc": "Tool name as agents call it."})
    display_name: Mapped[str] = mapped_column(sa.String(255))
    description: Mapped[str] = mapped_column(server_default="", default=None)
    category: Mapped[str] = mapped_column(
        sa.String(50), server_default="general", info={"doc": "Group the tool is listed under."}, default=None
    )
    enabled: Mapped[bool] = mapped_column(server_default=sa.true(), default=None)
    settings: Mapped[dict[str, Any]] = mapped_column(
        server_default="{}", info={"doc": "Default settings (JSON)."}, default=None
    )
    requires: Mapped[list[str] | None] = mapped_column(
        server_default=empty_array(TextArray()),
        info={"doc": "Other tools or settings this tool depends on."},
        default=None,
    )
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", server_default="{}", default=None)
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated | None] = mapped_column(default=None)

    tenant_configs: Mapped[list["BuiltinToolTenantConfig"]] = relationship(
        back_populates="tool", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )


class BuiltinToolTenantConfig(Base):
    """A tenant's override of a built-in tool's settings."""

    __tablename__ = "builtin_tool_tenant_configs"
    __table_args__ = (sa.Index("idx_builtin_tool_tenant_configs_tenant", "tenant_id"),)

    tool_name: Mapped[str] = mapped_column(
        sa.String(100),
        sa.ForeignKey("builtin_tools.name", ondelete="CASCADE"),
        primary_key=True,
        default=None,
        info={"doc": "Built-in tool this tenant's setting applies to."},
    )
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True, default=None
    )
    enabled: Mapped[bool | None] = mapped_column(
        info={"doc": "Tenant's switch; NULL keeps the tool's default."}, default=None
    )
    settings: Mapped[dict[str, Any] | None] = mapped_column(
        JSONB(), nullable=True, info={"doc": "Tenant's settings; NULL keeps the defaults."}, default=None
    )
    updated_at: Mapped[timestamp_updated] = mapped_column(default=None)

    tool: Mapped["BuiltinTool"] = relationship(back_populates="tenant_configs", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)
