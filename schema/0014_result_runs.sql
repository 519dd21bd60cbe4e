-- 0014_result_runs: a page of job_result_pages writes the times its rows
-- share once per run of rows instead of once per row.
--
-- Why (issue 17): a page's element was [window_start, window_end, created_at,
-- row] for every row, and those three times took 45 of the 168 bytes a row
-- of the reference job took in its page (per user, 1-minute windows: 500
-- rows close together and are stamped with one step's time). Every byte of a page is written to
-- the WAL, copied by the WAL checkpoint and read again when the trim frees
-- it, and with parallelism 2 that is CPU the workers do not get. In runs,
-- the reference job's pages hold 124 bytes a row instead of 168 (its row
-- JSON is 123), 26 % fewer.
--
-- A page's rows_json is now a JSON array of runs; a run is
--   [first, window_start, window_end, created_at, row, row, …]
-- where `first` is the position in the page of the run's first row (so row
-- ids need no counting: first_row_id + first + the row's place in its run),
-- the three times are those every row of the run has (window_start and
-- window_end null when the job has no window), and each row is the job's
-- output row as a JSON object, its text exactly as the job wrote it. A run
-- holds at least one row; a page's runs follow each other in row order.
-- first_row_id and row_count keep their meaning (schema/0013).
--
-- Reading job_results still costs about 1 µs a row (json_each reads each
-- run's times once, then its rows). Over the reference job's ~106,000
-- kept rows (spate-bench jobs): COUNT(*) 87 ms (18 ms before: it counted the
-- elements of each page's array, and now unrolls the runs), the newest 5
-- 115 ms (105), every row's JSON 114 ms (120).
--
-- A page of schema/0013's elements becomes a page of runs of one row each,
-- every element's text kept as it was.

UPDATE job_result_pages SET rows_json = (
    SELECT '[' || group_concat('[' || element.key || ',' || substr(element.value, 2), ',') || ']'
    FROM (SELECT key, value FROM json_each(job_result_pages.rows_json) ORDER BY key) AS element);

DROP VIEW job_results;

CREATE VIEW job_results (id, job, window_start, window_end, row_json, created_at) AS
    SELECT page.first_row_id + first.value + row.key - 4, page.job, window_start.value, window_end.value, row.value, created.value
    FROM job_result_pages AS page, json_each(page.rows_json) AS run,
         json_each(run.value, '$[0]') AS first, json_each(run.value, '$[1]') AS window_start,
         json_each(run.value, '$[2]') AS window_end, json_each(run.value, '$[3]') AS created,
         json_each(run.value) AS row
    WHERE row.key >= 4;
