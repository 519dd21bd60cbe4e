// `spate cat STREAM`: print records as JSON lines, from a position, optionally
// following the stream as other processes append.

import ArgumentParser
import Spate
import SpateLog
import SpateJSON

#if canImport(Glibc)
import Glibc
#endif

struct CatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat",
        abstract: "Print a stream's records as JSON lines.",
        discussion: """
            Shards are merged in arrival order. --from: earliest (default), latest, seq:N (per shard: \
            the record with sequence N, or the next), time:<ISO 8601 or epoch ms> (first record that \
            arrived then or later). --meta wraps each record with its shard, sequence number, \
            arrival time and partition key: {"shard":…,"sequence":"…","arrival":"…","key":…,"data":…}.
            """
    )

    @Argument(help: "The stream to read.")
    var stream: String

    @Option(help: "earliest | latest | seq:N | time:T")
    var from = "earliest"

    @Option(help: "Read only this shard (0-based).")
    var shard: Int?

    @Option(help: "Stop after this many records.")
    var limit: Int?

    @Flag(help: "Keep printing records as they are appended (Ctrl-C stops).")
    var follow = false

    @Flag(help: "Add shard, sequence number, arrival time and partition key.")
    var meta = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let position = try Self.parsePosition(from)
        if let limit, limit < 0 { throw SpateError.invalidArgument("--limit must not be negative") }
        let database = try global.open()
        let cursor = try database.cursor(stream: stream, shards: shard.map { [$0] }, from: position)
        let output = OutputBuffer()
        var remaining = limit ?? .max
        while remaining > 0 {
            let n = try cursor.forEach(limit: remaining) { shard, record in
                if meta { Self.appendMeta(shard: shard, record: record, to: output) } else { output.append(record.payload) }
                output.append(byte: 0x0A)
                return true
            }
            remaining -= n
            output.flush()
            if n == 0 {
                guard follow else { break }
                usleep(100_000)
            }
        }
        for (shard, problem) in cursor.tailProblems {
            Terminal.error("spate: note: \(stream) shard \(shard): \(problem)")
        }
        if cursor.recordsSkippedByRetention > 0 {
            Terminal.error("spate: \(Terminal.grouped(Int(cursor.recordsSkippedByRetention))) records were deleted by retention while reading")
        }
    }

    static func parsePosition(_ text: String) throws(SpateError) -> ReadPosition {
        switch text {
        case "earliest", "trim_horizon": return .earliest
        case "latest": return .latest
        default: break
        }
        if text.hasPrefix("seq:"), let sequence = UInt64(text.dropFirst(4)) { return .atSequence(sequence) }
        if text.hasPrefix("time:"), let ms = UTCTimestamp.parse(String(text.dropFirst(5))) { return .atTime(ms) }
        throw .invalidArgument("--from '\(text)' is not earliest, latest, seq:N or time:<ISO 8601 time>")
    }

    static func appendMeta(shard: Int, record: RecordView, to output: OutputBuffer) {
        output.append("{\"shard\":\"\(Shard.name(ofIndex: shard))\",\"sequence\":\"\(record.sequence)\",\"arrival\":\"\(UTCTimestamp.format(record.arrivalMs))\",\"key\":")
        appendJSONString(record.partitionKey, to: output)
        if JSONScanner.validate(record.payload) == nil {
            output.append(",\"data\":")
            output.append(record.payload)
        } else {
            output.append(",\"data_base64\":\"\(Base64.encode(Array(record.payload)))\"")
        }
        output.append("}")
    }

    /// Writes bytes as a JSON string literal.
    static func appendJSONString(_ bytes: UnsafeRawBufferPointer, to output: OutputBuffer) {
        var quoted: [UInt8] = []
        JSONStringLiteral.append(bytes, to: &quoted)
        quoted.withUnsafeBytes { output.append($0) }
    }
}
