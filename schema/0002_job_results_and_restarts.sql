-- 0002_job_results_and_restarts: where the output rows of a job go when they
-- are neither alerts nor a stream, and where a restarted job begins.

-- Output rows of jobs whose query does not filter on `anomaly` (and does not
-- INSERT INTO a stream): the job's results, newest last. Kept like alerts,
-- outliving DROP JOB; the runner trims each job to its newest 100,000 rows.
CREATE TABLE job_results (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    job          TEXT    NOT NULL,
    window_start INTEGER,
    window_end   INTEGER,
    row_json     TEXT    NOT NULL CHECK (json_valid(row_json)),
    created_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX job_results_by_job ON job_results (job, id);

-- Where a job with no checkpoint starts reading: NULL (its query's SINCE),
-- 'earliest', 'latest', or a time in epoch milliseconds as text. Set by
-- RESTART JOB … FROM, which also deletes the job's checkpoint.
ALTER TABLE jobs ADD COLUMN start_from TEXT;
