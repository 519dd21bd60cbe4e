-- Per-minute volume anomalies across all users: a random cut forest over the
-- number of transactions and the amount spent each minute, shingled over the
-- last 4 minutes so that a break in the usual shape stands out, like Kinesis
-- Data Analytics' RANDOM_CUT_FOREST. Run: spate -f examples/volume-anomalies.sql

CREATE STREAM IF NOT EXISTS transactions (
  userId STRING, amount DOUBLE, merchantId STRING, transactionId STRING,
  timestamp TIMESTAMP
) WITH (shards = 2, key = 'userId', event_time = 'timestamp', retention = '24 hours');

CREATE JOB IF NOT EXISTS volume_anomalies AS
  SELECT WINDOW_START, COUNT(*) AS transactions, SUM(amount) AS volume,
         RCF(COUNT(*), SUM(amount), shingle => 4, seed => 7) AS score
  FROM transactions SINCE EARLIEST
  WINDOW TUMBLING (SIZE 1 MINUTE)
  WHERE anomaly;
