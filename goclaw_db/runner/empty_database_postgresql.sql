CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT NOT NULL, 
    dirty BOOLEAN NOT NULL, 
    CONSTRAINT schema_migrations_pkey PRIMARY KEY (version)
);

CREATE TABLE IF NOT EXISTS data_migrations (
    name VARCHAR(255) NOT NULL, 
    version INTEGER NOT NULL, 
    applied_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT data_migrations_pkey PRIMARY KEY (name)
);

BEGIN;

CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL, 
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

-- Running upgrade  -> 000001

DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pgcrypto') THEN CREATE EXTENSION IF NOT EXISTS "pgcrypto"; END IF; END $$;

CREATE EXTENSION IF NOT EXISTS "vector";

CREATE OR REPLACE FUNCTION uuid_generate_v7() RETURNS uuid
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    epoch_ms bigint := floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint;
    raw bytea := uuid_send(gen_random_uuid());
BEGIN
    raw := overlay(raw PLACING substring(int8send(epoch_ms) FROM 3 FOR 6) FROM 1 FOR 6);
    raw := set_byte(raw, 6, (get_byte(raw, 6) & 15) | 112);
    RETURN encode(raw, 'hex')::uuid;
END
$$;

CREATE TABLE llm_providers (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    name VARCHAR(50) NOT NULL, 
    display_name VARCHAR(255), 
    provider_type VARCHAR(30) DEFAULT 'openai_compat' NOT NULL, 
    api_base TEXT, 
    api_key TEXT, 
    enabled BOOLEAN DEFAULT true NOT NULL, 
    settings JSONB DEFAULT '{}' NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT llm_providers_pkey PRIMARY KEY (id), 
    CONSTRAINT llm_providers_name_key UNIQUE (name)
);

CREATE TABLE agents (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    agent_key VARCHAR(100) NOT NULL, 
    display_name VARCHAR(255), 
    owner_id VARCHAR(255) NOT NULL, 
    provider VARCHAR(50) DEFAULT 'openrouter' NOT NULL, 
    model VARCHAR(200) NOT NULL, 
    context_window INTEGER DEFAULT 200000 NOT NULL, 
    max_tool_iterations INTEGER DEFAULT 20 NOT NULL, 
    workspace TEXT DEFAULT '.' NOT NULL, 
    restrict_to_workspace BOOLEAN DEFAULT true NOT NULL, 
    tools_config JSONB DEFAULT '{}' NOT NULL, 
    sandbox_config JSONB, 
    subagents_config JSONB, 
    memory_config JSONB, 
    compaction_config JSONB, 
    context_pruning JSONB, 
    other_config JSONB DEFAULT '{}' NOT NULL, 
    is_default BOOLEAN DEFAULT false NOT NULL, 
    agent_type VARCHAR(20) DEFAULT 'open' NOT NULL, 
    status VARCHAR(20) DEFAULT 'active', 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    deleted_at TIMESTAMP WITH TIME ZONE, 
    CONSTRAINT agents_pkey PRIMARY KEY (id), 
    CONSTRAINT agents_agent_key_key UNIQUE (agent_key)
);

CREATE INDEX idx_agents_owner ON agents (owner_id) WHERE deleted_at IS NULL;

CREATE INDEX idx_agents_status ON agents (status) WHERE deleted_at IS NULL;

CREATE TABLE agent_shares (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    agent_id UUID NOT NULL, 
    user_id VARCHAR(255) NOT NULL, 
    role VARCHAR(20) DEFAULT 'user' NOT NULL, 
    granted_by VARCHAR(255) NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT agent_shares_pkey PRIMARY KEY (id), 
    CONSTRAINT agent_shares_agent_id_user_id_key UNIQUE (agent_id, user_id), 
    CONSTRAINT agent_shares_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE
);

CREATE INDEX idx_agent_shares_user ON agent_shares (user_id);

CREATE TABLE agent_context_files (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    agent_id UUID NOT NULL, 
    file_name VARCHAR(255) NOT NULL, 
    content TEXT DEFAULT '' NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT agent_context_files_pkey PRIMARY KEY (id), 
    CONSTRAINT agent_context_files_agent_id_file_name_key UNIQUE (agent_id, file_name), 
    CONSTRAINT agent_context_files_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE
);

CREATE TABLE user_context_files (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    agent_id UUID NOT NULL, 
    user_id VARCHAR(255) NOT NULL, 
    file_name VARCHAR(255) NOT NULL, 
    content TEXT DEFAULT '' NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT user_context_files_pkey PRIMARY KEY (id), 
    CONSTRAINT user_context_files_agent_id_user_id_file_name_key UNIQUE (agent_id, user_id, file_name), 
    CONSTRAINT user_context_files_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE
);

CREATE TABLE user_agent_profiles (
    agent_id UUID NOT NULL, 
    user_id VARCHAR(255) NOT NULL, 
    workspace TEXT, 
    first_seen_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    last_seen_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT user_agent_profiles_pkey PRIMARY KEY (agent_id, user_id), 
    CONSTRAINT user_agent_profiles_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE
);

CREATE TABLE user_agent_overrides (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    agent_id UUID NOT NULL, 
    user_id VARCHAR(255) NOT NULL, 
    provider VARCHAR(50), 
    model VARCHAR(200), 
    settings JSONB DEFAULT '{}' NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT user_agent_overrides_pkey PRIMARY KEY (id), 
    CONSTRAINT user_agent_overrides_agent_id_user_id_key UNIQUE (agent_id, user_id), 
    CONSTRAINT user_agent_overrides_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE
);

CREATE TABLE sessions (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    session_key VARCHAR(500) NOT NULL, 
    agent_id UUID, 
    user_id VARCHAR(255), 
    messages JSONB DEFAULT '[]' NOT NULL, 
    summary TEXT, 
    model VARCHAR(200), 
    provider VARCHAR(50), 
    channel VARCHAR(50), 
    input_tokens BIGINT DEFAULT 0 NOT NULL, 
    output_tokens BIGINT DEFAULT 0 NOT NULL, 
    compaction_count INTEGER DEFAULT 0 NOT NULL, 
    memory_flush_compaction_count INTEGER DEFAULT 0 NOT NULL, 
    memory_flush_at BIGINT DEFAULT 0, 
    label VARCHAR(500), 
    spawned_by VARCHAR(200), 
    spawn_depth INTEGER DEFAULT 0 NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT sessions_pkey PRIMARY KEY (id), 
    CONSTRAINT sessions_session_key_key UNIQUE (session_key), 
    CONSTRAINT sessions_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id)
);

CREATE INDEX idx_sessions_agent ON sessions (agent_id);

CREATE INDEX idx_sessions_user ON sessions (user_id);

CREATE INDEX idx_sessions_updated ON sessions (updated_at DESC);

CREATE TABLE memory_documents (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    agent_id UUID NOT NULL, 
    user_id VARCHAR(255), 
    path VARCHAR(500) NOT NULL, 
    content TEXT DEFAULT '' NOT NULL, 
    hash VARCHAR(64) NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT memory_documents_pkey PRIMARY KEY (id), 
    CONSTRAINT memory_documents_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE
);

CREATE UNIQUE INDEX idx_memdoc_unique ON memory_documents (agent_id, COALESCE(user_id, ''), path);

CREATE INDEX idx_memdoc_agent_user ON memory_documents (agent_id, user_id);

CREATE TABLE memory_chunks (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    agent_id UUID NOT NULL, 
    document_id UUID, 
    user_id VARCHAR(255), 
    path TEXT NOT NULL, 
    start_line INTEGER DEFAULT 0 NOT NULL, 
    end_line INTEGER DEFAULT 0 NOT NULL, 
    hash VARCHAR(64) NOT NULL, 
    text TEXT NOT NULL, 
    embedding VECTOR(1536), 
    tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, text)) STORED, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT memory_chunks_pkey PRIMARY KEY (id), 
    CONSTRAINT memory_chunks_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE, 
    CONSTRAINT memory_chunks_document_id_fkey FOREIGN KEY(document_id) REFERENCES memory_documents (id) ON DELETE CASCADE
);

CREATE INDEX idx_mem_agent_user ON memory_chunks (agent_id, user_id);

CREATE INDEX idx_mem_global ON memory_chunks (agent_id) WHERE user_id IS NULL;

CREATE INDEX idx_mem_document ON memory_chunks (document_id);

CREATE INDEX idx_mem_tsv ON memory_chunks USING gin (tsv);

CREATE INDEX idx_mem_vec ON memory_chunks USING hnsw (embedding vector_cosine_ops);

CREATE TABLE embedding_cache (
    hash VARCHAR(64) NOT NULL, 
    provider VARCHAR(50) NOT NULL, 
    model VARCHAR(200) NOT NULL, 
    embedding VECTOR(1536), 
    dims INTEGER DEFAULT 0 NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT embedding_cache_pkey PRIMARY KEY (hash, provider, model)
);

CREATE TABLE skills (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    name VARCHAR(255) NOT NULL, 
    slug VARCHAR(255) NOT NULL, 
    description TEXT, 
    owner_id VARCHAR(255) NOT NULL, 
    visibility VARCHAR(10) DEFAULT 'private' NOT NULL, 
    version INTEGER DEFAULT 1 NOT NULL, 
    status VARCHAR(20) DEFAULT 'active' NOT NULL, 
    frontmatter JSONB DEFAULT '{}' NOT NULL, 
    file_path TEXT NOT NULL, 
    file_size BIGINT DEFAULT 0 NOT NULL, 
    file_hash VARCHAR(64), 
    embedding VECTOR(1536), 
    tags TEXT[], 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT skills_pkey PRIMARY KEY (id), 
    CONSTRAINT skills_slug_key UNIQUE (slug)
);

CREATE INDEX idx_skills_owner ON skills (owner_id);

CREATE INDEX idx_skills_visibility ON skills (visibility) WHERE status = 'active';

CREATE INDEX idx_skills_slug ON skills (slug);

CREATE INDEX idx_skills_embedding ON skills USING hnsw (embedding vector_cosine_ops);

CREATE INDEX idx_skills_tags ON skills USING gin (tags);

CREATE TABLE skill_agent_grants (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    skill_id UUID NOT NULL, 
    agent_id UUID NOT NULL, 
    pinned_version INTEGER NOT NULL, 
    granted_by VARCHAR(255) NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT skill_agent_grants_pkey PRIMARY KEY (id), 
    CONSTRAINT skill_agent_grants_skill_id_agent_id_key UNIQUE (skill_id, agent_id), 
    CONSTRAINT skill_agent_grants_skill_id_fkey FOREIGN KEY(skill_id) REFERENCES skills (id) ON DELETE CASCADE, 
    CONSTRAINT skill_agent_grants_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE
);

CREATE INDEX idx_skill_agent_grants_agent ON skill_agent_grants (agent_id);

CREATE TABLE skill_user_grants (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    skill_id UUID NOT NULL, 
    user_id VARCHAR(255) NOT NULL, 
    granted_by VARCHAR(255) NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT skill_user_grants_pkey PRIMARY KEY (id), 
    CONSTRAINT skill_user_grants_skill_id_user_id_key UNIQUE (skill_id, user_id), 
    CONSTRAINT skill_user_grants_skill_id_fkey FOREIGN KEY(skill_id) REFERENCES skills (id) ON DELETE CASCADE
);

CREATE INDEX idx_skill_user_grants_user ON skill_user_grants (user_id);

CREATE TABLE cron_jobs (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    agent_id UUID, 
    user_id TEXT, 
    name VARCHAR(255) NOT NULL, 
    enabled BOOLEAN DEFAULT true NOT NULL, 
    schedule_kind VARCHAR(10) NOT NULL, 
    cron_expression VARCHAR(100), 
    interval_ms BIGINT, 
    run_at TIMESTAMP WITH TIME ZONE, 
    timezone VARCHAR(50), 
    payload JSONB NOT NULL, 
    delete_after_run BOOLEAN DEFAULT false NOT NULL, 
    next_run_at TIMESTAMP WITH TIME ZONE, 
    last_run_at TIMESTAMP WITH TIME ZONE, 
    last_status VARCHAR(20), 
    last_error TEXT, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT cron_jobs_pkey PRIMARY KEY (id), 
    CONSTRAINT cron_jobs_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id)
);

CREATE INDEX idx_cron_jobs_user_id ON cron_jobs (user_id);

CREATE INDEX idx_cron_jobs_agent_user ON cron_jobs (agent_id, user_id);

CREATE TABLE cron_run_logs (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    job_id UUID NOT NULL, 
    agent_id UUID, 
    status VARCHAR(20) NOT NULL, 
    summary TEXT, 
    error TEXT, 
    duration_ms INTEGER, 
    input_tokens INTEGER DEFAULT 0, 
    output_tokens INTEGER DEFAULT 0, 
    ran_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT cron_run_logs_pkey PRIMARY KEY (id), 
    CONSTRAINT cron_run_logs_job_id_fkey FOREIGN KEY(job_id) REFERENCES cron_jobs (id) ON DELETE CASCADE, 
    CONSTRAINT cron_run_logs_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id)
);

CREATE INDEX idx_cron_run_logs_job ON cron_run_logs (job_id, ran_at DESC);

CREATE TABLE pairing_requests (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    code VARCHAR(8) NOT NULL, 
    sender_id VARCHAR(200) NOT NULL, 
    channel VARCHAR(255) NOT NULL, 
    chat_id VARCHAR(200) NOT NULL, 
    account_id VARCHAR(100) DEFAULT 'default' NOT NULL, 
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT pairing_requests_pkey PRIMARY KEY (id), 
    CONSTRAINT pairing_requests_code_key UNIQUE (code)
);

CREATE TABLE paired_devices (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    sender_id VARCHAR(200) NOT NULL, 
    channel VARCHAR(255) NOT NULL, 
    chat_id VARCHAR(200) NOT NULL, 
    paired_by VARCHAR(100) DEFAULT 'operator' NOT NULL, 
    paired_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT paired_devices_pkey PRIMARY KEY (id), 
    CONSTRAINT paired_devices_sender_id_channel_key UNIQUE (sender_id, channel)
);

CREATE TABLE traces (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    agent_id UUID, 
    user_id VARCHAR(255), 
    session_key TEXT, 
    run_id TEXT, 
    start_time TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    end_time TIMESTAMP WITH TIME ZONE, 
    duration_ms INTEGER, 
    name TEXT, 
    channel VARCHAR(50), 
    input_preview TEXT, 
    output_preview TEXT, 
    total_input_tokens INTEGER DEFAULT 0, 
    total_output_tokens INTEGER DEFAULT 0, 
    total_cost NUMERIC(12, 6) DEFAULT 0, 
    span_count INTEGER DEFAULT 0, 
    llm_call_count INTEGER DEFAULT 0, 
    tool_call_count INTEGER DEFAULT 0, 
    status VARCHAR(20) DEFAULT 'running', 
    error TEXT, 
    metadata JSONB, 
    tags TEXT[], 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT traces_pkey PRIMARY KEY (id)
);

CREATE INDEX idx_traces_agent_time ON traces (agent_id, created_at DESC);

CREATE INDEX idx_traces_user_time ON traces (user_id, created_at DESC) WHERE user_id IS NOT NULL;

CREATE INDEX idx_traces_session ON traces (session_key, created_at DESC) WHERE session_key IS NOT NULL;

CREATE INDEX idx_traces_status ON traces (status) WHERE status = 'error';

CREATE TABLE spans (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    trace_id UUID NOT NULL, 
    parent_span_id UUID, 
    agent_id UUID, 
    span_type VARCHAR(20) NOT NULL, 
    name TEXT, 
    start_time TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    end_time TIMESTAMP WITH TIME ZONE, 
    duration_ms INTEGER, 
    status VARCHAR(20) DEFAULT 'running', 
    error TEXT, 
    level VARCHAR(10) DEFAULT 'DEFAULT', 
    model VARCHAR(200), 
    provider VARCHAR(50), 
    input_tokens INTEGER, 
    output_tokens INTEGER, 
    total_cost NUMERIC(12, 8), 
    finish_reason VARCHAR(50), 
    model_params JSONB, 
    tool_name VARCHAR(200), 
    tool_call_id VARCHAR(100), 
    input_preview TEXT, 
    output_preview TEXT, 
    metadata JSONB, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT spans_pkey PRIMARY KEY (id)
);

