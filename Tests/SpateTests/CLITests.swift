// The `spate` command as a user drives it: put, cat, stream management, bad
// input, and several processes on one stream at once.

import Foundation
import SpateLog
import Testing

@Suite struct CLITests {
    func transactions(_ range: Range<Int>, user: (Int) -> String = { "user\($0 % 7)" }) -> String {
        range.map { #"{"userId":"\#(user($0))","amount":\#($0).5,"transactionId":"txn_\#($0)"}"# }.joined(separator: "\n") + "\n"
    }

    @Test func putThenCatReturnsEveryLineExactly() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        let input = transactions(0..<1000)
        let put = try Spate.run(["put", "tx", "--key", "userId", "--shards", "2", "--data", data], input: input)
        #expect(put.status == 0)
        #expect(put.stdout.contains("appended 1,000 records to tx (2 shards), rejected 0"))
        let cat = try Spate.run(["--data", data, "cat", "tx"])
        #expect(cat.status == 0)
        // Merged by arrival; compare as sets and per-user order (one shard per user).
        #expect(Set(cat.lines) == Set(input.split(separator: "\n").map(String.init)))
        #expect(cat.lines.count == 1000)
        for u in 0..<7 {
            let mine = cat.lines.filter { $0.contains("\"user\(u)\"") }
            let expected = input.split(separator: "\n").map(String.init).filter { $0.contains("\"user\(u)\"") }
            #expect(mine == expected, "user\(u) in order")
        }
    }

    /// `--file` (and `-f`) after `put` is put's, not the root's script file:
    /// the records come from the file, not from standard input.
    @Test func putReadsTheFileItIsGiven() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data", file = dir.path + "/in.jsonl"
        try transactions(0..<300).write(toFile: file, atomically: true, encoding: .utf8)
        for (stream, option) in [("a", ["--file", file]), ("b", ["-f", file]), ("c", ["--file=" + file])] {
            let put = try Spate.run(["put", stream, "--key", "userId", "--data", data] + option, input: #"{"userId":"stdin"}"# + "\n")
            #expect(put.status == 0, "\(put.stderr)")
            #expect(put.stdout.contains("appended 300 records to \(stream)"), "\(option): \(put.stdout)")
        }
    }

