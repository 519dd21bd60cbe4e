@testable import SpateSQL
import Testing

@Suite struct StreamStatementTests {
    @Test func createStreamFromTheDesign() throws {
        let sql = """
        CREATE STREAM transactions (
          userId STRING, amount DOUBLE, merchantId STRING, transactionId STRING,
          timestamp TIMESTAMP
        ) WITH (shards = 2, key = 'userId', event_time = 'timestamp',
                retention = '24 hours', format = 'json');
        """
        let statement = try Parser.parseStatement(sql)
        guard case .createStream(let create) = statement.kind else { Issue.record("not CREATE STREAM"); return }
        #expect(create.name.value == "transactions")
        #expect(!create.ifNotExists)
        #expect(create.columns.map(\.name.value) == ["userId", "amount", "merchantId", "transactionId", "timestamp"])
        #expect(create.columns.map(\.type.kind) == [.string, .double, .string, .string, .timestamp])
        #expect(create.options.map(\.name.value) == ["shards", "key", "event_time", "retention", "format"])
        #expect(create.options.option(named: "SHARDS")?.value == .integer(2))
        #expect(create.options.option(named: "retention")?.value == .string("24 hours"))
        #expect(statement.range.start == SpateSQL.SourceLocation(line: 1, column: 1, offset: 0))
        #expect(create.columns[4].name.range.start.line == 3)
    }

    @Test func createStreamVariants() throws {
        let statement = try Parser.parseStatement("create stream if not exists raw with (retention_bytes = 1000000, durability = 'batch', compact = true, ratio = -0.5)")
        guard case .createStream(let create) = statement.kind else { Issue.record("not CREATE STREAM"); return }
        #expect(create.ifNotExists)
        #expect(create.columns.isEmpty)
        #expect(create.options.map(\.value) == [.integer(1_000_000), .string("batch"), .boolean(true), .decimal(-0.5)])
    }

    @Test func typeSpellingsAreKeptAndNormalized() throws {
        let statement = try Parser.parseStatement("CREATE STREAM s (a int, b Integer, c BIGINT, d boolean, e string)")
        guard case .createStream(let create) = statement.kind else { Issue.record("not CREATE STREAM"); return }
        #expect(create.columns.map(\.type.spelling) == ["INT", "INTEGER", "BIGINT", "BOOLEAN", "STRING"])
        #expect(create.columns.map(\.type.kind) == [.bigint, .bigint, .bigint, .boolean, .string])
    }

    @Test func alterDropShowDescribe() throws {
        #expect(try Parser.parseStatement("ALTER STREAM tx SET (retention = '48 hours')").kind
            == .alter(AlterStatement(objectType: .stream, name: "tx", options: [Option(name: "retention", value: .string("48 hours"))])))
        #expect(try Parser.parseStatement("DROP STREAM IF EXISTS tx").kind == .drop(DropStatement(objectType: .stream, name: "tx", ifExists: true)))
        #expect(try Parser.parseStatement("drop stream tx").kind == .drop(DropStatement(objectType: .stream, name: "tx")))
        #expect(try Parser.parseStatement("SHOW STREAMS").kind == .show(.streams))
        #expect(try Parser.parseStatement("DESCRIBE tx").kind == .describe(DescribeStatement(objectType: nil, name: "tx")))
        #expect(try Parser.parseStatement("DESCRIBE STREAM tx").kind == .describe(DescribeStatement(objectType: .stream, name: "tx")))
        // A stream that happens to be called "stream".
        #expect(try Parser.parseStatement("DESCRIBE stream").kind == .describe(DescribeStatement(objectType: nil, name: "stream")))
    }

    @Test func insertValues() throws {
        let statement = try Parser.parseStatement("INSERT INTO transactions (userId, amount, timestamp) VALUES ('user1', 12.5, NOW()), ('u2', -3, NULL)")
        guard case .insert(let insert) = statement.kind else { Issue.record("not INSERT"); return }
        #expect(insert.stream.value == "transactions")
        #expect(insert.columns.map(\.value) == ["userId", "amount", "timestamp"])
        #expect(insert.source == .values([
            [str("user1"), dec(12.5), call("NOW")],
            [str("u2"), int(-3), Expression(.literal(.null))],
        ]))
    }

    @Test func insertWithoutColumnsAndInsertSelect() throws {
        let values = try Parser.parseStatement("INSERT INTO s VALUES (1, 'a')")
        guard case .insert(let insert) = values.kind else { Issue.record("not INSERT"); return }
        #expect(insert.columns.isEmpty)
        let select = try Parser.parseStatement("INSERT INTO user_minutes SELECT userId, COUNT(*) AS n FROM tx WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId")
        guard case .insert(let insertSelect) = select.kind, case .select(let query) = insertSelect.source else { Issue.record("not INSERT SELECT"); return }
        #expect(query.groupBy == [col("userId")])
    }

    @Test func insertRowArityIsChecked() {
        let error = parseError("INSERT INTO s (a, b) VALUES (1, 2), (3)")
        #expect(error?.location.column == 37)
        #expect(error?.message == "row 2 has 1 value but 2 columns are listed")
        let unlisted = parseError("INSERT INTO s VALUES (1, 2), (3, 4, 5)")
        #expect(unlisted?.message == "row 2 has 3 values but the first row has 2")
    }

    @Test func scriptWithSeveralStatementsAndComments() throws {
        let script = """
        -- setup
        CREATE STREAM IF NOT EXISTS a;;
        /* two */ SHOW STREAMS;
        DROP STREAM a
        """
        let statements = try Parser.parseScript(script)
        #expect(statements.count == 3)
        #expect(statements[1].kind == .show(.streams))
        #expect(statements[2].range.start.line == 4)
        #expect(try Parser.parseScript("  -- nothing\n ; ;").isEmpty)
    }
}
