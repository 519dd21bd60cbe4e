import SpateJSON
// Reading members of a Kinesis request with the API's constraints: a missing
// required member, a wrong type or a value out of the documented range is a
// ValidationException worded as AWS words it ("1 validation error detected: …").

extension JSONValue {
    /// A string member; nil when absent (or JSON null).
    func string(_ key: String, required: Bool = false, lengths: ClosedRange<Int>? = nil) throws(KinesisError) -> String? {
        switch self[key] {
        case nil, .null?:
            if required { throw Self.missing(key) }
            return nil
        case let .string(value)?:
            if let lengths, !lengths.contains(value.count) {
                throw .validation("1 validation error detected: Value at '\(Self.memberPath(key))' failed to satisfy constraint: Member must have length between \(lengths.lowerBound) and \(lengths.upperBound)")
            }
            return value
        default:
            throw .serialization("\(key) must be a string")
        }
    }

    /// An integer member within `range`; nil when absent.
    func integer(_ key: String, in range: ClosedRange<Int>, required: Bool = false) throws(KinesisError) -> Int? {
        switch self[key] {
        case nil, .null?:
            if required { throw Self.missing(key) }
            return nil
        case let .number(value)?:
            guard value.rounded() == value, value >= Double(Int32.min), value <= Double(Int32.max) else {
                throw .serialization("\(key) must be an integer")
            }
            let integer = Int(value)
            if integer < range.lowerBound {
                throw .validation("1 validation error detected: Value '\(integer)' at '\(Self.memberPath(key))' failed to satisfy constraint: Member must have value greater than or equal to \(range.lowerBound)")
            }
            if integer > range.upperBound {
                throw .validation("1 validation error detected: Value '\(integer)' at '\(Self.memberPath(key))' failed to satisfy constraint: Member must have value less than or equal to \(range.upperBound)")
            }
            return integer
        default:
            throw .serialization("\(key) must be a number")
        }
    }

    /// A timestamp member (epoch seconds, as the JSON protocol sends them) in Unix ms.
    func timestampMs(_ key: String) throws(KinesisError) -> Int64? {
        switch self[key] {
        case nil, .null?: return nil
        case let .number(seconds)?:
            guard abs(seconds) < 1e13 else { throw .validation("\(key) is out of range") }
            return Int64((seconds * 1000).rounded(.down))
        default: throw .serialization("\(key) must be a number of epoch seconds")
        }
    }

    static func missing(_ key: String) -> KinesisError {
        .validation("1 validation error detected: Value null at '\(memberPath(key))' failed to satisfy constraint: Member must not be null")
    }

    /// `StreamName` → `streamName`, as AWS names members in messages.
    static func memberPath(_ key: String) -> String {
        guard let first = key.first else { return key }
        return first.lowercased() + key.dropFirst()
    }
}
