-- 0013_job_result_pages: a job's result rows are stored a page at a time, one
-- row of job_result_pages per checkpoint (more when its rows pass 16 MiB,
-- ResultPage.bytesMax), and job_results becomes a view that shows them one
-- row each, with the same columns and ids as before.
--
-- Why (issue 17): a job's thread commits its result rows, and with two
-- workers that thread is the part of the job that does not scale. SQLite
-- spent about 1 µs inserting each row and its index entry (the B-tree
-- descent, the record, the index) — more than the rest of the thread's work
-- per row together. A page is one insert of up to a few MiB, whatever the
-- number of rows in it. Reading job_results costs more instead: about 1 µs a
-- row to expand the pages (json_each), which a REPL query over a job's
-- 100,000 kept rows pays once (~0.1 s).
--
-- A page:
-- - first_row_id: the id of its first row; its rows are numbered on from
--   there (first_row_id + position). Ids only grow across the table: a new
--   page starts after the newest page's last row, and the trim never deletes
--   the newest page of a job, so never the newest page of the table.
-- - rows_json: a JSON array with one element per row,
--   [window_start, window_end, created_at, row], row being the job's output
--   row as a JSON object (window_start and window_end null when the job has
--   no window). Written by Spate's own encoder, never from user text, so it is
--   valid JSON without a CHECK (a CHECK would parse each page again; the
--   tests check json_valid over what jobs write).
--
-- The rows of an older catalog become pages of one row each, with their ids
-- (a row that is somehow not JSON is kept as a JSON string rather than
-- stopping the upgrade).

CREATE TABLE job_result_pages (
    id            INTEGER PRIMARY KEY,
    job           TEXT    NOT NULL,
    first_row_id  INTEGER NOT NULL,
    row_count     INTEGER NOT NULL CHECK (row_count > 0),
    rows_json     TEXT    NOT NULL
) STRICT;

CREATE INDEX job_result_pages_by_job ON job_result_pages (job, first_row_id);

INSERT INTO job_result_pages (job, first_row_id, row_count, rows_json)
    SELECT job, id, 1, json_array(json_array(window_start, window_end, created_at,
               CASE WHEN json_valid(row_json) THEN json(row_json) ELSE row_json END))
    FROM job_results ORDER BY id;

DROP TABLE job_results;

-- json_extract, not the -> and ->> operators, which need SQLite 3.38 (the
-- catalog runs on 3.37, for STRICT tables): it gives the same values, and
-- an object as its JSON text.
CREATE VIEW job_results (id, job, window_start, window_end, row_json, created_at) AS
    SELECT page.first_row_id + row.key, page.job, json_extract(row.value, '$[0]'), json_extract(row.value, '$[1]'),
           json_extract(row.value, '$[3]'), json_extract(row.value, '$[2]')
    FROM job_result_pages AS page, json_each(page.rows_json) AS row;
