"""The shapes of GoClaw's JSON columns, as ``TypedDict``s.

GoClaw stores these documents by serialising its Go structs; the keys below are
the JSON names those structs use (camelCase where GoClaw writes camelCase).
A key GoClaw leaves out when empty is ``NotRequired``.  The models annotate
their JSON columns with these types, so a type checker knows that
``chat.messages[0]["role"]`` is a ``str`` and flags a misspelt key; at run time
the values are plain ``dict``s and ``list``s (tracked for in-place changes, see
``goclaw_db.tracking``).

Documents GoClaw treats as free-form maps (``agents.other_config``, settings,
``metadata`` columns) stay ``dict[str, Any]``.
"""

# No ``from __future__ import annotations``: evaluated annotations give the classes
# correct ``__required_keys__``/``__optional_keys__`` at run time.

from typing import Any, NotRequired, TypeAlias, TypedDict

__all__ = [
    "CompactionConfig",
    "ContextPruningConfig",
    "ContextPruningHardClear",
    "ContextPruningSoftTrim",
    "CronPayload",
    "JSONValue",
    "MediaRef",
    "MemoryConfig",
    "MemoryFlushConfig",
    "ReasoningConfig",
    "SandboxConfig",
    "SessionMessage",
    "SpanMetadata",
    "SubagentsConfig",
    "ToolCall",
    "ToolPolicy",
    "WorkspaceSharing",
]


# Any JSON document: what a column of no fixed shape holds.
JSONValue: TypeAlias = dict[str, "JSONValue"] | list["JSONValue"] | str | int | float | bool | None


# --- sessions.messages ------------------------------------------------------


class MediaRef(TypedDict):
    """A file (image, video, audio, document) attached to a message, kept in the agent's workspace."""

    id: str
    mime_type: str
    kind: str  # image, video, audio or document
    path: NotRequired[str]  # where the file lives in the workspace


class ToolCall(TypedDict):
    """A tool the assistant asked to run, inside an assistant message."""

    id: str
    name: str
    arguments: dict[str, Any]
    metadata: NotRequired[dict[str, str]]  # provider-specific extras
    parse_error: NotRequired[str]  # set when the model's arguments were not valid JSON


class SessionMessage(TypedDict):
    """One turn of a conversation, as stored in ``sessions.messages``.

    ``role`` is ``system``, ``user``, ``assistant`` or ``tool``; a ``tool``
    message answers the assistant's call named by ``tool_call_id``.
    """

    role: str
    content: str
    thinking: NotRequired[str]  # the model's reasoning text, for models that expose it
    media_refs: NotRequired[list[MediaRef]]
    tool_calls: NotRequired[list[ToolCall]]
    tool_call_id: NotRequired[str]
    is_error: NotRequired[bool]  # a tool result that reports a failure
    phase: NotRequired[str]  # a provider's label for the message's purpose, passed back as received
    created_at: NotRequired[str]  # RFC 3339; absent on messages stored before GoClaw recorded it


# --- agents: configuration documents ----------------------------------------


class ToolPolicy(TypedDict, total=False):
    """Which tools an agent may use (``agents.tools_config``)."""

    profile: str
    allow: list[str]
    deny: list[str]
    alsoAllow: list[str]
    byProvider: dict[str, "ToolPolicy"]  # the same policy, per LLM provider
    toolCallPrefix: str  # stripped from the model's tool-call names before lookup


class SandboxConfig(TypedDict, total=False):
    """How an agent's commands run in a container (``agents.sandbox_config``)."""

    mode: str  # off, non-main or all
    image: str
    workspace_access: str  # none, ro or rw
    scope: str  # session, agent or shared
    memory_mb: int
    cpus: float
    timeout_sec: int
    network_enabled: bool
    read_only_root: bool
    setup_command: str
    env: dict[str, str]
    user: str
    tmpfs_size_mb: int
    max_output_bytes: int
    idle_hours: int
    max_age_days: int
    prune_interval_min: int


class SubagentsConfig(TypedDict, total=False):
    """Limits on the sub-agents an agent spawns (``agents.subagents_config``)."""

    maxConcurrent: int
    maxSpawnDepth: int
    maxChildrenPerAgent: int
    archiveAfterMinutes: int
    maxRetries: int
    model: str


class MemoryConfig(TypedDict, total=False):
    """Long-term memory and its hybrid search (``agents.memory_config``)."""

    enabled: bool
    embedding_provider: str
    embedding_model: str
    embedding_api_base: str
    max_results: int
    max_chunk_len: int
    chunk_overlap: int
    vector_weight: float
    text_weight: float
    min_score: float


class MemoryFlushConfig(TypedDict, total=False):
    """The turn that saves memories just before a conversation is compacted."""

    enabled: bool
    softThresholdTokens: int
    prompt: str
    systemPrompt: str


class CompactionConfig(TypedDict, total=False):
    """When a long conversation is summarised (``agents.compaction_config``)."""

    reserveTokensFloor: int
    maxHistoryShare: float
    keepLastMessages: int
    memoryFlush: MemoryFlushConfig


class ContextPruningSoftTrim(TypedDict, total=False):
    maxChars: int
    headChars: int
    tailChars: int


class ContextPruningHardClear(TypedDict, total=False):
    enabled: bool
    placeholder: str


class ContextPruningConfig(TypedDict, total=False):
    """How old tool results are trimmed from the context (``agents.context_pruning``)."""

    mode: str  # off or cache-ttl
    keepLastAssistants: int
    softTrimRatio: float
    hardClearRatio: float
    minPrunableToolChars: int
    softTrim: ContextPruningSoftTrim
    hardClear: ContextPruningHardClear


class ReasoningConfig(TypedDict, total=False):
    """The agent's reasoning-effort override (``agents.reasoning_config``)."""

    override_mode: str
    effort: str
    fallback: str


class WorkspaceSharing(TypedDict, total=False):
    """What users of an agent share (``agents.workspace_sharing``)."""

    shared_dm: bool
    shared_group: bool
    shared_users: list[str]
    share_memory: bool
    share_knowledge_graph: bool


# --- cron and tracing --------------------------------------------------------


class CronPayload(TypedDict):
    """What a cron job hands its agent at each run (``cron_jobs.payload``)."""

    kind: str
    message: str
    command: NotRequired[str]


class SpanMetadata(TypedDict, total=False):
    """Extra figures of an LLM-call span (``spans.metadata``)."""

    cache_creation_tokens: int
    cache_read_tokens: int
    thinking_tokens: int
    reasoning: dict[str, Any]  # the reasoning effort asked for and used
    chatgpt_oauth_routing: dict[str, Any]  # which backend served a ChatGPT-account call
