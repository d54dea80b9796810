"""Language-model providers."""

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
)

if TYPE_CHECKING:
    from goclaw_db.models.cron import AgentHeartbeat
    from goclaw_db.models.tenants import Tenant


class LLMProvider(Base):
    """A configured language-model provider endpoint and its credentials."""

    __tablename__ = "llm_providers"
    __table_args__ = (
        sa.Index("idx_llm_providers_tenant", "tenant_id"),
        sa.Index("idx_llm_providers_tenant_name", "tenant_id", "name", unique=True),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    name: Mapped[str] = mapped_column(sa.String(50), info={"doc": "Provider name, unique per tenant."})
    display_name: Mapped[str | None] = mapped_column(sa.String(255), default=None)
    provider_type: Mapped[str] = mapped_column(
        sa.String(30),
        server_default="openai_compat",
        info={"doc": "Wire protocol family, e.g. openai_compat or anthropic."},
        default=None,
    )
    api_base: Mapped[str | None] = mapped_column(
        info={"doc": "Base URL of the provider's API; NULL for the default."}, default=None
    )
    api_key: Mapped[str | None] = mapped_column(
        info={"doc": "Provider credential, encrypted by the gateway."}, default=None
    )
    enabled: Mapped[bool] = mapped_column(server_default=sa.true(), default=None)
    settings: Mapped[dict[str, Any]] = mapped_column(
        server_default="{}", info={"doc": "Further provider settings (JSON)."}, default=None
    )
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated | None] = mapped_column(default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    heartbeats: Mapped[list["AgentHeartbeat"]] = relationship(back_populates="provider", default_factory=list)
    tenant: Mapped["Tenant"] = relationship(default=None)
