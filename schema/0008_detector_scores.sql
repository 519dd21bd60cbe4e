-- 0008_detector_scores: a job's detector scores over time, per key and minute,
-- for the dashboard's job page (the score for a chosen key, its threshold
-- line, the flagged minutes marked). Only flagged rows become alerts; this
-- keeps the rest as one row per (job, key, minute): the minute's highest
-- score, the threshold that score was held to, rows scored and flagged.
-- Written in the checkpoint's transaction (Catalog.commitCheckpoint), merged
-- when a minute spans checkpoints; forgotten with the job (DROP JOB), on
-- RESTART JOB (the job scores its input again) and by the metrics' retention.
CREATE TABLE detector_scores (
    job        TEXT    NOT NULL REFERENCES jobs (name) ON DELETE CASCADE,
    key        TEXT    NOT NULL,
    minute_at  INTEGER NOT NULL CHECK (minute_at % 60000 = 0),
    score_max  REAL    NOT NULL,
    threshold  REAL,
    rows       INTEGER NOT NULL CHECK (rows > 0),
    flagged    INTEGER NOT NULL CHECK (flagged >= 0 AND flagged <= rows),
    PRIMARY KEY (job, key, minute_at)
) STRICT, WITHOUT ROWID;

-- The keys of a job by time, for the key chooser.
CREATE INDEX detector_scores_by_minute ON detector_scores (job, minute_at);
