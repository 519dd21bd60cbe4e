-- 0012_lighter_job_results: job_results rebuilt without the json_valid CHECK
-- and without AUTOINCREMENT, because each result row is written on a running
-- job's own thread, the one part of a parallel job that does not scale
-- (issue 17): the CHECK parsed every row's JSON a second time, and
-- AUTOINCREMENT read and wrote sqlite_sequence for every statement.
--
-- What stays true without them:
-- - row_json is valid JSON: the runtime writes it with its own encoder
--   (JSONText), never from user text, and the tests check json_valid over
--   the rows jobs wrote.
-- - ids only grow: rows are deleted only by the trim, which removes a job's
--   oldest rows and never the newest row of the table, so a new rowid
--   (the largest + 1) is never one that was used before.
--
-- SQLite's table rebuild: new table, copy, drop, rename, index again
-- (foreign keys are off while migrations run; nothing refers to job_results).

CREATE TABLE job_results_rebuilt (
    id           INTEGER PRIMARY KEY,
    job          TEXT    NOT NULL,
    window_start INTEGER,
    window_end   INTEGER,
    row_json     TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;

INSERT INTO job_results_rebuilt (id, job, window_start, window_end, row_json, created_at)
    SELECT id, job, window_start, window_end, row_json, created_at FROM job_results;

DROP TABLE job_results;
ALTER TABLE job_results_rebuilt RENAME TO job_results;
CREATE INDEX job_results_by_job ON job_results (job, id);
DELETE FROM sqlite_sequence WHERE name = 'job_results';
