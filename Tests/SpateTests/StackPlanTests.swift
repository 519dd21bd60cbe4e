// Stack plans through the facade: what counts as a change (values, not
// text), drift made by hand, what forces a replace, what --prune may touch,
// and what a plan never prints (channel secrets).

import Foundation
@testable import Spate
import Testing

@Suite struct StackPlanTests {
    final class Fixture {
        let directory = TemporaryDirectory()
        let database: Database
        let session: Session

        init() throws {
            database = try Database.open(directory.path + "/data")
            session = Session(database: database)
        }

        func sql(_ text: String) throws { try session.execute(script: text, sink: CollectingSink()) }

        func plan(_ stack: String, prune: Bool = false) throws -> StackPlan {
            try database.planStack(try StackFile.parse(stack), stack: "test", prune: prune)
        }

        /// Plans and applies `stack`; returns the plan's change lines.
        @discardableResult
        func apply(_ stack: String, prune: Bool = false) throws -> [String] {
            let plan = try plan(stack, prune: prune)
            try database.applyStack(plan, file: try StackFile.parse(stack), stack: "test") { _ in }
            return plan.changes.map(\.text)
        }
    }

    static let base = """
        CREATE STREAM tx (userId STRING, amount DOUBLE) WITH (shards = 2, key = 'userId', retention = '24 hours');
        CREATE CHANNEL a TYPE STDOUT;
        CREATE CHANNEL b TYPE STDOUT;
        CREATE JOB big WITH (checkpoint_interval = '1 second', notify = 'a, b') AS
          SELECT userId, amount FROM tx WHERE amount > 100;
        """

    @Test func spacingCaseOptionOrderAndEqualValuesAreNoChange() throws {
        let f = try Fixture()
        try f.apply(Self.base)
        let same = """
            create stream if not exists tx(userId string,amount double)
              with (retention='1 day', key='userId', shards=2);
            CREATE CHANNEL b TYPE STDOUT; CREATE CHANNEL a TYPE STDOUT;
            create job big with (notify = 'b,a', checkpoint_interval = 1000)
            as select userId, amount from tx where amount > 100;
            """
        let plan = try f.plan(same)
        #expect(plan.isEmpty, "\(plan.text)")
        #expect(plan.text == "No changes: the data directory matches the stack.\n")
    }

