-- The classic real-time anomaly detection pipeline as one stack: a
-- transactions stream and a job that flags unusual per-user spending per
-- minute. Deploy it the way a CDK or Terraform stack is deployed:
--     spate plan -f examples/anomaly-detection.sql      # what would change (exit 2 when something would)
--     spate apply -f examples/anomaly-detection.sql     # make it so (asks first; --yes in scripts)
--     spate destroy -f examples/anomaly-detection.sql   # take it down (the job, then the stream)
-- Edit it and plan again to see the difference: a new checkpoint_interval is
-- altered in place, a new query replaces the job (and says what state goes).
-- It is also a plain idempotent script: `spate -f examples/anomaly-detection.sql`
-- as often as you like leaves what exists as it is (IF NOT EXISTS).

CREATE STREAM IF NOT EXISTS transactions (
  userId STRING, amount DOUBLE, merchantId STRING, transactionId STRING,
  timestamp TIMESTAMP
) WITH (shards = 2, key = 'userId', event_time = 'timestamp',
        retention = '24 hours', format = 'json');

-- Per user and minute: the total spent, scored against that user's own history
-- (a robust median/MAD score; NULL until a user has 30 minutes of history).
-- Every minute whose score passes the threshold becomes an alert. Two workers,
-- one per shard (the stream's records are routed by userId, the GROUP BY key,
-- so each worker sees every record of its users).
CREATE JOB IF NOT EXISTS unusual_spending WITH (checkpoint_interval = '1 second', parallelism = 2) AS
  SELECT userId, WINDOW_START, WINDOW_END, COUNT(*) AS purchases, SUM(amount) AS total,
         ANOMALY_SCORE(SUM(amount)) AS score
  FROM transactions SINCE EARLIEST
  WINDOW TUMBLING (SIZE 1 MINUTE, GRACE 10 SECONDS)
  GROUP BY userId
  WHERE anomaly;
