// Tab completion in the REPL: what Tab offers for the word before the cursor
// (keywords in the case typed, functions, names by context, the columns of the
// streams the statement names, meta-commands), how one or several candidates
// change the line, and the names the facade reads from a data directory
// (declared columns, and the fields of a schemaless stream's records).

import Foundation
@testable import Spate
import SpateLog
import Testing
@testable import spate

@Suite struct CompletionTests {
    var names: CatalogNames {
        var names = CatalogNames()
        names.streams = ["transactions", "tx"]
        names.tables = ["alarms", "alerts", "jobs", "streams"]
        names.jobs = ["fraud_watch", "per_minute"]
        names.channels = ["audit", "ops"]
        names.alarms = ["no_logins"]
        return names
    }

    var source: CompletionSource {
        CompletionSource(names: names, columns: ["tx": ["userId", "amount", "timestamp"], "alerts": ["id", "job", "score"]])
    }

    func offered(_ before: String, statement: String? = nil) -> [String] {
        Completion.candidates(before: before, statement: statement ?? before, source: source)
    }

    @Test func keywordsAndFunctionsComeInTheCaseTyped() {
        #expect(offered("sel") == ["select"])
        #expect(offered("SEL") == ["SELECT"])
        #expect(offered("Sel") == ["SELECT"])
        #expect(offered("SELECT SU") == ["SUBSTR", "SUM"])
        #expect(offered("SELECT userId, zsc") == ["zscore"])
        #expect(offered("SELECT x FROM tx WINDOW tum") == ["tumbling"])
        #expect(offered("SELECT x FROM tx SINCE EARL") == ["EARLIEST"])
    }

    @Test func namesFollowTheKeywordBeforeThemEvenWithNothingTyped() {
        #expect(offered("SELECT * FROM ") == ["alarms", "alerts", "jobs", "streams", "transactions", "tx"])
        #expect(offered("SELECT * FROM t") == ["transactions", "tx"])
        #expect(offered("describe TR") == ["transactions"])
        #expect(offered("DESCRIBE JOB ") == ["fraud_watch", "per_minute"])
        #expect(offered("PAUSE JOB f") == ["fraud_watch"])
        #expect(offered("TEST CHANNEL ") == ["audit", "ops"])
        #expect(offered("CREATE ALARM a ON METRIC job.lag_ms NOTIFY o") == ["ops"])
        #expect(offered("DROP ALARM ") == ["no_logins"])
        // Nothing typed and no name expected: nothing to offer.
        #expect(offered("SELECT ") == [])
    }

    @Test func columnsOfTheStreamsTheStatementNamesBeforeOrAfterTheCursor() {
        #expect(offered("SELECT am", statement: "SELECT am FROM tx SINCE EARLIEST UNTIL NOW;") == ["amount"])
        #expect(offered("SELECT am FROM tx WHERE us") == ["userId"])
        #expect(offered("SELECT sc", statement: "SELECT sc FROM alerts") == ["score"])
        // A stream the statement does not name lends no columns, unless it names none yet.
        #expect(offered("SELECT am", statement: "SELECT am FROM transactions") == [])
        #expect(offered("SELECT MAX(am") == ["amount"])
        // A column wins over the keyword of the same spelling, in any case typed.
        #expect(offered("SELECT tim", statement: "SELECT tim FROM tx") == ["timestamp"])
        #expect(offered("SELECT TIM", statement: "SELECT TIM FROM tx") == ["timestamp"])
        #expect(offered("SELECT WINDOW_S") == ["WINDOW_START"])
    }

    @Test func metaCommandsAtTheStartAndNothingInsideAString() {
        #expect(offered(".") == [".clear", ".exit", ".format", ".help", ".quit"])
        #expect(offered("  .fo") == [".format"])
        #expect(offered(".format c") == ["csv"])
        #expect(offered("SELECT .") == [])
        #expect(offered("SELECT 'sel") == [])
        #expect(offered("SELECT 'it''s', sel") == ["select"])
        #expect(offered("SELECT device.lo") == [])
    }

    @Test func aStatementOverSeveralLinesCompletesFromItsEarlierLines() {
        let completer = Completer(earlierLines: ["SELECT userId", "FROM tx"]) { source }
        #expect(completer.candidates(for: LineBuffer("WHERE amo")) == ["amount"])
        #expect(Completer(earlierLines: ["SELECT userId", "FROM transactions"]) { source }.candidates(for: LineBuffer("WHERE amo")) == [])
    }

    /// The line after typing `text` with completion from `source`, and the last outcome.
    func typed(_ text: String) -> (LineBuffer, EditState.Outcome?) {
        var state = EditState(prompt: "spate> ", history: [], completer: Completer { source })
        var bytes = ScriptedBytes(text)
        var last: EditState.Outcome?
        while let key = KeyDecoder.next(from: &bytes) { last = state.apply(key) }
        return (state.line, last)
    }

