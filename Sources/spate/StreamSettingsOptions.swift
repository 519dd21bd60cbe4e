// The stream settings flags shared by `spate put` (creating a stream on first
// use) and `spate stream create|alter`.

import ArgumentParser
import Spate
import SpateLog

struct StreamSettingsOptions: ParsableArguments {
    @Option(help: "Number of shards (default 1). Fixed once the stream exists.")
    var shards: Int?

    @Option(help: "Keep records this long: 24h, 7d, 90m… or 'unlimited' (default 24h).")
    var retention: String?

    @Option(name: .customLong("retention-bytes"), help: "Keep about this many bytes (default: no limit).")
    var retentionBytes: Int64?

    @Option(name: .customLong("retention-records"), help: "Keep about this many records (default: no limit).")
    var retentionRecords: Int64?

    @Option(help: "Move segments retention removes to this directory instead of deleting them (relative: under the data directory), or 'none'.")
    var archive: String?

    @Option(help: "always | batch | none (default batch: group commit).")
    var durability: String?

    @Option(name: .customLong("segment-bytes"), help: "Roll segments at this size (default 64 MiB).")
    var segmentBytes: Int?

    @Option(name: .customLong("segment-age"), help: "Roll segments at this age: 1h, 10m… (default 1h).")
    var segmentAge: String?

    var anyGiven: Bool {
        shards != nil || retention != nil || retentionBytes != nil || retentionRecords != nil || archive != nil
            || durability != nil || segmentBytes != nil || segmentAge != nil
    }

    /// Applies the flags given to `settings`.
    func apply(to settings: inout StreamSettings) throws(SpateError) {
        if let shards { settings.shardCount = shards }
        if let retention {
            switch StreamSettingText.retentionAgeMs(retention) {
            case let .success(ms): settings.retentionAgeMs = ms
            case let .failure(error): throw .invalidArgument("--retention \(error.message)")
            }
        }
        if let retentionBytes { settings.retentionBytes = retentionBytes }
        if let retentionRecords { settings.retentionRecords = retentionRecords }
        if let archive { settings.archiveDirectory = archive.lowercased() == "none" ? nil : archive }
        if let durability {
            switch StreamSettingText.durability(durability) {
            case let .success(value): settings.durability = value
            case let .failure(error): throw .invalidArgument("--durability \(error.message)")
            }
        }
        if let segmentBytes { settings.segmentBytesMax = segmentBytes }
        if let segmentAge {
            switch StreamSettingText.segmentAgeMs(segmentAge) {
            case let .success(ms): settings.segmentAgeMaxMs = ms
            case let .failure(error): throw .invalidArgument("--segment-age \(error.message)")
            }
        }
        do { try settings.validate() } catch { throw .log(error) }
    }
}
