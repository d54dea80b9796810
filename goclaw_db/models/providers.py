"""Language-model providers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from goclaw_db.base import Base
from goclaw_db.types import JSONB, Timestamp, UUID, now, uuid_generate_v7


class LLMProvider(Base):
    """A configured language-model provider endpoint and its credentials."""

    __tablename__ = "llm_providers"
    __table_args__ = (
        sa.Index("idx_llm_providers_tenant", "tenant_id"),
        sa.Index("idx_llm_providers_tenant_name", "tenant_id", "name", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(), primary_key=True, server_default=uuid_generate_v7())
    name: Mapped[str] = mapped_column(
        sa.String(50), nullable=False, info={"doc": "Provider name, unique per tenant."}
    )
    display_name: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    provider_type: Mapped[str] = mapped_column(
        sa.String(30),
        nullable=False,
        server_default="openai_compat",
        info={"doc": "Wire protocol family, e.g. openai_compat or anthropic."},
    )
    api_base: Mapped[str | None] = mapped_column(
        sa.Text(), nullable=True, info={"doc": "Base URL of the provider's API; NULL for the default."}
    )
    api_key: Mapped[str | None] = mapped_column(
        sa.Text(), nullable=True, info={"doc": "Provider credential, encrypted by the gateway."}
    )
    enabled: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, server_default=sa.true())
    settings: Mapped[dict[str, Any]] = mapped_column(
        JSONB(), nullable=False, server_default="{}", info={"doc": "Further provider settings (JSON)."}
    )
    created_at: Mapped[datetime | None] = mapped_column(Timestamp(), nullable=True, server_default=now())
    updated_at: Mapped[datetime | None] = mapped_column(Timestamp(), nullable=True, server_default=now())
    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(), sa.ForeignKey("tenants.id"), nullable=False)
