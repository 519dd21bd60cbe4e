// Strict JSON means strict (issue 14): a record with bytes that are not UTF-8,
// or with a lone UTF-16 surrogate escape (\ud800 without its pair), is rejected
// by `spate put` with its line number — with --key and without, on a stream
// with a declared key and on one without — and a query over records that hold
// one (stored by an older version, or through the Kinesis endpoint, which keeps
// payloads opaque as Kinesis does) counts them as bad.

import Foundation
import Spate
import SpateLog
import Testing

@Suite struct StrictJSONTests {
    static let good = Array(#"{"userId":"u1","amount":1}"#.utf8)
    static let invalidUTF8 = Array(#"{"userId":"u"#.utf8) + [0xC3, 0x28] + Array(#"","amount":2}"#.utf8)
    static let overlong = Array(#"{"userId":"u2","note":""#.utf8) + [0xC0, 0xAF] + Array(#"","amount":3}"#.utf8)
    static let loneSurrogate = Array(#"{"userId":"u3\ud800","amount":4}"#.utf8)
    static let loneInOtherField = Array(#"{"userId":"u4","note":"\udc00x","amount":5}"#.utf8)
    static let pair = Array(#"{"userId":"u5\ud83d\ude00","amount":6}"#.utf8)

    static var input: Data {
        Data([good, invalidUTF8, overlong, loneSurrogate, loneInOtherField, pair].map { $0 + [0x0A] }.joined())
    }

    @Test(arguments: [["put", "tx"], ["put", "tx", "--key", "userId"], ["put", "keyed"]])
    func putRejectsInvalidUTF8AndLoneSurrogates(_ command: [String]) throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        try Spate.run(["--data", data, "-c", "CREATE STREAM keyed (userId STRING, amount DOUBLE) WITH (key = 'userId');"])
        let file = dir.path + "/in.jsonl"
        try Self.input.write(to: URL(fileURLWithPath: file))
        let put = try Spate.run(command + ["--data", data], inputFile: file)
        #expect(put.status == 1)
        #expect(put.stdout.contains("appended 2 records"), "\(put.stdout)")
        #expect(put.stdout.contains("rejected 4"))
        #expect(put.stderr.contains("line 2") && put.stderr.contains("invalid UTF-8 in string"), "\(put.stderr)")
        #expect(put.stderr.contains("line 3"))
        #expect(put.stderr.contains("line 4") && put.stderr.contains("unpaired UTF-16 surrogate"))
        #expect(put.stderr.contains("line 5"))
        let cat = try Spate.run(["cat", command[1], "--data", data])
        #expect(cat.lines.count == 2)
    }

    @Test func aQueryCountsStoredInvalidTextAsBad() throws {
        let f = try SQLFixture()
        try f.run("CREATE STREAM tx (userId STRING, amount DOUBLE);")
        var batch = AppendBatch()
        for record in [Self.good, Self.invalidUTF8, Self.overlong, Self.loneSurrogate, Self.loneInOtherField, Self.pair] {
            try batch.append(key: "", payload: record)
        }
        _ = try f.database.stream("tx").append(batch)
        for sql in ["SELECT userId, amount FROM tx SINCE EARLIEST UNTIL NOW;", "SELECT amount FROM tx SINCE EARLIEST UNTIL NOW;"] {
            let sink = try f.run(sql)
            let summary = try #require(sink.summaries.last)
            #expect(summary.recordsRead == 6)
            #expect(summary.badRecords == 4, "\(sql)")
            // Bad records surface as NULLs (the default); only the two good ones have values.
            #expect(sink.rows.filter { $0.last != .null }.count == 2, "\(sink.rows)")
        }
    }
}
