// Decodes records into column vectors: one pass of the byte-level JSON scanner
// per record finds just the fields the query reads, and each is converted to
// its column's type straight from the bytes (no JSON tree, no Foundation).
//
// A record that is not a JSON object, or has a field that does not convert
// (e.g. "abc" read as DOUBLE), is a bad record: counted, its fields read as
// NULL — never a crash. A record that lacks a field the query reads, or has
// it as JSON null, is counted apart as missing (it is not damaged: an optional
// field is often absent); the field reads as NULL. A record is counted once,
// as bad when it is both. Conversions:
// DOUBLE/BIGINT accept numbers and numeric strings; TIMESTAMP accepts epoch
// milliseconds or an ISO 8601 string; STRING accepts any scalar (numbers and
// booleans as their text); BOOLEAN accepts true/false.
//
// A field with the empty path is the whole record (`SELECT *` on a stream with
// no declared columns): its column gets the record's bytes as they were put;
// the scanner still checks that the record is a JSON object.

import SpateJSON
import SpateLog
import SpateSQL

final class RecordDecoder {
    let fields: [FieldExtraction]
    /// Where field i goes: a view of its column (no reference counting per record).
    private let sinks: UnsafeMutablePointer<VectorView>
    private let fieldCount: Int
    /// The fields the scanner finds (in the locator's order); the others are whole-record fields.
    private let locatedFields: [Int]
    private let wholeRecordFields: [Int]
    private let locator: JSONFieldLocator
    @exclusivity(unchecked) private var unescaped: [UInt8] = []
    @exclusivity(unchecked) private(set) var badRecords = 0
    /// Records with a field absent or null (and none bad). Not in a job's
    /// checkpoint: a per-query figure, starting again at 0 when a job resumes.
    @exclusivity(unchecked) private(set) var missingRecords = 0

    init(fields: [FieldExtraction], columns: [ColumnVector]) throws(RuntimeError) {
        precondition(columns.count >= fields.count, "one column per field")
        self.fields = fields
        fieldCount = fields.count
        sinks = .allocate(capacity: max(1, fields.count))
        for i in 0..<fields.count { (sinks + i).initialize(to: columns[i].view) }
        locatedFields = fields.indices.filter { !fields[$0].path.isEmpty }
        wholeRecordFields = fields.indices.filter { fields[$0].path.isEmpty && fields[$0].type == .string }
        do {
            locator = JSONFieldLocator(paths: try JSONPathSet(locatedFields.map { fields[$0].dottedPath }))
        } catch {
            throw .unsupported("cannot read the fields \(locatedFields.map { fields[$0].dottedPath }.joined(separator: ", ")) of one record: \(error); a '.' in a field name reads as nesting, so name each field by one distinct path such as a.b")
        }
    }

    deinit { sinks.deallocate() }

    /// Restores the bad-record count of a resumed job.
    func restoreBadRecords(_ count: Int) { badRecords = count }

    /// Writes the fields of `payload` into row `row` of the field columns.
    @inline(__always)
    func decode(_ payload: UnsafeRawBufferPointer, row: Int) {
        if fieldCount == 0 { return }
        if locator.locate(payload) != nil {
            for i in 0..<fieldCount { sinks[i].isNull[row] = true }
            badRecords += 1
            return
        }
        var bad = false, missing = false
        for (k, i) in locatedFields.enumerated() {
            switch convert(locator[k], payload, into: sinks + i, row) {
            case .converted: break
            case .missing: missing = true
            case .bad: bad = true
            }
        }
        for i in wholeRecordFields { sinks[i].set(row, string: payload) }
        if bad { badRecords += 1 } else if missing { missingRecords += 1 }
    }

    /// What became of one field of a record.
    enum Conversion { case converted, missing, bad }

    /// Converts one located value into the sink (NULL unless `.converted`).
    /// The sink by pointer: a VectorView is eight words, copied per call otherwise.
    @inline(__always)
    private func convert(_ value: JSONFieldValue, _ payload: UnsafeRawBufferPointer, into sinkPointer: UnsafeMutablePointer<VectorView>,
                         _ row: Int) -> Conversion {
        let sink = UnsafePointer(sinkPointer)
        switch value.kind {
        case .missing, .null:
            sink.pointee.isNull[row] = true
            return .missing
        default: break
        }
        // The locator's ranges lie inside the payload (JSONFieldValues' invariant): no slicing checks.
        let bytes = UnsafeRawBufferPointer(start: payload.baseAddress! + value.start, count: value.count)
        switch sink.pointee.type {
        case .double:
            if let d = number(value, bytes) { sink.pointee.doubles[row] = d; sink.pointee.isNull[row] = false; return .converted }
        case .bigint:
            if let i = integer(value, bytes) { sink.pointee.ints[row] = i; sink.pointee.isNull[row] = false; return .converted }
        case .timestamp:
            if value.kind == .number {
                if let i = JSONNumber.parseScannedInt64(bytes) ?? JSONNumber.parseDouble(bytes).flatMap({ Int64(exactly: $0.rounded(.towardZero)) }) {
                    sink.pointee.ints[row] = i
                    sink.pointee.isNull[row] = false
                    return .converted
                }
            } else if value.kind == .string, let ms = UTCTimestamp.parse(string(value, bytes)) {
                sink.pointee.ints[row] = ms
                sink.pointee.isNull[row] = false
                return .converted
            }
        case .boolean:
            if value.kind == .true || value.kind == .false {
                sink.pointee.bools[row] = value.kind == .true
                sink.pointee.isNull[row] = false
                return .converted
            }
        case .string:
            if value.kind == .string && value.hasEscapes {
                unescaped.removeAll(keepingCapacity: true)
                guard (try? JSONString.unescape(bytes, into: &unescaped)) != nil else { break }
                unescaped.withUnsafeBytes { sink.pointee.set(row, string: $0) }
            } else {
                sink.pointee.set(row, string: bytes)  // a string's raw bytes, or a number/literal/object's text
            }
            return .converted
        case .null:
            sink.pointee.isNull[row] = true
            return .converted
        }
        sink.pointee.isNull[row] = true
        return .bad
    }

    private func number(_ value: JSONFieldValue, _ bytes: UnsafeRawBufferPointer) -> Double? {
        switch value.kind {
        case .number: return JSONNumber.parseScannedDouble(bytes)
        case .string: return value.hasEscapes ? nil : JSONNumber.parseDouble(bytes)
        default: return nil
        }
    }

    private func integer(_ value: JSONFieldValue, _ bytes: UnsafeRawBufferPointer) -> Int64? {
        switch value.kind {
        case .number:
            return JSONNumber.parseScannedInt64(bytes) ?? JSONNumber.parseDouble(bytes).flatMap { Int64(exactly: $0.rounded(.towardZero)) }
        case .string:
            if value.hasEscapes { return nil }
            return JSONNumber.parseInt64(bytes) ?? JSONNumber.parseDouble(bytes).flatMap { Int64(exactly: $0.rounded(.towardZero)) }
        default: return nil
        }
    }

    private func string(_ value: JSONFieldValue, _ bytes: UnsafeRawBufferPointer) -> String {
        if value.hasEscapes {
            unescaped.removeAll(keepingCapacity: true)
            _ = try? JSONString.unescape(bytes, into: &unescaped)
            return String(decoding: unescaped, as: UTF8.self)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
