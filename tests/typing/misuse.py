"""Mistakes a type checker must catch in code using the models (each line marked with the error expected)."""

import uuid

import sqlalchemy as sa

from goclaw_db.models import Agent, ChatSession, CronJob
from goclaw_db.search import search_memory

Agent(agent_key=1, owner_id="o", model="m")  # expect: agent_key
Agent(agent_key="a", owner_id="o", model="m", bogus=2)  # expect: bogus
Agent(agent_key="a", owner_id="o")  # expect: model
chat = ChatSession(session_key="k")
chat.messages.append({"role": "user", "contents": "typo"})  # expect: contents
CronJob(name="n", schedule_kind="cron", payload={"kind": "agent_turn"})  # expect: message
search_memory(sa.create_engine("sqlite://"), "pier", agent=uuid.uuid4(), tenant_id=uuid.uuid4())  # expect: agent