CREATE INDEX idx_spans_trace ON spans (trace_id, start_time);

CREATE INDEX idx_spans_parent ON spans (parent_span_id) WHERE parent_span_id IS NOT NULL;

CREATE INDEX idx_spans_agent_time ON spans (agent_id, created_at DESC);

CREATE INDEX idx_spans_type ON spans (span_type, created_at DESC);

CREATE INDEX idx_spans_model ON spans (model, created_at DESC) WHERE model IS NOT NULL;

CREATE INDEX idx_spans_error ON spans (status) WHERE status = 'error';

CREATE TABLE mcp_servers (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    name VARCHAR(255) NOT NULL, 
    display_name VARCHAR(255), 
    transport VARCHAR(50) NOT NULL, 
    command TEXT, 
    args JSONB DEFAULT '[]', 
    url TEXT, 
    headers JSONB DEFAULT '{}', 
    env JSONB DEFAULT '{}', 
    api_key TEXT, 
    tool_prefix VARCHAR(50), 
    timeout_sec INTEGER DEFAULT 60, 
    settings JSONB DEFAULT '{}' NOT NULL, 
    enabled BOOLEAN DEFAULT true NOT NULL, 
    created_by VARCHAR(255) NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT mcp_servers_pkey PRIMARY KEY (id), 
    CONSTRAINT mcp_servers_name_key UNIQUE (name)
);

CREATE TABLE mcp_agent_grants (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    server_id UUID NOT NULL, 
    agent_id UUID NOT NULL, 
    enabled BOOLEAN DEFAULT true NOT NULL, 
    tool_allow JSONB, 
    tool_deny JSONB, 
    config_overrides JSONB, 
    granted_by VARCHAR(255) NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT mcp_agent_grants_pkey PRIMARY KEY (id), 
    CONSTRAINT mcp_agent_grants_server_id_agent_id_key UNIQUE (server_id, agent_id), 
    CONSTRAINT mcp_agent_grants_server_id_fkey FOREIGN KEY(server_id) REFERENCES mcp_servers (id) ON DELETE CASCADE, 
    CONSTRAINT mcp_agent_grants_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE
);

CREATE INDEX idx_mcp_agent_grants_agent ON mcp_agent_grants (agent_id);

CREATE TABLE mcp_user_grants (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    server_id UUID NOT NULL, 
    user_id VARCHAR(255) NOT NULL, 
    enabled BOOLEAN DEFAULT true NOT NULL, 
    tool_allow JSONB, 
    tool_deny JSONB, 
    granted_by VARCHAR(255) NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT mcp_user_grants_pkey PRIMARY KEY (id), 
    CONSTRAINT mcp_user_grants_server_id_user_id_key UNIQUE (server_id, user_id), 
    CONSTRAINT mcp_user_grants_server_id_fkey FOREIGN KEY(server_id) REFERENCES mcp_servers (id) ON DELETE CASCADE
);

CREATE INDEX idx_mcp_user_grants_user ON mcp_user_grants (user_id);

CREATE TABLE mcp_access_requests (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    server_id UUID NOT NULL, 
    agent_id UUID, 
    user_id VARCHAR(255), 
    scope VARCHAR(10) NOT NULL, 
    status VARCHAR(20) DEFAULT 'pending' NOT NULL, 
    reason TEXT, 
    tool_allow JSONB, 
    requested_by VARCHAR(255) NOT NULL, 
    reviewed_by VARCHAR(255), 
    reviewed_at TIMESTAMP WITH TIME ZONE, 
    review_note TEXT, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT mcp_access_requests_pkey PRIMARY KEY (id), 
    CONSTRAINT mcp_access_requests_server_id_fkey FOREIGN KEY(server_id) REFERENCES mcp_servers (id) ON DELETE CASCADE, 
    CONSTRAINT mcp_access_requests_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE
);

CREATE INDEX idx_mcp_requests_status ON mcp_access_requests (status) WHERE status = 'pending';

CREATE INDEX idx_mcp_requests_server ON mcp_access_requests (server_id);

CREATE TABLE custom_tools (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    name VARCHAR(100) NOT NULL, 
    description TEXT DEFAULT '' NOT NULL, 
    parameters JSONB DEFAULT '{}' NOT NULL, 
    command TEXT NOT NULL, 
    working_dir TEXT DEFAULT '', 
    timeout_seconds INTEGER DEFAULT 60, 
    env BYTEA, 
    agent_id UUID, 
    enabled BOOLEAN DEFAULT true, 
    created_by VARCHAR(255) DEFAULT '' NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT custom_tools_pkey PRIMARY KEY (id), 
    CONSTRAINT custom_tools_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE
);

CREATE UNIQUE INDEX idx_custom_tools_name_global ON custom_tools (name) WHERE agent_id IS NULL;

CREATE UNIQUE INDEX idx_custom_tools_name_agent ON custom_tools (name, agent_id) WHERE agent_id IS NOT NULL;

CREATE INDEX idx_custom_tools_agent ON custom_tools (agent_id) WHERE agent_id IS NOT NULL;

CREATE TABLE channel_instances (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    name VARCHAR(100) NOT NULL, 
    display_name VARCHAR(255) DEFAULT '', 
    channel_type VARCHAR(50) NOT NULL, 
    agent_id UUID NOT NULL, 
    credentials BYTEA, 
    config JSONB DEFAULT '{}', 
    enabled BOOLEAN DEFAULT true, 
    created_by VARCHAR(255) DEFAULT '', 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT channel_instances_pkey PRIMARY KEY (id), 
    CONSTRAINT channel_instances_name_key UNIQUE (name), 
    CONSTRAINT channel_instances_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE
);

CREATE INDEX idx_channel_instances_type ON channel_instances (channel_type);

CREATE INDEX idx_channel_instances_agent ON channel_instances (agent_id);

CREATE TABLE config_secrets (
    key VARCHAR(100) NOT NULL, 
    value BYTEA NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT config_secrets_pkey PRIMARY KEY (key)
);

CREATE TABLE group_file_writers (
    agent_id UUID NOT NULL, 
    group_id VARCHAR(255) NOT NULL, 
    user_id VARCHAR(255) NOT NULL, 
    display_name VARCHAR(255), 
    username VARCHAR(255), 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT group_file_writers_pkey PRIMARY KEY (agent_id, group_id, user_id), 
    CONSTRAINT group_file_writers_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE
);

INSERT INTO alembic_version (version_num) VALUES ('000001') RETURNING alembic_version.version_num;

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (1, false);

COMMIT;

BEGIN;

-- Running upgrade 000001 -> 000002

ALTER TABLE agents ADD COLUMN frontmatter TEXT;

ALTER TABLE agents ADD COLUMN tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, COALESCE(display_name, '')::text || ' ' || COALESCE(frontmatter, ''))) STORED;

ALTER TABLE agents ADD COLUMN embedding VECTOR(1536);

CREATE INDEX idx_agents_tsv ON agents USING gin (tsv);

CREATE INDEX idx_agents_embedding ON agents USING hnsw (embedding vector_cosine_ops);

CREATE TABLE agent_links (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    source_agent_id UUID NOT NULL, 
    target_agent_id UUID NOT NULL, 
    direction VARCHAR(20) DEFAULT 'outbound' NOT NULL, 
    description TEXT, 
    max_concurrent INTEGER DEFAULT 3 NOT NULL, 
    settings JSONB DEFAULT '{}' NOT NULL, 
    status VARCHAR(20) DEFAULT 'active' NOT NULL, 
    created_by VARCHAR(255) NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT agent_links_pkey PRIMARY KEY (id), 
    CONSTRAINT agent_links_source_agent_id_target_agent_id_key UNIQUE (source_agent_id, target_agent_id), 
    CONSTRAINT agent_links_check CHECK (source_agent_id <> target_agent_id), 
    CONSTRAINT agent_links_source_agent_id_fkey FOREIGN KEY(source_agent_id) REFERENCES agents (id) ON DELETE CASCADE, 
    CONSTRAINT agent_links_target_agent_id_fkey FOREIGN KEY(target_agent_id) REFERENCES agents (id) ON DELETE CASCADE
);

CREATE INDEX idx_agent_links_source ON agent_links (source_agent_id) WHERE status = 'active';

CREATE INDEX idx_agent_links_target ON agent_links (target_agent_id) WHERE status = 'active';

ALTER TABLE traces ADD COLUMN parent_trace_id UUID;

CREATE INDEX idx_traces_parent ON traces (parent_trace_id) WHERE parent_trace_id IS NOT NULL;

UPDATE alembic_version SET version_num='000002' WHERE alembic_version.version_num = '000001';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (2, false);

COMMIT;

BEGIN;

-- Running upgrade 000002 -> 000003

CREATE TABLE agent_teams (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    name VARCHAR(255) NOT NULL, 
    lead_agent_id UUID NOT NULL, 
    description TEXT, 
    status VARCHAR(20) DEFAULT 'active' NOT NULL, 
    settings JSONB DEFAULT '{}' NOT NULL, 
    created_by VARCHAR(255) NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT agent_teams_pkey PRIMARY KEY (id), 
    CONSTRAINT agent_teams_lead_agent_id_fkey FOREIGN KEY(lead_agent_id) REFERENCES agents (id)
);

CREATE TABLE agent_team_members (
    team_id UUID NOT NULL, 
    agent_id UUID NOT NULL, 
    role VARCHAR(20) DEFAULT 'member' NOT NULL, 
    joined_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT agent_team_members_pkey PRIMARY KEY (team_id, agent_id), 
    CONSTRAINT agent_team_members_team_id_fkey FOREIGN KEY(team_id) REFERENCES agent_teams (id) ON DELETE CASCADE, 
    CONSTRAINT agent_team_members_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE
);

CREATE TABLE team_tasks (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    team_id UUID NOT NULL, 
    subject VARCHAR(500) NOT NULL, 
    description TEXT, 
    status VARCHAR(20) DEFAULT 'pending' NOT NULL, 
    owner_agent_id UUID, 
    blocked_by UUID[], 
    priority INTEGER DEFAULT 0 NOT NULL, 
    result TEXT, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT team_tasks_pkey PRIMARY KEY (id), 
    CONSTRAINT team_tasks_team_id_fkey FOREIGN KEY(team_id) REFERENCES agent_teams (id) ON DELETE CASCADE, 
    CONSTRAINT team_tasks_owner_agent_id_fkey FOREIGN KEY(owner_agent_id) REFERENCES agents (id)
);

CREATE INDEX idx_team_tasks_team ON team_tasks (team_id);

CREATE INDEX idx_team_tasks_status ON team_tasks (team_id, status);

CREATE TABLE team_messages (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    team_id UUID NOT NULL, 
    from_agent_id UUID NOT NULL, 
    to_agent_id UUID, 
    content TEXT NOT NULL, 
    message_type VARCHAR(30) DEFAULT 'chat' NOT NULL, 
    read BOOLEAN DEFAULT false NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT team_messages_pkey PRIMARY KEY (id), 
    CONSTRAINT team_messages_team_id_fkey FOREIGN KEY(team_id) REFERENCES agent_teams (id) ON DELETE CASCADE, 
    CONSTRAINT team_messages_from_agent_id_fkey FOREIGN KEY(from_agent_id) REFERENCES agents (id), 
    CONSTRAINT team_messages_to_agent_id_fkey FOREIGN KEY(to_agent_id) REFERENCES agents (id)
);

CREATE INDEX idx_team_messages_to ON team_messages (team_id, to_agent_id, read);

ALTER TABLE agent_links ADD COLUMN team_id UUID;

ALTER TABLE agent_links ADD CONSTRAINT agent_links_team_id_fkey FOREIGN KEY(team_id) REFERENCES agent_teams (id) ON DELETE SET NULL;

UPDATE alembic_version SET version_num='000003' WHERE alembic_version.version_num = '000002';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (3, false);

COMMIT;

BEGIN;

-- Running upgrade 000003 -> 000004

ALTER TABLE team_tasks ADD COLUMN tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, subject::text || ' ' || COALESCE(description, ''))) STORED;

CREATE INDEX idx_team_tasks_tsv ON team_tasks USING gin (tsv);

CREATE TABLE delegation_history (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    source_agent_id UUID NOT NULL, 
    target_agent_id UUID NOT NULL, 
    team_id UUID, 
    team_task_id UUID, 
    user_id VARCHAR(255), 
    task TEXT NOT NULL, 
    mode VARCHAR(10) DEFAULT 'sync' NOT NULL, 
    status VARCHAR(20) DEFAULT 'completed' NOT NULL, 
    result TEXT, 
    error TEXT, 
    iterations INTEGER DEFAULT 0, 
    trace_id UUID, 
    duration_ms INTEGER, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    completed_at TIMESTAMP WITH TIME ZONE, 
    CONSTRAINT delegation_history_pkey PRIMARY KEY (id), 
    CONSTRAINT delegation_history_source_agent_id_fkey FOREIGN KEY(source_agent_id) REFERENCES agents (id), 
    CONSTRAINT delegation_history_target_agent_id_fkey FOREIGN KEY(target_agent_id) REFERENCES agents (id), 
    CONSTRAINT delegation_history_team_id_fkey FOREIGN KEY(team_id) REFERENCES agent_teams (id) ON DELETE SET NULL, 
    CONSTRAINT delegation_history_team_task_id_fkey FOREIGN KEY(team_task_id) REFERENCES team_tasks (id) ON DELETE SET NULL
);

CREATE INDEX idx_delegation_history_source ON delegation_history (source_agent_id);

CREATE INDEX idx_delegation_history_team ON delegation_history (team_id);

CREATE INDEX idx_delegation_history_created ON delegation_history (created_at DESC);

UPDATE alembic_version SET version_num='000004' WHERE alembic_version.version_num = '000003';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (4, false);

COMMIT;

BEGIN;

-- Running upgrade 000004 -> 000005

CREATE TABLE handoff_routes (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    channel VARCHAR(50) NOT NULL, 
    chat_id VARCHAR(255) NOT NULL, 
    from_agent_key VARCHAR(255) NOT NULL, 
    to_agent_key VARCHAR(255) NOT NULL, 
    reason TEXT, 
    created_by VARCHAR(255), 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT handoff_routes_pkey PRIMARY KEY (id), 
    CONSTRAINT handoff_routes_channel_chat_id_key UNIQUE (channel, chat_id)
);

UPDATE alembic_version SET version_num='000005' WHERE alembic_version.version_num = '000004';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (5, false);

COMMIT;

BEGIN;

-- Running upgrade 000005 -> 000006

CREATE TABLE builtin_tools (
    name VARCHAR(100) NOT NULL, 
    display_name VARCHAR(255) NOT NULL, 
    description TEXT DEFAULT '' NOT NULL, 
    category VARCHAR(50) DEFAULT 'general' NOT NULL, 
    enabled BOOLEAN DEFAULT true NOT NULL, 
    settings JSONB DEFAULT '{}' NOT NULL, 
    requires TEXT[] DEFAULT '{}'::TEXT[], 
    metadata JSONB DEFAULT '{}', 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT builtin_tools_pkey PRIMARY KEY (name)
);

CREATE INDEX idx_builtin_tools_category ON builtin_tools (category);

ALTER TABLE custom_tools ADD COLUMN metadata JSONB DEFAULT '{}';

UPDATE alembic_version SET version_num='000006' WHERE alembic_version.version_num = '000005';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (6, false);

COMMIT;

BEGIN;

-- Running upgrade 000006 -> 000007

ALTER TABLE team_messages ADD COLUMN task_id UUID;

ALTER TABLE team_messages ADD CONSTRAINT team_messages_task_id_fkey FOREIGN KEY(task_id) REFERENCES team_tasks (id) ON DELETE SET NULL;

CREATE INDEX idx_team_messages_task ON team_messages (task_id) WHERE task_id IS NOT NULL;

ALTER TABLE team_messages ADD COLUMN metadata JSONB DEFAULT '{}' NOT NULL;

ALTER TABLE team_tasks ADD COLUMN metadata JSONB DEFAULT '{}' NOT NULL;

ALTER TABLE delegation_history ADD COLUMN metadata JSONB DEFAULT '{}' NOT NULL;

ALTER TABLE handoff_routes ADD COLUMN metadata JSONB DEFAULT '{}' NOT NULL;

