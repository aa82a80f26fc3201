"""The database schema, as an ordered list of migrations.

`migrate` brings any database made by an earlier version up to `SCHEMA_VERSION` in place, keeping every
import, setting and review record. Migrations are append-only: a released step is never edited; a change
is a new step. Only the write path (`store.writer`) calls `migrate`.

One row per ... (the grain of every table):
- `meta`: per key (`schema_version`, `data_version`).
- `files`: per distinct file content (sha256); the bytes are kept beside the database.
- `imports`: per (file, sheet, dataset) loaded or refused; the import log.
- `import_messages`: per problem or warning of an import.
- `controls`: per requirement row of a control-status import (snapshot dataset).
- `catalog`: per ISO/IEC 42001 node (clause, subclause, Annex A objective, control), refreshed from
  `data/catalog.csv` by every migration run.
- `settings`: per setting key and version; the newest version valid at a time is in force.
"""

from __future__ import annotations

import duckdb

from loaders.catalog import CATALOG_CSV

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "current_version", "migrate"]

_V1 = """
create table if not exists meta (key varchar primary key, value varchar);
create sequence if not exists import_seq start 1;
create table if not exists files (
    sha256      varchar primary key,
    size        bigint not null,
    first_name  varchar not null,
    kept_at     timestamp not null
);
create table if not exists imports (
    import_id     integer primary key,
    batch_id      integer not null,
    dataset       varchar not null,
    file_name     varchar not null,
    sha256        varchar not null,
    sheet         varchar,
    header_row    integer,
    as_of         date not null,
    as_of_source  varchar not null,
    scope         varchar not null,
    rows          integer not null,
    problems      integer not null,
    warnings      integer not null,
    outcome       varchar not null,      -- loaded | refused | removed
    superseded_by integer,               -- snapshot replaced by a later import of the same as-of and scope
    valid_to      date,                  -- snapshot: as-of of the next snapshot of the same scope
    loaded_at     timestamp not null,
    loaded_by     varchar not null,
    removed_at    timestamp,
    removed_by    varchar
);
create table if not exists import_messages (
    import_id   integer not null,
    severity    varchar not null,        -- problem | warning
    code        varchar not null,
    sheet       varchar,
    row_no      integer,
    column_name varchar,
    value       varchar,
    expected    varchar,
    message     varchar not null
);
create table if not exists controls (
    import_id       integer not null,
    sheet           varchar,
    row_no          integer not null,
    requirement_id  varchar not null,
    applicable      boolean not null,
    status          varchar,             -- null when not applicable
    status_raw      varchar,
    justification   varchar,
    owner           varchar,
    evidence        varchar,
    evidence_date   date,
    last_reviewed   date,
    notes           varchar
);
"""

_V2 = """
alter table imports add column if not exists source_format varchar;
create table if not exists catalog (
    id      varchar primary key,
    kind    varchar not null,            -- clause | subclause | objective | control
    parent  varchar,
    title   varchar not null,
    ord     integer not null             -- the standard's order
);
create table if not exists settings (
    key        varchar not null,
    value      json not null,
    valid_from timestamp not null,
    set_by     varchar not null,
    note       varchar
);
"""

MIGRATIONS: list[str] = [_V1, _V2]
SCHEMA_VERSION = len(MIGRATIONS)


def _refresh_catalog(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("delete from catalog")
    con.execute(
        "insert into catalog select id, kind, nullif(parent, ''), title, row_number() over () "
        "from read_csv($p, header = true, all_varchar = true)",
        {"p": str(CATALOG_CSV)},
    )


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version of a database; 0 for an empty one."""
    has_meta = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'main' and table_name = 'meta'"
    ).fetchone()[0]
    if not has_meta:
        return 0
    row = con.execute("select value from meta where key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply every missing migration in one transaction; return the version reached."""
    version = current_version(con)
    if version > SCHEMA_VERSION:
        raise RuntimeError(
            f"the database has schema version {version}, newer than this program ({SCHEMA_VERSION}); "
            "upgrade the program"
        )
    if version == SCHEMA_VERSION:
        return version
    con.execute("begin transaction")
    try:
        for step in MIGRATIONS[version:]:
            con.execute(step)
        _refresh_catalog(con)
        con.execute("insert or replace into meta values ('schema_version', $v)", {"v": str(SCHEMA_VERSION)})
        con.execute("insert or ignore into meta values ('data_version', '0')")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return SCHEMA_VERSION
