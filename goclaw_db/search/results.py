"""Typed search results: the fields of GoClaw's own result structs, in snake case."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal


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