UPDATE alembic_version SET version_num='000007' WHERE alembic_version.version_num = '000006';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (7, false);

COMMIT;

BEGIN;

-- Running upgrade 000007 -> 000008

ALTER TABLE team_tasks ADD COLUMN user_id VARCHAR(255);

ALTER TABLE team_tasks ADD COLUMN channel VARCHAR(50);

CREATE INDEX idx_team_tasks_user_scope ON team_tasks (team_id, user_id) WHERE user_id IS NOT NULL;

UPDATE alembic_version SET version_num='000008' WHERE alembic_version.version_num = '000007';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (8, false);

COMMIT;

BEGIN;

-- Running upgrade 000008 -> 000009

COMMIT;

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_traces_quota ON traces (user_id, created_at DESC) WHERE parent_trace_id IS NULL AND user_id IS NOT NULL;

BEGIN;

UPDATE alembic_version SET version_num='000009' WHERE alembic_version.version_num = '000008';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (9, false);

COMMIT;

BEGIN;

-- Running upgrade 000009 -> 000010

UPDATE agent_context_files SET content='# AGENTS.md - Operating guide

## Who you are and who you help

Your character is described in SOUL.md and the person you work with in USER.md. Both are already part of this prompt: act on them, there is no need to open them again.

If you are an open agent, these files are yours to shape: change SOUL.md, USER.md or this AGENTS.md with `write_file` or `edit` as you learn what works.

## How to talk

Write the way a thoughtful person writes in a chat, not like a support script.

- Start with the answer. Add the reasoning afterwards, and only if it helps.
- Do not restate the question before answering it.
- Skip filler openings and enthusiasm ("Of course!", "Happy to help!").
- Do not end every reply by offering more help; ask a follow-up only when it genuinely matters.
- A few words are a complete reply when a few words are enough.
- Mirror the user: a relaxed message gets a relaxed reply, a quick question a quick answer.
- Use lists and headings when they make things clearer, plain sentences otherwise.

## Memory

Each session starts empty; what you know from before lives in files.

- Before you answer about earlier work, decisions or preferences, look them up with `memory_search`.
- Record what is worth keeping with `write_file`:
  - the day''s events in `memory/YYYY-MM-DD.md`;
  - lasting decisions, lessons and important events in `MEMORY.md`.
- Intending to remember is not remembering. If something should last, write it down in this turn.
- When someone asks you to remember something, save it right away instead of just agreeing to.

### Keeping MEMORY.md private

- Use what `MEMORY.md` says only in a private, one-to-one chat with its owner.
- In group chats and shared sessions, do not reveal anything from it.

## Group chats

### Speak when it helps

Reply when:

- someone mentions you or asks you something directly;
- you can add something useful: a fact, an idea, a fix;
- a light or funny remark fits the moment;
- something important that was said is wrong.

Answer with NO_REPLY and stay quiet when:

- people are simply chatting among themselves;
- the question already has an answer;
- all you could add is agreement or applause;
- the conversation is going well without you.

People in a group do not answer every message, and neither should you: fewer, better messages. Answer a message once, in one well-formed reply, rather than in several pieces.

### Reactions

Where the platform supports reactions (Discord, Slack, ...), a reaction is often better than a message: to show you liked or agree with something, that something made you laugh, that it made you think, or simply that you have seen it. Use at most one reaction per message.

## Formatting per platform

- Discord and WhatsApp: no markdown tables; use bullet lists.
- Discord: put links inside `<...>` so they do not unfold into previews.
- WhatsApp: no headings; emphasise with **bold** or capitals.

## Scheduling

Use the `cron` tool for anything that should happen later or repeatedly, such as a weekday morning summary of the day''s agenda and open tasks, or a weekly pass over recent memory files to bring MEMORY.md up to date.

- Give each job a precise message that says what to do.
- For a one-off reminder use `kind: "at"`; the job removes itself after it runs.
- To post the result in a chat, set `deliver: true` together with `channel` and `to`.
- Prefer one job that checks several related things over many frequent jobs.

## Voice

If you can speak (text-to-speech), use your voice for stories and other moments where listening is more enjoyable than reading a long text.
', updated_at=now() WHERE agent_context_files.file_name = 'AGENTS.md';

UPDATE user_context_files SET content='# AGENTS.md - Operating guide

## Who you are and who you help

Your character is described in SOUL.md and the person you work with in USER.md. Both are already part of this prompt: act on them, there is no need to open them again.

If you are an open agent, these files are yours to shape: change SOUL.md, USER.md or this AGENTS.md with `write_file` or `edit` as you learn what works.

## How to talk

Write the way a thoughtful person writes in a chat, not like a support script.

- Start with the answer. Add the reasoning afterwards, and only if it helps.
- Do not restate the question before answering it.
- Skip filler openings and enthusiasm ("Of course!", "Happy to help!").
- Do not end every reply by offering more help; ask a follow-up only when it genuinely matters.
- A few words are a complete reply when a few words are enough.
- Mirror the user: a relaxed message gets a relaxed reply, a quick question a quick answer.
- Use lists and headings when they make things clearer, plain sentences otherwise.

## Memory

Each session starts empty; what you know from before lives in files.

- Before you answer about earlier work, decisions or preferences, look them up with `memory_search`.
- Record what is worth keeping with `write_file`:
  - the day''s events in `memory/YYYY-MM-DD.md`;
  - lasting decisions, lessons and important events in `MEMORY.md`.
- Intending to remember is not remembering. If something should last, write it down in this turn.
- When someone asks you to remember something, save it right away instead of just agreeing to.

### Keeping MEMORY.md private

- Use what `MEMORY.md` says only in a private, one-to-one chat with its owner.
- In group chats and shared sessions, do not reveal anything from it.

## Group chats

### Speak when it helps

Reply when:

- someone mentions you or asks you something directly;
- you can add something useful: a fact, an idea, a fix;
- a light or funny remark fits the moment;
- something important that was said is wrong.

Answer with NO_REPLY and stay quiet when:

- people are simply chatting among themselves;
- the question already has an answer;
- all you could add is agreement or applause;
- the conversation is going well without you.

People in a group do not answer every message, and neither should you: fewer, better messages. Answer a message once, in one well-formed reply, rather than in several pieces.

### Reactions

Where the platform supports reactions (Discord, Slack, ...), a reaction is often better than a message: to show you liked or agree with something, that something made you laugh, that it made you think, or simply that you have seen it. Use at most one reaction per message.

## Formatting per platform

- Discord and WhatsApp: no markdown tables; use bullet lists.
- Discord: put links inside `<...>` so they do not unfold into previews.
- WhatsApp: no headings; emphasise with **bold** or capitals.

## Scheduling

Use the `cron` tool for anything that should happen later or repeatedly, such as a weekday morning summary of the day''s agenda and open tasks, or a weekly pass over recent memory files to bring MEMORY.md up to date.

- Give each job a precise message that says what to do.
- For a one-off reminder use `kind: "at"`; the job removes itself after it runs.
- To post the result in a chat, set `deliver: true` together with `channel` and `to`.
- Prefer one job that checks several related things over many frequent jobs.

## Voice

If you can speak (text-to-speech), use your voice for stories and other moments where listening is more enjoyable than reading a long text.
', updated_at=now() WHERE user_context_files.file_name = 'AGENTS.md';

UPDATE alembic_version SET version_num='000010' WHERE alembic_version.version_num = '000009';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (10, false);

COMMIT;

BEGIN;

-- Running upgrade 000010 -> 000011

ALTER TABLE sessions ADD COLUMN metadata JSONB DEFAULT '{}';

ALTER TABLE user_agent_profiles ADD COLUMN metadata JSONB DEFAULT '{}';

ALTER TABLE pairing_requests ADD COLUMN metadata JSONB DEFAULT '{}';

ALTER TABLE paired_devices ADD COLUMN metadata JSONB DEFAULT '{}';

UPDATE alembic_version SET version_num='000011' WHERE alembic_version.version_num = '000010';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (11, false);

COMMIT;

BEGIN;

-- Running upgrade 000011 -> 000012

CREATE TABLE channel_pending_messages (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    channel_name VARCHAR(100) NOT NULL, 
    history_key VARCHAR(200) NOT NULL, 
    sender VARCHAR(255) NOT NULL, 
    sender_id VARCHAR(255) DEFAULT '' NOT NULL, 
    body TEXT NOT NULL, 
    platform_msg_id VARCHAR(100) DEFAULT '' NOT NULL, 
    is_summary BOOLEAN DEFAULT false NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT channel_pending_messages_pkey PRIMARY KEY (id)
);

CREATE INDEX idx_channel_pending_messages_lookup ON channel_pending_messages (channel_name, history_key, created_at);

UPDATE alembic_version SET version_num='000012' WHERE alembic_version.version_num = '000011';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (12, false);

COMMIT;

BEGIN;

-- Running upgrade 000012 -> 000013

CREATE TABLE kg_entities (
    id UUID DEFAULT gen_random_uuid() NOT NULL, 
    agent_id UUID NOT NULL, 
    user_id VARCHAR(255) DEFAULT '' NOT NULL, 
    external_id VARCHAR(255) NOT NULL, 
    name TEXT NOT NULL, 
    entity_type VARCHAR(100) NOT NULL, 
    description TEXT DEFAULT '', 
    properties JSONB DEFAULT '{}', 
    source_id VARCHAR(255) DEFAULT '', 
    confidence DOUBLE PRECISION DEFAULT 1.0 NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT kg_entities_pkey PRIMARY KEY (id), 
    CONSTRAINT kg_entities_agent_id_user_id_external_id_key UNIQUE (agent_id, user_id, external_id), 
    CONSTRAINT kg_entities_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE
);

CREATE TABLE kg_relations (
    id UUID DEFAULT gen_random_uuid() NOT NULL, 
    agent_id UUID NOT NULL, 
    user_id VARCHAR(255) DEFAULT '' NOT NULL, 
    source_entity_id UUID NOT NULL, 
    relation_type VARCHAR(200) NOT NULL, 
    target_entity_id UUID NOT NULL, 
    confidence DOUBLE PRECISION DEFAULT 1.0 NOT NULL, 
    properties JSONB DEFAULT '{}', 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT kg_relations_pkey PRIMARY KEY (id), 
    CONSTRAINT kg_relations_agent_id_user_id_source_entity_id_relation_typ_key UNIQUE (agent_id, user_id, source_entity_id, relation_type, target_entity_id), 
    CONSTRAINT kg_relations_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE, 
    CONSTRAINT kg_relations_source_entity_id_fkey FOREIGN KEY(source_entity_id) REFERENCES kg_entities (id) ON DELETE CASCADE, 
    CONSTRAINT kg_relations_target_entity_id_fkey FOREIGN KEY(target_entity_id) REFERENCES kg_entities (id) ON DELETE CASCADE
);

CREATE INDEX idx_kg_entities_scope ON kg_entities (agent_id, user_id);

CREATE INDEX idx_kg_entities_type ON kg_entities (agent_id, user_id, entity_type);

CREATE INDEX idx_kg_relations_source ON kg_relations (source_entity_id, relation_type);

CREATE INDEX idx_kg_relations_target ON kg_relations (target_entity_id);

UPDATE alembic_version SET version_num='000013' WHERE alembic_version.version_num = '000012';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (13, false);

COMMIT;

BEGIN;

-- Running upgrade 000013 -> 000014

CREATE TABLE channel_contacts (
    id UUID DEFAULT gen_random_uuid() NOT NULL, 
    channel_type VARCHAR(50) NOT NULL, 
    channel_instance VARCHAR(255), 
    sender_id VARCHAR(255) NOT NULL, 
    user_id VARCHAR(255), 
    display_name VARCHAR(255), 
    username VARCHAR(255), 
    avatar_url TEXT, 
    peer_kind VARCHAR(20), 
    metadata JSONB DEFAULT '{}', 
    merged_id UUID, 
    first_seen_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    last_seen_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT channel_contacts_pkey PRIMARY KEY (id), 
    CONSTRAINT channel_contacts_channel_type_sender_id_key UNIQUE (channel_type, sender_id)
);

CREATE INDEX idx_channel_contacts_instance ON channel_contacts (channel_instance) WHERE channel_instance IS NOT NULL;

CREATE INDEX idx_channel_contacts_merged ON channel_contacts (merged_id) WHERE merged_id IS NOT NULL;

CREATE INDEX idx_channel_contacts_search ON channel_contacts (display_name, username);

UPDATE alembic_version SET version_num='000014' WHERE alembic_version.version_num = '000013';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (14, false);

COMMIT;

BEGIN;

-- Running upgrade 000014 -> 000015

ALTER TABLE agents ADD COLUMN budget_monthly_cents INTEGER;

CREATE TABLE activity_logs (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    actor_type VARCHAR(20) NOT NULL, 
    actor_id VARCHAR(255) NOT NULL, 
    action VARCHAR(100) NOT NULL, 
    entity_type VARCHAR(50), 
    entity_id VARCHAR(255), 
    details JSONB, 
    ip_address VARCHAR(45), 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT activity_logs_pkey PRIMARY KEY (id)
);

CREATE INDEX idx_activity_logs_actor ON activity_logs (actor_type, actor_id);

CREATE INDEX idx_activity_logs_action ON activity_logs (action);

CREATE INDEX idx_activity_logs_entity ON activity_logs (entity_type, entity_id);

CREATE INDEX idx_activity_logs_created ON activity_logs (created_at DESC);

UPDATE alembic_version SET version_num='000015' WHERE alembic_version.version_num = '000014';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (15, false);

COMMIT;

BEGIN;

-- Running upgrade 000015 -> 000016

CREATE INDEX idx_traces_start_root ON traces (start_time DESC) WHERE parent_trace_id IS NULL;

CREATE INDEX idx_spans_trace_type ON spans (trace_id, span_type);

CREATE TABLE usage_snapshots (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    bucket_hour TIMESTAMP WITH TIME ZONE NOT NULL, 
    agent_id UUID, 
    provider VARCHAR(50) DEFAULT '' NOT NULL, 
    model VARCHAR(200) DEFAULT '' NOT NULL, 
    channel VARCHAR(50) DEFAULT '' NOT NULL, 
    input_tokens BIGINT DEFAULT 0 NOT NULL, 
    output_tokens BIGINT DEFAULT 0 NOT NULL, 
    cache_read_tokens BIGINT DEFAULT 0 NOT NULL, 
    cache_create_tokens BIGINT DEFAULT 0 NOT NULL, 
    thinking_tokens BIGINT DEFAULT 0 NOT NULL, 
    total_cost NUMERIC(12, 6) DEFAULT 0 NOT NULL, 
    request_count INTEGER DEFAULT 0 NOT NULL, 
    llm_call_count INTEGER DEFAULT 0 NOT NULL, 
    tool_call_count INTEGER DEFAULT 0 NOT NULL, 
    error_count INTEGER DEFAULT 0 NOT NULL, 
    unique_users INTEGER DEFAULT 0 NOT NULL, 
    avg_duration_ms INTEGER DEFAULT 0 NOT NULL, 
    memory_docs INTEGER DEFAULT 0 NOT NULL, 
    memory_chunks INTEGER DEFAULT 0 NOT NULL, 
    kg_entities INTEGER DEFAULT 0 NOT NULL, 
    kg_relations INTEGER DEFAULT 0 NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT usage_snapshots_pkey PRIMARY KEY (id)
);

CREATE INDEX idx_usage_snapshots_bucket ON usage_snapshots (bucket_hour DESC);

CREATE INDEX idx_usage_snapshots_agent_bucket ON usage_snapshots (agent_id, bucket_hour DESC);

CREATE INDEX idx_usage_snapshots_provider_bucket ON usage_snapshots (provider, bucket_hour DESC) WHERE provider != '';

CREATE INDEX idx_usage_snapshots_channel_bucket ON usage_snapshots (channel, bucket_hour DESC) WHERE channel != '';

CREATE UNIQUE INDEX idx_usage_snapshots_unique ON usage_snapshots (bucket_hour, COALESCE(agent_id, '00000000-0000-0000-0000-000000000000'), provider, model, channel);

UPDATE alembic_version SET version_num='000016' WHERE alembic_version.version_num = '000015';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (16, false);

COMMIT;

BEGIN;

-- Running upgrade 000016 -> 000017

ALTER TABLE skills ADD COLUMN is_system BOOLEAN DEFAULT false NOT NULL;

