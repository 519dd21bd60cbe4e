// JSONPathSetTests.swift — compiling paths, and locating them in records.

import Testing
import SpateJSON

@Suite struct JSONPathSetTests {
    @Test func limitsAndMalformedPathsAreTypedErrors() {
        let tooMany = (0 ... 64).map { "f\($0)" }
        #expect(throws: JSONPathSetError.tooManyPaths(count: 65, limit: 64)) { try JSONPathSet(tooMany) }
        #expect(throws: Never.self) { try JSONPathSet(Array(tooMany.prefix(64))) }
        #expect(throws: JSONPathSetError.emptyPath(index: 1)) { try JSONPathSet(["a", ""]) }
        for path in ["a..b", ".a", "a.", "."] {
            #expect(throws: JSONPathSetError.emptySegment(path: path)) { try JSONPathSet([path]) }
        }
        let deep = (1 ... 17).map { "k\($0)" }.joined(separator: ".")
        #expect(throws: JSONPathSetError.pathTooDeep(path: deep, limit: 16)) { try JSONPathSet([deep]) }
        #expect(throws: Never.self) { try JSONPathSet([(1 ... 16).map { "k\($0)" }.joined(separator: ".")]) }
        let long = String(repeating: "x", count: 1025)
        #expect(throws: JSONPathSetError.pathTooLong(path: long, limit: 1024)) { try JSONPathSet([long]) }
        #expect(throws: JSONPathSetError.duplicatePath(path: "a.b")) { try JSONPathSet(["a.b", "c", "a.b"]) }
        #expect(JSONPathSetError.tooManyPaths(count: 65, limit: 64).description
                == "too many JSON field paths: 65 (at most 64)")
    }

    @Test func findsTopLevelFieldsOfATransaction() throws {
        let record = "{\"userId\":\"user274\",\"amount\":338.72,\"timestamp\":1732400000004,"
            + "\"transactionId\":\"txn_0\",\"merchantId\":\"merchant_2\"}"
        #expect(try scanFields(record, ["userId", "amount", "timestamp", "merchantId"]) == .success([
            field(.string, "user274"), field(.number, "338.72"),
            field(.number, "1732400000004"), field(.string, "merchant_2"),
        ]))
    }

    @Test func findsNestedPathsOfEveryKind() throws {
        let record = """
            { "user" : {"id":"u1", "geo":{"lat":1.5,"lon":-2e3}, "tags":["a",{"x":1}]},
              "n":null, "ok":true, "bad":false, "empty":{}, "text":"a\\"b" }
            """
        let paths = ["user.id", "user.geo.lat", "user.geo.lon", "user.geo", "user.tags", "n", "ok", "bad",
                     "empty", "text", "absent", "user.absent", "user.tags.x", "ok.x", "user.geo.lat.deeper"]
        #expect(try scanFields(record, paths) == .success([
            field(.string, "u1"), field(.number, "1.5"), field(.number, "-2e3"),
            field(.object, "{\"lat\":1.5,\"lon\":-2e3}"), field(.array, "[\"a\",{\"x\":1}]"),
            field(.null, "null"), field(.true, "true"), field(.false, "false"), field(.object, "{}"),
            field(.string, "a\\\"b"),
            field(.missing), field(.missing), field(.missing), field(.missing), field(.missing),
        ]))
    }

    @Test func aNestedPathDoesNotMatchTheSameNameElsewhere() throws {
        let record = "{\"x\":{\"userId\":\"inner\",\"y\":{\"userId\":\"deep\"}},\"userId\":\"outer\"}"
        #expect(try scanFields(record, ["userId", "x.userId", "x.y.userId", "y.userId"]) == .success([
            field(.string, "outer"), field(.string, "inner"), field(.string, "deep"), field(.missing),
        ]))
    }

    @Test func theLastOccurrenceOfADuplicateKeyWins() throws {
        #expect(try scanFields("{\"a\":1,\"b\":0,\"a\":\"two\"}", ["a"]) == .success([field(.string, "two")]))
        // Below a repeated key, what the earlier occurrence found is forgotten.
        #expect(try scanFields("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", ["a.b", "a.c"])
                == .success([field(.missing), field(.number, "2")]))
        #expect(try scanFields("{\"a\":{\"b\":1},\"a\":5}", ["a", "a.b"])
                == .success([field(.number, "5"), field(.missing)]))
        #expect(try scanFields("{\"a\":{\"b\":1,\"b\":[2]}}", ["a.b"]) == .success([field(.array, "[2]")]))
    }

    @Test func keysAreComparedAfterUnescaping() throws {
        #expect(try scanFields("{\"us\\u0065rId\":\"u\"}", ["userId"]) == .success([field(.string, "u")]))
        #expect(try scanFields("{\"caf\\u00e9\":1,\"x\\/y\":2}", ["café", "x/y"])
                == .success([field(.number, "1"), field(.number, "2")]))
        #expect(try scanFields("{\"userid\":1,\"userId \":2,\"user\":3}", ["userId"]) == .success([field(.missing)]))
    }

    @Test func stringValuesReportWhetherTheyNeedUnescaping() throws {
        let scanner = JSONScanner(paths: try JSONPathSet(["plain", "escaped"]))
        var values = JSONFieldValues(for: scanner.paths)
        withBytes("{\"plain\":\"abc\",\"escaped\":\"a\\nb\"}") { bytes in
            #expect(scanner.scan(bytes, into: &values) == nil)
        }
        #expect(values[0].hasEscapes == false)
        #expect(values[1].hasEscapes == true)
        #expect(values[1].count == 4)
    }

    @Test func valuesAreResetForEveryRecord() throws {
        let scanner = JSONScanner(paths: try JSONPathSet(["a", "b.c"]))
        var values = JSONFieldValues(for: scanner.paths)
        withBytes("{\"a\":1,\"b\":{\"c\":true}}") { #expect(scanner.scan($0, into: &values) == nil) }
        #expect(values[0].kind == .number)
        #expect(values[1].kind == .true)
        withBytes("{\"z\":1}") { #expect(scanner.scan($0, into: &values) == nil) }
        #expect(values[0] == .missing)
        #expect(values[1] == .missing)
    }

    @Test func anInvalidRecordIsReportedEvenAfterTheFieldsWereFound() throws {
        #expect(try scanFields("{\"a\":1,\"b\":[1,2}", ["a"]) == .failure(syntaxError(15, .expectedCommaOrArrayEnd)))
        #expect(try scanFields("{\"a\":\"x\"", ["a"]) == .failure(syntaxError(8, .unexpectedEndOfInput)))
        #expect(try scanFields("{\"a\":01}", ["a"]) == .failure(syntaxError(5, .leadingZero)))
    }

    @Test func arraysAreNotIndexed() throws {
        #expect(try scanFields("{\"arr\":[{\"a\":1}]}", ["arr.a", "arr"])
                == .success([field(.missing), field(.array, "[{\"a\":1}]")]))
    }

    @Test func nestingLimitAppliesWhileMatchingPaths() throws {
        let scanner = JSONScanner(paths: try JSONPathSet(["a.a.a"]), depthMax: 2)
        var values = JSONFieldValues(for: scanner.paths)
        withBytes("{\"a\":{\"a\":{\"a\":1}}}") { bytes in
            #expect(scanner.scan(bytes, into: &values) == syntaxError(10, .nestingTooDeep(limit: 2)))
        }
    }
}
