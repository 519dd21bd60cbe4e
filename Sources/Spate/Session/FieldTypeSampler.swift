// The type a schemaless stream's field has in its records, for the analyzer
// (SchemaProvider.sampledType): a field a query only selects, groups, orders or
// takes the MIN/MAX/FIRST/LAST of is read as what the records hold — JSON
// numbers as DOUBLE, true/false as BOOLEAN — instead of as text, as DuckDB's
// read_json samples records to type their fields.
//
// The sample is the stream's first `sampleRecordsMax` records (its earliest,
// so the same query is typed the same way as the stream grows); a field with
// values of more than one kind there, or none, has no sampled type (the
// analyzer reads it as STRING). Each stream and field is sampled once per
// statement: a sampler lives as long as one SessionSchemas.
//
// Jobs are compiled without a sampler: a job is recompiled each time it starts,
// and its checkpointed state must keep the types it was saved with, which a
// stream's first records do not promise (an empty stream has none).

import SpateJSON
import SpateLog
import SpateRuntime
import SpateSQL

final class FieldTypeSampler {
    /// Records read per stream and field.
    static let sampleRecordsMax = 1_000

    private let database: Database
    private var cache: [String: ValueType?] = [:]

    init(database: Database) { self.database = database }

    func type(ofField path: [String], inStream stream: String) -> ValueType? {
        let cacheKey = stream + "\u{0}" + path.joined(separator: "\u{0}")
        if let known = cache[cacheKey] { return known }
        let type = sample(path, stream)
        cache[cacheKey] = type
        return type
    }

    private func sample(_ path: [String], _ stream: String) -> ValueType? {
        guard let paths = try? JSONPathSet([path.joined(separator: ".")]),
              let cursor = try? database.cursor(stream: stream, from: .earliest) else { return nil }
        let scanner = JSONScanner(paths: paths)
        var values = JSONFieldValues(for: paths)
        var kinds: Set<ValueType> = []
        var isMixed = false
        _ = try? cursor.forEach(limit: Self.sampleRecordsMax) { _, record in
            guard scanner.scan(record.payload, into: &values) == nil else { return true }  // not JSON: no evidence
            switch values[0].kind {
            case .missing, .null: break
            case .number: kinds.insert(.double)
            case .true, .false: kinds.insert(.boolean)
            case .string: kinds.insert(.string)
            case .object, .array: isMixed = true
            }
            return !isMixed && kinds.count < 2
        }
        guard !isMixed, kinds.count == 1 else { return nil }
        return kinds.first
    }
}