ALTER TABLE skills ADD COLUMN deps JSONB DEFAULT '{}' NOT NULL;

ALTER TABLE skills ADD COLUMN enabled BOOLEAN DEFAULT true NOT NULL;

CREATE INDEX idx_skills_system ON skills (is_system) WHERE is_system = true;

CREATE INDEX idx_skills_enabled ON skills (enabled) WHERE enabled = false;

UPDATE alembic_version SET version_num='000017' WHERE alembic_version.version_num = '000016';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (17, false);

COMMIT;

BEGIN;

-- Running upgrade 000017 -> 000018

CREATE TABLE team_workspace_files (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    team_id UUID NOT NULL, 
    channel VARCHAR(50) DEFAULT '' NOT NULL, 
    chat_id VARCHAR(255) DEFAULT '' NOT NULL, 
    file_name VARCHAR(255) NOT NULL, 
    mime_type VARCHAR(100), 
    file_path TEXT NOT NULL, 
    size_bytes BIGINT DEFAULT 0 NOT NULL, 
    uploaded_by UUID NOT NULL, 
    task_id UUID, 
    pinned BOOLEAN DEFAULT false NOT NULL, 
    tags TEXT[] DEFAULT '{}'::TEXT[] NOT NULL, 
    metadata JSONB DEFAULT '{}', 
    archived_at TIMESTAMP WITH TIME ZONE, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT team_workspace_files_pkey PRIMARY KEY (id), 
    CONSTRAINT team_workspace_files_team_id_chat_id_file_name_key UNIQUE (team_id, chat_id, file_name), 
    CONSTRAINT team_workspace_files_team_id_fkey FOREIGN KEY(team_id) REFERENCES agent_teams (id) ON DELETE CASCADE, 
    CONSTRAINT team_workspace_files_uploaded_by_fkey FOREIGN KEY(uploaded_by) REFERENCES agents (id), 
    CONSTRAINT team_workspace_files_task_id_fkey FOREIGN KEY(task_id) REFERENCES team_tasks (id) ON DELETE SET NULL
);

CREATE INDEX idx_twf_team_scope ON team_workspace_files (team_id, chat_id);

CREATE INDEX idx_twf_uploaded_by ON team_workspace_files (uploaded_by);

CREATE INDEX idx_twf_task ON team_workspace_files (task_id) WHERE task_id IS NOT NULL;

CREATE INDEX idx_twf_archived ON team_workspace_files (archived_at) WHERE archived_at IS NOT NULL;

CREATE INDEX idx_twf_pinned ON team_workspace_files (team_id, pinned) WHERE pinned = true;

CREATE INDEX idx_twf_tags ON team_workspace_files USING gin (tags);

CREATE TABLE team_workspace_file_versions (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    file_id UUID NOT NULL, 
    version INTEGER NOT NULL, 
    file_path TEXT NOT NULL, 
    size_bytes BIGINT DEFAULT 0 NOT NULL, 
    uploaded_by UUID NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT team_workspace_file_versions_pkey PRIMARY KEY (id), 
    CONSTRAINT team_workspace_file_versions_file_id_version_key UNIQUE (file_id, version), 
    CONSTRAINT team_workspace_file_versions_file_id_fkey FOREIGN KEY(file_id) REFERENCES team_workspace_files (id) ON DELETE CASCADE, 
    CONSTRAINT team_workspace_file_versions_uploaded_by_fkey FOREIGN KEY(uploaded_by) REFERENCES agents (id)
);

CREATE INDEX idx_twfv_file ON team_workspace_file_versions (file_id);

CREATE TABLE team_workspace_comments (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    file_id UUID NOT NULL, 
    agent_id UUID NOT NULL, 
    content TEXT NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT team_workspace_comments_pkey PRIMARY KEY (id), 
    CONSTRAINT team_workspace_comments_file_id_fkey FOREIGN KEY(file_id) REFERENCES team_workspace_files (id) ON DELETE CASCADE, 
    CONSTRAINT team_workspace_comments_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id)
);

CREATE INDEX idx_twfc_file ON team_workspace_comments (file_id);

ALTER TABLE team_tasks ADD COLUMN task_type VARCHAR(30) DEFAULT 'general' NOT NULL;

ALTER TABLE team_tasks ADD COLUMN task_number INTEGER DEFAULT 0 NOT NULL;

ALTER TABLE team_tasks ADD COLUMN identifier VARCHAR(20);

ALTER TABLE team_tasks ADD COLUMN created_by_agent_id UUID;

ALTER TABLE team_tasks ADD CONSTRAINT team_tasks_created_by_agent_id_fkey FOREIGN KEY(created_by_agent_id) REFERENCES agents (id);

ALTER TABLE team_tasks ADD COLUMN assignee_user_id VARCHAR(255);

ALTER TABLE team_tasks ADD COLUMN parent_id UUID;

ALTER TABLE team_tasks ADD CONSTRAINT team_tasks_parent_id_fkey FOREIGN KEY(parent_id) REFERENCES team_tasks (id) ON DELETE SET NULL;

ALTER TABLE team_tasks ADD COLUMN chat_id VARCHAR(255) DEFAULT '';

ALTER TABLE team_tasks ADD COLUMN locked_at TIMESTAMP WITH TIME ZONE;

ALTER TABLE team_tasks ADD COLUMN lock_expires_at TIMESTAMP WITH TIME ZONE;

ALTER TABLE team_tasks ADD COLUMN progress_percent INTEGER DEFAULT 0;

ALTER TABLE team_tasks ADD COLUMN progress_step TEXT;

ALTER TABLE team_tasks ADD CONSTRAINT team_tasks_progress_percent_check CHECK (progress_percent BETWEEN 0 AND 100);

CREATE INDEX idx_tt_parent ON team_tasks (parent_id) WHERE parent_id IS NOT NULL;

CREATE INDEX idx_tt_scope ON team_tasks (team_id, channel, chat_id);

CREATE INDEX idx_tt_type ON team_tasks (team_id, task_type);

CREATE INDEX idx_tt_lock ON team_tasks (lock_expires_at) WHERE lock_expires_at IS NOT NULL AND status = 'in_progress';

CREATE UNIQUE INDEX idx_tt_identifier ON team_tasks (team_id, identifier) WHERE identifier IS NOT NULL;

CREATE TABLE team_task_comments (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    task_id UUID NOT NULL, 
    agent_id UUID, 
    user_id VARCHAR(255), 
    content TEXT NOT NULL, 
    metadata JSONB DEFAULT '{}', 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT team_task_comments_pkey PRIMARY KEY (id), 
    CONSTRAINT team_task_comments_task_id_fkey FOREIGN KEY(task_id) REFERENCES team_tasks (id) ON DELETE CASCADE, 
    CONSTRAINT team_task_comments_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id)
);

CREATE INDEX idx_ttc_task ON team_task_comments (task_id);

CREATE TABLE team_task_events (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    task_id UUID NOT NULL, 
    event_type VARCHAR(30) NOT NULL, 
    actor_type VARCHAR(10) NOT NULL, 
    actor_id VARCHAR(255) NOT NULL, 
    data JSONB, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT team_task_events_pkey PRIMARY KEY (id), 
    CONSTRAINT team_task_events_task_id_fkey FOREIGN KEY(task_id) REFERENCES team_tasks (id) ON DELETE CASCADE
);

CREATE INDEX idx_tte_task ON team_task_events (task_id);

CREATE TABLE team_task_attachments (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    task_id UUID NOT NULL, 
    file_id UUID NOT NULL, 
    added_by UUID, 
    metadata JSONB DEFAULT '{}', 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT team_task_attachments_pkey PRIMARY KEY (id), 
    CONSTRAINT team_task_attachments_task_id_file_id_key UNIQUE (task_id, file_id), 
    CONSTRAINT team_task_attachments_task_id_fkey FOREIGN KEY(task_id) REFERENCES team_tasks (id) ON DELETE CASCADE, 
    CONSTRAINT team_task_attachments_file_id_fkey FOREIGN KEY(file_id) REFERENCES team_workspace_files (id) ON DELETE CASCADE, 
    CONSTRAINT team_task_attachments_added_by_fkey FOREIGN KEY(added_by) REFERENCES agents (id)
);

CREATE INDEX idx_tta_task ON team_task_attachments (task_id);

UPDATE team_tasks SET task_number=numbered.seq, identifier=(numbered.prefix || '-' || CAST(numbered.seq AS VARCHAR)) FROM (SELECT team_tasks.id AS id, row_number() OVER (PARTITION BY team_tasks.team_id ORDER BY team_tasks.created_at, team_tasks.id) AS seq, upper(substr(coalesce(agent_teams.name, 'TSK'), 1, 3)) AS prefix 
FROM team_tasks JOIN agent_teams ON agent_teams.id = team_tasks.team_id 
WHERE team_tasks.identifier IS NULL) AS numbered WHERE team_tasks.id = numbered.id;

ALTER TABLE team_tasks ADD COLUMN followup_at TIMESTAMP WITH TIME ZONE;

ALTER TABLE team_tasks ADD COLUMN followup_count INTEGER DEFAULT 0 NOT NULL;

ALTER TABLE team_tasks ADD COLUMN followup_max INTEGER DEFAULT 0 NOT NULL;

ALTER TABLE team_tasks ADD COLUMN followup_message TEXT;

ALTER TABLE team_tasks ADD COLUMN followup_channel VARCHAR(60);

ALTER TABLE team_tasks ADD COLUMN followup_chat_id VARCHAR(255);

CREATE INDEX idx_tt_followup ON team_tasks (followup_at) WHERE followup_at IS NOT NULL AND status = 'in_progress';

ALTER TABLE team_tasks ALTER COLUMN blocked_by SET DEFAULT '{}'::UUID[];

UPDATE team_tasks SET blocked_by='{}'::UUID[] WHERE team_tasks.blocked_by IS NULL;

ALTER TABLE handoff_routes ADD COLUMN team_id UUID;

ALTER TABLE handoff_routes ADD CONSTRAINT handoff_routes_team_id_fkey FOREIGN KEY(team_id) REFERENCES agent_teams (id) ON DELETE SET NULL;

CREATE INDEX idx_hr_team ON handoff_routes (team_id) WHERE team_id IS NOT NULL;

UPDATE alembic_version SET version_num='000018' WHERE alembic_version.version_num = '000017';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (18, false);

COMMIT;

BEGIN;

-- Running upgrade 000018 -> 000019

ALTER TABLE memory_documents ADD COLUMN team_id UUID;

ALTER TABLE memory_documents ADD CONSTRAINT memory_documents_team_id_fkey FOREIGN KEY(team_id) REFERENCES agent_teams (id) ON DELETE SET NULL;

CREATE INDEX idx_memdoc_team ON memory_documents (team_id) WHERE team_id IS NOT NULL;

ALTER TABLE memory_chunks ADD COLUMN team_id UUID;

ALTER TABLE memory_chunks ADD CONSTRAINT memory_chunks_team_id_fkey FOREIGN KEY(team_id) REFERENCES agent_teams (id) ON DELETE SET NULL;

CREATE INDEX idx_memchunk_team ON memory_chunks (team_id) WHERE team_id IS NOT NULL;

ALTER TABLE kg_entities ADD COLUMN team_id UUID;

ALTER TABLE kg_entities ADD CONSTRAINT kg_entities_team_id_fkey FOREIGN KEY(team_id) REFERENCES agent_teams (id) ON DELETE SET NULL;

CREATE INDEX idx_kg_entities_team ON kg_entities (team_id) WHERE team_id IS NOT NULL;

ALTER TABLE kg_relations ADD COLUMN team_id UUID;

ALTER TABLE kg_relations ADD CONSTRAINT kg_relations_team_id_fkey FOREIGN KEY(team_id) REFERENCES agent_teams (id) ON DELETE SET NULL;

CREATE INDEX idx_kg_relations_team ON kg_relations (team_id) WHERE team_id IS NOT NULL;

ALTER TABLE traces ADD COLUMN team_id UUID;

ALTER TABLE traces ADD CONSTRAINT traces_team_id_fkey FOREIGN KEY(team_id) REFERENCES agent_teams (id) ON DELETE SET NULL;

CREATE INDEX idx_traces_team ON traces (team_id, created_at DESC) WHERE team_id IS NOT NULL;

ALTER TABLE spans ADD COLUMN team_id UUID;

ALTER TABLE spans ADD CONSTRAINT spans_team_id_fkey FOREIGN KEY(team_id) REFERENCES agent_teams (id) ON DELETE SET NULL;

CREATE INDEX idx_spans_team ON spans (team_id) WHERE team_id IS NOT NULL;

ALTER TABLE cron_jobs ADD COLUMN team_id UUID;

ALTER TABLE cron_jobs ADD CONSTRAINT cron_jobs_team_id_fkey FOREIGN KEY(team_id) REFERENCES agent_teams (id) ON DELETE SET NULL;

CREATE INDEX idx_cron_jobs_team ON cron_jobs (team_id) WHERE team_id IS NOT NULL;

ALTER TABLE cron_run_logs ADD COLUMN team_id UUID;

ALTER TABLE cron_run_logs ADD CONSTRAINT cron_run_logs_team_id_fkey FOREIGN KEY(team_id) REFERENCES agent_teams (id) ON DELETE SET NULL;

CREATE INDEX idx_cron_run_logs_team ON cron_run_logs (team_id) WHERE team_id IS NOT NULL;

ALTER TABLE sessions ADD COLUMN team_id UUID;

ALTER TABLE sessions ADD CONSTRAINT sessions_team_id_fkey FOREIGN KEY(team_id) REFERENCES agent_teams (id) ON DELETE SET NULL;

CREATE INDEX idx_sessions_team ON sessions (team_id) WHERE team_id IS NOT NULL;

CREATE INDEX idx_tt_blocked_by ON team_tasks USING gin (blocked_by);

CREATE INDEX idx_tt_owner_status ON team_tasks (team_id, owner_agent_id, status);

UPDATE alembic_version SET version_num='000019' WHERE alembic_version.version_num = '000018';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (19, false);

COMMIT;

BEGIN;

-- Running upgrade 000019 -> 000020

CREATE TABLE secure_cli_binaries (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    binary_name TEXT NOT NULL, 
    binary_path TEXT, 
    description TEXT DEFAULT '' NOT NULL, 
    encrypted_env BYTEA NOT NULL, 
    deny_args JSONB DEFAULT '[]' NOT NULL, 
    deny_verbose JSONB DEFAULT '[]' NOT NULL, 
    timeout_seconds INTEGER DEFAULT 30 NOT NULL, 
    tips TEXT DEFAULT '' NOT NULL, 
    agent_id UUID, 
    enabled BOOLEAN DEFAULT true NOT NULL, 
    created_by TEXT DEFAULT '' NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT secure_cli_binaries_pkey PRIMARY KEY (id), 
    CONSTRAINT secure_cli_binaries_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE
);

CREATE INDEX idx_secure_cli_binary_name ON secure_cli_binaries (binary_name);

CREATE INDEX idx_secure_cli_agent_id ON secure_cli_binaries (agent_id) WHERE agent_id IS NOT NULL;

CREATE UNIQUE INDEX idx_secure_cli_unique_binary_agent ON secure_cli_binaries (binary_name, COALESCE(agent_id, '00000000-0000-0000-0000-000000000000'));

CREATE TABLE api_keys (
    id UUID NOT NULL, 
    name VARCHAR(100) NOT NULL, 
    prefix VARCHAR(8) NOT NULL, 
    key_hash VARCHAR(64) NOT NULL, 
    scopes TEXT[] DEFAULT '{}'::TEXT[] NOT NULL, 
    expires_at TIMESTAMP WITH TIME ZONE, 
    last_used_at TIMESTAMP WITH TIME ZONE, 
    revoked BOOLEAN DEFAULT false NOT NULL, 
    created_by VARCHAR(255), 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT api_keys_pkey PRIMARY KEY (id), 
    CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash)
);

CREATE INDEX idx_api_keys_key_hash ON api_keys (key_hash) WHERE NOT revoked;

CREATE INDEX idx_api_keys_prefix ON api_keys (prefix);

UPDATE alembic_version SET version_num='000020' WHERE alembic_version.version_num = '000019';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (20, false);

COMMIT;

BEGIN;

