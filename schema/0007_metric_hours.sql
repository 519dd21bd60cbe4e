-- 0007_metric_hours: the per-minute metrics rolled up by hour, so that a week
-- of a series is 168 rows instead of 10,080 (the dashboard's 7-day charts sum
-- 2-hour buckets from here). Kept by the same statements that keep `metrics`
-- (Catalog.addMetrics, in its transaction) and trimmed by the same retention.
-- last_value is the value of the hour's latest minute (last_minute_at).
CREATE TABLE metric_hours (
    name           TEXT    NOT NULL,
    dimensions     TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(dimensions)),
    hour_at        INTEGER NOT NULL CHECK (hour_at % 3600000 = 0),
    sum_value      REAL    NOT NULL,
    sample_count   INTEGER NOT NULL CHECK (sample_count > 0),
    min_value      REAL    NOT NULL,
    max_value      REAL    NOT NULL,
    last_value     REAL    NOT NULL,
    last_minute_at INTEGER NOT NULL,
    PRIMARY KEY (name, dimensions, hour_at)
) STRICT, WITHOUT ROWID;

-- The minutes recorded before this migration, rolled up once.
INSERT INTO metric_hours (name, dimensions, hour_at, sum_value, sample_count, min_value, max_value, last_value, last_minute_at)
SELECT m.name, m.dimensions, m.minute_at / 3600000 * 3600000, SUM(m.sum_value), SUM(m.sample_count), MIN(m.min_value), MAX(m.max_value),
       (SELECT l.last_value FROM metrics l WHERE l.name = m.name AND l.dimensions = m.dimensions
            AND l.minute_at / 3600000 = m.minute_at / 3600000 ORDER BY l.minute_at DESC LIMIT 1),
       MAX(m.minute_at)
FROM metrics m GROUP BY m.name, m.dimensions, m.minute_at / 3600000;
