// `spate stream list|describe|create|alter|delete|check`: managing streams.

import ArgumentParser
import Spate
import SpateLog

struct StreamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "List, describe, create, alter, delete and check streams.",
        subcommands: [List.self, Describe.self, Create.self, Alter.self, Delete.self, Check.self]
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
        static let configuration = CommandConfiguration(
            abstract: "Show a stream's settings, sizes, sequence numbers and times.",
            discussion: "With an archive, both tiers: the hot log and the segments retention moved to the archive.")
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
                archive      \(settings.archiveDirectory ?? "none (retention deletes)")
                durability   \(settings.durability.rawValue)
                segments     roll at \(Terminal.bytes(settings.segmentBytesMax)) or \(HumanDuration.format(ms: settings.segmentAgeMaxMs))
                created      \(UTCTimestamp.format(description.createdMs))
                records      \(Terminal.grouped(Int(description.recordCount)))\(settings.archiveDirectory == nil ? "" : " (hot)")
                bytes        \(Terminal.bytes(description.bytes))\(settings.archiveDirectory == nil ? "" : " (hot)")
                """)
            if settings.archiveDirectory != nil {
                print("archived     \(Terminal.grouped(Int(description.archivedRecordCount))) records, "
                    + "\(Terminal.bytes(description.archivedBytes)) in \(description.archivedSegmentCount) segment(s)")
            }
            print("")
            var rows = [["shard", "records", "bytes", "segments", "sequences", "earliest arrival", "latest arrival"]]
            for shard in description.shards {
                rows.append([
                    shard.name, Terminal.grouped(Int(shard.recordCount)), Terminal.bytes(shard.bytes), "\(shard.segmentCount)",
                    shard.recordCount == 0 ? "next \(shard.nextSequence)" : "\(shard.earliestSequence)…\(shard.nextSequence - 1)",
                    shard.earliestArrivalMs.map(UTCTimestamp.format) ?? "-", shard.latestArrivalMs.map(UTCTimestamp.format) ?? "-",
                ])
            }
            print(Table.render(rows, numericColumns: [1, 2, 3]))
            if settings.archiveDirectory != nil { print("\n" + Self.archiveTable(description)) }
        }

        /// Per shard, the hot tier and the archive side by side.
        static func archiveTable(_ description: StreamDescription) -> String {
            var rows = [["shard", "tier", "records", "bytes", "segments", "sequences", "earliest arrival"]]
            for shard in description.shards {
                rows.append([shard.name, "hot", Terminal.grouped(Int(shard.recordCount)), Terminal.bytes(shard.bytes), "\(shard.segmentCount)",
                             shard.recordCount == 0 ? "next \(shard.nextSequence)" : "\(shard.earliestSequence)…\(shard.nextSequence - 1)",
                             shard.earliestArrivalMs.map(UTCTimestamp.format) ?? "-"])
                guard let archived = shard.archived else { continue }
                rows.append(["", "archive", Terminal.grouped(Int(archived.recordCount)), Terminal.bytes(archived.bytes), "\(archived.segmentCount)",
                             archived.earliestSequence.map { archived.recordCount == 0 ? "-" : "\($0)…\($0 + archived.recordCount - 1)" } ?? "-",
                             archived.earliestArrivalMs.map(UTCTimestamp.format) ?? "-"])
            }
            var text = Table.render(rows, numericColumns: [2, 3, 4])
            if let problem = description.archiveProblem { text += "\narchive problem: \(problem)" }
            return text
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
        static let configuration = CommandConfiguration(abstract: "Change a stream's retention, archive, durability or segment settings.")
        @Argument(help: "The stream.") var stream: String
        @OptionGroup var settings: StreamSettingsOptions
        @OptionGroup var global: GlobalOptions

        func run() throws {
            guard settings.anyGiven else { throw SpateError.invalidArgument("nothing to change: give --retention, --durability, …") }
            if settings.shards != nil { throw SpateError.invalidArgument("the shard count of an existing stream cannot change") }
            let updated = try global.open().alterStream(stream) { (current) throws(SpateError) in try settings.apply(to: &current) }
            print("altered stream \(stream): retention \(retentionText(updated)), durability \(updated.durability.rawValue)")
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate every segment and index of a stream; --repair cuts a damaged shard.",
            discussion: """
                Reads every record of every shard (length, CRC, sequence), compares each sealed segment \
                with its index and checks that segments follow one another. Prints, per shard, the \
                segments, records, first and last sequence and every problem; exit status 1 when there \
                is one. --repair cuts each damaged shard at its first bad record, deleting every record \
                from there on (the count is printed first, and confirmed unless --yes), and rewrites \
                damaged indexes. Nothing is changed without --repair.
                """
        )
        @Argument(help: "The stream.") var stream: String
        @Flag(help: "Cut each damaged shard at its first bad record (asks first).") var repair = false
        @Flag(help: "With --repair: do not ask.") var yes = false
        @OptionGroup var global: GlobalOptions

        func run() throws {
            if yes && !repair { throw SpateError.invalidArgument("--yes only goes with --repair") }
            let database = try global.open()
            let reports = try database.checkStream(stream)
            var rows = [["shard", "segments", "records", "first", "last", "problems"]]
            for report in reports {
                rows.append([report.name, "\(report.segmentCount)", Terminal.grouped(Int(report.recordCount)),
                             report.firstSequence.map { "\($0)" } ?? "-", report.lastSequence.map { "\($0)" } ?? "-",
                             report.problems.isEmpty ? "none" : "\(report.problems.count)"])
            }
            print(Table.render(rows, numericColumns: [1, 2, 3, 4]))
            for report in reports {
                for problem in report.problems { print("\(report.name): \(problem)") }
            }
            let damaged = reports.filter { !$0.isSound }
            guard !damaged.isEmpty else {
                print("stream \(stream) is sound")
                return
            }
            guard repair else {
                Terminal.error("spate: stream \(stream) has \(damaged.reduce(0) { $0 + $1.problems.count }) problem(s); "
                    + "`spate stream check \(stream) --repair` cuts each damaged shard at its first bad record")
                throw ExitCode(1)
            }
            for report in damaged {
                if let cut = report.cutPoint {
                    print("\(report.name): repair cuts at sequence \(cut.sequence) (segment \(cut.segment), byte \(cut.position)), "
                        + "discarding \(Terminal.grouped(Int(report.recordsDiscardedByRepair))) valid record(s) from there on")
                } else {
                    print("\(report.name): repair rewrites \(report.indexesToRewrite.count) index(es); no record is discarded")
                }
            }
            if !yes {
                Terminal.error("repair \(stream)? [y/N] ", newline: false)
                guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                    Terminal.error("spate: nothing changed")
                    throw ExitCode(1)
                }
            }
            for report in damaged {
                try database.repairStream(stream, shard: report.index)
            }
            let after = try database.checkStream(stream)
            let left = after.reduce(0) { $0 + $1.problems.count }
            if left > 0 {
                Terminal.fail("repaired, but \(left) problem(s) remain; run `spate stream check \(stream)` again")
            }
            print("repaired stream \(stream): " + after.map { "\($0.name) \(Terminal.grouped(Int($0.recordCount))) records" }.joined(separator: ", "))
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
    if let age = settings.retentionAgeMs { parts.append(HumanDuration.format(ms: age)) }
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
