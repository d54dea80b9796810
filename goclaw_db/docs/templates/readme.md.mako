${GENERATED_NOTE}

# GoClaw database schema

GoClaw's database at schema version ${version}: ${table_count} tables in ${len(domains)} domains, built by the ${len(revisions)} revisions in ${revisions_folder} on PostgreSQL (with pgvector) or on SQLite. Each domain is one module of `goclaw_db.models`; every table has a page with its columns, constraints, foreign keys, indexes and history.

Regenerate these pages after changing a model or a revision:

    goclaw-db docs

## Contents

- [Overview diagram](#overview-diagram)
% for domain in domains:
- [${domain.title}](#${domain.anchor}): ${first_paragraph(domain.doc)}
% endfor
- [Extensions and functions](#extensions-and-functions)
- [PostgreSQL and SQLite](#postgresql-and-sqlite)
- [Revisions](#revisions)

## Overview diagram

The domains and how their tables refer to each other: an arrow from one domain to another means that tables of the first have foreign keys to tables of the second. Almost every table also references [tenants](tenants.md) through `tenant_id`; those links are left out of the diagrams outside the Tenants domain. Each domain's section below has a diagram of its tables.

${overview}
% for domain in domains:

## ${domain.title}

${first_paragraph(domain.doc)}

${domain_tables(domain)}

${domain_diagram(domain)}
% endfor

## Extensions and functions

PostgreSQL only; the SQLite schema needs none of them.

${extensions}

${functions}
% if triggers:

${triggers}
% endif

## PostgreSQL and SQLite

One revision chain builds either database. PostgreSQL gets GoClaw's server schema exactly; SQLite gets the layout of GoClaw's desktop build. They differ as follows.

Column types (each portable type of `goclaw_db.types` and what it becomes):

${type_pairs}

% for line in differences:
- ${line}
% endfor

## Revisions

Each revision's title is the first line of its docstring; the tables it touches are read from the SQL it runs (`goclaw-db migrate up --sql`).

${revision_table}
