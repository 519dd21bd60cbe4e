-- 0006_dashboard_alert_indexes: the dashboard's alert filters (job, key,
-- state) newest first, answered from an index at any history size. Each index
-- ends in the rowid, so `WHERE state = ? ORDER BY id DESC LIMIT 100` walks the
-- index backwards and stops after 100 rows instead of sorting every match.
-- (alerts_by_job_time orders a job's alerts by created_at, not by id.)
CREATE INDEX alerts_by_job ON alerts (job);
CREATE INDEX alerts_by_state ON alerts (state);
CREATE INDEX alerts_by_key ON alerts (key);
