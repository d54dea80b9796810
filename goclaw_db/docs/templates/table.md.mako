${GENERATED_NOTE}

# ${td.name}

[Schema overview](README.md) · domain: [${domain.title}](README.md#${domain.anchor})

${td.doc}

% for fact in facts:
- ${fact}
% endfor

## Columns

${columns}

## Constraints

${constraints}

## Foreign keys

${foreign_keys}

## Referenced by

${referenced_by}

## Indexes

${indexes}
% if fts:

On SQLite, full-text search uses an FTS5 index over (${fts}) instead of the tsvector column and GIN index.
% endif
% if shapes:

## JSON documents

The shapes of this table's JSON columns, as `goclaw_db.json_shapes` declares them (a key marked "no" may be absent).
% for shape in shapes:

### ${shape.name}

${shape.doc}

${shape_table(shape)}
% endfor
% endif
% if triggers:

## Triggers

${triggers}

Triggers exist on PostgreSQL only.
% endif

## History

% for line in history:
- ${line}
% endfor
