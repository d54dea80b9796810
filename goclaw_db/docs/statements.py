"""What a stretch of PostgreSQL script does to tables, functions, triggers and extensions.

The revision chain's offline SQL (``goclaw-db migrate up --sql``) is the
authority on what each revision does; this module reads it statement by
statement.  Only a statement's head is matched (``CREATE TABLE x``,
``UPDATE x SET``), so text inside string literals, such as seeded file
contents, is never taken for a statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_DOLLAR_QUOTE = re.compile(r"\$(\w*)\$")


def split_statements(script: str) -> list[str]:
    """The statements of ``script``: split at semicolons outside quotes, dollar quotes and comments."""
    statements: list[str] = []
    start = i = 0
    while i < len(script):
        char = script[i]
        if char == "'":
            end = i + 1
            while True:
                end = script.find("'", end)
                if end < 0 or script[end + 1 : end + 2] != "'":
                    break
                end += 2  # a doubled quote inside the literal
            i = len(script) if end < 0 else end + 1
        elif char == "$" and (match := _DOLLAR_QUOTE.match(script, i)):
            end = script.find(match.group(0), match.end())
            i = len(script) if end < 0 else end + len(match.group(0))
        elif script.startswith("--", i):
            end = script.find("\n", i)
            i = len(script) if end < 0 else end + 1
        elif char == ";":
            statements.append(script[start:i])
            start = i = i + 1
        else:
            i += 1
    statements.append(script[start:])
    return [text for text in (_without_comments(s) for s in statements) if text]


def _without_comments(statement: str) -> str:
    lines = [line for line in statement.strip().splitlines() if not line.lstrip().startswith("--")]
    return "\n".join(lines).strip()


@dataclass(frozen=True)
class Function:
    signature: str
    returns: str
    language: str


@dataclass(frozen=True)
class Trigger:
    table: str
    timing: str
    function: str


@dataclass
class Effects:
    """What one revision does, as its SQL states it."""

    created: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)
    dropped: set[str] = field(default_factory=set)
    data: set[str] = field(default_factory=set)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    indexes: dict[str, str] = field(default_factory=dict)  # index created -> its table
    dropped_indexes: set[str] = field(default_factory=set)  # the statement names no table
    extensions: set[str] = field(default_factory=set)
    functions: dict[str, Function] = field(default_factory=dict)
    dropped_functions: set[str] = field(default_factory=set)
    triggers: dict[str, Trigger] = field(default_factory=dict)
    dropped_triggers: set[str] = field(default_factory=set)

    def tables(self) -> set[str]:
        return self.created | self.changed | self.dropped | self.data | {n for pair in self.renamed for n in pair}


_NAME = r'(?:"?\w+"?\.)?"?(\w+)"?'
_TABLE_STATEMENTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("created", re.compile(rf"CREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?{_NAME}", re.I)),
    ("dropped", re.compile(rf"DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?{_NAME}", re.I)),
    ("changed", re.compile(rf"ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?{_NAME}", re.I)),
    ("changed", re.compile(rf"COMMENT\s+ON\s+TABLE\s+{_NAME}", re.I)),
    ("changed", re.compile(r'COMMENT\s+ON\s+COLUMN\s+(?:"?\w+"?\.)?"?(\w+)"?\."?\w+"?\s+IS\b', re.I)),
    ("data", re.compile(rf"(?:WITH\b.*?\)\s*)?UPDATE\s+(?:ONLY\s+)?{_NAME}\s+SET\b", re.I | re.S)),
    ("data", re.compile(rf"(?:WITH\b.*?\)\s*)?INSERT\s+INTO\s+{_NAME}", re.I | re.S)),
    ("data", re.compile(rf"(?:WITH\b.*?\)\s*)?DELETE\s+FROM\s+(?:ONLY\s+)?{_NAME}", re.I | re.S)),
    ("data", re.compile(rf"TRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?{_NAME}", re.I)),
)
_CREATE_INDEX = re.compile(
    r"CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?:(\w+)\s+)?"
    rf"ON\s+(?:ONLY\s+)?{_NAME}",
    re.I,
)
_DROP_INDEX = re.compile(rf"DROP\s+INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+EXISTS\s+)?{_NAME}", re.I)
_RENAME = re.compile(rf"ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?{_NAME}\s+RENAME\s+TO\s+{_NAME}", re.I)
_CREATE_FUNCTION = re.compile(
    r"CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(?:\w+\.)?(\w+)\s*\(([^)]*)\)\s*RETURNS\s+(\w+(?:\s*\[\])?)"
    r"(?:.*?\bLANGUAGE\s+(\w+))?",
    re.I | re.S,
)
_DROP_FUNCTION = re.compile(r"DROP\s+FUNCTION\s+(?:IF\s+EXISTS\s+)?(?:\w+\.)?(\w+)", re.I)
_CREATE_TRIGGER = re.compile(
    rf"CREATE\s+(?:OR\s+REPLACE\s+)?TRIGGER\s+(\w+)\s+(.*?)\bON\s+{_NAME}"
    r".*?\bEXECUTE\s+(?:FUNCTION|PROCEDURE)\s+(\w+)",
    re.I | re.S,
)
_DROP_TRIGGER = re.compile(r"DROP\s+TRIGGER\s+(?:IF\s+EXISTS\s+)?(\w+)", re.I)
# Also inside a DO block: an extension created only where the server offers it.
_CREATE_EXTENSION = re.compile(r'\bCREATE\s+EXTENSION\s+(?:IF\s+NOT\s+EXISTS\s+)?"?(\w+)"?', re.I)


def effects_of(script: str, *, ignore_tables: frozenset[str] = frozenset()) -> Effects:
    """What ``script`` does; tables in ``ignore_tables`` (version bookkeeping) are left out."""
    effects = Effects()
    for statement in split_statements(script):
        _record(statement, effects)
    for kind in ("created", "changed", "dropped", "data"):
        getattr(effects, kind).difference_update(ignore_tables)
    # A table this revision creates is not also "changed" by it.
    effects.changed -= effects.created
    effects.data -= effects.created
    return effects


def _record(statement: str, effects: Effects) -> None:
    if match := _RENAME.match(statement):
        effects.renamed.append((match.group(1), match.group(2)))
        return
    for kind, pattern in _TABLE_STATEMENTS:
        if match := pattern.match(statement):
            getattr(effects, kind).add(match.group(1))
            return
    if match := _CREATE_INDEX.match(statement):
        index, table = match.groups()
        effects.changed.add(table)
        if index:
            effects.indexes[index] = table
    elif match := _DROP_INDEX.match(statement):
        effects.dropped_indexes.add(match.group(1))
    elif match := _CREATE_FUNCTION.match(statement):
        name, params, returns, language = match.groups()
        effects.functions[name] = Function(
            f"{name}({' '.join(params.split())})", " ".join(returns.split()).lower(), (language or "").lower()
        )
    elif match := _DROP_FUNCTION.match(statement):
        effects.dropped_functions.add(match.group(1))
    elif match := _CREATE_TRIGGER.match(statement):
        name, timing, table, function = match.groups()
        effects.triggers[name] = Trigger(table, " ".join(timing.split()), function)
        effects.changed.add(table)
    elif match := _DROP_TRIGGER.match(statement):
        effects.dropped_triggers.add(match.group(1))
    else:
        effects.extensions.update(_CREATE_EXTENSION.findall(statement))
