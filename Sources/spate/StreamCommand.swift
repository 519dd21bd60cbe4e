// `spate stream list|describe|create|alter|delete`: managing streams.

import ArgumentParser
import Spate
import SpateLog

struct StreamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "List, describe, create, alter and delete streams.",
        subcommands: [List.self, Describe.self, Create.self, Alter.self, Delete.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List streams with their size.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let database = try global.open()
            var rows = [["stream", "shards", "records", "bytes", "retention", "durability"]]
            for name in try database.streamNames() {
                guard let description = try? database.stream(name).describe() else { continue }
                rows.append([name, "\(description.shards.count)", Terminal.grouped(Int(description.recordCount)),
                             Terminal.bytes(description.bytes), retentionText(description.settings),
                             description.settings.durability.rawValue])
            }
            if rows.count == 1 {
                print("no streams yet (create one with `spate stream create NAME` or `spate put NAME < file.jsonl`)")
            } else {
                print(Table.render(rows, numericColumns: [1, 2, 3]))
            }
        }
    }

    struct Describe: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a stream's settings, sizes, sequence numbers and times.")
        @Argument(help: "The stream.") var stream: String
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let database = try global.open()
            let description = try database.stream(stream).describe()
            let settings = description.settings
            print("""
                stream       \(description.name)
                shards       \(description.shards.count)
                retention    \(retentionText(settings))
                durability   \(settings.durability.rawValue)
                segments     roll at \(Terminal.bytes(settings.segmentBytesMax)) or \(DurationText.format(ms: settings.segmentAgeMaxMs))
                created      \(UTCTimestamp.format(description.createdMs))
                records      \(Terminal.grouped(Int(description.recordCount)))
                bytes        \(Terminal.bytes(description.bytes))

                """)
            var rows = [["shard", "records", "bytes", "segments", "sequences", "earliest arrival", "latest arrival"]]
            for shard in description.shards {
                rows.append([
                    shard.name, Terminal.grouped(Int(shard.recordCount)), Terminal.bytes(shard.bytes), "\(shard.segmentCount)",
                    shard.recordCount == 0 ? "next \(shard.nextSequence)" : "\(shard.earliestSequence)…\(shard.nextSequence - 1)",
                    shard.earliestArrivalMs.map(UTCTimestamp.format) ?? "-", shard.latestArrivalMs.map(UTCTimestamp.format) ?? "-",
                ])
            }
            print(Table.render(rows, numericColumns: [1, 2, 3]))
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a stream.")
        @Argument(help: "The stream name: 1-128 of A-Z a-z 0-9 _ . -") var stream: String
        @OptionGroup var settings: StreamSettingsOptions
        @OptionGroup var global: GlobalOptions

        func run() throws {
            var streamSettings = StreamSettings()
            try settings.apply(to: &streamSettings)
            try global.open().createStream(stream, settings: streamSettings)
            print("created stream \(stream) (\(streamSettings.shardCount) shard\(streamSettings.shardCount == 1 ? "" : "s"), retention \(retentionText(streamSettings)), durability \(streamSettings.durability.rawValue))")
        }
    }

    struct Alter: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a stream's retention, durability or segment settings.")
        @Argument(help: "The stream.") var stream: String
        @OptionGroup var settings: StreamSettingsOptions
        @OptionGroup var global: GlobalOptions

        func run() throws {
            guard settings.anyGiven else { throw SpateError.invalidArgument("nothing to change: give --retention, --durability, …") }
            if settings.shards != nil { throw SpateError.invalidArgument("the shard count of an existing stream cannot change") }
            let database = try global.open()
            var failure: SpateError?
            let updated: StreamSettings
            do throws(LogError) {
                updated = try database.log.alterStream(stream) { current in
                    do throws(SpateError) { try settings.apply(to: &current) } catch { failure = error }
                }
            } catch {
                throw SpateError.log(error)
            }
            if let failure { throw failure }
            print("altered stream \(stream): retention \(retentionText(updated)), durability \(updated.durability.rawValue)")
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a stream and all its records.")
        @Argument(help: "The stream.") var stream: String
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try global.open().deleteStream(stream)
            print("deleted stream \(stream)")
        }
    }
}

func retentionText(_ settings: StreamSettings) -> String {
    var parts: [String] = []
    if let age = settings.retentionAgeMs { parts.append(DurationText.format(ms: age)) }
    if let bytes = settings.retentionBytes { parts.append(Terminal.bytes(Int(bytes))) }
    if let records = settings.retentionRecords { parts.append("\(Terminal.grouped(Int(records))) records") }
    return parts.isEmpty ? "unlimited" : parts.joined(separator: ", ")
}

/// A plain text table: a header row, aligned columns, numbers right-aligned.
enum Table {
    static func render(_ rows: [[String]], numericColumns: Set<Int> = []) -> String {
        guard let header = rows.first else { return "" }
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            let line = row.enumerated().map { i, cell in
                let padding = String(repeating: " ", count: widths[i] - cell.count)
                return numericColumns.contains(i) ? padding + cell : cell + padding
            }.joined(separator: "  ")
            return String(line.reversed().drop(while: { $0 == " " }).reversed())
        }.joined(separator: "\n")
    }
}
