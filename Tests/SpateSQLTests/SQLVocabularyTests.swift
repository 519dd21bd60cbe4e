// SQLVocabulary: the words completion offers are the dialect's: every function
// name is one the analyzer binds, every reserved word is a keyword, and the
// words a statement is built from parse.

@testable import SpateSQL
import Testing

@Suite struct SQLVocabularyTests {
    @Test func everyFunctionNameIsOneTheAnalyzerKnows() {
        for name in SQLVocabulary.functionNames {
            let known = ScalarFunction.named(name) != nil || AggregateFunction.named(name) != nil || DetectorFunction.named(name) != nil
            #expect(known, "\(name)")
        }
        for name in ["ZSCORE", "RCF", "COUNT", "APPROX_PERCENTILE", "DATE_TRUNC", "ROUND"] {
            #expect(SQLVocabulary.functionNames.contains(name), "\(name)")
        }
        #expect(!SQLVocabulary.functionNames.contains { $0.contains("(") })
    }

    @Test func keywordsHoldTheReservedWordsAndTheContextualOnesUpperCaseSortedOnce() {
        #expect(Keywords.reserved.isSubset(of: Set(SQLVocabulary.keywords)))
        for word in ["TUMBLING", "HOPPING", "SESSION", "EARLIEST", "STREAM", "JOB", "NOTIFY", "MINUTE", "TIMESTAMP"] {
            #expect(SQLVocabulary.keywords.contains(word), "\(word)")
        }
        for list in [SQLVocabulary.keywords, SQLVocabulary.functionNames, SQLVocabulary.pseudoColumns] {
            #expect(list == Array(Set(list)).sorted())
            #expect(list.allSatisfy { $0 == $0.uppercased() })
        }
    }

    @Test func statementsSpelledWithTheContextualKeywordsParse() throws {
        // Each contextual keyword is one the parser accepts where it belongs.
        let script = """
            CREATE STREAM IF NOT EXISTS s (a STRING, b DOUBLE, c BIGINT, d BOOLEAN, t TIMESTAMP, i INT, j INTEGER);
            SELECT a FROM s SINCE EARLIEST UNTIL NOW WINDOW TUMBLING (SIZE 1 MINUTE, GRACE 10 SECONDS) GROUP BY a EMIT FINAL;
            SELECT a FROM s SINCE LATEST WINDOW HOPPING (SIZE 2 HOURS, ADVANCE BY 1 HOUR) GROUP BY a EMIT CHANGES;
            SELECT a FROM s WINDOW SESSION (GAP 1 DAY) GROUP BY a;
            CREATE CHANNEL c1 TYPE WEBHOOK WITH (url = 'http://127.0.0.1:1/');
            CREATE CHANNEL c2 TYPE EXEC WITH (command = '/bin/true');
            CREATE CHANNEL c3 TYPE FILE WITH (path = '/tmp/x');
            CREATE CHANNEL c4 TYPE STDOUT;
            CREATE ALARM al ON METRIC job.lag_ms STATISTIC MAX PERIOD 5 MINUTES WHEN > 1 FOR 1 OF 2 PERIODS MISSING AS NOT_BREACHING NOTIFY c1;
            CREATE ALARM am ON METRIC job.lag_ms STATISTIC MAX PERIOD 1 MINUTE WHEN > 1 FOR 1 OF 1 PERIODS MISSING AS BREACHING;
            CREATE ALARM an ON METRIC job.lag_ms STATISTIC MAX PERIOD 1 MINUTE WHEN > 1 FOR 1 OF 1 PERIODS MISSING AS IGNORE;
            SHOW STREAMS; SHOW JOBS; SHOW CHANNELS; SHOW ALARMS; SHOW METRICS;
            DROP JOB IF EXISTS j; DROP CHANNEL IF EXISTS c; DROP ALARM IF EXISTS al; ACK ALERT 1;
            COPY (SELECT a FROM s SINCE EARLIEST UNTIL NOW) TO 'x.csv' FORMAT CSV;
            COPY (SELECT a FROM s SINCE EARLIEST UNTIL NOW) TO 'x' FORMAT JSONL;
            COPY (SELECT a FROM s SINCE EARLIEST UNTIL NOW) TO 'x' FORMAT PARQUET;
            """
        let parsed = try Parser.parseScript(script)
        #expect(parsed.count == 23)
        #expect(parsed.suffix(3).map(\.description) == [
            "COPY (SELECT a FROM s SINCE EARLIEST UNTIL NOW) TO 'x.csv' FORMAT CSV",
            "COPY (SELECT a FROM s SINCE EARLIEST UNTIL NOW) TO 'x' FORMAT JSONL",
            "COPY (SELECT a FROM s SINCE EARLIEST UNTIL NOW) TO 'x' FORMAT PARQUET",
        ])
        let used = Set(script.split { !$0.isLetter && $0 != "_" }.map { $0.uppercased() })
        for word in SQLVocabulary.contextualKeywords where !["MILLISECONDS", "SECOND", "DAYS", "WEEK", "WEEKS"].contains(word) {
            #expect(used.contains(word) || Keywords.statementStarts.contains(word), "\(word) is exercised by a statement above")
        }
    }
}