-- Running upgrade 000020 -> 000021

ALTER TABLE paired_devices ADD COLUMN expires_at TIMESTAMP WITH TIME ZONE;

ALTER TABLE team_tasks ADD COLUMN confidence_score DOUBLE PRECISION;

ALTER TABLE team_messages ADD COLUMN confidence_score DOUBLE PRECISION;

ALTER TABLE team_task_comments ADD COLUMN confidence_score DOUBLE PRECISION;

UPDATE alembic_version SET version_num='000021' WHERE alembic_version.version_num = '000020';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (21, false);

COMMIT;

BEGIN;

-- Running upgrade 000021 -> 000022

CREATE TABLE agent_heartbeats (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    agent_id UUID NOT NULL, 
    enabled BOOLEAN DEFAULT false NOT NULL, 
    interval_sec INTEGER DEFAULT 1800 NOT NULL, 
    prompt TEXT, 
    provider_id UUID, 
    model VARCHAR(200), 
    isolated_session BOOLEAN DEFAULT true NOT NULL, 
    light_context BOOLEAN DEFAULT false NOT NULL, 
    ack_max_chars INTEGER DEFAULT 300 NOT NULL, 
    max_retries INTEGER DEFAULT 2 NOT NULL, 
    active_hours_start VARCHAR(5), 
    active_hours_end VARCHAR(5), 
    timezone TEXT, 
    channel VARCHAR(50), 
    chat_id TEXT, 
    next_run_at TIMESTAMP WITH TIME ZONE, 
    last_run_at TIMESTAMP WITH TIME ZONE, 
    last_status VARCHAR(20), 
    last_error TEXT, 
    run_count INTEGER DEFAULT 0 NOT NULL, 
    suppress_count INTEGER DEFAULT 0 NOT NULL, 
    metadata JSONB DEFAULT '{}', 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT agent_heartbeats_pkey PRIMARY KEY (id), 
    CONSTRAINT agent_heartbeats_agent_id_key UNIQUE (agent_id), 
    CONSTRAINT agent_heartbeats_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE, 
    CONSTRAINT agent_heartbeats_provider_id_fkey FOREIGN KEY(provider_id) REFERENCES llm_providers (id)
);

CREATE INDEX idx_heartbeats_due ON agent_heartbeats (next_run_at) WHERE enabled = true AND next_run_at IS NOT NULL;

CREATE TABLE heartbeat_run_logs (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    heartbeat_id UUID NOT NULL, 
    agent_id UUID NOT NULL, 
    status VARCHAR(20) NOT NULL, 
    summary TEXT, 
    error TEXT, 
    duration_ms INTEGER, 
    input_tokens INTEGER DEFAULT 0, 
    output_tokens INTEGER DEFAULT 0, 
    skip_reason VARCHAR(50), 
    metadata JSONB DEFAULT '{}', 
    ran_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT heartbeat_run_logs_pkey PRIMARY KEY (id), 
    CONSTRAINT heartbeat_run_logs_heartbeat_id_fkey FOREIGN KEY(heartbeat_id) REFERENCES agent_heartbeats (id) ON DELETE CASCADE, 
    CONSTRAINT heartbeat_run_logs_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id)
);

CREATE INDEX idx_hb_logs_heartbeat ON heartbeat_run_logs (heartbeat_id, ran_at DESC);

CREATE INDEX idx_hb_logs_agent ON heartbeat_run_logs (agent_id, ran_at DESC);

CREATE TABLE agent_config_permissions (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    agent_id UUID NOT NULL, 
    scope VARCHAR(100) NOT NULL, 
    config_type VARCHAR(50) NOT NULL, 
    user_id VARCHAR(255) NOT NULL, 
    permission VARCHAR(10) NOT NULL, 
    granted_by VARCHAR(255), 
    metadata JSONB DEFAULT '{}', 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT agent_config_permissions_pkey PRIMARY KEY (id), 
    CONSTRAINT agent_config_permissions_agent_id_scope_config_type_user_id_key UNIQUE (agent_id, scope, config_type, user_id), 
    CONSTRAINT agent_config_permissions_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE
);

CREATE INDEX idx_acp_lookup ON agent_config_permissions (agent_id, scope, config_type);

UPDATE alembic_version SET version_num='000022' WHERE alembic_version.version_num = '000021';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (22, false);

COMMIT;

BEGIN;

-- Running upgrade 000022 -> 000023

ALTER TABLE agent_config_permissions ALTER COLUMN scope TYPE VARCHAR(255);

INSERT INTO agent_config_permissions (id, agent_id, scope, config_type, user_id, permission, metadata, created_at) SELECT uuid_generate_v7() AS anon_1, group_file_writers.agent_id, group_file_writers.group_id, 'file_writer' AS anon_2, group_file_writers.user_id, 'allow' AS anon_3, jsonb_build_object('displayName', coalesce(group_file_writers.display_name, ''), 'username', coalesce(group_file_writers.username, '')) AS anon_4, group_file_writers.created_at 
FROM group_file_writers 
WHERE NOT (EXISTS (SELECT * 
FROM agent_config_permissions 
WHERE agent_config_permissions.agent_id = group_file_writers.agent_id AND agent_config_permissions.scope = group_file_writers.group_id AND agent_config_permissions.config_type = 'file_writer' AND agent_config_permissions.user_id = group_file_writers.user_id));

DROP TABLE group_file_writers;

ALTER TABLE agents DROP CONSTRAINT agents_agent_key_key;

CREATE UNIQUE INDEX idx_agents_agent_key_active ON agents (agent_key) WHERE deleted_at IS NULL;

ALTER TABLE sessions DROP CONSTRAINT sessions_agent_id_fkey;

ALTER TABLE sessions ADD CONSTRAINT sessions_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE;

ALTER TABLE cron_jobs DROP CONSTRAINT cron_jobs_agent_id_fkey;

ALTER TABLE cron_jobs ADD CONSTRAINT cron_jobs_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE;

ALTER TABLE heartbeat_run_logs DROP CONSTRAINT heartbeat_run_logs_agent_id_fkey;

ALTER TABLE heartbeat_run_logs ADD CONSTRAINT heartbeat_run_logs_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE;

ALTER TABLE agent_teams DROP CONSTRAINT agent_teams_lead_agent_id_fkey;

ALTER TABLE agent_teams ADD CONSTRAINT agent_teams_lead_agent_id_fkey FOREIGN KEY(lead_agent_id) REFERENCES agents (id) ON DELETE CASCADE;

ALTER TABLE team_messages DROP CONSTRAINT team_messages_from_agent_id_fkey;

ALTER TABLE team_messages ADD CONSTRAINT team_messages_from_agent_id_fkey FOREIGN KEY(from_agent_id) REFERENCES agents (id) ON DELETE CASCADE;

ALTER TABLE delegation_history DROP CONSTRAINT delegation_history_source_agent_id_fkey;

ALTER TABLE delegation_history ADD CONSTRAINT delegation_history_source_agent_id_fkey FOREIGN KEY(source_agent_id) REFERENCES agents (id) ON DELETE CASCADE;

ALTER TABLE delegation_history DROP CONSTRAINT delegation_history_target_agent_id_fkey;

ALTER TABLE delegation_history ADD CONSTRAINT delegation_history_target_agent_id_fkey FOREIGN KEY(target_agent_id) REFERENCES agents (id) ON DELETE CASCADE;

ALTER TABLE team_workspace_files DROP CONSTRAINT team_workspace_files_uploaded_by_fkey;

ALTER TABLE team_workspace_files ADD CONSTRAINT team_workspace_files_uploaded_by_fkey FOREIGN KEY(uploaded_by) REFERENCES agents (id) ON DELETE CASCADE;

ALTER TABLE team_workspace_file_versions DROP CONSTRAINT team_workspace_file_versions_uploaded_by_fkey;

ALTER TABLE team_workspace_file_versions ADD CONSTRAINT team_workspace_file_versions_uploaded_by_fkey FOREIGN KEY(uploaded_by) REFERENCES agents (id) ON DELETE CASCADE;

ALTER TABLE team_workspace_comments DROP CONSTRAINT team_workspace_comments_agent_id_fkey;

ALTER TABLE team_workspace_comments ADD CONSTRAINT team_workspace_comments_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE;

ALTER TABLE cron_run_logs DROP CONSTRAINT cron_run_logs_agent_id_fkey;

ALTER TABLE cron_run_logs ADD CONSTRAINT cron_run_logs_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE SET NULL;

ALTER TABLE team_tasks DROP CONSTRAINT team_tasks_owner_agent_id_fkey;

ALTER TABLE team_tasks ADD CONSTRAINT team_tasks_owner_agent_id_fkey FOREIGN KEY(owner_agent_id) REFERENCES agents (id) ON DELETE SET NULL;

ALTER TABLE team_tasks DROP CONSTRAINT team_tasks_created_by_agent_id_fkey;

ALTER TABLE team_tasks ADD CONSTRAINT team_tasks_created_by_agent_id_fkey FOREIGN KEY(created_by_agent_id) REFERENCES agents (id) ON DELETE SET NULL;

ALTER TABLE team_messages DROP CONSTRAINT team_messages_to_agent_id_fkey;

ALTER TABLE team_messages ADD CONSTRAINT team_messages_to_agent_id_fkey FOREIGN KEY(to_agent_id) REFERENCES agents (id) ON DELETE SET NULL;

ALTER TABLE team_task_comments DROP CONSTRAINT team_task_comments_agent_id_fkey;

ALTER TABLE team_task_comments ADD CONSTRAINT team_task_comments_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE SET NULL;

ALTER TABLE team_task_attachments DROP CONSTRAINT team_task_attachments_added_by_fkey;

ALTER TABLE team_task_attachments ADD CONSTRAINT team_task_attachments_added_by_fkey FOREIGN KEY(added_by) REFERENCES agents (id) ON DELETE SET NULL;

DELETE FROM agents WHERE agents.deleted_at IS NOT NULL;

UPDATE alembic_version SET version_num='000023' WHERE alembic_version.version_num = '000022';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (23, false);

COMMIT;

BEGIN;

-- Running upgrade 000023 -> 000024

DROP TABLE IF EXISTS team_task_attachments;

DROP TABLE IF EXISTS team_workspace_comments;

DROP TABLE IF EXISTS team_workspace_file_versions;

DROP TABLE IF EXISTS team_workspace_files;

DROP TABLE IF EXISTS team_messages;

CREATE TABLE team_task_attachments (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    task_id UUID NOT NULL, 
    team_id UUID NOT NULL, 
    chat_id VARCHAR(255) DEFAULT '' NOT NULL, 
    path TEXT NOT NULL, 
    file_size BIGINT DEFAULT 0 NOT NULL, 
    mime_type VARCHAR(100) DEFAULT '', 
    created_by_agent_id UUID, 
    created_by_sender_id VARCHAR(255) DEFAULT '', 
    metadata JSONB DEFAULT '{}' NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT team_task_attachments_pkey PRIMARY KEY (id), 
    CONSTRAINT team_task_attachments_task_id_path_key UNIQUE (task_id, path), 
    CONSTRAINT team_task_attachments_task_id_fkey FOREIGN KEY(task_id) REFERENCES team_tasks (id) ON DELETE CASCADE, 
    CONSTRAINT team_task_attachments_team_id_fkey FOREIGN KEY(team_id) REFERENCES agent_teams (id) ON DELETE CASCADE, 
    CONSTRAINT team_task_attachments_created_by_agent_id_fkey FOREIGN KEY(created_by_agent_id) REFERENCES agents (id)
);

CREATE INDEX idx_tta_task ON team_task_attachments (task_id);

CREATE INDEX idx_tta_team ON team_task_attachments (team_id);

ALTER TABLE team_tasks ADD COLUMN comment_count INTEGER DEFAULT 0 NOT NULL;

ALTER TABLE team_tasks ADD COLUMN attachment_count INTEGER DEFAULT 0 NOT NULL;

ALTER TABLE team_tasks ADD COLUMN embedding VECTOR(1536);

CREATE INDEX idx_tt_embedding ON team_tasks USING hnsw (embedding vector_cosine_ops);

UPDATE alembic_version SET version_num='000024' WHERE alembic_version.version_num = '000023';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (24, false);

COMMIT;

BEGIN;

-- Running upgrade 000024 -> 000025

ALTER TABLE kg_entities ADD COLUMN embedding VECTOR(1536);

CREATE INDEX idx_kg_entity_vec ON kg_entities USING hnsw (embedding vector_cosine_ops);

UPDATE alembic_version SET version_num='000025' WHERE alembic_version.version_num = '000024';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (25, false);

COMMIT;

BEGIN;

-- Running upgrade 000025 -> 000026

ALTER TABLE api_keys ADD COLUMN owner_id VARCHAR(255);

COMMENT ON COLUMN api_keys.owner_id IS 'The user this key acts as; requests made with it cannot claim another user.';

CREATE INDEX idx_api_keys_owner_id ON api_keys (owner_id) WHERE owner_id IS NOT NULL;

CREATE TABLE team_user_grants (
    id UUID DEFAULT gen_random_uuid() NOT NULL, 
    team_id UUID NOT NULL, 
    user_id VARCHAR(255) NOT NULL, 
    role VARCHAR(50) DEFAULT 'viewer' NOT NULL, 
    granted_by VARCHAR(255), 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT team_user_grants_pkey PRIMARY KEY (id), 
    CONSTRAINT team_user_grants_team_id_user_id_key UNIQUE (team_id, user_id), 
    CONSTRAINT team_user_grants_team_id_fkey FOREIGN KEY(team_id) REFERENCES agent_teams (id) ON DELETE CASCADE
);

CREATE INDEX idx_team_user_grants_user ON team_user_grants (user_id);

CREATE INDEX idx_team_user_grants_team ON team_user_grants (team_id);

DROP TABLE IF EXISTS handoff_routes;

DROP TABLE IF EXISTS delegation_history;

UPDATE alembic_version SET version_num='000026' WHERE alembic_version.version_num = '000025';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (26, false);

COMMIT;

BEGIN;

-- Running upgrade 000026 -> 000027

CREATE TABLE tenants (
    id UUID NOT NULL, 
    name VARCHAR(255) NOT NULL, 
    slug VARCHAR(100) NOT NULL, 
    status VARCHAR(20) DEFAULT 'active' NOT NULL, 
    settings JSONB DEFAULT '{}' NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT tenants_pkey PRIMARY KEY (id), 
    CONSTRAINT tenants_slug_key UNIQUE (slug)
);

CREATE INDEX idx_tenants_slug ON tenants (slug);

CREATE INDEX idx_tenants_status ON tenants (status) WHERE status = 'active';

INSERT INTO tenants (id, name, slug) VALUES ('0193a5b0-7000-7000-8000-000000000001', 'Master', 'master');

CREATE TABLE tenant_users (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    tenant_id UUID NOT NULL, 
    user_id VARCHAR(255) NOT NULL, 
    display_name VARCHAR(255), 
    role VARCHAR(20) DEFAULT 'member' NOT NULL, 
    metadata JSONB DEFAULT '{}' NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT tenant_users_pkey PRIMARY KEY (id), 
    CONSTRAINT tenant_users_tenant_id_user_id_key UNIQUE (tenant_id, user_id), 
    CONSTRAINT tenant_users_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
);

CREATE INDEX idx_tenant_users_user ON tenant_users (user_id);

CREATE INDEX idx_tenant_users_tenant ON tenant_users (tenant_id);

ALTER TABLE agents ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE agents ADD CONSTRAINT agents_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE agents ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_agents_tenant ON agents (tenant_id);

ALTER TABLE sessions ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE sessions ADD CONSTRAINT sessions_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE sessions ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_sessions_tenant ON sessions (tenant_id);

ALTER TABLE agent_shares ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE agent_shares ADD CONSTRAINT agent_shares_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE agent_shares ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_agent_shares_tenant ON agent_shares (tenant_id);

ALTER TABLE user_context_files ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE user_context_files ADD CONSTRAINT user_context_files_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE user_context_files ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_user_context_files_tenant ON user_context_files (tenant_id);

ALTER TABLE user_agent_profiles ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE user_agent_profiles ADD CONSTRAINT user_agent_profiles_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE user_agent_profiles ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_user_agent_profiles_tenant ON user_agent_profiles (tenant_id);

