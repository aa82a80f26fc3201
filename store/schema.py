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
- `risks`: per risk row of a risk-register import (snapshot dataset).
- `systems`, `incidents`, `findings`, `audits`, `objectives`, `monitoring`: per row version of a record
  dataset (AI system, incident, finding or action, audit, objective, monitoring point); the current
  version of a key is the row whose `replaced_by` is null. `monitoring` is a view over
  `monitoring_points` and `monitoring_tool_points` (points with a tool's verdict or test name): every
  import's points are in one of them (`store_tables`); the view computes a point's `ai_system_key` from
  its `ai_system` (`COMPUTED`).
- `catalog`: per ISO/IEC 42001 node (clause, subclause, Annex A objective, control), refreshed from
  `data/catalog.csv` by every migration run.
- `review_records`: per version of a management-review decision or action (9.3.3); current versions
  have no `replaced_by`.
- `settings`: per setting key and version; the newest version valid at a time is in force.
- `external_incidents`: per row version of a public AI-incident record (AIID, AIAAIC, OECD AIM), keyed by
  source and external id; context for the organisation's own incidents, never counted with them.
"""

from __future__ import annotations

import duckdb

from loaders.catalog import CATALOG_CSV

__all__ = [
    "COMPUTED",
    "MIGRATIONS",
    "POINT_KEY",
    "SCHEMA_VERSION",
    "SPLIT",
    "current_version",
    "migrate",
    "store_tables",
]

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

# Record datasets: a row is current while `replaced_by` is null; a later import of the same key sets it
# to that import's id, and removing that import restores it (store.writer).
_V3 = """
create table if not exists systems (
    import_id               integer not null,
    sheet                   varchar,
    row_no                  integer not null,
    replaced_by             integer,
    system_key              varchar not null,   -- system_id, else the name's match form
    system_id               varchar,
    name                    varchar not null,
    name_key                varchar not null,   -- lower case, no spaces: how other datasets match it
    owner                   varchar,
    business_unit           varchar,
    risk_class              varchar,            -- prohibited | high | limited | minimal
    risk_class_raw          varchar,
    lifecycle_status        varchar,            -- planned | development | pilot | production | retired
    lifecycle_status_raw    varchar,
    intended_purpose        varchar,
    last_impact_assessment  date
);
create table if not exists risks (
    import_id            integer not null,
    sheet                varchar,
    row_no               integer not null,
    risk_id              varchar not null,
    title                varchar,
    ai_system            varchar,
    ai_system_key        varchar,
    category             varchar,
    likelihood           integer not null,      -- 1-5
    impact               integer not null,      -- 1-5
    score                integer not null,      -- likelihood x impact
    likelihood_raw       varchar,
    impact_raw           varchar,
    residual_likelihood  integer,
    residual_impact      integer,
    residual_score       integer,
    owner                varchar,
    treatment            varchar,               -- mitigate | accept | transfer | avoid
    treatment_raw        varchar,
    status               varchar,               -- open | in_treatment | treated | accepted | closed
    status_raw           varchar,
    next_review          date,
    linked_controls      varchar[] not null     -- catalog ids
);
create table if not exists incidents (
    import_id                integer not null,
    sheet                    varchar,
    row_no                   integer not null,
    replaced_by              integer,
    incident_id              varchar not null,
    title                    varchar,
    description              varchar,
    ai_system                varchar,
    ai_system_key            varchar,
    detected_date            date not null,
    reported_date            date,
    resolved_date            date,
    closed_date              date,
    severity                 varchar not null,  -- critical | high | medium | low
    severity_raw             varchar,
    status                   varchar not null,  -- open | investigating | mitigated | resolved | closed
    status_raw               varchar,
    category                 varchar,
    root_cause               varchar,
    linked_to                varchar,
    serious                  boolean,
    awareness_date           date,
    deadline_class           varchar,           -- general | death | widespread
    deadline_days            integer,           -- 15 | 10 | 2
    authority_reported_date  date
);
create table if not exists findings (
    import_id               integer not null,
    sheet                   varchar,
    row_no                  integer not null,
    replaced_by             integer,
    finding_id              varchar not null,
    source                  varchar,  -- internal_audit | external_audit | management_review | incident | other
    source_raw              varchar,
    finding_type            varchar,  -- major_nonconformity | minor_nonconformity | observation | opportunity
    finding_type_raw        varchar,
    requirement_id          varchar,  -- catalog id
    requirement_raw         varchar,
    title                   varchar,
    description             varchar,
    raised_date             date,
    due_date                date,
    closed_date             date,
    owner                   varchar,
    status                  varchar not null,   -- open | in_progress | closed
    status_raw              varchar,
    effectiveness_verified  boolean,
    audit_id                varchar
);
create table if not exists audits (
    import_id       integer not null,
    sheet           varchar,
    row_no          integer not null,
    replaced_by     integer,
    audit_id        varchar not null,
    audit_scope     varchar,
    planned_date    date,
    done_date       date,
    auditor         varchar,
    audit_type      varchar,            -- internal | external
    audit_type_raw  varchar
);
create table if not exists objectives (
    import_id      integer not null,
    sheet          varchar,
    row_no         integer not null,
    replaced_by    integer,
    objective_id   varchar not null,
    objective      varchar not null,
    measure        varchar not null,    -- a monitoring metric name, or 'manual'
    target         double,
    direction      varchar,             -- at_least | at_most
    direction_raw  varchar,
    unit           varchar,
    owner          varchar,
    due_date       date,
    current_value  double,
    ai_system      varchar,
    ai_system_key  varchar
);
create table if not exists monitoring (
    import_id        integer not null,
    sheet            varchar,
    row_no           integer not null,
    replaced_by      integer,
    observed_at      timestamp not null,
    ai_system        varchar not null,
    ai_system_key    varchar not null,
    model_version    varchar,
    metric           varchar not null,
    feature          varchar,
    value            double not null,
    lower_threshold  double,
    upper_threshold  double,
    verdict          varchar,           -- the tool's own: pass | fail | warning | error
    verdict_raw      varchar,
    test_name        varchar
);
"""

_V4 = """
create sequence if not exists review_seq start 1;
create table if not exists review_records (
    record_id    integer primary key,  -- one version of a decision or action
    record_key   integer not null,     -- the first version's id: the decision or action itself
    quarter      varchar not null,     -- the quarter the management review was about
    held_on      date,
    kind         varchar not null,     -- decision | action
    text         varchar not null,
    owner        varchar,
    due_date     date,
    status       varchar not null,     -- decision: recorded; action: open | in_progress | closed
    closed_date  date,
    recorded_at  timestamp not null,
    recorded_by  varchar not null,
    replaced_by  integer               -- the version that updated this one
);
"""

# Real exports: a maturity or assessment score kept beside the control status it gives (`score_scale` says
# on which scale: 0-5, 1-5, 0-100), and the catalogues of public AI incidents (context, not the register).
_V5 = """
alter table controls add column if not exists score double;
alter table controls add column if not exists score_scale varchar;
create table if not exists external_incidents (
    import_id       integer not null,
    sheet           varchar,
    row_no          integer not null,
    replaced_by     integer,
    source          varchar not null,   -- AIID | AIAAIC | OECD AIM | as written
    external_id     varchar not null,   -- the catalogue's own id
    kind            varchar,            -- incident | issue | system | data (as the source types records)
    title           varchar not null,
    incident_date   date,               -- when the source gives a day
    date_text       varchar,            -- the date as written (a year, a range such as 2023-2024 or 2018-)
    year_start      integer,
    year_end        integer,
    description     varchar,
    deployer        varchar,            -- lists joined with '; '
    developer       varchar,
    harmed_parties  varchar,
    harms           varchar,
    category        varchar,            -- the source's own classification (taxonomy, issues, concepts)
    match_category  varchar,            -- canonical category, to match the organisation's incident categories
    sector          varchar,
    country         varchar,
    url             varchar
);
"""

_POINT = """
    import_id        integer not null,
    row_no           integer not null,
    replaced_by      integer,
    observed_at      timestamp,
    ai_system        varchar,
    ai_system_key    varchar,
    model_version    varchar,
    metric           varchar,
    feature          varchar,
    value            double,
    lower_threshold  double,
    upper_threshold  double"""
_POINT_COLUMNS = (
    "import_id, row_no, replaced_by, observed_at, ai_system, ai_system_key, model_version, metric, feature, "
    "value, lower_threshold, upper_threshold"
)
_TOOL_COLUMNS = "verdict, verdict_raw, test_name"

# Monitoring points in two tables behind one view: a wide table costs every load of millions of points
# time per column (DuckDB writes each column of each row group), so points without a tool's verdict or
# test name (most, and every large CSV) go to the narrow one. The sheet of a point is its import's.
# Required values are the loaders' to enforce: a file with an empty one is refused whole, so the bulk
# path can insert first and check in the same transaction.
_V6 = f"""
create table monitoring_points ({_POINT});
create table monitoring_tool_points ({_POINT},
    verdict          varchar,           -- the tool's own: pass | fail | warning | error
    verdict_raw      varchar,
    test_name        varchar
);
insert into monitoring_points select {_POINT_COLUMNS} from monitoring
    where verdict is null and verdict_raw is null and test_name is null;
insert into monitoring_tool_points select {_POINT_COLUMNS}, {_TOOL_COLUMNS} from monitoring
    where verdict is not null or verdict_raw is not null or test_name is not null;
drop table monitoring;
create view monitoring as
    select {_POINT_COLUMNS}, null::varchar as verdict, null::varchar as verdict_raw, null::varchar as test_name
    from monitoring_points
    union all
    select {_POINT_COLUMNS}, {_TOOL_COLUMNS} from monitoring_tool_points;
"""

# A monitoring point's AI-system key is computed from its name when read (by the view), not stored: a
# stored key cost every load of millions of points about a tenth of its time (DuckDB writes and
# compresses a string per point), where computing it costs a query little (DuckDB computes it once per
# distinct name of a compressed block). `POINT_KEY` is the loaders' key of a name
# (`loaders.datasets._common.name_key`) as of this version.
POINT_KEY = r"nullif(lower(regexp_replace(ai_system, '\s+', '', 'g')), '')"
_V7_COLUMNS = _POINT_COLUMNS.replace("ai_system_key", f"{POINT_KEY} as ai_system_key")
_V7 = f"""
drop view monitoring;
alter table monitoring_points drop column ai_system_key;
alter table monitoring_tool_points drop column ai_system_key;
create view monitoring as
    select {_V7_COLUMNS}, null::varchar as verdict, null::varchar as verdict_raw, null::varchar as test_name
    from monitoring_points
    union all
    select {_V7_COLUMNS}, {_TOOL_COLUMNS} from monitoring_tool_points;
"""

MIGRATIONS: list[str] = [_V1, _V2, _V3, _V4, _V5, _V6, _V7]

# dataset -> (table of its rows without the columns, table of its rows with them, the columns): a dataset
# kept in two tables behind a view of its name (an import's rows go to one of them)
SPLIT: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "monitoring": ("monitoring_points", "monitoring_tool_points", ("verdict", "verdict_raw", "test_name")),
}


# dataset -> (column, the stored column it is computed from) for each column its view computes (by the
# loaders' key of a name, `loaders.datasets._common.name_key`)
COMPUTED: dict[str, tuple[tuple[str, str], ...]] = {"monitoring": (("ai_system_key", "ai_system"),)}


def store_tables(dataset: str) -> tuple[str, ...]:
    """The tables that hold a dataset's rows."""
    return SPLIT[dataset][:2] if dataset in SPLIT else (dataset,)


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
