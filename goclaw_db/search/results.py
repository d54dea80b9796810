"""Typed search results: the fields of GoClaw's own result structs, in snake case."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal


@dataclass(frozen=True, slots=True)
class MemorySearchResult:
    """A memory hit (GoClaw's ``MemorySearchResult``): one chunk position of a document.

    ``scope`` is ``"personal"`` when a per-user copy of the chunk took part,
    else ``"global"``; ``source`` is always ``"memory"``.
    """

    path: str
    start_line: int
    end_line: int
    score: float
    snippet: str
    source: Literal["memory"]
    scope: Literal["global", "personal"]


@dataclass(frozen=True, slots=True)
class EpisodicSearchResult:
    """An episodic summary hit (GoClaw's ``EpisodicSearchResult``)."""

    episodic_id: uuid.UUID
    l0_abstract: str
    score: float
    created_at: datetime
    session_key: str


@dataclass(frozen=True, slots=True)
class VaultDocumentData:
    """The vault document fields GoClaw's search returns (its ``VaultDocument``)."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    agent_id: uuid.UUID
    team_id: uuid.UUID | None
    scope: str
    custom_scope: str | None
    path: str
    title: str
    doc_type: str
    content_hash: str
    summary: str
    metadata: dict[str, Any] | None
    created_at: datetime | None
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class VaultSearchResult:
    """A vault hit (GoClaw's ``VaultSearchResult``); ``source`` is always ``"vault"``."""

    document: VaultDocumentData
    score: float
    source: Literal["vault"]


@dataclass(frozen=True, slots=True)
class EntitySearchResult:
    """A knowledge-graph entity hit: GoClaw's ``Entity`` fields, plus the ``score`` it was ranked by."""

    id: uuid.UUID
    agent_id: uuid.UUID
    user_id: str
    external_id: str
    name: str
    entity_type: str
    description: str | None
    properties: dict[str, Any] | None
    source_id: str | None
    confidence: float
    created_at: datetime | None
    updated_at: datetime | None
    valid_from: datetime | None
    valid_until: datetime | None
    score: float


@dataclass(frozen=True, slots=True)
class TaskSearchResult:
    """A team task hit: the task's own columns of GoClaw's ``TeamTaskData`` (not the joined agent
    names), plus the ``score`` it was ranked by."""

    id: uuid.UUID
    team_id: uuid.UUID
    task_number: int
    identifier: str
    subject: str
    description: str | None
    status: str
    priority: int
    owner_agent_id: uuid.UUID | None
    user_id: str | None
    created_at: datetime | None
    updated_at: datetime | None
    score: float


@dataclass(frozen=True, slots=True)
class SkillSearchResult:
    """A skill hit (GoClaw's ``SkillSearchResult``): ``path`` is the skill's SKILL.md."""

    name: str
    slug: str
    description: str
    path: str
    score: float


@dataclass(frozen=True, slots=True)
class DelegateTarget:
    """A delegation link to an agent that fits the query (GoClaw's ``AgentLinkData`` with its joined
    fields), plus the ``score`` it was ranked by.  ``source_*`` is the searching agent, ``target_*`` the
    agent at the link's other end, whichever way the link was drawn."""

    id: uuid.UUID
    source_agent_id: uuid.UUID
    target_agent_id: uuid.UUID
    direction: str
    team_id: uuid.UUID | None
    description: str
    max_concurrent: int
    settings: dict[str, Any] | None
    status: str
    created_by: str
    created_at: datetime | None
    updated_at: datetime | None
    source_agent_key: str
    source_display_name: str
    source_emoji: str
    target_agent_key: str
    target_display_name: str
    target_emoji: str
    target_description: str
    team_name: str
    target_is_team_lead: bool
    target_team_name: str
    score: float
