@testable import SpateSQL
import Testing

@Suite struct JobChannelAlarmTests {
    @Test func createJobAsSelect() throws {
        let statement = try Parser.parseStatement("""
        CREATE JOB IF NOT EXISTS fraud_watch WITH (checkpoint_interval = '1s', notify = 'ops,pager') AS
        SELECT userId, SUM(amount) AS total FROM transactions WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId WHERE anomaly;
        """)
        guard case .createJob(let job) = statement.kind, case .select(let select) = job.body else { Issue.record("not CREATE JOB AS SELECT"); return }
        #expect(job.name.value == "fraud_watch")
        #expect(job.ifNotExists)
        #expect(job.options.map(\.name.value) == ["checkpoint_interval", "notify"])
        #expect(select.postGroupWhere == col("anomaly"))
    }

    @Test func createJobAsInsertSelect() throws {
        let statement = try Parser.parseStatement("CREATE JOB per_minute AS INSERT INTO user_minutes SELECT userId, COUNT(*) AS n FROM tx WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId")
        guard case .createJob(let job) = statement.kind, case .insert(let insert) = job.body else { Issue.record("not CREATE JOB AS INSERT"); return }
        #expect(insert.stream.value == "user_minutes")
        #expect(job.options.isEmpty)
        let error = parseError("CREATE JOB j AS INSERT INTO s VALUES (1)")
        #expect(error?.message == "a job's INSERT must take its rows from a SELECT, not VALUES")
        #expect(error?.location.column == 17)
    }