    @Test func putWithoutKeyUsesTheDeclaredKeyAndRejectsRecordsWithoutIt() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        let create = try Spate.run(["--data", data, "-c", "CREATE STREAM tx (userId STRING, amount DOUBLE) WITH (shards = 2, key = 'userId');"])
        #expect(create.status == 0, "\(create.stderr)")
        let input = transactions(0..<200) + #"{"amount":1.5}"# + "\n" + #"{"userId":null}"# + "\n"
        let put = try Spate.run(["put", "tx", "--data", data], input: input)
        #expect(put.status == 1)
        #expect(put.stdout.contains("appended 200 records to tx (2 shards), rejected 2"))
        #expect(put.stderr.contains("line 201: no field 'userId' (the stream's declared key)"))
        #expect(put.stderr.contains("line 202: field 'userId' (the partition key) is null"))
        // Keyed, not round-robin: each user's records are all in one shard, in order.
        let shards = try (0..<2).map { try Spate.run(["--data", data, "cat", "tx", "--shard", String($0)]).lines }
        #expect(shards[0].count + shards[1].count == 200)
        for u in 0..<7 {
            let expected = input.split(separator: "\n").map(String.init).filter { $0.contains("\"user\(u)\"") }
            let inShards = shards.map { $0.filter { $0.contains("\"user\(u)\"") } }
            #expect(inShards.contains(expected) && inShards.contains([]), "user\(u) in one shard")
        }
    }

    @Test func selectStarOnAStreamMadeByPutGivesEachWholeRecord() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        let input = #"{"userId":"a","amount":1}"# + "\n" + #"{"userId":"b","x":{"y":[1,2]}}"# + "\n"
        #expect(try Spate.run(["put", "tx", "--data", data], input: input).status == 0)
        let all = try Spate.run(["--data", data, "--format", "csv", "-c", "SELECT * FROM tx SINCE EARLIEST UNTIL NOW;"])
        #expect(all.status == 0, "\(all.stderr)")
        #expect(!all.stderr.contains("internal error"))
        #expect(all.lines == ["record", #""{""userId"":""a"",""amount"":1}""#, #""{""userId"":""b"",""x"":{""y"":[1,2]}}""#])
        let filtered = try Spate.run(["--data", data, "--format", "csv", "-c", "SELECT * FROM tx SINCE EARLIEST UNTIL NOW WHERE userId = 'b';"])
        #expect(filtered.lines.count == 2)
        // Two fields the scanner cannot tell apart: a one-line error that says what to do, not an internal error.
        let ambiguous = try Spate.run(["--data", data, "-c", #"SELECT a.b, "a.b" FROM tx SINCE EARLIEST UNTIL NOW;"#])
        #expect(ambiguous.status != 0)
        #expect(ambiguous.stderr.contains("name each field by one distinct path"))
        #expect(!ambiguous.stderr.contains("internal"))
    }

    @Test func badLinesAreReportedWithLineNumbersAndSkipped() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        let input = """
            {"userId":"a","n":1}
            not json
            {"n":3}
            {"userId":"d","n":4}
            {"userId":{"x":1}}
            """
        let put = try Spate.run(["put", "s", "--key", "userId", "--data", data], input: input)
        #expect(put.status == 1)
        #expect(put.stderr.contains("line 2: invalid JSON"))
        #expect(put.stderr.contains("line 3: no field 'userId'"))
        #expect(put.stderr.contains("line 5: field 'userId' (the partition key) is object"))
        #expect(put.stdout.contains("appended 2 records"))
        #expect(try Spate.run(["cat", "s", "--data", data]).lines == [#"{"userId":"a","n":1}"#, #"{"userId":"d","n":4}"#])
    }

    @Test func strictWritesNothingWhenAnyLineIsBad() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        let put = try Spate.run(["put", "s", "--key", "userId", "--strict", "--data", data], input: "{\"userId\":\"a\"}\n{\"userId\":\n")
        #expect(put.status == 1)
        #expect(put.stderr.contains("nothing written"))
        // The stream this put would have created is not left behind, empty.
        #expect(try Spate.run(["stream", "list", "--data", data]).stdout.contains("no streams yet"))
        #expect(try Spate.run(["cat", "s", "--data", data]).status != 0)
        // From a regular file too (rewound rather than spooled).
        let file = dir.write("good.jsonl", transactions(0..<50))
        #expect(try Spate.run(["put", "s", "--key", "userId", "--strict", "--data", data], inputFile: file).status == 0)
        #expect(try Spate.run(["cat", "s", "--data", data]).lines.count == 50)
    }

    @Test func oversizedLineIsRejectedNotFatal() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        let big = #"{"userId":"a","blob":""# + String(repeating: "x", count: 1_100_000) + "\"}"
        let put = try Spate.run(["put", "s", "--key", "userId", "--data", data], input: big + "\n{\"userId\":\"b\"}\n")
        #expect(put.status == 1)
        #expect(put.stderr.contains("line 1: record of"))
        #expect(try Spate.run(["cat", "s", "--data", data]).lines == [#"{"userId":"b"}"#])
    }

    @Test func catPositionsLimitAndMeta() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        try Spate.run(["put", "tx", "--key", "userId", "--data", data], input: transactions(0..<100))
        let seq = try Spate.run(["cat", "tx", "--from", "seq:95", "--data", data])
        #expect(seq.lines.count == 5 && seq.lines.first!.contains("txn_95"))
        #expect(try Spate.run(["cat", "tx", "--from", "latest", "--data", data]).lines.isEmpty)
        #expect(try Spate.run(["cat", "tx", "--limit", "3", "--data", data]).lines.count == 3)
        #expect(try Spate.run(["cat", "tx", "--from", "time:2000-01-01T00:00:00Z", "--data", data]).lines.count == 100)
        #expect(try Spate.run(["cat", "tx", "--from", "time:2999-01-01", "--data", data]).lines.isEmpty)
        let meta = try Spate.run(["cat", "tx", "--meta", "--limit", "1", "--data", data])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(meta.lines[0].utf8)) as? [String: Any])
        #expect(object["shard"] as? String == "shardId-000000000000")
        #expect(object["sequence"] as? String == "0")
        #expect(object["key"] as? String == "user0")
        #expect((object["data"] as? [String: Any])?["transactionId"] as? String == "txn_0")
        #expect((object["arrival"] as? String)?.hasSuffix("Z") == true)
        let bad = try Spate.run(["cat", "tx", "--from", "yesterday", "--data", data])
        #expect(bad.status == 1 && bad.stderr.hasPrefix("spate: --from 'yesterday'") && bad.stderr.split(separator: "\n").count == 1)
    }

    @Test func streamManagement() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        #expect(try Spate.run(["stream", "create", "a", "--shards", "3", "--retention", "7d", "--data", data]).status == 0)
        let describe = try Spate.run(["stream", "describe", "a", "--data", data])
        #expect(describe.stdout.contains("shards       3"))
        #expect(describe.stdout.contains("retention    7d"))
        #expect(describe.stdout.contains("shardId-000000000002"))
        #expect(try Spate.run(["stream", "alter", "a", "--durability", "always", "--retention-records", "1000", "--data", data]).status == 0)
        #expect(try Spate.run(["stream", "describe", "a", "--data", data]).stdout.contains("durability   always"))
        #expect(try Spate.run(["stream", "list", "--data", data]).stdout.contains("7d, 1,000 records"))
        let exists = try Spate.run(["stream", "create", "a", "--data", data])
        #expect(exists.status == 1 && exists.stderr.contains("already exists"))
        let badName = try Spate.run(["stream", "create", "no/slash", "--data", data])
        #expect(badName.status == 1 && badName.stderr.contains("invalid stream name"))
        let badRetention = try Spate.run(["stream", "create", "b", "--retention", "forever", "--data", data])
        #expect(badRetention.status == 1 && badRetention.stderr.contains("--retention 'forever'"))
        #expect(try Spate.run(["stream", "delete", "a", "--data", data]).status == 0)
        #expect(try Spate.run(["stream", "list", "--data", data]).stdout.contains("no streams"))
    }

    @Test func dataDirectoryFromEnvironmentAndDefault() throws {
        let dir = TemporaryDirectory()
        let process = Process()
        process.executableURL = Spate.executable
        process.arguments = ["stream", "create", "envstream"]
        process.environment = ["SPATE_DATA": dir.path + "/env-data"]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: dir.path + "/env-data/streams/envstream/stream.manifest"))
    }

    /// Issue 15: SQL and the command line read stream settings with one parser
    /// (they disagreed on 'none' and on case).
    @Test func sqlAndTheCommandLineReadStreamSettingsAlike() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        let retentions = ["none", "NONE", "Unlimited", "7d", "24 hours", "forever", "0m"]
        for (i, value) in retentions.enumerated() {
            let sql = try Spate.run(["-c", "CREATE STREAM q\(i) (v DOUBLE) WITH (retention = '\(value)');", "--data", data])
            let cli = try Spate.run(["stream", "create", "c\(i)", "--retention", value, "--data", data])
            #expect((sql.status == 0) == (cli.status == 0), "retention '\(value)': SQL \(sql.status) \(sql.stderr), CLI \(cli.status) \(cli.stderr)")
            guard sql.status == 0 else { continue }
            let describeSQL = try Spate.run(["stream", "describe", "q\(i)", "--data", data]).stdout
            let describeCLI = try Spate.run(["stream", "describe", "c\(i)", "--data", data]).stdout
            let retentionLine = { (text: String) in text.split(separator: "\n").first { $0.hasPrefix("retention") }.map(String.init) }
            #expect(retentionLine(describeSQL) == retentionLine(describeCLI), "retention '\(value)'")
        }
        for value in ["BATCH", "always", "sometimes"] {
            let sql = try Spate.run(["-c", "CREATE STREAM d_\(value) (v DOUBLE) WITH (durability = '\(value)');", "--data", data])
            let cli = try Spate.run(["stream", "create", "e_\(value)", "--durability", value, "--data", data])
            #expect((sql.status == 0) == (cli.status == 0), "durability '\(value)'")
        }
    }

    /// Issue 15: deleting a stream by any route leaves no SQL definition that a
    /// later stream of the same name would inherit.
    @Test func aRecreatedStreamNeverInheritsTheOldColumns() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        let create = "CREATE STREAM s (a DOUBLE, b STRING) WITH (key = 'b');"
        let columns = { () throws -> String in try Spate.run(["-c", "SHOW STREAMS;", "--data", data, "--format", "csv"]).stdout }
        // 1. SQL DROP STREAM; 2. spate stream delete; 3. the log alone (a process that died between
        // deleting the log and the definition; the Kinesis route is StreamRoutesTests).
        let deletions: [() throws -> Void] = [
            { () throws in let r = try Spate.run(["-c", "DROP STREAM s;", "--data", data]); #expect(r.status == 0) },
            { () throws in let r = try Spate.run(["stream", "delete", "s", "--data", data]); #expect(r.status == 0) },
            { () throws in try LogStore.open(data).deleteStream("s") },
        ]
        for delete in deletions {
            #expect(try Spate.run(["-c", create, "--data", data]).status == 0)
            #expect(try columns().contains("a DOUBLE"))
            try delete()
            usleep(2_000)   // the new stream is created at a later millisecond
            #expect(try Spate.run(["stream", "create", "s", "--data", data]).status == 0)
            #expect(try !columns().contains("a DOUBLE"), "the new stream s shows the old one's columns")
            #expect(try Spate.run(["stream", "delete", "s", "--data", data]).status == 0)
        }
    }

    @Test func processesOpeningAFreshDirectoryTogetherAllSucceed() throws {
        // Issue 21: separate spate processes started at once on a new data
        // directory each open it (migrated once) or wait; none sees "database is locked".
        for round in 0..<3 {
            let dir = TemporaryDirectory()
            let data = dir.path + "/data"
            let statements = ["SHOW STREAMS;", "CREATE STREAM IF NOT EXISTS s\(round) (v DOUBLE);", "SELECT COUNT(*) AS n FROM jobs;"]
            let started = try (0..<8).map { i in try Spate.start(["-c", statements[i % statements.count], "--data", data]) }
            for (process, out, err) in started {
                let outText = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                #expect(process.terminationStatus == 0 && process.terminationReason == .exit, "round \(round): \(process.terminationReason == .uncaughtSignal ? "killed by signal \(process.terminationStatus)" : "exit \(process.terminationStatus)"): \(errText) \(outText)")
                #expect(!errText.contains("locked"))
            }
            let migrations = try Spate.run(["-c", "SELECT COUNT(*) AS n FROM streams;", "--data", data, "--format", "csv"])
            #expect(migrations.status == 0)
        }
    }

    @Test func twoWritersAndAFollowerShareAStream() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        try Spate.run(["stream", "create", "tx", "--shards", "2", "--segment-bytes", "65536", "--data", data])
        let follower = try Spate.start(["cat", "tx", "--follow", "--data", data])
        let a = dir.write("a.jsonl", transactions(0..<20_000, user: { "a\($0 % 5)" }))
        let b = dir.write("b.jsonl", transactions(0..<20_000, user: { "b\($0 % 5)" }))
        let writerA = try Spate.start(["put", "tx", "--key", "userId", "--data", data], inputFile: a)
        let writerB = try Spate.start(["put", "tx", "--key", "userId", "--data", data], inputFile: b)
        writerA.0.waitUntilExit()
        writerB.0.waitUntilExit()
        #expect(writerA.0.terminationStatus == 0 && writerB.0.terminationStatus == 0)

        // The follower prints all 40,000 records; read until it has, then stop it.
        var followed = Data()
        let handle = follower.1.fileHandleForReading
        let deadline = Date().addingTimeInterval(60)
        while followed.filter({ $0 == 0x0A }).count < 40_000 && Date() < deadline {
            followed.append(handle.availableData)
        }
        follower.0.terminate()
        let lines = String(decoding: followed, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.count == 40_000)
        let stored = try Spate.run(["cat", "tx", "--data", data]).lines
        #expect(Set(stored) == Set(lines))
        for writer in ["a", "b"] {
            for u in 0..<5 {
                let key = "\"\(writer)\(u)\""
                let inOrder = stored.filter { $0.contains(key) }
                let expected = transactions(0..<20_000, user: { "\(writer)\($0 % 5)" }).split(separator: "\n").map(String.init).filter { $0.contains(key) }
                #expect(inOrder == expected, "\(writer)\(u): nothing lost or reordered")
            }
        }
    }
}
