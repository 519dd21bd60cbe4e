-- 0004_alert_explanations: why a detector flagged an alert's row.
--
-- `explanation` is the DetectorExplanation JSON of the row (SpateRuntime,
-- Detectors/DetectorExplanation.swift): the detector, the calibrated grade and,
-- per input, the observed and expected values, the normal range, the share of
-- the score and the direction. NULL for alarm and summary alerts, for rows that
-- no detector flagged (a job filtering on a score alone), and for alerts
-- recorded before this migration.
ALTER TABLE alerts ADD COLUMN explanation TEXT;
