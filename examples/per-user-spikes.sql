-- Per-user transaction spikes: every transaction is scored against the same
-- user's history with a z-score (state per userId), and those more than 4
-- standard deviations away become alerts. Run: spate -f examples/per-user-spikes.sql

CREATE STREAM IF NOT EXISTS transactions (
  userId STRING, amount DOUBLE, merchantId STRING, transactionId STRING,
  timestamp TIMESTAMP
) WITH (shards = 2, key = 'userId', event_time = 'timestamp', retention = '24 hours');

CREATE JOB IF NOT EXISTS transaction_spikes AS
  SELECT userId, transactionId, merchantId, amount,
         ZSCORE(amount, threshold => 4, warmup => 20) OVER (PARTITION BY userId) AS z
  FROM transactions SINCE EARLIEST
  WHERE anomaly;