    @Test func oneCandidateCompletesInPlaceAndSeveralTheirPrefixThenASecondTabListsThem() {
        var tab = ScriptedBytes("\t")
        #expect(KeyDecoder.next(from: &tab) == .tab)
        let (single, _) = typed("SELECT * FROM tx WHERE amo\t")
        #expect(single.text == "SELECT * FROM tx WHERE amount ")
        // FROM is also the start of FROM_UNIXTIME: the common prefix, no blank.
        #expect(typed("SELECT 1 fr\t").0.text == "SELECT 1 from")
        // In the middle of a line: no blank is added.
        let (middle, _) = typed("SELECT amo FROM tx\u{1B}b\u{1B}b\u{1B}b\u{1B}f\t")
        #expect(middle.text == "SELECT amount FROM tx")
        #expect(middle.cursor == "SELECT amount".count)
        let (prefix, prefixOutcome) = typed("SELECT STDD\t")
        #expect(prefix.text == "SELECT STDDEV")
        #expect(prefixOutcome == .continueEditing)
        #expect(typed("SELECT STDD\t\t").1 == .listCandidates(["STDDEV", "STDDEV_POP"]))
        // Nothing to add: the first Tab rings, the second lists, another key starts over.
        #expect(typed("SELECT SU\t").1 == .ring)
        #expect(typed("SELECT SU\t\t").1 == .listCandidates(["SUBSTR", "SUM"]))
        #expect(typed("SELECT SU\tx\t").1 == .ring)
        #expect(typed("SELECT qqq\t").1 == .ring)
        #expect(typed("SELECT qqq\t").0.text == "SELECT qqq")
        // Without a completer (no database, a test) Tab only rings.
        var bare = EditState(prompt: "> ", history: [])
        #expect(bare.apply(.tab) == .ring)
    }

    @Test func candidatesAreListedDownThenAcrossToFitTheWidth() {
        #expect(Completion.columns(["a", "bb", "ccc"], width: 10) == "a    ccc\nbb")
        #expect(Completion.columns(["a", "bb", "ccc"], width: 80) == "a    bb   ccc")
        let many = (1...250).map { "c\($0)" }
        #expect(Completion.columns(many, width: 80).hasSuffix("\n… and 50 more"))
        #expect(Completion.commonPrefix(["userId", "USER_minutes"]) == "user")
        #expect(Completion.commonPrefix(["abc"]) == "abc")
    }

    // MARK: the names the facade gives

    @Test func theDatabaseNamesItsObjectsAndTheColumnsOfDeclaredAndSchemalessStreams() throws {
        let f = try SQLFixture()
        try f.run("""
            CREATE STREAM logins (userId STRING, country STRING, failures BIGINT);
            CREATE CHANNEL audit TYPE FILE WITH (path = '\(f.directory.path)/alerts.jsonl');
            CREATE JOB login_watch WITH (alerts = true, notify = 'audit') AS
              SELECT userId, failures FROM logins WHERE failures > 5;
            """)
        _ = try f.database.createStream("tx")
        try f.append("tx", [#"{"userId":"a","amount":1}"#, "not json", #"{"amount":2,"merchant\u0049d":"m1","userId":"b"}"#])
        let names = try f.database.catalogNames()
        #expect(names.streams == ["logins", "tx"])
        #expect(names.jobs == ["login_watch"])
        #expect(names.channels == ["audit"])
        #expect(names.alarms == [])
        #expect(names.tables.contains("alerts"))
        #expect(try f.database.columnNames(of: "logins") == ["userId", "country", "failures"])
        #expect(try f.database.columnNames(of: "TX") == ["userId", "amount", "merchantId"])
        #expect(try f.database.columnNames(of: "alerts").contains("row_json"))
        #expect(try f.database.columnNames(of: "nope") == [])
    }
}

extension CompletionTests {
    @Test(.enabled(if: PseudoTerminal.isAvailable))
    func tabCompletesNamesAndColumnsOnTheTerminalAndASecondTabListsTheCandidates() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        let put = try Spate.run(["put", "tx", "--key", "userId", "--data", data],
                                input: #"{"userId":"a","amount":5}"# + "\n" + #"{"userId":"b","amount":7}"# + "\n")
        #expect(put.status == 0)
        let session = try PseudoTerminal.run(["--data", data], history: "", steps: [
            .expect("spate> "), .send("sel\t"), .expect("spate> select "),
            .send("COUNT(*) AS n FROM t\t"), .expect("FROM tx "),
            .send("UNTIL NOW WHERE amo\t"), .expect("WHERE amount "),
            .send("> 6;\r"), .expect("(1 row"),
            .expect("spate> "), .send("SELECT SU\t\t"), .expect("SUBSTR"), .expect("SUM"), .expect("spate> SELECT SU"),
            // "^C" first: the line's redraw before it shows "spate> " too, while the
            // terminal is not yet raw for the next line, which then gets no Ctrl-D.
            .send("\u{03}"), .expect("^C"), .expect("spate> "), .send("\u{04}"),
        ])
        #expect(session.error == nil, "\(session.transcript)")
        #expect(session.status == 0)
        // The query ran as completed: one of the two amounts is over 6.
        #expect(session.transcript.contains(" n\r\n---\r\n 1\r\n"), "\(session.transcript)")
    }
}
