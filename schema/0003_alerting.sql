-- 0003_alerting: notification channels, the delivery outbox, alarms and their
-- history, per-minute metrics, and the leases of the background services.
--
-- The flow: a checkpoint commits a job's alerts and, in the same transaction,
-- one `deliveries` row per alert × channel the job notifies (the outbox). The
-- delivery service (one process at a time: service_leases) sends each row and
-- marks it delivered, or retries it with backoff and finally marks it failed.
-- Alarms read `metrics`, and a change of state commits an alert (job NULL,
-- kind 'alarm', source = the alarm's name), its alarm_history row and its
-- deliveries in one transaction too. Nothing is dropped silently: a delivery
-- ends delivered, failed (after its attempts) or suppressed (by the channel's
-- rate limit, and then counted in a summary alert that is itself delivered).

-- Where an alert came from. Rows of 0001/0002 have kind 'job' and source NULL
-- (their job names it); new job alerts set source = job.
ALTER TABLE alerts ADD COLUMN kind TEXT NOT NULL DEFAULT 'job'
    CHECK (kind IN ('job', 'alarm', 'summary'));
ALTER TABLE alerts ADD COLUMN source TEXT;

-- Notification channels. `target` is the webhook URL, the EXEC program (an
-- absolute path) or the FILE path; NULL for STDOUT. `args` are the program's
-- arguments as written (split on spaces, never given to a shell).
CREATE TABLE channels (
    name                  TEXT    NOT NULL PRIMARY KEY CHECK (length(name) > 0),
    type                  TEXT    NOT NULL CHECK (type IN ('webhook', 'exec', 'file', 'stdout')),
    target                TEXT,
    args                  TEXT,
    headers               TEXT,             -- webhook: 'K: V; K2: V2'
    timeout_ms            INTEGER NOT NULL CHECK (timeout_ms > 0),
    rate_limit_per_minute INTEGER NOT NULL CHECK (rate_limit_per_minute > 0),
    max_attempts          INTEGER NOT NULL CHECK (max_attempts > 0),
    definition            TEXT    NOT NULL, -- the CREATE CHANNEL statement
    created_at            INTEGER NOT NULL,
    CHECK ((type = 'stdout') = (target IS NULL))
) STRICT;

-- The outbox: one row per alert × channel. `idempotency_key` is the same on
-- every attempt (and after a crash), so a receiver can drop duplicates of
-- at-least-once delivery. States: pending (next try at next_attempt_at),
-- delivered, failed (attempts exhausted), suppressed (over the channel's rate
-- limit; summary_alert_id names the summary alert that reported it).
CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id         INTEGER NOT NULL,       -- alerts.id (no foreign key, as alerts outlive jobs)
    channel          TEXT    NOT NULL,
    idempotency_key  TEXT    NOT NULL UNIQUE,
    state            TEXT    NOT NULL DEFAULT 'pending'
                             CHECK (state IN ('pending', 'delivered', 'failed', 'suppressed')),
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  INTEGER NOT NULL,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    delivered_at     INTEGER,
    -- Summaries are exempt from the rate limit (else a summary could be suppressed).
    exempt           INTEGER NOT NULL DEFAULT 0 CHECK (exempt IN (0, 1)),
    summary_alert_id INTEGER,
    UNIQUE (alert_id, channel)
) STRICT;

CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_by_channel ON deliveries (channel, state);

-- Alarms (CloudWatch's model). `dimensions` is a JSON object of the WHERE
-- filters; `notify` the channels, comma-separated. `evaluated_until` is the
-- end of the last period evaluated (each period is evaluated once).
CREATE TABLE alarms (
    name                TEXT    NOT NULL PRIMARY KEY CHECK (length(name) > 0),
    definition          TEXT    NOT NULL,
    metric              TEXT    NOT NULL,
    dimensions          TEXT    NOT NULL DEFAULT '{}'
                                CHECK (json_valid(dimensions) AND json_type(dimensions) = 'object'),
    statistic           TEXT    NOT NULL CHECK (statistic IN ('SUM', 'AVG', 'MIN', 'MAX', 'COUNT')),
    period_ms           INTEGER NOT NULL CHECK (period_ms > 0 AND period_ms % 60000 = 0),
    comparison          TEXT    NOT NULL CHECK (comparison IN ('>', '>=', '<', '<=')),
    threshold           REAL    NOT NULL,
    datapoints_to_alarm INTEGER NOT NULL CHECK (datapoints_to_alarm > 0),
    evaluation_periods  INTEGER NOT NULL CHECK (evaluation_periods >= datapoints_to_alarm),
    missing_data        TEXT    NOT NULL CHECK (missing_data IN ('BREACHING', 'NOT_BREACHING', 'IGNORE', 'MISSING')),
    notify              TEXT    NOT NULL DEFAULT '',
    state               TEXT    NOT NULL DEFAULT 'INSUFFICIENT_DATA'
                                CHECK (state IN ('OK', 'ALARM', 'INSUFFICIENT_DATA')),
    state_reason        TEXT,
    state_changed_at    INTEGER,
    evaluated_until     INTEGER,
    created_at          INTEGER NOT NULL
) STRICT;

-- Every state change of an alarm (and its creation), newest last. Outlives
-- DROP ALARM. `datapoints` holds the values evaluated, oldest first (null = missing).
CREATE TABLE alarm_history (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    alarm      TEXT    NOT NULL,
    old_state  TEXT,
    new_state  TEXT    NOT NULL,
    reason     TEXT    NOT NULL,
    datapoints TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(datapoints)),
    alert_id   INTEGER,                      -- the notification, if any
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX alarm_history_by_alarm ON alarm_history (alarm, id);

-- Per-minute metrics: one row per metric × dimensions × minute. A counter's
-- minute is sum_value (its increments); a gauge's is last_value; a
-- distribution (durations) has sum_value / sample_count and min / max.
-- `dimensions` is canonical JSON ({"job":"x"}: keys sorted) so it can be a key.
-- Rows older than the retention (7 days) are deleted by the metrics service.
CREATE TABLE metrics (
    name         TEXT    NOT NULL,
    dimensions   TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(dimensions)),
    minute_at    INTEGER NOT NULL CHECK (minute_at % 60000 = 0),
    sum_value    REAL    NOT NULL,
    sample_count INTEGER NOT NULL CHECK (sample_count > 0),
    min_value    REAL    NOT NULL,
    max_value    REAL    NOT NULL,
    last_value   REAL    NOT NULL,
    PRIMARY KEY (name, dimensions, minute_at)
) STRICT, WITHOUT ROWID;

CREATE INDEX metrics_by_minute ON metrics (minute_at);

-- Running totals since the catalog was made, never trimmed by retention:
-- Prometheus counters must not go down.
CREATE TABLE metric_totals (
    name         TEXT    NOT NULL,
    dimensions   TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(dimensions)),
    sum_value    REAL    NOT NULL,
    sample_count INTEGER NOT NULL,
    PRIMARY KEY (name, dimensions)
) STRICT, WITHOUT ROWID;

-- Leases of the background services ('delivery', 'alarms', 'metrics'): like
-- job leases, one process at a time does each, so two `spate run` processes
-- neither deliver the same row concurrently nor count the same records twice.
CREATE TABLE service_leases (
    service    TEXT    NOT NULL PRIMARY KEY,
    owner      TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
