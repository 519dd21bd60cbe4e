-- 0010_file_sinks: jobs that write their rows to files (issue 18, the
-- Firehose-to-S3 analogue).
--
-- sinks: CREATE SINK name TO FILES 'directory' FORMAT … — where and how.
-- sink_files: every file a job sealed into a sink, recorded in the same
--   checkpoint transaction as the input offsets its rows came from, so a
--   restarted job neither loses nor repeats a sealed file's rows.
-- jobs: output_kind gains 'sink' and output_sink names it. SQLite cannot
--   change a CHECK constraint in place, so the table is rebuilt (SQLite's
--   12-step procedure; the migrator runs migrations with foreign keys off and
--   checks them after): a new table, the rows copied, the old one dropped and
--   the new one renamed, so the tables whose foreign keys name `jobs` refer
--   to it.

CREATE TABLE sinks (
    name         TEXT    NOT NULL PRIMARY KEY CHECK (length(name) > 0),
    directory    TEXT    NOT NULL CHECK (length(directory) > 0),   -- absolute
    format       TEXT    NOT NULL CHECK (format IN ('jsonl', 'csv', 'parquet')),
    partition_by TEXT    NOT NULL CHECK (partition_by IN ('hour', 'day')),
    roll_ms      INTEGER NOT NULL CHECK (roll_ms > 0),              -- a file holds rows of one such period
    roll_bytes   INTEGER NOT NULL CHECK (roll_bytes > 0),           -- a file is sealed at this size
    created_at   INTEGER NOT NULL,
    definition   TEXT    NOT NULL                                   -- the CREATE SINK text
) STRICT;

CREATE TABLE sink_files (
    sink       TEXT    NOT NULL,
    job        TEXT    NOT NULL,
    path       TEXT    NOT NULL,     -- relative to the sink's directory
    first_row  INTEGER NOT NULL CHECK (first_row >= 0),   -- the job's output row number of its first row
    row_count  INTEGER NOT NULL CHECK (row_count > 0),
    bytes      INTEGER NOT NULL CHECK (bytes > 0),
    sealed_at  INTEGER NOT NULL,
    PRIMARY KEY (sink, path)
) STRICT;
CREATE INDEX sink_files_by_job ON sink_files (job, first_row);

CREATE TABLE jobs_with_sinks (
    name             TEXT    NOT NULL PRIMARY KEY CHECK (length(name) > 0),
    definition       TEXT    NOT NULL,       -- the CREATE JOB statement as written
    -- Where output rows go: alerts (the query filters on anomaly), the job's
    -- results, a stream (… AS INSERT INTO output_stream …) or files (… AS
    -- INSERT INTO SINK output_sink …).
    output_kind      TEXT    NOT NULL CHECK (output_kind IN ('alerts', 'results', 'stream', 'sink')),
    output_stream    TEXT,
    options          TEXT    NOT NULL DEFAULT '{}'   -- WITH (…) as a JSON object
                             CHECK (json_valid(options) AND json_type(options) = 'object'),
    state            TEXT    NOT NULL DEFAULT 'running'
                             CHECK (state IN ('running', 'paused', 'failed')),
    last_error       TEXT,                   -- one line, set with state = 'failed'
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,       -- last change of definition or state
    lease_owner      TEXT,
    lease_expires_at INTEGER,
    start_from       TEXT,
    crashes_in_a_row INTEGER NOT NULL DEFAULT 0 CHECK (crashes_in_a_row >= 0),
    output_sink      TEXT,
    CHECK ((output_kind = 'stream') = (output_stream IS NOT NULL)),
    CHECK ((output_kind = 'sink') = (output_sink IS NOT NULL)),
    CHECK ((lease_owner IS NULL) = (lease_expires_at IS NULL))
) STRICT;
INSERT INTO jobs_with_sinks (name, definition, output_kind, output_stream, options, state, last_error, created_at, updated_at,
                  lease_owner, lease_expires_at, start_from, crashes_in_a_row)
    SELECT name, definition, output_kind, output_stream, options, state, last_error, created_at, updated_at,
           lease_owner, lease_expires_at, start_from, crashes_in_a_row
    FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_with_sinks RENAME TO jobs;
