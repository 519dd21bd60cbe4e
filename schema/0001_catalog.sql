-- 0001_catalog: the first schema of <data>/catalog.sqlite.
--
-- How migrations work: every file schema/NNNN_name.sql is compiled into the
-- spate binary (Sources/EmbedCatalogSchema) and, on open, the ones a catalog
-- lacks are run in order inside ONE BEGIN IMMEDIATE transaction, each recorded
-- in schema_migrations. So a migration must not BEGIN/COMMIT itself, and
-- PRAGMA foreign_keys is a no-op inside it. A migration that has shipped is
-- never edited: change the schema with a new, higher-numbered file.
--
-- Conventions for every table:
-- * Times are INTEGER milliseconds since the Unix epoch (UTC), in columns named
--   *_at, so the SQL layer can present every *_at column as a TIMESTAMP.
-- * JSON lives in TEXT columns checked with json_valid.
-- * Tables are STRICT: a value of the wrong type is an error, not a conversion.
-- * Names of streams and jobs are the user's identifiers, compared exactly.

-- Bookkeeping: one row per applied migration. The catalog's schema version is
-- MAX(version); a catalog above what the binary knows is refused.
CREATE TABLE schema_migrations (
    version    INTEGER PRIMARY KEY,          -- NNNN of the file name
    name       TEXT    NOT NULL,             -- the file name without ".sql"
    applied_at INTEGER NOT NULL
) STRICT;

-- Streams, mirroring the log's manifests (the manifests stay the truth for the
-- log; this copy is what SQL sees): the declared schema and how it was made.
CREATE TABLE streams (
    name              TEXT    NOT NULL PRIMARY KEY CHECK (length(name) > 0),
    -- [{"name": "userId", "type": "STRING"}, …]; [] when no schema is declared.
    columns           TEXT    NOT NULL DEFAULT '[]'
                              CHECK (json_valid(columns) AND json_type(columns) = 'array'),
    key_column        TEXT,                  -- the partition key field, if declared
    event_time_column TEXT,                  -- NULL: arrival time is event time
    format            TEXT    NOT NULL DEFAULT 'json',
    created_at        INTEGER NOT NULL,
    definition        TEXT                   -- the CREATE STREAM text; NULL if made otherwise
) STRICT;

-- Saved continuous queries. `state` is what the user asked for (running or
-- paused) or failed; whether a process is running it right now is the lease.
CREATE TABLE jobs (
    name             TEXT    NOT NULL PRIMARY KEY CHECK (length(name) > 0),
    definition       TEXT    NOT NULL,       -- the CREATE JOB statement as written
    -- Where output rows go: alerts (the query filters on anomaly), the job's
    -- results, or a stream (CREATE JOB … AS INSERT INTO output_stream …).
    output_kind      TEXT    NOT NULL CHECK (output_kind IN ('alerts', 'results', 'stream')),
    output_stream    TEXT,
    options          TEXT    NOT NULL DEFAULT '{}'   -- WITH (…) as a JSON object
                             CHECK (json_valid(options) AND json_type(options) = 'object'),
    state            TEXT    NOT NULL DEFAULT 'running'
                             CHECK (state IN ('running', 'paused', 'failed')),
    last_error       TEXT,                   -- one line, set with state = 'failed'
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,       -- last change of definition or state
    -- The lease: the one process running the job, and when its claim lapses
    -- unless renewed by its heartbeat. Expired: any process may take the job.
    lease_owner      TEXT,
    lease_expires_at INTEGER,
    CHECK ((output_kind = 'stream') = (output_stream IS NOT NULL)),
    CHECK ((lease_owner IS NULL) = (lease_expires_at IS NULL))
) STRICT;

-- A job's latest checkpoint. One transaction writes this row (sequence + 1),
-- the job's checkpoint_offsets and operator_state, and the alerts produced by
-- the input up to those offsets: after a crash the job resumes from here and
-- neither loses nor repeats an alert. No row: the job starts from its SINCE.
CREATE TABLE checkpoints (
    job          TEXT    NOT NULL PRIMARY KEY REFERENCES jobs (name) ON DELETE CASCADE,
    sequence     INTEGER NOT NULL CHECK (sequence > 0),  -- 1, 2, 3, …: one per commit
    committed_at INTEGER NOT NULL,
    records_in   INTEGER NOT NULL DEFAULT 0 CHECK (records_in >= 0),   -- totals since the start
    records_out  INTEGER NOT NULL DEFAULT 0 CHECK (records_out >= 0)
) STRICT;

-- Per checkpoint, per shard: the next offset to read (input), or for a job
-- writing a stream, the output position reached (output), so that a re-run
-- after a crash neither duplicates nor loses output records.
CREATE TABLE checkpoint_offsets (
    job         TEXT    NOT NULL REFERENCES jobs (name) ON DELETE CASCADE,
    direction   TEXT    NOT NULL CHECK (direction IN ('input', 'output')),
    stream      TEXT    NOT NULL,
    shard       INTEGER NOT NULL CHECK (shard >= 0),
    next_offset INTEGER NOT NULL CHECK (next_offset >= 0),
    PRIMARY KEY (job, direction, stream, shard)
) STRICT, WITHOUT ROWID;

-- Per checkpoint, per operator: its serialized state (open windows,
-- watermarks, detector state), in the operator's own versioned format.
CREATE TABLE operator_state (
    job      TEXT NOT NULL REFERENCES jobs (name) ON DELETE CASCADE,
    operator TEXT NOT NULL,                  -- stable id of the operator in the job's plan
    state    BLOB NOT NULL,
    PRIMARY KEY (job, operator)
) STRICT;

-- Alert history: one row per output row of a job that filters on anomaly.
-- Rows outlive DROP JOB (no foreign key): history is kept, not cascaded away.
CREATE TABLE alerts (
    -- AUTOINCREMENT: ids are never reused after old alerts are deleted, since
    -- users name alerts by id (ACK ALERT 42).
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    job              TEXT,                   -- NULL for alerts of alarms (a later migration)
    key              TEXT,                   -- the GROUP BY / PARTITION BY key, if any
    window_start     INTEGER,                -- ms; NULL for per-event detectors
    window_end       INTEGER,
    score            REAL,
    row_json         TEXT    NOT NULL CHECK (json_valid(row_json)),  -- the output row
    created_at       INTEGER NOT NULL,
    state            TEXT    NOT NULL DEFAULT 'open'
                             CHECK (state IN ('open', 'acknowledged', 'resolved')),
    state_changed_at INTEGER,                -- NULL while open
    CHECK (window_start IS NULL OR window_end IS NULL OR window_end >= window_start)
) STRICT;

CREATE INDEX alerts_by_job_time ON alerts (job, created_at);
CREATE INDEX alerts_by_time ON alerts (created_at);
