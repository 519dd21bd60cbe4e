// CREATE CHANNEL, SHOW CHANNELS, DROP CHANNEL and TEST CHANNEL. The catalog
// keeps channels (SpateCatalog); SpateAlerts checks their options and sends;
// the delivery service of `spate run` (or the REPL) drains the outbox.

import SpateAlerts
import SpateCatalog
import SpateSQL

#if canImport(Glibc)
import Glibc
#endif

extension Session {
    func createChannel(_ statement: CreateChannelStatement, source: String, sink: ResultSink) throws(SpateError) {
        let name = statement.name.value
        let existing: ChannelRecord?
        do { existing = try database.catalog.channel(named: name) } catch { throw .catalog(error.description) }
        if existing != nil {
            if statement.ifNotExists { sink.message("channel \(name) already exists"); return }
            throw .sqlMessage("channel '\(name)' already exists (use CREATE CHANNEL IF NOT EXISTS, or DROP CHANNEL \(name) first)",
                              at: statement.name.range, source: source)
        }
        let record: ChannelRecord
        do throws(SQLError) {
            record = try ChannelDefinition.compile(statement, workingDirectory: Self.currentDirectory(), nowMs: database.now())
        } catch {
            throw .sql(error, source: source)
        }
        do { try database.catalog.createChannel(record) } catch { throw .catalog(error.description) }
        sink.message("created channel \(name) (\(record.type.rawValue)\(record.target.map { " \($0)" } ?? ""))")
    }

    func showChannels(sink: ResultSink) throws(SpateError) {
        let channels: [ChannelRecord]
        let counts: [String: DeliveryCounts]
        do {
            channels = try database.catalog.channels()
            counts = try database.catalog.deliveryCounts()
        } catch {
            throw .catalog(error.description)
        }
        sink.begin(columns: [
            ResultColumn(name: "channel", type: .string), ResultColumn(name: "type", type: .string),
            ResultColumn(name: "target", type: .string), ResultColumn(name: "rate_limit", type: .bigint),
            ResultColumn(name: "pending", type: .bigint), ResultColumn(name: "delivered", type: .bigint),
            ResultColumn(name: "failed", type: .bigint), ResultColumn(name: "suppressed", type: .bigint),
            ResultColumn(name: "last_error", type: .string), ResultColumn(name: "format", type: .string),
            ResultColumn(name: "ca_file", type: .string), ResultColumn(name: "headers", type: .string),
        ])
        var summary = QuerySummary()
        for channel in channels {
            let count = counts[channel.name] ?? DeliveryCounts()
            let target = channel.type == .exec ? ([channel.target ?? ""] + [channel.args].compactMap { $0 }).joined(separator: " ") : channel.target
            sink.row([
                .string(channel.name), .string(channel.type.rawValue.uppercased()), target.map(Value.string) ?? .null,
                .bigint(channel.rateLimitPerMinute), .bigint(count.pending), .bigint(count.delivered), .bigint(count.failed),
                .bigint(count.suppressed), count.lastError.map(Value.string) ?? .null,
                channel.type == .webhook ? .string(channel.format.rawValue) : .null, channel.caFile.map(Value.string) ?? .null,
                channel.headers.map { .string(ChannelSecrets.maskedHeaders($0)) } ?? .null,
            ])
            summary.rows += 1
        }
        sink.end(summary)
    }

    func dropChannel(_ statement: DropStatement, source: String, sink: ResultSink) throws(SpateError) {
        let name = statement.name.value
        let deleted: Bool
        do { deleted = try database.catalog.deleteChannel(named: name) } catch { throw .catalog(error.description) }
        if !deleted && !statement.ifExists {
            throw .sqlMessage("channel '\(name)' does not exist", at: statement.name.range, source: source, kind: .unknownName)
        }
        sink.message(deleted ? "dropped channel \(name) (its pending deliveries will fail)" : "channel \(name) does not exist")
    }

    /// Sends a sample alert now, bypassing the outbox, and reports the outcome.
    func testChannel(_ name: Identifier, source: String, sink: ResultSink) throws(SpateError) {
        let channel: ChannelRecord?
        do { channel = try database.catalog.channel(named: name.value) } catch { throw .catalog(error.description) }
        guard let channel else {
            throw .sqlMessage("channel '\(name.value)' does not exist", at: name.range, source: source, kind: .unknownName)
        }
        let sample = AlertPayload.sample(channel: channel.name, nowMs: database.now())
        var start = timespec(), end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        let result = ChannelDelivery.send(sample.alert, idempotencyKey: sample.idempotencyKey, on: channel)
        clock_gettime(CLOCK_MONOTONIC, &end)
        let elapsedMs = (Int64(end.tv_sec) - Int64(start.tv_sec)) * 1000 + (Int64(end.tv_nsec) - Int64(start.tv_nsec)) / 1_000_000
        switch result {
        case .success: sink.message("channel \(channel.name): sample alert delivered in \(elapsedMs) ms")
        case let .failure(error): throw .runtime("channel \(channel.name): sample alert not delivered: \(error)")
        }
    }

    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
