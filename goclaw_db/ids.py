"""Time-ordered ids: UUID version 7 (RFC 9562), generated in Python.

GoClaw's PostgreSQL schema fills its keys with ``uuid_generate_v7()``, but the
desktop (SQLite) build has no such function: the application makes the id.
The models therefore give every generated key a Python-side default,
:func:`uuid7`, which works the same on both databases.

Layout (RFC 9562, section 5.7), most significant bit first::

    48 bits  unix_ts_ms   milliseconds since the Unix epoch
     4 bits  ver          0b0111
    12 bits  rand_a       sub-millisecond fraction of the clock (section 6.2, method 3)
     2 bits  var          0b10
    62 bits  rand_b       random

Within one process the ids are strictly increasing: when the clock has not
moved on (or went backwards) since the last id, the 60-bit time field of the
last id plus one is used instead, so ids sort in the order they were made.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from datetime import UTC, datetime

__all__ = ["uuid7", "uuid7_datetime"]

_SUB_MS_STEPS = 1 << 12  # rand_a holds the fraction of a millisecond in 1/4096 steps
_lock = threading.Lock()
_last_stamp = 0  # unix_ts_ms << 12 | rand_a of the last id


def uuid7(*, timestamp_ns: int | None = None) -> uuid.UUID:
    """A new UUIDv7 for now (or for ``timestamp_ns``, nanoseconds since the epoch)."""
    global _last_stamp
    ns = time.time_ns() if timestamp_ns is None else timestamp_ns
    ms, rest = divmod(ns, 1_000_000)
    stamp = (ms << 12) | (rest * _SUB_MS_STEPS // 1_000_000)
    if timestamp_ns is None:
        with _lock:
            if stamp <= _last_stamp:
                stamp = _last_stamp + 1
            _last_stamp = stamp
    rand_b = int.from_bytes(os.urandom(8), "big") >> 2
    value = (stamp >> 12) << 80 | 0x7 << 76 | (stamp & 0xFFF) << 64 | 0b10 << 62 | rand_b
    return uuid.UUID(int=value)


def uuid7_datetime(value: uuid.UUID) -> datetime:
    """The moment (to the millisecond, UTC) a UUIDv7 was made."""
    if value.version != 7:
        raise ValueError(f"{value} is not a version 7 UUID")
    return datetime.fromtimestamp((value.int >> 80) / 1000, tz=UTC)