ALTER TABLE user_agent_overrides ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE user_agent_overrides ADD CONSTRAINT user_agent_overrides_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE user_agent_overrides ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_user_agent_overrides_tenant ON user_agent_overrides (tenant_id);

ALTER TABLE agent_config_permissions ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE agent_config_permissions ADD CONSTRAINT agent_config_permissions_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE agent_config_permissions ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_agent_config_permissions_tenant ON agent_config_permissions (tenant_id);

ALTER TABLE agent_links ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE agent_links ADD CONSTRAINT agent_links_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE agent_links ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_agent_links_tenant ON agent_links (tenant_id);

ALTER TABLE channel_instances ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE channel_instances ADD CONSTRAINT channel_instances_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE channel_instances ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_channel_instances_tenant ON channel_instances (tenant_id);

ALTER TABLE memory_documents ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE memory_documents ADD CONSTRAINT memory_documents_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE memory_documents ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_memory_documents_tenant ON memory_documents (tenant_id);

ALTER TABLE memory_chunks ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE memory_chunks ADD CONSTRAINT memory_chunks_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE memory_chunks ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_memory_chunks_tenant ON memory_chunks (tenant_id);

ALTER TABLE kg_entities ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE kg_entities ADD CONSTRAINT kg_entities_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE kg_entities ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_kg_entities_tenant ON kg_entities (tenant_id);

ALTER TABLE kg_relations ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE kg_relations ADD CONSTRAINT kg_relations_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE kg_relations ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_kg_relations_tenant ON kg_relations (tenant_id);

ALTER TABLE skills ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE skills ADD CONSTRAINT skills_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE skills ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_skills_tenant ON skills (tenant_id);

ALTER TABLE skill_user_grants ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE skill_user_grants ADD CONSTRAINT skill_user_grants_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE skill_user_grants ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_skill_user_grants_tenant ON skill_user_grants (tenant_id);

ALTER TABLE cron_jobs ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE cron_jobs ADD CONSTRAINT cron_jobs_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE cron_jobs ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_cron_jobs_tenant ON cron_jobs (tenant_id);

ALTER TABLE traces ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE traces ADD CONSTRAINT traces_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE traces ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_traces_tenant ON traces (tenant_id);

ALTER TABLE activity_logs ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE activity_logs ADD CONSTRAINT activity_logs_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE activity_logs ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_activity_logs_tenant ON activity_logs (tenant_id);

ALTER TABLE usage_snapshots ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE usage_snapshots ADD CONSTRAINT usage_snapshots_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE usage_snapshots ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_usage_snapshots_tenant ON usage_snapshots (tenant_id);

ALTER TABLE mcp_servers ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE mcp_servers ADD CONSTRAINT mcp_servers_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE mcp_servers ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_mcp_servers_tenant ON mcp_servers (tenant_id);

ALTER TABLE mcp_user_grants ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE mcp_user_grants ADD CONSTRAINT mcp_user_grants_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE mcp_user_grants ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_mcp_user_grants_tenant ON mcp_user_grants (tenant_id);

ALTER TABLE mcp_access_requests ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE mcp_access_requests ADD CONSTRAINT mcp_access_requests_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE mcp_access_requests ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_mcp_access_requests_tenant ON mcp_access_requests (tenant_id);

ALTER TABLE agent_teams ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE agent_teams ADD CONSTRAINT agent_teams_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE agent_teams ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_agent_teams_tenant ON agent_teams (tenant_id);

ALTER TABLE team_user_grants ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE team_user_grants ADD CONSTRAINT team_user_grants_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE team_user_grants ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_team_user_grants_tenant ON team_user_grants (tenant_id);

ALTER TABLE pairing_requests ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE pairing_requests ADD CONSTRAINT pairing_requests_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE pairing_requests ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_pairing_requests_tenant ON pairing_requests (tenant_id);

ALTER TABLE paired_devices ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE paired_devices ADD CONSTRAINT paired_devices_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE paired_devices ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_paired_devices_tenant ON paired_devices (tenant_id);

ALTER TABLE channel_pending_messages ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE channel_pending_messages ADD CONSTRAINT channel_pending_messages_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE channel_pending_messages ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_channel_pending_messages_tenant ON channel_pending_messages (tenant_id);

ALTER TABLE channel_contacts ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE channel_contacts ADD CONSTRAINT channel_contacts_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE channel_contacts ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_channel_contacts_tenant ON channel_contacts (tenant_id);

ALTER TABLE llm_providers ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE llm_providers ADD CONSTRAINT llm_providers_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE llm_providers ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_llm_providers_tenant ON llm_providers (tenant_id);

ALTER TABLE config_secrets ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE config_secrets ADD CONSTRAINT config_secrets_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE config_secrets ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_config_secrets_tenant ON config_secrets (tenant_id);

ALTER TABLE secure_cli_binaries ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE secure_cli_binaries ADD CONSTRAINT secure_cli_binaries_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE secure_cli_binaries ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_secure_cli_binaries_tenant ON secure_cli_binaries (tenant_id);

ALTER TABLE agent_context_files ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE agent_context_files ADD CONSTRAINT agent_context_files_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE agent_context_files ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_agent_context_files_tenant ON agent_context_files (tenant_id);

ALTER TABLE skill_agent_grants ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE skill_agent_grants ADD CONSTRAINT skill_agent_grants_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE skill_agent_grants ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_skill_agent_grants_tenant ON skill_agent_grants (tenant_id);

ALTER TABLE mcp_agent_grants ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE mcp_agent_grants ADD CONSTRAINT mcp_agent_grants_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE mcp_agent_grants ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_mcp_agent_grants_tenant ON mcp_agent_grants (tenant_id);

ALTER TABLE team_tasks ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE team_tasks ADD CONSTRAINT team_tasks_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE team_tasks ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_team_tasks_tenant ON team_tasks (tenant_id);

ALTER TABLE spans ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE spans ADD CONSTRAINT spans_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE spans ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_spans_tenant ON spans (tenant_id);

ALTER TABLE embedding_cache ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE embedding_cache ADD CONSTRAINT embedding_cache_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE embedding_cache ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_embedding_cache_tenant ON embedding_cache (tenant_id);

ALTER TABLE agent_team_members ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE agent_team_members ADD CONSTRAINT agent_team_members_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE agent_team_members ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_agent_team_members_tenant ON agent_team_members (tenant_id);

ALTER TABLE team_task_comments ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE team_task_comments ADD CONSTRAINT team_task_comments_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE team_task_comments ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_team_task_comments_tenant ON team_task_comments (tenant_id);

ALTER TABLE team_task_events ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE team_task_events ADD CONSTRAINT team_task_events_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE team_task_events ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_team_task_events_tenant ON team_task_events (tenant_id);

ALTER TABLE team_task_attachments ADD COLUMN tenant_id UUID DEFAULT '0193a5b0-7000-7000-8000-000000000001' NOT NULL;

ALTER TABLE team_task_attachments ADD CONSTRAINT team_task_attachments_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

ALTER TABLE team_task_attachments ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX idx_team_task_attachments_tenant ON team_task_attachments (tenant_id);

ALTER TABLE api_keys ADD COLUMN tenant_id UUID;

ALTER TABLE api_keys ADD CONSTRAINT api_keys_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id);

CREATE INDEX idx_api_keys_tenant ON api_keys (tenant_id) WHERE tenant_id IS NOT NULL;

CREATE INDEX idx_agents_tenant_active ON agents (tenant_id) WHERE deleted_at IS NULL;

CREATE INDEX idx_sessions_tenant_user ON sessions (tenant_id, user_id);

CREATE INDEX idx_traces_tenant_time ON traces (tenant_id, created_at DESC);

INSERT INTO tenant_users (id, tenant_id, user_id, role) SELECT uuid_generate_v7() AS anon_1, CAST('0193a5b0-7000-7000-8000-000000000001' AS UUID) AS anon_2, agents.owner_id, 'owner' AS anon_3 
FROM agents 
WHERE agents.owner_id != '' ORDER BY agents.created_at, agents.id 
 LIMIT 1;

DROP TABLE custom_tools;

CREATE TABLE builtin_tool_tenant_configs (
    tool_name VARCHAR(100) NOT NULL, 
    tenant_id UUID NOT NULL, 
    enabled BOOLEAN, 
    settings JSONB, 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT builtin_tool_tenant_configs_pkey PRIMARY KEY (tool_name, tenant_id), 
    CONSTRAINT builtin_tool_tenant_configs_tool_name_fkey FOREIGN KEY(tool_name) REFERENCES builtin_tools (name) ON DELETE CASCADE, 
    CONSTRAINT builtin_tool_tenant_configs_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
);

CREATE INDEX idx_builtin_tool_tenant_configs_tenant ON builtin_tool_tenant_configs (tenant_id);

CREATE TABLE skill_tenant_configs (
    skill_id UUID NOT NULL, 
    tenant_id UUID NOT NULL, 
    enabled BOOLEAN DEFAULT true NOT NULL, 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT skill_tenant_configs_pkey PRIMARY KEY (skill_id, tenant_id), 
    CONSTRAINT skill_tenant_configs_skill_id_fkey FOREIGN KEY(skill_id) REFERENCES skills (id) ON DELETE CASCADE, 
    CONSTRAINT skill_tenant_configs_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
);

CREATE INDEX idx_skill_tenant_configs_tenant ON skill_tenant_configs (tenant_id);

CREATE TABLE mcp_user_credentials (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    server_id UUID NOT NULL, 
    user_id VARCHAR(255) NOT NULL, 
    api_key TEXT, 
    headers BYTEA, 
    env BYTEA, 
    tenant_id UUID NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT mcp_user_credentials_pkey PRIMARY KEY (id), 
    CONSTRAINT mcp_user_credentials_server_id_user_id_tenant_id_key UNIQUE (server_id, user_id, tenant_id), 
    CONSTRAINT mcp_user_credentials_server_id_fkey FOREIGN KEY(server_id) REFERENCES mcp_servers (id) ON DELETE CASCADE, 
    CONSTRAINT mcp_user_credentials_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id)
);

CREATE INDEX idx_mcp_user_credentials_tenant ON mcp_user_credentials (tenant_id);

CREATE INDEX idx_mcp_user_credentials_server ON mcp_user_credentials (server_id);

DROP INDEX idx_agents_agent_key_active;

CREATE UNIQUE INDEX idx_agents_tenant_agent_key_active ON agents (tenant_id, agent_key) WHERE deleted_at IS NULL;

ALTER TABLE sessions DROP CONSTRAINT sessions_session_key_key;

CREATE UNIQUE INDEX idx_sessions_tenant_session_key ON sessions (tenant_id, session_key);

ALTER TABLE skills DROP CONSTRAINT skills_slug_key;

CREATE UNIQUE INDEX idx_skills_tenant_slug ON skills (tenant_id, slug);

ALTER TABLE mcp_servers DROP CONSTRAINT mcp_servers_name_key;

CREATE UNIQUE INDEX idx_mcp_servers_tenant_name ON mcp_servers (tenant_id, name);

ALTER TABLE channel_contacts DROP CONSTRAINT channel_contacts_channel_type_sender_id_key;

CREATE UNIQUE INDEX idx_channel_contacts_tenant_type_sender ON channel_contacts (tenant_id, channel_type, sender_id);

ALTER TABLE llm_providers DROP CONSTRAINT llm_providers_name_key;

CREATE UNIQUE INDEX idx_llm_providers_tenant_name ON llm_providers (tenant_id, name);

ALTER TABLE paired_devices DROP CONSTRAINT paired_devices_sender_id_channel_key;

CREATE UNIQUE INDEX idx_paired_devices_tenant_sender_channel ON paired_devices (tenant_id, sender_id, channel);

ALTER TABLE channel_instances DROP CONSTRAINT channel_instances_name_key;

CREATE UNIQUE INDEX idx_channel_instances_tenant_name ON channel_instances (tenant_id, name);

ALTER TABLE config_secrets DROP CONSTRAINT config_secrets_pkey;

ALTER TABLE config_secrets ADD CONSTRAINT config_secrets_pkey PRIMARY KEY (key, tenant_id);

DROP INDEX idx_usage_snapshots_unique;

CREATE UNIQUE INDEX idx_usage_snapshots_unique ON usage_snapshots (bucket_hour, COALESCE(agent_id, '00000000-0000-0000-0000-000000000000'), provider, model, channel, tenant_id);

UPDATE sessions SET messages=CAST(regexp_replace(CAST(sessions.messages AS TEXT), '\?token=[a-f0-9]+', '', 'g') AS JSONB) WHERE CAST(sessions.messages AS TEXT) LIKE '%%?token=%%';

ALTER TABLE kg_entities ALTER COLUMN id SET DEFAULT uuid_generate_v7();

ALTER TABLE kg_relations ALTER COLUMN id SET DEFAULT uuid_generate_v7();

ALTER TABLE channel_contacts ALTER COLUMN id SET DEFAULT uuid_generate_v7();

ALTER TABLE team_user_grants ALTER COLUMN id SET DEFAULT uuid_generate_v7();

UPDATE alembic_version SET version_num='000027' WHERE alembic_version.version_num = '000026';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (27, false);

COMMIT;

BEGIN;

-- Running upgrade 000027 -> 000028

ALTER TABLE team_task_comments ADD COLUMN comment_type VARCHAR(20) DEFAULT 'note' NOT NULL;

UPDATE alembic_version SET version_num='000028' WHERE alembic_version.version_num = '000027';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (28, false);

COMMIT;

BEGIN;

-- Running upgrade 000028 -> 000029

CREATE TABLE system_configs (
    key VARCHAR(100) NOT NULL, 
    value TEXT NOT NULL, 
    tenant_id UUID NOT NULL, 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT system_configs_pkey PRIMARY KEY (key, tenant_id), 
    CONSTRAINT system_configs_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
);

CREATE INDEX idx_system_configs_tenant ON system_configs (tenant_id);

UPDATE alembic_version SET version_num='000029' WHERE alembic_version.version_num = '000028';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (29, false);

COMMIT;

BEGIN;

-- Running upgrade 000029 -> 000030

CREATE INDEX idx_spans_metadata_gin ON spans USING gin (metadata) WHERE span_type = 'llm_call';

CREATE INDEX idx_sessions_metadata_gin ON sessions USING gin (metadata);

UPDATE alembic_version SET version_num='000030' WHERE alembic_version.version_num = '000029';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (30, false);

COMMIT;

BEGIN;

-- Running upgrade 000030 -> 000031

ALTER TABLE kg_entities ADD COLUMN tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, name || ' ' || COALESCE(description, ''))) STORED;

CREATE INDEX idx_kg_entities_tsv ON kg_entities USING gin (tsv);

CREATE TABLE kg_dedup_candidates (
    id UUID DEFAULT gen_random_uuid() NOT NULL, 
    tenant_id UUID, 
    agent_id UUID NOT NULL, 
    user_id VARCHAR(255) DEFAULT '' NOT NULL, 
    entity_a_id UUID NOT NULL, 
    entity_b_id UUID NOT NULL, 
    similarity DOUBLE PRECISION NOT NULL, 
    status VARCHAR(20) DEFAULT 'pending' NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT kg_dedup_candidates_pkey PRIMARY KEY (id), 
    CONSTRAINT kg_dedup_candidates_entity_a_id_entity_b_id_key UNIQUE (entity_a_id, entity_b_id), 
    CONSTRAINT kg_dedup_candidates_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id) ON DELETE CASCADE, 
    CONSTRAINT kg_dedup_candidates_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE, 
    CONSTRAINT kg_dedup_candidates_entity_a_id_fkey FOREIGN KEY(entity_a_id) REFERENCES kg_entities (id) ON DELETE CASCADE, 
    CONSTRAINT kg_dedup_candidates_entity_b_id_fkey FOREIGN KEY(entity_b_id) REFERENCES kg_entities (id) ON DELETE CASCADE
);

CREATE INDEX idx_kg_dedup_agent ON kg_dedup_candidates (agent_id, status);

UPDATE alembic_version SET version_num='000031' WHERE alembic_version.version_num = '000030';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (31, false);

COMMIT;

BEGIN;

-- Running upgrade 000031 -> 000032

