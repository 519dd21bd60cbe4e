-- 0011_job_log: what jobs and services did, as structured events (issue 19,
-- the CloudWatch Logs analogue): started, lease taken and lost, checkpoints
-- (a summary per interval: duration, offsets, late and bad records), errors
-- with their context, restarts, crashes, deliveries that failed, alarm changes.
--
-- Written through swift-log by JobLogHandler: each process buffers its entries
-- and writes them in batches (Catalog.flushJobLog), never one row a record.
-- Bounded: each batch trims every source it wrote to its newest
-- Catalog.jobLogEntriesPerSourceMax rows (10,000), and every row older than
-- Catalog.jobLogRetentionMs (7 days).
--
-- source: 'job' (name is the job's) or 'service' (delivery, alarms, metrics,
--   runner). A job's rows outlive DROP JOB until they age out, as a deleted
--   Flink application's logs do.
-- level: swift-log's levels. event: a fixed word per kind of entry
--   (started, checkpoint, lease_lost, failed, …); message: one line for a
--   person; metadata: the event's fields as a JSON object.

CREATE TABLE job_log (
    -- Insertion order; AUTOINCREMENT so that an id is never reused once the
    -- trims delete rows, and `spate logs --follow` ("rows after id n") misses none.
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    logged_at INTEGER NOT NULL,                  -- epoch ms, when the event happened
    source    TEXT    NOT NULL CHECK (source IN ('job', 'service')),
    name      TEXT    NOT NULL CHECK (length(name) > 0),
    level     TEXT    NOT NULL CHECK (level IN ('trace', 'debug', 'info', 'notice', 'warning', 'error', 'critical')),
    event     TEXT    NOT NULL CHECK (length(event) > 0),
    message   TEXT    NOT NULL,
    metadata  TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object')
) STRICT;

-- "This job's log, newest first" (SHOW JOB LOG, spate logs --job) and the
-- per-source trim walk this index backwards; the rowid it carries breaks ties.
CREATE INDEX job_log_by_source ON job_log (source, name, logged_at);
-- The age trim, and `spate logs` without --job.
CREATE INDEX job_log_by_time ON job_log (logged_at);
