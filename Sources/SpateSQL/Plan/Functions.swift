// The functions of the dialect, by name: scalar functions (evaluated per row,
// vectorized by the runtime) and aggregate functions (state per group and
// window). The analyzer finds a function here by name and types its call; the
// runtime implements each case. Adding a function: a case and its signature
// here, its implementation in SpateRuntime's ScalarFunctionKernels /
// AggregateState.

/// A scalar function.
public enum ScalarFunction: String, Hashable, Sendable, CaseIterable {
    // Math
    case abs, round, floor, ceil, sqrt, ln, exp, power, greatest, least
    // Strings
    case lower, upper, length, trim, substr, concat, replace
    // Null handling
    case coalesce, nullif
    // Time
    case now, fromUnixtime = "from_unixtime", unixMillis = "unix_millis", dateTrunc = "date_trunc", formatTimestamp = "format_timestamp"

    public var name: String { rawValue.uppercased() }

    /// Finds a function by name, case-insensitively.
    public static func named(_ name: String) -> ScalarFunction? {
        let lower = name.lowercased()
        if lower == "substring" { return .substr }
        if lower == "pow" { return .power }
        if lower == "ceiling" { return .ceil }
        return ScalarFunction(rawValue: lower)
    }

    /// The result type for arguments of `types`, or a reason they do not fit.
    public func resultType(_ types: [ValueType]) -> Result<ValueType, SignatureMismatch> {
        func arity(_ range: ClosedRange<Int>) -> SignatureMismatch? {
            range.contains(types.count) ? nil : SignatureMismatch("\(name) takes \(range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)") argument(s), not \(types.count)")
        }
        func numeric(_ i: Int) -> SignatureMismatch? {
            types[i] == .null || types[i].isNumeric ? nil : SignatureMismatch("argument \(i + 1) of \(name) must be a number, not \(types[i])")
        }
        func string(_ i: Int) -> SignatureMismatch? {
            types[i] == .null || types[i] == .string ? nil : SignatureMismatch("argument \(i + 1) of \(name) must be a STRING, not \(types[i])")
        }
        switch self {
        case .abs, .floor, .ceil:
            if let e = arity(1...1) ?? numeric(0) { return .failure(e) }
            return .success(types[0] == .bigint ? .bigint : .double)
        case .round:
            if let e = arity(1...2) ?? numeric(0) ?? (types.count == 2 ? numeric(1) : nil) { return .failure(e) }
            return .success(types[0] == .bigint ? .bigint : .double)
        case .sqrt, .ln, .exp:
            if let e = arity(1...1) ?? numeric(0) { return .failure(e) }
            return .success(.double)
        case .power:
            if let e = arity(2...2) ?? numeric(0) ?? numeric(1) { return .failure(e) }
            return .success(.double)
        case .greatest, .least:
            if let e = arity(1...64) { return .failure(e) }
            for i in types.indices { if let e = numeric(i) { return .failure(e) } }
            return .success(types.contains(.double) ? .double : .bigint)
        case .lower, .upper, .trim:
            if let e = arity(1...1) ?? string(0) { return .failure(e) }
            return .success(.string)
        case .length:
            if let e = arity(1...1) ?? string(0) { return .failure(e) }
            return .success(.bigint)
        case .substr:
            if let e = arity(2...3) ?? string(0) ?? numeric(1) ?? (types.count == 3 ? numeric(2) : nil) { return .failure(e) }
            return .success(.string)
        case .concat:
            if let e = arity(1...64) { return .failure(e) }
            return .success(.string)
        case .replace:
            if let e = arity(3...3) ?? string(0) ?? string(1) ?? string(2) { return .failure(e) }
            return .success(.string)
        case .coalesce:
            if let e = arity(1...64) { return .failure(e) }
            let known = types.filter { $0 != .null }
            guard let first = known.first else { return .success(.null) }
            if known.allSatisfy({ $0 == first }) { return .success(first) }
            if known.allSatisfy(\.isNumeric) { return .success(.double) }
            return .failure(SignatureMismatch("COALESCE arguments must have one type, not \(known.map(\.description).joined(separator: ", "))"))
        case .nullif:
            if let e = arity(2...2) { return .failure(e) }
            return .success(types[0])
        case .now:
            if let e = arity(0...0) { return .failure(e) }
            return .success(.timestamp)
        case .fromUnixtime:
            if let e = arity(1...1) ?? numeric(0) { return .failure(e) }
            return .success(.timestamp)
        case .unixMillis:
            if let e = arity(1...1) { return .failure(e) }
            guard types[0] == .timestamp || types[0] == .null else {
                return .failure(SignatureMismatch("UNIX_MILLIS takes a TIMESTAMP, not \(types[0])"))
            }
            return .success(.bigint)
        case .dateTrunc:
            if let e = arity(2...2) ?? string(0) { return .failure(e) }
            guard types[1] == .timestamp || types[1] == .null else {
                return .failure(SignatureMismatch("argument 2 of DATE_TRUNC must be a TIMESTAMP, not \(types[1])"))
            }
            return .success(.timestamp)
        case .formatTimestamp:
            if let e = arity(1...1) { return .failure(e) }
            return .success(.string)
        }
    }
}

/// Why a call does not fit a function's signature.
public struct SignatureMismatch: Error, Hashable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// An aggregate function.
public enum AggregateFunction: String, Hashable, Sendable, CaseIterable {
    /// COUNT(*): rows in the group.
    case countStar = "count(*)"
    /// COUNT(x): rows where x is not NULL.
    case count
    case countDistinct = "count(distinct)"
    case sum, avg, min, max
    /// Sample standard deviation (n - 1), as PostgreSQL's STDDEV / STDDEV_SAMP.
    case stddev
    /// Population standard deviation (n).
    case stddevPop = "stddev_pop"
    /// First / last value in arrival order within the group.
    case first, last
    /// Approximate percentile: APPROX_PERCENTILE(x, 0.99).
    case approxPercentile = "approx_percentile"

    public var name: String { rawValue.uppercased() }

    /// Finds an aggregate by name (COUNT(*) and COUNT(DISTINCT) are chosen by the analyzer).
    public static func named(_ name: String) -> AggregateFunction? {
        switch name.lowercased() {
        case "count": return .count
        case "sum": return .sum
        case "avg", "mean": return .avg
        case "min": return .min
        case "max": return .max
        case "stddev", "stddev_samp", "stdev": return .stddev
        case "stddev_pop": return .stddevPop
        case "first", "earliest_by_offset", "first_value": return .first
        case "last", "latest_by_offset", "last_value": return .last
        case "approx_percentile", "percentile", "percentile_approx": return .approxPercentile
        default: return nil
        }
    }

    /// The result type for an argument of `type`.
    public func resultType(argument type: ValueType?) -> Result<ValueType, SignatureMismatch> {
        switch self {
        case .countStar, .count, .countDistinct: return .success(.bigint)
        case .sum:
            guard let type, type == .null || type.isNumeric else { return .failure(SignatureMismatch("SUM takes a number")) }
            return .success(type == .bigint ? .bigint : .double)
        case .avg, .stddev, .stddevPop, .approxPercentile:
            guard let type, type == .null || type.isNumeric else { return .failure(SignatureMismatch("\(name) takes a number")) }
            return .success(.double)
        case .min, .max, .first, .last:
            guard let type else { return .failure(SignatureMismatch("\(name) takes one argument")) }
            return .success(type)
        }
    }
}