CREATE TABLE secure_cli_user_credentials (
    id UUID DEFAULT gen_random_uuid() NOT NULL, 
    binary_id UUID NOT NULL, 
    user_id VARCHAR(255) NOT NULL, 
    encrypted_env BYTEA NOT NULL, 
    metadata JSONB DEFAULT '{}' NOT NULL, 
    tenant_id UUID NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT secure_cli_user_credentials_pkey PRIMARY KEY (id), 
    CONSTRAINT secure_cli_user_credentials_binary_id_user_id_tenant_id_key UNIQUE (binary_id, user_id, tenant_id), 
    CONSTRAINT secure_cli_user_credentials_binary_id_fkey FOREIGN KEY(binary_id) REFERENCES secure_cli_binaries (id) ON DELETE CASCADE, 
    CONSTRAINT secure_cli_user_credentials_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id)
);

CREATE INDEX idx_scuc_tenant ON secure_cli_user_credentials (tenant_id);

CREATE INDEX idx_scuc_binary ON secure_cli_user_credentials (binary_id);

ALTER TABLE channel_contacts ADD COLUMN contact_type VARCHAR(20) DEFAULT 'user' NOT NULL;

UPDATE alembic_version SET version_num='000032' WHERE alembic_version.version_num = '000031';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (32, false);

COMMIT;

BEGIN;

-- Running upgrade 000032 -> 000033

ALTER TABLE cron_jobs ADD COLUMN stateless BOOLEAN DEFAULT false NOT NULL;

ALTER TABLE cron_jobs ADD COLUMN deliver BOOLEAN DEFAULT false NOT NULL;

ALTER TABLE cron_jobs ADD COLUMN deliver_channel TEXT DEFAULT '' NOT NULL;

ALTER TABLE cron_jobs ADD COLUMN deliver_to TEXT DEFAULT '' NOT NULL;

ALTER TABLE cron_jobs ADD COLUMN wake_heartbeat BOOLEAN DEFAULT false NOT NULL;

UPDATE cron_jobs SET deliver=coalesce(((cron_jobs.payload ->> 'deliver'))::boolean, false), deliver_channel=coalesce((cron_jobs.payload ->> 'channel'), ''), deliver_to=coalesce((cron_jobs.payload ->> 'to'), ''), wake_heartbeat=coalesce(((cron_jobs.payload ->> 'wake_heartbeat'))::boolean, false);

UPDATE cron_jobs SET payload=(cron_jobs.payload - ARRAY['deliver', 'channel', 'to', 'wake_heartbeat']::text[]);

UPDATE alembic_version SET version_num='000033' WHERE alembic_version.version_num = '000032';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (33, false);

COMMIT;

BEGIN;

-- Running upgrade 000033 -> 000034

CREATE TABLE subagent_tasks (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    tenant_id UUID NOT NULL, 
    parent_agent_key VARCHAR(255) NOT NULL, 
    session_key VARCHAR(500), 
    subject VARCHAR(255) NOT NULL, 
    description TEXT NOT NULL, 
    status VARCHAR(20) DEFAULT 'running' NOT NULL, 
    result TEXT, 
    depth INTEGER DEFAULT 1 NOT NULL, 
    model VARCHAR(255), 
    provider VARCHAR(255), 
    iterations INTEGER DEFAULT 0 NOT NULL, 
    input_tokens BIGINT DEFAULT 0 NOT NULL, 
    output_tokens BIGINT DEFAULT 0 NOT NULL, 
    origin_channel VARCHAR(50), 
    origin_chat_id VARCHAR(255), 
    origin_peer_kind VARCHAR(20), 
    origin_user_id VARCHAR(255), 
    spawned_by UUID, 
    completed_at TIMESTAMP WITH TIME ZONE, 
    archived_at TIMESTAMP WITH TIME ZONE, 
    metadata JSONB DEFAULT '{}' NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT subagent_tasks_pkey PRIMARY KEY (id), 
    CONSTRAINT subagent_tasks_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
);

CREATE INDEX idx_subagent_tasks_parent_status ON subagent_tasks (tenant_id, parent_agent_key, status);

CREATE INDEX idx_subagent_tasks_session ON subagent_tasks (session_key) WHERE session_key IS NOT NULL;

CREATE INDEX idx_subagent_tasks_created ON subagent_tasks (tenant_id, created_at DESC);

CREATE INDEX idx_subagent_tasks_metadata_gin ON subagent_tasks USING gin (metadata);

CREATE INDEX idx_subagent_tasks_archive ON subagent_tasks (status, completed_at) WHERE status IN ('completed', 'failed', 'cancelled') AND archived_at IS NULL;

UPDATE alembic_version SET version_num='000034' WHERE alembic_version.version_num = '000033';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (34, false);

COMMIT;

BEGIN;

-- Running upgrade 000034 -> 000035

ALTER TABLE channel_contacts ADD COLUMN thread_id VARCHAR(100);

ALTER TABLE channel_contacts ADD COLUMN thread_type VARCHAR(20);

DELETE FROM channel_contacts WHERE channel_contacts.id IN (SELECT anon_1.id 
FROM (SELECT channel_contacts.id AS id, channel_contacts.sender_id LIKE '%%|%%' AS suffixed, row_number() OVER (PARTITION BY channel_contacts.tenant_id, channel_contacts.channel_type, split_part(channel_contacts.sender_id, '|', 1) ORDER BY CASE WHEN (channel_contacts.sender_id LIKE '%%|%%') THEN 1 ELSE 0 END, channel_contacts.id) AS rank 
FROM channel_contacts) AS anon_1 
WHERE anon_1.suffixed AND anon_1.rank > 1);

UPDATE channel_contacts SET sender_id=split_part(channel_contacts.sender_id, '|', 1) WHERE channel_contacts.sender_id LIKE '%%|%%';

DROP INDEX idx_channel_contacts_tenant_type_sender;

CREATE UNIQUE INDEX idx_channel_contacts_tenant_type_sender ON channel_contacts (tenant_id, channel_type, sender_id, COALESCE(thread_id, ''));

UPDATE alembic_version SET version_num='000035' WHERE alembic_version.version_num = '000034';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (35, false);

COMMIT;

BEGIN;

-- Running upgrade 000035 -> 000036

CREATE TABLE secure_cli_agent_grants (
    id UUID DEFAULT uuid_generate_v7() NOT NULL, 
    binary_id UUID NOT NULL, 
    agent_id UUID NOT NULL, 
    deny_args JSONB, 
    deny_verbose JSONB, 
    timeout_seconds INTEGER, 
    tips TEXT, 
    enabled BOOLEAN DEFAULT true NOT NULL, 
    tenant_id UUID NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT secure_cli_agent_grants_pkey PRIMARY KEY (id), 
    CONSTRAINT secure_cli_agent_grants_binary_id_agent_id_tenant_id_key UNIQUE (binary_id, agent_id, tenant_id), 
    CONSTRAINT secure_cli_agent_grants_binary_id_fkey FOREIGN KEY(binary_id) REFERENCES secure_cli_binaries (id) ON DELETE CASCADE, 
    CONSTRAINT secure_cli_agent_grants_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE, 
    CONSTRAINT secure_cli_agent_grants_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id)
);

CREATE INDEX idx_scag_binary ON secure_cli_agent_grants (binary_id);

CREATE INDEX idx_scag_agent ON secure_cli_agent_grants (agent_id);

CREATE INDEX idx_scag_tenant ON secure_cli_agent_grants (tenant_id);

ALTER TABLE secure_cli_binaries ADD COLUMN is_global BOOLEAN DEFAULT true NOT NULL;

INSERT INTO secure_cli_agent_grants (id, binary_id, agent_id, deny_args, deny_verbose, timeout_seconds, tips, enabled, tenant_id) SELECT uuid_generate_v7() AS anon_1, secure_cli_binaries.id, secure_cli_binaries.agent_id, secure_cli_binaries.deny_args, secure_cli_binaries.deny_verbose, secure_cli_binaries.timeout_seconds, secure_cli_binaries.tips, secure_cli_binaries.enabled, secure_cli_binaries.tenant_id 
FROM secure_cli_binaries 
WHERE secure_cli_binaries.agent_id IS NOT NULL;

UPDATE secure_cli_agent_grants SET binary_id=(SELECT shared.id 
FROM secure_cli_binaries AS shared, secure_cli_binaries AS own 
WHERE own.id = secure_cli_agent_grants.binary_id AND own.agent_id IS NOT NULL AND shared.agent_id IS NULL AND own.binary_name = shared.binary_name AND own.tenant_id = shared.tenant_id) WHERE (SELECT shared.id 
FROM secure_cli_binaries AS shared, secure_cli_binaries AS own 
WHERE own.id = secure_cli_agent_grants.binary_id AND own.agent_id IS NOT NULL AND shared.agent_id IS NULL AND own.binary_name = shared.binary_name AND own.tenant_id = shared.tenant_id) IS NOT NULL;

DELETE FROM secure_cli_binaries WHERE secure_cli_binaries.agent_id IS NOT NULL AND (EXISTS (SELECT * 
FROM secure_cli_binaries AS shared 
WHERE shared.binary_name = secure_cli_binaries.binary_name AND shared.tenant_id = secure_cli_binaries.tenant_id AND shared.agent_id IS NULL));

UPDATE secure_cli_agent_grants SET binary_id=(SELECT oldest.id 
FROM secure_cli_binaries AS oldest, secure_cli_binaries AS own 
WHERE own.id = secure_cli_agent_grants.binary_id AND oldest.binary_name = own.binary_name AND oldest.tenant_id = own.tenant_id AND oldest.agent_id IS NOT NULL ORDER BY oldest.id 
 LIMIT 1) WHERE secure_cli_agent_grants.binary_id IN (SELECT secure_cli_binaries.id 
FROM secure_cli_binaries 
WHERE secure_cli_binaries.agent_id IS NOT NULL);

DELETE FROM secure_cli_binaries WHERE secure_cli_binaries.agent_id IS NOT NULL AND (EXISTS (SELECT * 
FROM secure_cli_binaries AS oldest 
WHERE oldest.binary_name = secure_cli_binaries.binary_name AND oldest.tenant_id = secure_cli_binaries.tenant_id AND oldest.agent_id IS NOT NULL AND oldest.id < secure_cli_binaries.id));

UPDATE secure_cli_binaries SET is_global=false WHERE secure_cli_binaries.agent_id IS NOT NULL;

DROP INDEX idx_secure_cli_unique_binary_agent;

DROP INDEX idx_secure_cli_agent_id;

ALTER TABLE secure_cli_binaries DROP COLUMN agent_id;

CREATE UNIQUE INDEX idx_secure_cli_unique_binary_tenant ON secure_cli_binaries (binary_name, tenant_id);

UPDATE alembic_version SET version_num='000036' WHERE alembic_version.version_num = '000035';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (36, false);

COMMIT;

BEGIN;

-- Running upgrade 000036 -> 000037

CREATE TABLE episodic_summaries (
    id UUID DEFAULT gen_random_uuid() NOT NULL, 
    tenant_id UUID NOT NULL, 
    agent_id UUID NOT NULL, 
    user_id VARCHAR(255) DEFAULT '' NOT NULL, 
    session_key TEXT NOT NULL, 
    summary TEXT NOT NULL, 
    l0_abstract TEXT DEFAULT '' NOT NULL, 
    key_topics TEXT[] DEFAULT '{}'::TEXT[], 
    embedding VECTOR(1536), 
    source_type TEXT DEFAULT 'session' NOT NULL, 
    source_id TEXT, 
    turn_count INTEGER DEFAULT 0 NOT NULL, 
    token_count INTEGER DEFAULT 0 NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    expires_at TIMESTAMP WITH TIME ZONE, 
    CONSTRAINT episodic_summaries_pkey PRIMARY KEY (id), 
    CONSTRAINT episodic_summaries_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id), 
    CONSTRAINT episodic_summaries_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE
);

CREATE INDEX idx_episodic_agent_user ON episodic_summaries (agent_id, user_id);

CREATE INDEX idx_episodic_tenant ON episodic_summaries (tenant_id);

CREATE UNIQUE INDEX idx_episodic_source_dedup ON episodic_summaries (agent_id, user_id, source_id) WHERE source_id IS NOT NULL;

CREATE INDEX idx_episodic_tsv ON episodic_summaries USING gin (to_tsvector('simple', summary));

CREATE INDEX idx_episodic_vec ON episodic_summaries USING hnsw (embedding vector_cosine_ops) WHERE embedding IS NOT NULL;

CREATE INDEX idx_episodic_expires ON episodic_summaries (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE agent_evolution_metrics (
    id UUID DEFAULT gen_random_uuid() NOT NULL, 
    tenant_id UUID NOT NULL, 
    agent_id UUID NOT NULL, 
    session_key TEXT NOT NULL, 
    metric_type TEXT NOT NULL, 
    metric_key TEXT NOT NULL, 
    value JSONB NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT agent_evolution_metrics_pkey PRIMARY KEY (id), 
    CONSTRAINT agent_evolution_metrics_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id), 
    CONSTRAINT agent_evolution_metrics_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE
);

CREATE INDEX idx_evo_metrics_agent_type ON agent_evolution_metrics (agent_id, metric_type);

CREATE INDEX idx_evo_metrics_created ON agent_evolution_metrics (created_at);

CREATE INDEX idx_evo_metrics_tenant ON agent_evolution_metrics (tenant_id);

CREATE TABLE agent_evolution_suggestions (
    id UUID DEFAULT gen_random_uuid() NOT NULL, 
    tenant_id UUID NOT NULL, 
    agent_id UUID NOT NULL, 
    suggestion_type TEXT NOT NULL, 
    suggestion TEXT NOT NULL, 
    rationale TEXT NOT NULL, 
    parameters JSONB, 
    status TEXT DEFAULT 'pending' NOT NULL, 
    reviewed_by TEXT, 
    reviewed_at TIMESTAMP WITH TIME ZONE, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT agent_evolution_suggestions_pkey PRIMARY KEY (id), 
    CONSTRAINT agent_evolution_suggestions_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id), 
    CONSTRAINT agent_evolution_suggestions_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE
);

CREATE INDEX idx_evo_suggestions_agent ON agent_evolution_suggestions (agent_id, status);

CREATE INDEX idx_evo_suggestions_tenant ON agent_evolution_suggestions (tenant_id);

ALTER TABLE kg_entities ADD COLUMN valid_from TIMESTAMP WITH TIME ZONE DEFAULT now();

ALTER TABLE kg_entities ADD COLUMN valid_until TIMESTAMP WITH TIME ZONE;

CREATE INDEX idx_kg_entities_current ON kg_entities (agent_id, user_id) WHERE valid_until IS NULL;

CREATE INDEX idx_kg_entities_temporal ON kg_entities (agent_id, user_id, valid_from, valid_until);

ALTER TABLE kg_relations ADD COLUMN valid_from TIMESTAMP WITH TIME ZONE DEFAULT now();

ALTER TABLE kg_relations ADD COLUMN valid_until TIMESTAMP WITH TIME ZONE;

CREATE INDEX idx_kg_relations_current ON kg_relations (agent_id, user_id) WHERE valid_until IS NULL;

CREATE INDEX idx_kg_relations_temporal ON kg_relations (agent_id, user_id, valid_from, valid_until);

ALTER TABLE agents ADD COLUMN emoji TEXT DEFAULT '' NOT NULL;

ALTER TABLE agents ADD COLUMN agent_description TEXT DEFAULT '' NOT NULL;

ALTER TABLE agents ADD COLUMN thinking_level TEXT DEFAULT '' NOT NULL;

ALTER TABLE agents ADD COLUMN max_tokens INTEGER DEFAULT 0 NOT NULL;

ALTER TABLE agents ADD COLUMN self_evolve BOOLEAN DEFAULT false NOT NULL;

ALTER TABLE agents ADD COLUMN skill_evolve BOOLEAN DEFAULT false NOT NULL;

ALTER TABLE agents ADD COLUMN skill_nudge_interval INTEGER DEFAULT 0 NOT NULL;

ALTER TABLE agents ADD COLUMN reasoning_config JSONB DEFAULT '{}' NOT NULL;

ALTER TABLE agents ADD COLUMN workspace_sharing JSONB DEFAULT '{}' NOT NULL;

ALTER TABLE agents ADD COLUMN chatgpt_oauth_routing JSONB DEFAULT '{}' NOT NULL;

ALTER TABLE agents ADD COLUMN shell_deny_groups JSONB DEFAULT '{}' NOT NULL;