    @Test func jobControlStatements() throws {
        #expect(try Parser.parseStatement("SHOW JOBS").kind == .show(.jobs))
        #expect(try Parser.parseStatement("DESCRIBE JOB fraud_watch").kind == .describe(DescribeStatement(objectType: .job, name: "fraud_watch")))
        #expect(try Parser.parseStatement("PAUSE JOB fraud_watch").kind == .jobControl(JobControlStatement(action: .pause, job: "fraud_watch")))
        #expect(try Parser.parseStatement("resume job fraud_watch").kind == .jobControl(JobControlStatement(action: .resume, job: "fraud_watch")))
        #expect(try Parser.parseStatement("DROP JOB IF EXISTS fraud_watch").kind == .drop(DropStatement(objectType: .job, name: "fraud_watch", ifExists: true)))
        #expect(try Parser.parseStatement("RESTART JOB j FROM EARLIEST").kind == .jobControl(JobControlStatement(action: .restart(from: .earliest), job: "j")))
        #expect(try Parser.parseStatement("RESTART JOB j FROM '2024-01-02 03:04:05'").kind
            == .jobControl(JobControlStatement(action: .restart(from: .time(TimeText(text: "2024-01-02 03:04:05", point: .absolute(epochMilliseconds: 1_704_164_645_000)))), job: "j")))
        #expect(try Parser.parseStatement("ALTER JOB j SET (notify = 'ops')").kind
            == .alter(AlterStatement(objectType: .job, name: "j", options: [Option(name: "notify", value: .string("ops"))])))
    }

    @Test func alertActions() throws {
        #expect(try Parser.parseStatement("ACK ALERT 42").kind == .alertAction(AlertActionStatement(action: .acknowledge, alertID: 42)))
        #expect(try Parser.parseStatement("RESOLVE ALERT 7").kind == .alertAction(AlertActionStatement(action: .resolve, alertID: 7)))
        #expect(parseError("ACK ALERT 0")?.message == "alert ids start at 1")
    }

    @Test func channels() throws {
        let webhook = try Parser.parseStatement("CREATE CHANNEL ops TYPE WEBHOOK WITH (url = 'http://127.0.0.1:9000/hook', timeout = '5s')")
        guard case .createChannel(let channel) = webhook.kind else { Issue.record("not CREATE CHANNEL"); return }
        #expect(channel.channelType == .webhook)
        #expect(channel.options.option(named: "url")?.value == .string("http://127.0.0.1:9000/hook"))
        #expect(try Parser.parseStatement("CREATE CHANNEL IF NOT EXISTS out TYPE stdout").kind
            == .createChannel(CreateChannelStatement(name: "out", ifNotExists: true, channelType: .stdout)))
        #expect(try Parser.parseStatement("CREATE CHANNEL f TYPE FILE WITH (path = '/tmp/a.jsonl')").kind
            == .createChannel(CreateChannelStatement(name: "f", channelType: .file, options: [Option(name: "path", value: .string("/tmp/a.jsonl"))])))
        #expect(try Parser.parseStatement("SHOW CHANNELS").kind == .show(.channels))
        #expect(try Parser.parseStatement("DROP CHANNEL IF EXISTS ops").kind == .drop(DropStatement(objectType: .channel, name: "ops", ifExists: true)))
        #expect(try Parser.parseStatement("TEST CHANNEL ops").kind == .testChannel("ops"))
        let exec = try Parser.parseStatement("CREATE CHANNEL mail TYPE EXEC WITH (command = '/usr/sbin/sendmail', args = 'ops@example.com')")
        guard case .createChannel(let execChannel) = exec.kind else { Issue.record("not CREATE CHANNEL"); return }
        #expect(execChannel.channelType == .exec)
    }

    @Test func fullAlarm() throws {
        let statement = try Parser.parseStatement("""
        CREATE ALARM IF NOT EXISTS lagging ON METRIC job.lag_ms WHERE job = 'fraud_watch' AND shard = '0'
          STATISTIC MAX PERIOD 1 MINUTE WHEN >= 5000.5 FOR 3 OF 5 PERIODS MISSING AS NOT_BREACHING NOTIFY ops, pager
        """)
        guard case .createAlarm(let alarm) = statement.kind else { Issue.record("not CREATE ALARM"); return }
        #expect(alarm.ifNotExists)
        #expect(alarm.metric == "job.lag_ms")
        #expect(alarm.dimensions == [AlarmDimension(name: "job", value: "fraud_watch"), AlarmDimension(name: "shard", value: "0")])
        #expect(alarm.statistic == .maximum)
        #expect(alarm.period == SQLDuration(milliseconds: 60_000))
        #expect(alarm.comparison == .greaterEqual)
        #expect(alarm.threshold == .decimal(5000.5))
        #expect(alarm.datapointsToAlarm == 3 && alarm.evaluationPeriods == 5)
        #expect(alarm.missingData == .notBreaching)
        #expect(alarm.notify.map(\.value) == ["ops", "pager"])
    }

    @Test func minimalAlarmWithQuotedMetricAndNotifyString() throws {
        let statement = try Parser.parseStatement("CREATE ALARM a ON METRIC 'stream.records-in' STATISTIC SUM PERIOD '5m' WHEN < 1 FOR 1 OF 1 PERIOD NOTIFY 'ops, pager'")
        guard case .createAlarm(let alarm) = statement.kind else { Issue.record("not CREATE ALARM"); return }
        #expect(alarm.metric == "stream.records-in")
        #expect(alarm.dimensions.isEmpty)
        #expect(alarm.missingData == nil)
        #expect(alarm.threshold == .integer(1))
        #expect(alarm.notify.map(\.value) == ["ops", "pager"])
        #expect(try Parser.parseStatement("SHOW ALARMS").kind == .show(.alarms))
        #expect(try Parser.parseStatement("DROP ALARM a").kind == .drop(DropStatement(objectType: .alarm, name: "a")))
    }

    @Test func alarmValidation() {
        #expect(parseError("CREATE ALARM a ON METRIC m STATISTIC SUM PERIOD 1 MINUTE WHEN > 1 FOR 4 OF 3 PERIODS")?.message
            == "FOR 4 OF 3: the breaching periods must be between 1 and 3")
        #expect(parseError("CREATE ALARM a ON METRIC m STATISTIC SUM PERIOD 1 MINUTE WHEN = 1 FOR 1 OF 1 PERIODS")?.message
            == "expected a comparison (>, >=, < or <=) after WHEN, found '='")
        #expect(parseError("CREATE ALARM a ON METRIC m STATISTIC SUM PERIOD 1 MINUTE WHEN > 1 FOR 1 OF 1 PERIODS NOTIFY a, a")?.message
            == "channel 'a' is named twice in NOTIFY")
        #expect(parseError("CREATE ALARM a ON METRIC m STATISTIC MEAN PERIOD 1 MINUTE WHEN > 1 FOR 1 OF 1 PERIODS")?.message
            == "expected SUM, AVG, MIN, MAX or COUNT after STATISTIC, found 'MEAN'")
    }

    @Test func metricsAndExplain() throws {
        #expect(try Parser.parseStatement("SHOW METRICS").kind == .show(.metrics(like: nil)))
        #expect(try Parser.parseStatement("SHOW METRICS LIKE 'job.%'").kind == .show(.metrics(like: "job.%")))
        let explain = try Parser.parseStatement("EXPLAIN SELECT a FROM t")
        guard case .explain(.select(let select)) = explain.kind else { Issue.record("not EXPLAIN SELECT"); return }
        #expect(select.items == [.expression(col("a"), alias: nil)])
        let explainInsert = try Parser.parseStatement("EXPLAIN INSERT INTO s SELECT a FROM t")
        guard case .explain(.insert) = explainInsert.kind else { Issue.record("not EXPLAIN INSERT"); return }
        #expect(parseError("EXPLAIN INSERT INTO s VALUES (1)")?.location.column == 9)
    }
}
