// The streams table through its typed API: what goes in comes back out, field
// for field, including names that need JSON escaping.

@testable import SpateCatalog
import Testing

@Suite struct StreamCatalogTests {
    @Test func upsertedStreamReadsBackFieldForField() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        #expect(try catalog.stream(named: "transactions") == nil)
        try catalog.upsertStream(transactionsStream())
        #expect(try catalog.stream(named: "transactions") == transactionsStream())
        #expect(try catalog.streams() == [transactionsStream()])
    }

    @Test func streamWithoutSchemaOrDefinition() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        let bare = StreamRecord(name: "raw", createdMs: 5)
        try catalog.upsertStream(bare)
        #expect(try catalog.stream(named: "raw") == bare)
        let row = try catalog.query(sql: "SELECT columns, key_column, definition, format FROM streams")
        #expect(row.values == [.text("[]"), .null, .null, .text("json")])
    }

    @Test func columnNamesThatNeedEscapingSurvive() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        var stream = transactionsStream("odd")
        stream.columns = [StreamColumn(name: "quote\"back\\slash", type: "STRING"),
                          StreamColumn(name: "tab\tnew\nline\u{1}", type: "DOUBLE"),
                          StreamColumn(name: "ünï €", type: "TIMESTAMP")]
        try catalog.upsertStream(stream)
        #expect(try catalog.stream(named: "odd") == stream)
        let names = try catalog.query(sql: "SELECT json_extract(value, '$.name') FROM streams, json_each(columns) WHERE name = 'odd'")
        #expect(names.values == stream.columns.map { .text($0.name) })
    }

    @Test func upsertReplacesEveryField() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        try catalog.upsertStream(transactionsStream())
        let changed = StreamRecord(name: "transactions", columns: [StreamColumn(name: "x", type: "BIGINT")],
                                   format: "csv", createdMs: 42, definition: nil)
        try catalog.upsertStream(changed)
        #expect(try catalog.stream(named: "transactions") == changed)
        #expect(try catalog.streams().count == 1)
    }

    @Test func streamsAreListedByName() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        for name in ["b", "c", "a"] { try catalog.upsertStream(transactionsStream(name)) }
        #expect(try catalog.streams().map(\.name) == ["a", "b", "c"])
    }

    @Test func deleteSaysWhetherThereWasAStream() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        try catalog.upsertStream(transactionsStream())
        #expect(try catalog.deleteStream(named: "transactions"))
        #expect(try !catalog.deleteStream(named: "transactions"))
        #expect(try catalog.stream(named: "transactions") == nil)
        #expect(try catalog.streams().isEmpty)
    }

    @Test func emptyNamesAreRefused() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        #expect(throws: CatalogError.invalidRecord("a stream name cannot be empty")) {
            try catalog.upsertStream(StreamRecord(name: "", createdMs: 1))
        }
        #expect(throws: CatalogError.self) {
            try catalog.upsertStream(StreamRecord(name: "s", columns: [StreamColumn(name: "", type: "STRING")], createdMs: 1))
        }
        #expect(try catalog.streams().isEmpty)
    }

    @Test func unreadableColumnsAreReportedNotSkipped() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        try catalog.upsertStream(transactionsStream())
        try catalog.withDatabase { database throws(CatalogError) in
            try database.execute(#"UPDATE streams SET columns = '[1, {"name": "a"}]'"#)
        }
        #expect(throws: CatalogError.self) { try catalog.stream(named: "transactions") }
    }
}
