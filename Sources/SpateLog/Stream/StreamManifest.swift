// A stream's manifest, `<data>/streams/<name>/stream.manifest`: its settings as
// `key = value` lines. Text so that a user can read it with `cat`; replaced
// atomically (write, fsync, rename, fsync directory) when settings change.
//
//   format = 1
//   shards = 2
//   retention_age_ms = 86400000      (absent: unlimited)
//   retention_bytes = ...            (absent: unlimited)
//   retention_records = ...          (absent: unlimited)
//   archive_directory = /abs/path    (absent: retention deletes; added later,
//                                     so a manifest without it is the same format 1)
//   durability = batch
//   segment_bytes_max = 67108864
//   segment_age_max_ms = 3600000
//   created_ms = 1732400000000

struct StreamManifest: Equatable {
    static let fileName = "stream.manifest"
    static let formatVersion = 1

    var settings: StreamSettings
    var createdMs: Int64

    func encoded() -> [UInt8] {
        var lines = ["format = \(Self.formatVersion)", "shards = \(settings.shardCount)"]
        if let v = settings.retentionAgeMs { lines.append("retention_age_ms = \(v)") }
        if let v = settings.retentionBytes { lines.append("retention_bytes = \(v)") }
        if let v = settings.retentionRecords { lines.append("retention_records = \(v)") }
        if let v = settings.archiveDirectory { lines.append("archive_directory = \(v)") }
        lines.append("durability = \(settings.durability.rawValue)")
        lines.append("segment_bytes_max = \(settings.segmentBytesMax)")
        lines.append("segment_age_max_ms = \(settings.segmentAgeMaxMs)")
        lines.append("created_ms = \(createdMs)")
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    static func decode(_ bytes: [UInt8], path: String) throws(LogError) -> StreamManifest {
        var values: [String: String] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingSpaces()
            values[key] = line[line.index(after: equals)...].trimmingSpaces()
        }
        func number(_ key: String) throws(LogError) -> Int64? {
            guard let text = values[key] else { return nil }
            guard let value = Int64(text) else { throw .invalidManifest(path: path, reason: "\(key) is not a number") }
            return value
        }
        guard let format = try number("format"), format == Int64(formatVersion) else {
            throw .invalidManifest(path: path, reason: "unknown format (this binary reads format \(formatVersion))")
        }
        guard let shards = try number("shards"),
              let durabilityText = values["durability"], let durability = Durability(rawValue: durabilityText),
              let segmentBytes = try number("segment_bytes_max"), let segmentAge = try number("segment_age_max_ms")
        else { throw .invalidManifest(path: path, reason: "a required setting is missing") }
        let settings = StreamSettings(
            shardCount: Int(shards), retentionAgeMs: try number("retention_age_ms"),
            retentionBytes: try number("retention_bytes"), retentionRecords: try number("retention_records"),
            archiveDirectory: values["archive_directory"],
            durability: durability, segmentBytesMax: Int(segmentBytes), segmentAgeMaxMs: segmentAge)
        do { try settings.validate() } catch { throw .invalidManifest(path: path, reason: error.description) }
        return StreamManifest(settings: settings, createdMs: try number("created_ms") ?? 0)
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        String(self.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" }).reversed())
    }
}
