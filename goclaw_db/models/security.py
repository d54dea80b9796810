"""Credentials and access: API keys, secrets, device pairing and secure CLI tools."""

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from goclaw_db.base import Base
from goclaw_db.ids import uuid7
from goclaw_db.models._columns import (
    random_uuid_pk,
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


class APIKey(Base):
    """An API key for the gateway, stored as a hash."""

    __tablename__ = "api_keys"
    __table_args__ = (
        sa.Index(
            "idx_api_keys_key_hash",
            "key_hash",
            **where("NOT revoked"),
        ),
        sa.Index(
            "idx_api_keys_owner_id",
            "owner_id",
            **where("owner_id IS NOT NULL"),
        ),
        sa.Index("idx_api_keys_prefix", "prefix"),
        sa.Index(
            "idx_api_keys_tenant",
            "tenant_id",
            **where("tenant_id IS NOT NULL"),
        ),
    )

    # GoClaw's schema gives this key no default; the application makes it.
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, insert_default=uuid7, default_factory=uuid7)
    name: Mapped[str] = mapped_column(sa.String(100))
    prefix: Mapped[str] = mapped_column(
        sa.String(8), info={"doc": "First characters of the key, shown to identify it."}
    )
    key_hash: Mapped[str] = mapped_column(
        sa.String(64), unique=True, info={"doc": "Hash of the key; the key itself is never stored."}
    )
    scopes: Mapped[list[str]] = mapped_column(
        server_default=empty_array(TextArray()), info={"doc": "Permissions the key grants."}, default=None
    )
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked: Mapped[bool] = mapped_column(
        server_default=sa.false(), info={"doc": "A revoked key is refused."}, default=None
    )
    created_by: Mapped[str | None] = mapped_column(sa.String(255), default=None)
    created_at: Mapped[timestamp_now] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated] = mapped_column(default=None)
    owner_id: Mapped[str | None] = mapped_column(
        sa.String(255),
        comment="The user this key acts as; requests made with it cannot claim another user.",
        info={"doc": "User the key acts as; NULL for a gateway-wide key."},
        default=None,
    )
    tenant_id: Mapped[tenant_fk | None] = mapped_column(default=None)

    tenant: Mapped["Tenant | None"] = relationship(default=None)