    @Test func anAlterMadeByHandIsDriftThatApplyUndoes() throws {
        let f = try Fixture()
        try f.apply(Self.base)
        try f.sql("ALTER STREAM tx SET (retention = '3 days', durability = 'always'); ALTER JOB big SET (checkpoint_interval = '10 seconds');")
        let lines = try f.apply(Self.base)
        #expect(lines == [
            "~ alter stream tx: retention '3d' → '24h', durability 'always' → 'batch'",
            "~ alter job big: checkpoint_interval '10 seconds' → '1 second'",
        ])
        #expect(try f.database.stream("tx").settings.retentionAgeMs == 86_400_000)
        #expect(try f.database.stream("tx").settings.durability == .batch)
        #expect(try f.plan(Self.base).isEmpty)
        // An option left out means its default: ALTER sets it back.
        let withoutOptions = Self.base.replacingOccurrences(of: "WITH (checkpoint_interval = '1 second', notify = 'a, b') ", with: "")
        #expect(try f.apply(withoutOptions) == ["~ alter job big: notify 'a, b' → ''"])
        #expect(try f.database.jobRecord("big")?.optionsJSON.contains(#""notify":"""#) == true)
        #expect(try f.plan(withoutOptions).isEmpty)
    }

    @Test func parallelismAQueryOrAnUnsetAlertsReplaceTheJob() throws {
        let f = try Fixture()
        try f.apply(Self.base + "\nCREATE JOB counts WITH (alerts = true) AS SELECT userId, COUNT(*) AS n FROM tx GROUP BY userId;")
        let changed = Self.base.replacingOccurrences(of: "notify = 'a, b')", with: "notify = 'a, b', parallelism = 2)")
            + "\nCREATE JOB counts AS SELECT userId, COUNT(*) AS n FROM tx GROUP BY userId;"
        #expect(try f.plan(changed).changes.map(\.text) == [
            "-/+ replace job big: parallelism 1 → 2 (loses its checkpoint; none taken yet)",
            "-/+ replace job counts: alerts TRUE → (from the query) (loses its checkpoint and its running aggregates; none taken yet)",
        ])
    }

    @Test func aSinkReplaceReplacesTheJobsOfTheStackThatWriteIntoIt() throws {
        let f = try Fixture()
        let files = f.directory.path + "/files"
        let stack = Self.base + "\nCREATE SINK out TO FILES '\(files)' FORMAT JSONL;\nCREATE JOB archive AS INSERT INTO SINK out SELECT userId, amount FROM tx;"
        try f.apply(stack)
        let csv = stack.replacingOccurrences(of: "FORMAT JSONL", with: "FORMAT CSV")
        #expect(try f.apply(csv) == [
            "-/+ replace sink out: format JSONL → CSV (forgets its list of sealed files; the files stay)",
            "-/+ replace job archive: its sink out is replaced (loses its checkpoint; none taken yet)",
        ])
        #expect(try f.plan(csv).isEmpty)
        // A writer that is not the stack's: apply refuses rather than drop it.
        try f.sql("CREATE JOB outsider AS INSERT INTO SINK out SELECT userId FROM tx;")
        let plan = try f.plan(stack)
        #expect(plan.refusals.map(\.id.description) == ["sink out"])
        #expect(plan.text.contains("    ! job outsider writes into it and is not part of this stack: drop that job first (DROP JOB outsider)"))
        #expect(throws: SpateError.self) { try f.database.applyStack(plan, file: try StackFile.parse(stack), stack: "test") { _ in } }
        #expect(try f.database.jobRecord("archive") != nil, "a refused plan changes nothing")
    }

    @Test func pruneDropsOnlyWhatAnApplyMadeTheStacks() throws {
        let f = try Fixture()
        try f.sql("CREATE STREAM mine (x STRING);")  // made by hand: never the stack's
        try f.apply(Self.base)
        #expect(try f.plan(Self.base, prune: true).isEmpty)
        let withoutB = Self.base.replacingOccurrences(of: "CREATE CHANNEL b TYPE STDOUT;\n", with: "")
            .replacingOccurrences(of: "notify = 'a, b'", with: "notify = 'a'")
        let plan = try f.plan(withoutB)
        #expect(plan.kept.map(\.description) == ["channel b"])
        #expect(try f.apply(withoutB, prune: true) == [
            "- drop channel b",
            "~ alter job big: notify 'a, b' → 'a'",
        ])
        #expect(f.database.streamExists("mine"))
        #expect(try f.database.catalogNames().channels == ["a"])
        // Destroy takes the stack, not the stream made by hand.
        let destroy = try f.database.planStackDestroy(try StackFile.parse(withoutB), stack: "test")
        #expect(destroy.changes.map(\.id.description) == ["job big", "channel a", "stream tx"])
        try f.database.applyStack(destroy, file: try StackFile.parse(withoutB), stack: "test") { _ in }
        #expect(try f.database.streamNames() == ["mine"])
    }

    @Test func channelSecretsAreNeverPrinted() throws {
        let f = try Fixture()
        let hook = "CREATE CHANNEL ops TYPE WEBHOOK WITH (url = 'http://127.0.0.1:9/a', headers = 'Authorization: Bearer s3cret');"
        try f.apply(hook)
        let plan = try f.plan(hook.replacingOccurrences(of: "s3cret", with: "n3w"))
        #expect(plan.changes.map(\.text) == ["-/+ replace channel ops: headers changed (there is no ALTER CHANNEL)"])
        #expect(!plan.text.contains("s3cret") && !plan.text.contains("n3w"))
    }

    @Test func aStackFileHoldsEachNameOnceAndOnlyCreates() throws {
        #expect(throws: SpateError.self) { try StackFile.parse("CREATE STREAM a (x STRING); CREATE STREAM a (y STRING);") }
        #expect(throws: SpateError.self) { try StackFile.parse("CREATE STREAM a (x STRING); DROP STREAM a;") }
        // The same name in two kinds is two objects; declarations sort in creation order.
        let file = try StackFile.parse("CREATE JOB a AS SELECT x FROM a; CREATE STREAM a (x STRING);")
        #expect(file.declarations.map(\.id.description) == ["stream a", "job a"])
        #expect(StackRecord.stackName(forFile: "examples/anomaly-detection.sql") == "anomaly-detection")
        #expect(StackRecord.stackName(forFile: "/tmp/my stack.v2.sql") == "my_stack.v2")
    }
}
