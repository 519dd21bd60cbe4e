// Which partition key a bulk ingest uses. The facade decides, so that every
// route into a stream agrees: a key field given by the caller (`spate put
// --key`) wins; else the stream's declared key column (CREATE STREAM … WITH
// (key = 'userId')) — as INSERT uses — so that one key's records stay in one
// shard, in order; only a stream with no declared key spreads records
// round-robin. A record without the key field is rejected, never round-robined.

import SpateLog

extension Database {
    /// An ingester of JSON lines into `stream` (named `name` in the catalog),
    /// keyed by `options.keyField`, else by the stream's declared key column.
    /// - Throws: `SpateError` when the catalog cannot be read or the key field is not a valid field name.
    public func jsonLinesIngester(into stream: LogStream, named name: String, options: IngestOptions) throws(SpateError) -> JSONLinesIngester {
        var options = options
        if options.keyField == nil, let declared = try streamDefinition(name)?.keyColumn {
            options.keyField = declared
            options.keyFieldIsDeclared = true
        }
        return try JSONLinesIngester(stream: stream, options: options)
    }
}
