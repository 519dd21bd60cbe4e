// kill -9 at random moments: writer processes (spate-torture) append to one
// stream, two at a time on the same shards, and are killed mid-flight, many
// times over. Afterwards every record a writer saw acknowledged must read back
// intact, each writer's records must be whole and in the order written, and
// nothing corrupt may be returned. SPATE_CRASH_ROUNDS raises the round count
// for a soak run (Tests/soak-crash.sh).

import Foundation
@testable import SpateLog
import Testing

@Suite struct CrashTests {
    /// The directory of the built products (spate-torture sits beside the tests).
    static var productsDirectory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    struct Writer {
        let id: Int
        let process: Process
        let output: Pipe
    }

    func startWriter(_ id: Int, dataDirectory: String, durability: Durability) throws -> Writer {
        let process = Process()
        process.executableURL = Self.productsDirectory.appendingPathComponent("spate-torture")
        process.arguments = ["append", dataDirectory, "tx", "\(id)", durability.rawValue, "2", "0"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        return Writer(id: id, process: process, output: output)
    }

    /// Kills the writer and returns the last record number it saw acknowledged.
    func kill(_ writer: Writer) -> Int? {
        Foundation.kill(writer.process.processIdentifier, SIGKILL)
        writer.process.waitUntilExit()
        let text = String(decoding: writer.output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return text.split(separator: "\n").last(where: { $0.hasPrefix("ACK ") && $0.split(separator: " ").count == 3 })
            .flatMap { Int($0.split(separator: " ")[2]) }
    }

    @Test func acknowledgedRecordsSurviveKillNine() throws {
        let rounds = ProcessInfo.processInfo.environment["SPATE_CRASH_ROUNDS"].flatMap(Int.init) ?? 24
        let dir = TemporaryDirectory()
        var acknowledged: [Int: Int] = [:]  // writer → last acknowledged n (-1: none)
        let modes: [Durability] = [.batch, .always, .none]
        for round in 0..<rounds {
            let durability = modes[round % modes.count]
            let a = try startWriter(round * 2, dataDirectory: dir.path, durability: durability)
            usleep(useconds_t(Int.random(in: 5_000...60_000)))
            let b = try startWriter(round * 2 + 1, dataDirectory: dir.path, durability: durability)
            usleep(useconds_t(Int.random(in: 20_000...250_000)))
            acknowledged[a.id] = kill(a) ?? -1
            usleep(useconds_t(Int.random(in: 0...50_000)))
            acknowledged[b.id] = kill(b) ?? -1
        }
        #expect(acknowledged.values.filter { $0 >= 0 }.count > rounds, "writers got acknowledgements before being killed")

        let store = try LogStore.open(dir.path)
        let stream = try store.stream("tx")
        var found: [Int: [Int]] = [:]
        for shard in 0..<2 {
            let records = try readAll(stream, shard: shard)
            #expect(records.map(\.sequence) == Array(0..<UInt64(records.count)), "shard \(shard) sequences")
            for record in records {
                let (writer, n) = try #require(Self.check(record), "record \(record.sequence) of shard \(shard) is intact")
                found[writer, default: []].append(n)
            }
        }
        for (writer, lastAcknowledged) in acknowledged {
            let numbers = found[writer] ?? []
            // Nothing twice; every acknowledged record present; beyond that only
            // part of the one batch in flight when the kill came (a batch spans
            // shards, so a kill can leave some of it in one shard and not the other).
            #expect(Set(numbers).count == numbers.count, "writer \(writer) has duplicates")
            let present = Set(numbers)
            let missing = (0...max(lastAcknowledged, 0)).filter { !present.contains($0) }
            #expect(lastAcknowledged < 0 || missing.isEmpty, "writer \(writer) lost acknowledged records \(missing.prefix(10))")
            #expect(numbers.allSatisfy { $0 <= lastAcknowledged + 40 }, "writer \(writer) has records from beyond its last batch")
        }
    }

    /// Checks a record written by spate-torture; returns (writer, n) when intact.
    static func check(_ record: LogRecord) -> (Int, Int)? {
        let parts = record.payload.split(separator: UInt8(ascii: ":"), maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let writer = Int(String(decoding: parts[0], as: UTF8.self)),
              let n = Int(String(decoding: parts[1], as: UTF8.self)) else { return nil }
        let filler = Array(parts[2])
        guard filler.count == (n * 7919) % 300, filler.allSatisfy({ $0 == UInt8(97 + n % 26) }),
              record.partitionKeyString == "w\(writer)-k\(n % 7)" else { return nil }
        return (writer, n)
    }
}
