// `spate cat STREAM`: print records as JSON lines, from a position, optionally
// following the stream as other processes append.

import ArgumentParser
import Spate
import SpateLog
import SpateRuntime

#if canImport(Glibc)
import Glibc
#endif

struct CatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat",
        abstract: "Print a stream's records as JSON lines.",
        discussion: """
            Shards are merged in arrival order. --from: earliest (default), latest, seq:N (per shard:
            the record with sequence N, or the next), time:<ISO 8601 or epoch ms> (first record that
            arrived then or later). --meta wraps each record with its shard, sequence number,
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
            output.append(",\"data_base64\":\"\(Base64.encode(record.payload))\"")
        }
        output.append("}")
    }

    /// Writes bytes as a JSON string literal.
    static func appendJSONString(_ bytes: UnsafeRawBufferPointer, to output: OutputBuffer) {
        output.append(JSONText.string(String(decoding: bytes, as: UTF8.self)))
    }
}

/// Standard base64, for payloads that are not JSON.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: UnsafeRawBufferPointer) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int((n >> UInt32(shift)) & 63)]) }
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            let n = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
            out.append(alphabet[Int((n >> 18) & 63)])
            out.append(alphabet[Int((n >> 12) & 63)])
            out.append(rest == 2 ? alphabet[Int((n >> 6) & 63)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }
}