class ConfigSecret(Base):
    """An encrypted configuration secret of a tenant."""

    __tablename__ = "config_secrets"
    __table_args__ = (sa.Index("idx_config_secrets_tenant", "tenant_id"),)

    key: Mapped[str] = mapped_column(sa.String(100), primary_key=True, info={"doc": "Name of the secret."})
    value: Mapped[bytes] = mapped_column(sa.LargeBinary(), info={"doc": "Encrypted secret value."})
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated | None] = mapped_column(default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(primary_key=True, default=None)

    tenant: Mapped["Tenant"] = relationship(default=None)


class PairedDevice(Base):
    """A channel sender that has been paired with the gateway."""

    __tablename__ = "paired_devices"
    __table_args__ = (
        sa.Index("idx_paired_devices_tenant", "tenant_id"),
        sa.Index(
            "idx_paired_devices_tenant_sender_channel",
            "tenant_id",
            "sender_id",
            "channel",
            unique=True,
        ),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    sender_id: Mapped[str] = mapped_column(sa.String(200), info={"doc": "Id of the paired sender on its channel."})
    channel: Mapped[str] = mapped_column(sa.String(255))
    chat_id: Mapped[str] = mapped_column(sa.String(200))
    paired_by: Mapped[str] = mapped_column(
        sa.String(100), server_default="operator", default=None, info={"doc": "User who approved the pairing."}
    )
    paired_at: Mapped[timestamp_now | None] = mapped_column(default=None, info={"doc": "When the device was paired."})
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", server_default="{}", default=None)
    expires_at: Mapped[datetime | None] = mapped_column(
        info={"doc": "When the pairing lapses; NULL keeps it."}, default=None
    )
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    tenant: Mapped["Tenant"] = relationship(default=None)


class PairingRequest(Base):
    """A pending pairing code waiting for an operator's approval."""

    __tablename__ = "pairing_requests"
    __table_args__ = (sa.Index("idx_pairing_requests_tenant", "tenant_id"),)

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    code: Mapped[str] = mapped_column(
        sa.String(8), unique=True, info={"doc": "Short code the sender presents to pair."}
    )
    sender_id: Mapped[str] = mapped_column(sa.String(200))
    channel: Mapped[str] = mapped_column(sa.String(255))
    chat_id: Mapped[str] = mapped_column(sa.String(200))
    account_id: Mapped[str] = mapped_column(
        sa.String(100),
        server_default="default",
        default=None,
        info={"doc": "Channel account the request came through."},
    )
    expires_at: Mapped[datetime] = mapped_column(info={"doc": "When the code stops being valid."})
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", server_default="{}", default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    tenant: Mapped["Tenant"] = relationship(default=None)


class SecureCLIBinary(Base):
    """A command-line tool agents may run with injected credentials."""

    __tablename__ = "secure_cli_binaries"
    __table_args__ = (
        sa.Index("idx_secure_cli_binaries_tenant", "tenant_id"),
        sa.Index("idx_secure_cli_binary_name", "binary_name"),
        sa.Index("idx_secure_cli_unique_binary_tenant", "binary_name", "tenant_id", unique=True),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    binary_name: Mapped[str] = mapped_column(info={"doc": "Command name agents call."})
    binary_path: Mapped[str | None] = mapped_column(default=None, info={"doc": "Absolute path of the executable."})
    description: Mapped[str] = mapped_column(server_default="", default=None)
    encrypted_env: Mapped[bytes] = mapped_column(
        sa.LargeBinary(),
        info={"doc": "Environment variables (credentials) injected into the tool, encrypted."},
    )
    deny_args: Mapped[list[str]] = mapped_column(
        JSONB(), server_default="[]", info={"doc": "Argument patterns the tool must refuse."}, default=None
    )
    deny_verbose: Mapped[list[str]] = mapped_column(
        JSONB(), server_default="[]", default=None, info={"doc": "Verbose flags refused for the binary (JSON array)."}
    )
    timeout_seconds: Mapped[int] = mapped_column(
        server_default=sa.text("30"), info={"doc": "Longest a call may run."}, default=None
    )
    tips: Mapped[str] = mapped_column(server_default="", default=None, info={"doc": "Usage hints shown to the agent."})
    enabled: Mapped[bool] = mapped_column(server_default=sa.true(), default=None)
    created_by: Mapped[str] = mapped_column(server_default="", default=None)
    created_at: Mapped[timestamp_now] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated] = mapped_column(default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)
    is_global: Mapped[bool] = mapped_column(
        server_default=sa.true(), info={"doc": "Available to all agents without an explicit grant."}, default=None
    )

    user_credentials: Mapped[list["SecureCLIUserCredential"]] = relationship(
        back_populates="binary", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    agent_grants: Mapped[list["SecureCLIAgentGrant"]] = relationship(
        back_populates="binary", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    tenant: Mapped["Tenant"] = relationship(default=None)


class SecureCLIUserCredential(Base):
    """A user's own credentials for a secure CLI tool."""

    __tablename__ = "secure_cli_user_credentials"
    __table_args__ = (
        sa.UniqueConstraint("binary_id", "user_id", "tenant_id"),
        sa.Index("idx_scuc_binary", "binary_id"),
        sa.Index("idx_scuc_tenant", "tenant_id"),
    )

    id: Mapped[random_uuid_pk] = mapped_column(default_factory=uuid7)
    binary_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("secure_cli_binaries.id", ondelete="CASCADE"),
        default=None,
        info={"doc": "Secure CLI binary the credentials are for."},
    )
    user_id: Mapped[str] = mapped_column(sa.String(255))
    encrypted_env: Mapped[bytes] = mapped_column(
        sa.LargeBinary(), info={"doc": "The user's credentials for the tool, encrypted."}
    )
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", server_default="{}", default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)
    created_at: Mapped[timestamp_now] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated] = mapped_column(default=None)

    binary: Mapped["SecureCLIBinary"] = relationship(back_populates="user_credentials", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)


class SecureCLIAgentGrant(Base):
    """An agent's permission to use a secure CLI tool, with overrides."""

    __tablename__ = "secure_cli_agent_grants"
    __table_args__ = (
        sa.UniqueConstraint("binary_id", "agent_id", "tenant_id"),
        sa.Index("idx_scag_agent", "agent_id"),
        sa.Index("idx_scag_binary", "binary_id"),
        sa.Index("idx_scag_tenant", "tenant_id"),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    binary_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("secure_cli_binaries.id", ondelete="CASCADE"),
        default=None,
        info={"doc": "Secure CLI binary the agent may run."},
    )
    agent_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"), default=None)
    deny_args: Mapped[list[str] | None] = mapped_column(
        JSONB(), nullable=True, info={"doc": "Overrides the binary's argument deny list; NULL keeps it."}, default=None
    )
    deny_verbose: Mapped[list[str] | None] = mapped_column(
        JSONB(),
        nullable=True,
        default=None,
        info={"doc": "Overrides the binary's verbose-flag deny list; NULL keeps it."},
    )
    timeout_seconds: Mapped[int | None] = mapped_column(
        default=None, info={"doc": "Overrides the binary's time limit; NULL keeps it."}
    )
    tips: Mapped[str | None] = mapped_column(
        default=None, info={"doc": "Overrides the binary's usage hints; NULL keeps them."}
    )
    enabled: Mapped[bool] = mapped_column(server_default=sa.true(), default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)
    created_at: Mapped[timestamp_now] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated] = mapped_column(default=None)

    binary: Mapped["SecureCLIBinary"] = relationship(back_populates="agent_grants", default=None)
    agent: Mapped["Agent"] = relationship(back_populates="secure_cli_grants", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)
