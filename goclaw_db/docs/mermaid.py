"""Mermaid diagrams: one of the domains and the links between them, and one ER diagram per domain.

A diagram of all tables at once is far too wide to read on a page, so the
overview shows domains only; each domain's diagram shows its own tables with
their key columns, and the tables of other domains they point at.  Links to
``tenants`` are left out outside the tenants domain: nearly every table has one.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from goclaw_db.docs.schema import Domain, column_keys, columns_of, foreign_keys, pg_type, unique_sets

TENANTS = "tenants"


def mermaid_type(type_name: str) -> str:
    """A column type spelled with the characters Mermaid accepts in an attribute type."""
    text = type_name.lower().replace("timestamp with time zone", "timestamptz").replace("[]", " array")
    text = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    return text if re.match(r"[a-z_]", text or "") else f"t_{text}"


def _cardinality(fk: sa.ForeignKeyConstraint) -> str:
    table = fk.table
    columns = set(columns_of(fk))
    nullable = any(c.nullable for c in fk.columns)
    parent = "|o" if nullable else "||"
    child = "o|" if columns in unique_sets(table) else "o{"
    line = "--" if columns <= set(columns_of(table.primary_key)) else ".."
    return f"{parent}{line}{child}"


def _relationship(fk: sa.ForeignKeyConstraint) -> str:
    label = ", ".join(columns_of(fk))
    return f'    {fk.referred_table.name} {_cardinality(fk)} {fk.parent.name} : "{label}"'


def _shown(fk: sa.ForeignKeyConstraint, domain: Domain) -> bool:
    return fk.referred_table.name != TENANTS or domain.name == "tenants"


def er_domain(domain: Domain) -> list[str]:
    """The domain's tables with their key columns, and the foreign keys that leave them.

    Laid out left to right: a table with many children then grows the diagram
    downwards, where a page has room, instead of sideways.
    """
    lines = ["erDiagram", "    direction LR"]
    for td in domain.tables:
        key_columns = [c for c in td.table.columns if column_keys(td.table, c)]
        if not key_columns:
            lines.append(f"    {td.name}")
            continue
        lines.append(f"    {td.name} {{")
        for column in key_columns:
            keys = ", ".join(column_keys(td.table, column))
            lines.append(f"        {mermaid_type(pg_type(column))} {column.name} {keys}")
        lines.append("    }")
    for td in domain.tables:
        lines += [_relationship(fk) for fk in foreign_keys(td.table) if _shown(fk, domain)]
    return lines


def diagram_tables(domain: Domain) -> set[str]:
    """The tables a domain's diagram draws: its own and those its foreign keys point at."""
    own = {td.name for td in domain.tables}
    return own | {
        fk.referred_table.name for td in domain.tables for fk in td.table.foreign_key_constraints if _shown(fk, domain)
    }


def domain_overview(domains: list[Domain]) -> list[str]:
    """Domains as boxes (with their table count), an arrow where one domain's tables refer to another's."""
    domain_of = {td.name: d for d in domains for td in d.tables}
    links: set[tuple[str, str]] = set()
    for domain in domains:
        for td in domain.tables:
            for fk in td.table.foreign_key_constraints:
                target = domain_of[fk.referred_table.name]
                if target is not domain and fk.referred_table.name != TENANTS:
                    links.add((domain.name, target.name))
    lines = ["flowchart LR"]
    for domain in domains:
        count = len(domain.tables)
        lines.append(f'    {domain.name}["{domain.title} ({count} table{"s" if count != 1 else ""})"]')
    lines += [f"    {source} --> {target}" for source, target in sorted(links)]
    return lines


def block(lines: list[str]) -> str:
    return "\n".join(["```mermaid", *lines, "```"])