ALTER TABLE agents ADD COLUMN kg_dedup_config JSONB DEFAULT '{}' NOT NULL;

UPDATE agents SET emoji=coalesce((agents.other_config ->> 'emoji'), ''), agent_description=coalesce((agents.other_config ->> 'description'), ''), thinking_level=coalesce((agents.other_config ->> 'thinking_level'), ''), max_tokens=coalesce(((agents.other_config ->> 'max_tokens'))::integer, 0), self_evolve=coalesce(((agents.other_config ->> 'self_evolve'))::boolean, false), skill_evolve=coalesce(((agents.other_config ->> 'skill_evolve'))::boolean, false), skill_nudge_interval=coalesce(((agents.other_config ->> 'skill_nudge_interval'))::integer, 0), reasoning_config=coalesce((agents.other_config -> 'reasoning'), CAST('{}' AS JSONB)), workspace_sharing=coalesce((agents.other_config -> 'workspace_sharing'), CAST('{}' AS JSONB)), chatgpt_oauth_routing=coalesce((agents.other_config -> 'chatgpt_oauth_routing'), CAST('{}' AS JSONB)), shell_deny_groups=coalesce((agents.other_config -> 'shell_deny_groups'), CAST('{}' AS JSONB)), kg_dedup_config=coalesce((agents.other_config -> 'kg_dedup_config'), CAST('{}' AS JSONB)) WHERE agents.other_config != CAST('{}' AS JSONB);

UPDATE agents SET other_config=(agents.other_config - ARRAY['emoji', 'description', 'thinking_level', 'max_tokens', 'self_evolve', 'skill_evolve', 'skill_nudge_interval', 'reasoning', 'workspace_sharing', 'chatgpt_oauth_routing', 'shell_deny_groups', 'kg_dedup_config']::text[]);

UPDATE alembic_version SET version_num='000037' WHERE alembic_version.version_num = '000036';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (37, false);

COMMIT;

BEGIN;

-- Running upgrade 000037 -> 000038

CREATE TABLE vault_documents (
    id UUID DEFAULT gen_random_uuid() NOT NULL, 
    tenant_id UUID NOT NULL, 
    agent_id UUID NOT NULL, 
    scope TEXT DEFAULT 'personal' NOT NULL, 
    path TEXT NOT NULL, 
    title TEXT DEFAULT '' NOT NULL, 
    doc_type TEXT DEFAULT 'note' NOT NULL, 
    content_hash TEXT DEFAULT '' NOT NULL, 
    embedding VECTOR(1536), 
    metadata JSONB DEFAULT '{}', 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || coalesce(path, ''))) STORED, 
    CONSTRAINT vault_documents_pkey PRIMARY KEY (id), 
    CONSTRAINT vault_documents_agent_id_scope_path_key UNIQUE (agent_id, scope, path), 
    CONSTRAINT vault_documents_tenant_id_fkey FOREIGN KEY(tenant_id) REFERENCES tenants (id) ON DELETE CASCADE, 
    CONSTRAINT vault_documents_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE CASCADE
);

CREATE INDEX idx_vault_docs_tenant ON vault_documents (tenant_id);

CREATE INDEX idx_vault_docs_agent_scope ON vault_documents (agent_id, scope);

CREATE INDEX idx_vault_docs_type ON vault_documents (agent_id, doc_type);

CREATE INDEX idx_vault_docs_hash ON vault_documents (content_hash);

CREATE INDEX idx_vault_docs_embedding ON vault_documents USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);

CREATE INDEX idx_vault_docs_tsv ON vault_documents USING gin (tsv);

CREATE TABLE vault_links (
    id UUID DEFAULT gen_random_uuid() NOT NULL, 
    from_doc_id UUID NOT NULL, 
    to_doc_id UUID NOT NULL, 
    link_type TEXT DEFAULT 'wikilink' NOT NULL, 
    context TEXT DEFAULT '' NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT vault_links_pkey PRIMARY KEY (id), 
    CONSTRAINT vault_links_from_doc_id_to_doc_id_link_type_key UNIQUE (from_doc_id, to_doc_id, link_type), 
    CONSTRAINT vault_links_from_doc_id_fkey FOREIGN KEY(from_doc_id) REFERENCES vault_documents (id) ON DELETE CASCADE, 
    CONSTRAINT vault_links_to_doc_id_fkey FOREIGN KEY(to_doc_id) REFERENCES vault_documents (id) ON DELETE CASCADE
);

CREATE INDEX idx_vault_links_from ON vault_links (from_doc_id);

CREATE INDEX idx_vault_links_to ON vault_links (to_doc_id);

CREATE TABLE vault_versions (
    id UUID DEFAULT gen_random_uuid() NOT NULL, 
    doc_id UUID NOT NULL, 
    version INTEGER DEFAULT 1 NOT NULL, 
    content TEXT DEFAULT '' NOT NULL, 
    changed_by TEXT DEFAULT '' NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), 
    CONSTRAINT vault_versions_pkey PRIMARY KEY (id), 
    CONSTRAINT vault_versions_doc_id_version_key UNIQUE (doc_id, version), 
    CONSTRAINT vault_versions_doc_id_fkey FOREIGN KEY(doc_id) REFERENCES vault_documents (id) ON DELETE CASCADE
);

UPDATE alembic_version SET version_num='000038' WHERE alembic_version.version_num = '000037';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (38, false);

COMMIT;

BEGIN;

-- Running upgrade 000038 -> 000039

DELETE FROM agent_links;

UPDATE alembic_version SET version_num='000039' WHERE alembic_version.version_num = '000038';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (39, false);

COMMIT;

BEGIN;

-- Running upgrade 000039 -> 000040

CREATE OR REPLACE FUNCTION immutable_array_to_string(arr text[], sep text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT array_to_string(arr, sep) $$;

ALTER TABLE episodic_summaries ADD COLUMN search_vector TSVECTOR GENERATED ALWAYS AS (to_tsvector('english'::regconfig, coalesce(summary, '') || ' ' || coalesce(immutable_array_to_string(key_topics, ' '), ''))) STORED;

CREATE INDEX idx_episodic_search_vector ON episodic_summaries USING gin (search_vector);

CREATE INDEX idx_episodic_embedding_hnsw ON episodic_summaries USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64) WHERE embedding IS NOT NULL;

UPDATE alembic_version SET version_num='000040' WHERE alembic_version.version_num = '000039';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (40, false);

COMMIT;

BEGIN;

-- Running upgrade 000040 -> 000041

ALTER TABLE episodic_summaries ADD COLUMN promoted_at TIMESTAMP WITH TIME ZONE;

CREATE INDEX idx_episodic_unpromoted ON episodic_summaries (agent_id, user_id, created_at) WHERE promoted_at IS NULL;

UPDATE alembic_version SET version_num='000041' WHERE alembic_version.version_num = '000040';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (41, false);

COMMIT;

BEGIN;

-- Running upgrade 000041 -> 000042

ALTER TABLE vault_documents ADD COLUMN summary TEXT DEFAULT '' NOT NULL;

ALTER TABLE vault_documents DROP COLUMN tsv;

ALTER TABLE vault_documents ADD COLUMN tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || coalesce(path, '') || ' ' || coalesce(summary, ''))) STORED;

CREATE INDEX idx_vault_docs_tsv ON vault_documents USING gin (tsv);

UPDATE alembic_version SET version_num='000042' WHERE alembic_version.version_num = '000041';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (42, false);

COMMIT;

BEGIN;

-- Running upgrade 000042 -> 000043

ALTER TABLE vault_documents DROP CONSTRAINT IF EXISTS vault_documents_agent_id_scope_path_key;

DROP INDEX IF EXISTS vault_documents_agent_id_scope_path_key;

ALTER TABLE vault_documents ADD COLUMN team_id UUID;

ALTER TABLE vault_documents ADD CONSTRAINT vault_documents_team_id_fkey FOREIGN KEY(team_id) REFERENCES agent_teams (id) ON DELETE SET NULL;

ALTER TABLE vault_documents ADD COLUMN custom_scope VARCHAR(255);

CREATE UNIQUE INDEX uq_vault_docs_agent_team_scope_path ON vault_documents (agent_id, coalesce(team_id, CAST('00000000-0000-0000-0000-000000000000' AS UUID)), scope, path);

CREATE INDEX idx_vault_docs_team ON vault_documents (team_id) WHERE team_id IS NOT NULL;

CREATE OR REPLACE FUNCTION vault_docs_team_null_scope_fix() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A document whose team went away can only be personal.
    IF OLD.team_id IS NOT NULL AND NEW.team_id IS NULL THEN
        NEW.scope = 'personal';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER trg_vault_docs_team_null_scope BEFORE UPDATE OF team_id ON vault_documents FOR EACH ROW EXECUTE FUNCTION vault_docs_team_null_scope_fix();

ALTER TABLE vault_links ADD COLUMN custom_scope VARCHAR(255);

ALTER TABLE vault_versions ADD COLUMN custom_scope VARCHAR(255);

ALTER TABLE memory_documents ADD COLUMN custom_scope VARCHAR(255);

ALTER TABLE memory_chunks ADD COLUMN custom_scope VARCHAR(255);

ALTER TABLE team_tasks ADD COLUMN custom_scope VARCHAR(255);

ALTER TABLE team_task_attachments ADD COLUMN custom_scope VARCHAR(255);

ALTER TABLE team_task_comments ADD COLUMN custom_scope VARCHAR(255);

ALTER TABLE team_task_events ADD COLUMN custom_scope VARCHAR(255);

ALTER TABLE subagent_tasks ADD COLUMN custom_scope VARCHAR(255);

UPDATE alembic_version SET version_num='000043' WHERE alembic_version.version_num = '000042';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (43, false);

COMMIT;

BEGIN;

-- Running upgrade 000043 -> 000044

INSERT INTO agent_context_files (id, agent_id, tenant_id, file_name, content) SELECT uuid_generate_v7() AS anon_1, agents.id, agents.tenant_id, 'AGENTS_CORE.md' AS anon_2, '# Operating rules: core

## Replying

- Answer in the language the user writes in, and keep to it for the rest of the conversation.

## System messages

- A block marked `[System Message]` is internal context for you (a scheduled job''s result, a subagent that finished); the user never sees it.
- When such a block says work is done, tell the user about it in your own words instead of passing the raw text along.
- Do not send messages with `exec` or `curl`: the gateway delivers your replies to the right channel itself.
- When the user asks you to save or remember something, call `write_file` or `edit` in this same turn. Never say something is saved unless a tool call saved it.
' AS anon_3 
FROM agents 
WHERE agents.deleted_at IS NULL AND NOT (EXISTS (SELECT * 
FROM agent_context_files 
WHERE agent_context_files.agent_id = agents.id AND agent_context_files.file_name = 'AGENTS_CORE.md'));

INSERT INTO agent_context_files (id, agent_id, tenant_id, file_name, content) SELECT uuid_generate_v7() AS anon_1, agents.id, agents.tenant_id, 'AGENTS_TASK.md' AS anon_2, '# Operating rules: tasks

## Replying

- Answer in the language the user writes in, and keep to it for the rest of the conversation.

## System messages

- A block marked `[System Message]` is internal context for you (a scheduled job''s result, a subagent that finished); the user never sees it.
- When such a block says work is done, tell the user about it in your own words instead of passing the raw text along.
- Do not send messages with `exec` or `curl`: the gateway delivers your replies to the right channel itself.
- When the user asks you to save or remember something, call `write_file` or `edit` in this same turn. Never say something is saved unless a tool call saved it.

## Memory

- Before answering about earlier work, decisions or preferences, look them up with `memory_search`; then read just the lines you need with `memory_get`. Where `knowledge_graph_search` is available, use it too for questions that connect several facts.
- Keep what matters in files with `write_file`: notes of the day in `memory/YYYY-MM-DD.md`, lasting decisions and lessons in `MEMORY.md`.
- Nothing is remembered unless it is written down, so write it now rather than intending to later.

### Privacy of MEMORY.md

- Draw on `MEMORY.md` only in a private chat with its owner.
- In group chats and shared sessions, keep its contents to yourself.

## Scheduling

- Use the `cron` tool for anything periodic or due at a set time, with a precise, actionable message.
- For a one-off reminder use `kind: "at"`; the job removes itself after it runs.
- To post the result in a chat, set `deliver: true` together with `channel` and `to`.
- Prefer one job that checks several related things over many frequent jobs.
' AS anon_3 
FROM agents 
WHERE agents.deleted_at IS NULL AND NOT (EXISTS (SELECT * 
FROM agent_context_files 
WHERE agent_context_files.agent_id = agents.id AND agent_context_files.file_name = 'AGENTS_TASK.md'));

DELETE FROM agent_context_files WHERE agent_context_files.file_name = 'AGENTS_MINIMAL.md';

UPDATE alembic_version SET version_num='000044' WHERE alembic_version.version_num = '000043';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (44, false);

COMMIT;

BEGIN;

-- Running upgrade 000044 -> 000045

ALTER TABLE episodic_summaries ADD COLUMN recall_count INTEGER DEFAULT 0 NOT NULL;

ALTER TABLE episodic_summaries ADD COLUMN recall_score DOUBLE PRECISION DEFAULT 0 NOT NULL;

ALTER TABLE episodic_summaries ADD COLUMN last_recalled_at TIMESTAMP WITH TIME ZONE;

CREATE INDEX idx_episodic_recall_unpromoted ON episodic_summaries (agent_id, user_id, recall_score DESC) WHERE promoted_at IS NULL;

UPDATE alembic_version SET version_num='000045' WHERE alembic_version.version_num = '000044';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (45, false);

COMMIT;

BEGIN;

-- Running upgrade 000045 -> 000046

ALTER TABLE vault_documents ALTER COLUMN agent_id DROP NOT NULL;

ALTER TABLE vault_documents DROP CONSTRAINT vault_documents_agent_id_fkey;

ALTER TABLE vault_documents ADD CONSTRAINT vault_documents_agent_id_fkey FOREIGN KEY(agent_id) REFERENCES agents (id) ON DELETE SET NULL;

DROP INDEX uq_vault_docs_agent_team_scope_path;

CREATE UNIQUE INDEX uq_vault_docs_agent_team_scope_path ON vault_documents (tenant_id, coalesce(agent_id, '00000000-0000-0000-0000-000000000000'::uuid), coalesce(team_id, '00000000-0000-0000-0000-000000000000'::uuid), scope, path);

CREATE OR REPLACE FUNCTION vault_docs_agent_null_scope_fix() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A document that lost its agent and has no team belongs to the whole tenant.
    IF OLD.agent_id IS NOT NULL AND NEW.agent_id IS NULL AND NEW.team_id IS NULL THEN
        NEW.scope = 'shared';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER trg_vault_docs_agent_null_scope BEFORE UPDATE OF agent_id ON vault_documents FOR EACH ROW EXECUTE FUNCTION vault_docs_agent_null_scope_fix();

DROP INDEX idx_vault_docs_agent_scope;

CREATE INDEX idx_vault_docs_agent_scope ON vault_documents (agent_id, scope) WHERE agent_id IS NOT NULL;

UPDATE alembic_version SET version_num='000046' WHERE alembic_version.version_num = '000045';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (46, false);

COMMIT;

BEGIN;

-- Running upgrade 000046 -> 000047

DELETE FROM cron_jobs WHERE cron_jobs.id IN (SELECT ranked.id 
FROM (SELECT cron_jobs.id AS id, row_number() OVER (PARTITION BY cron_jobs.agent_id, cron_jobs.tenant_id, cron_jobs.name ORDER BY cron_jobs.updated_at DESC NULLS FIRST, cron_jobs.id DESC) AS rank 
FROM cron_jobs) AS ranked 
WHERE ranked.rank > 1);

CREATE UNIQUE INDEX uq_cron_jobs_agent_tenant_name ON cron_jobs (agent_id, tenant_id, name);

ALTER TABLE vault_documents ADD COLUMN path_basename TEXT GENERATED ALWAYS AS (lower(regexp_replace(path, '.+/', ''))) STORED;

CREATE INDEX idx_vault_docs_basename ON vault_documents (tenant_id, path_basename);

UPDATE alembic_version SET version_num='000047' WHERE alembic_version.version_num = '000046';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (47, false);

COMMIT;

