// CatalogSQLWriter: a bound SELECT over a catalog table, printed as SQLite SQL.
//
// Layer: SpateSQL analyzer. Works from the bound plan pieces, not the AST, so
// names are resolved, aliases substituted, types known and constants folded the
// same way as for a stream query; SQLite then does all the work.
//
// Dialect mapping (assumes the catalog keeps TIMESTAMP columns as INTEGER epoch
// milliseconds and BOOLEAN as 0/1):
// - identifiers are always double-quoted; every compound form is parenthesized;
// - TIMESTAMP constants and INTERVALs are integer milliseconds;
//   NOW() is (strftime('%s','now') * 1000) — SQLite's clock, second precision;
// - CAST(x AS STRING/DOUBLE/BIGINT) → CAST(x AS TEXT/REAL/INTEGER); a TIMESTAMP
//   printed as text is ISO-8601 via strftime; an ISO string read as a TIMESTAMP
//   goes through julianday;
// - LIKE with a constant pattern becomes GLOB (SQLite's LIKE ignores ASCII case,
//   Spate's does not); with a computed pattern it stays LIKE;
// - GREATEST / LEAST → max / min with several arguments; CONCAT → || of
//   COALESCE(CAST(x AS TEXT), ''); FROM_UNIXTIME(s) → s * 1000 (seconds);
//   DATE_TRUNC needs a constant unit up to 'day'.
// - ORDER BY uses output positions, or the expression itself when it is not an
//   output (allowed only here, since SQLite sorts); HAVING (or, without grouping, WHERE) gets
//   the output filter with output references replaced by their expressions.

/// Why a catalog query cannot be written for SQLite.
struct CatalogSQLUnsupported: Error {
    var message: String
}

struct CatalogSQLWriter {
    let table: String
    let fields: [FieldExtraction]
    let groupKeys: [BoundExpression]
    let aggregates: [AggregatePlan]
    let outputs: [OutputColumn]

    func statement(filter: BoundExpression?, outputFilter: BoundExpression?, isAggregating: Bool,
                   orderBy: [(target: QueryAnalysis.OrderTarget, descending: Bool)], limit: Int64?) throws(CatalogSQLUnsupported) -> String {
        var columns: [String] = []
        for output in outputs { columns.append(try sql(output.expression) + " AS " + Self.identifier(output.name)) }
        var text = "SELECT " + columns.joined(separator: ", ") + " FROM " + Self.identifier(table)
        var rowConditions = [filter].compactMap { $0 }
        if !isAggregating, let outputFilter { rowConditions.append(outputFilter) }
        if !rowConditions.isEmpty {
            var parts: [String] = []
            for condition in rowConditions { parts.append(try sql(condition)) }
            text += " WHERE " + parts.joined(separator: " AND ")
        }
        if !groupKeys.isEmpty {
            var keys: [String] = []
            for key in groupKeys { keys.append(try sql(key)) }
            text += " GROUP BY " + keys.joined(separator: ", ")
        }
        if isAggregating, let outputFilter { text += " HAVING " + (try sql(outputFilter)) }
        if !orderBy.isEmpty {
            var keys: [String] = []
            for key in orderBy {
                switch key.target {
                case .output(let index): keys.append("\(index + 1)")
                case .expression(let expression): keys.append(try sql(expression))
                }
                if key.descending { keys[keys.count - 1] += " DESC" }
            }
            text += " ORDER BY " + keys.joined(separator: ", ")
        }
        if let limit { text += " LIMIT \(limit)" }
        return text
    }

    func sql(_ expression: BoundExpression) throws(CatalogSQLUnsupported) -> String {
        switch expression.kind {
        case .constant(let value): return Self.constant(value)
        case .field(let index): return Self.identifier(fields[index].path.joined(separator: "."))
        case .groupKey(let index): return try sql(groupKeys[index])
        case .aggregate(let index): return try aggregate(aggregates[index])
        case .output(let index): return try sql(outputs[index].expression)
        case .arrivalTime, .windowStart, .windowEnd, .detector, .anomaly, .anomalyGrade, .anomalyExplanation:
            throw CatalogSQLUnsupported(message: "\(expression) is not available on a catalog table")
        case .negate(let operand): return "(- " + (try sql(operand)) + ")"
        case .not(let operand): return "(NOT " + (try sql(operand)) + ")"
        case .binary(let op, let left, let right):
            return "(" + (try sql(left)) + " " + op.rawValue + " " + (try sql(right)) + ")"
        case .isNull(let operand, let negated):
            return "(" + (try sql(operand)) + (negated ? " IS NOT NULL)" : " IS NULL)")
        case .inList(let operand, let items, let negated):
            var list: [String] = []
            for item in items { list.append(try sql(item)) }
            return "(" + (try sql(operand)) + (negated ? " NOT IN (" : " IN (") + list.joined(separator: ", ") + "))"
        case .like(let operand, let pattern, let negated):
            if case .constant(.string(let text)) = pattern.kind {
                return "(" + (try sql(operand)) + (negated ? " NOT GLOB " : " GLOB ") + Self.constant(.string(Self.glob(fromLike: text))) + ")"
            }
            return "(" + (try sql(operand)) + (negated ? " NOT LIKE " : " LIKE ") + (try sql(pattern)) + ")"
        case .caseWhen(let arms, let elseResult):
            var text = "CASE"
            for arm in arms { text += " WHEN " + (try sql(arm.condition)) + " THEN " + (try sql(arm.result)) }
            if let elseResult { text += " ELSE " + (try sql(elseResult)) }
            return text + " END"
        case .cast(let operand, let type):
            return try cast(operand, to: type)
        case .call(let function, let arguments):
            return try call(function, arguments)
        }
    }

    private func aggregate(_ plan: AggregatePlan) throws(CatalogSQLUnsupported) -> String {
        let argument = try plan.argument.map { (a) throws(CatalogSQLUnsupported) in try sql(a) } ?? ""
        switch plan.function {
        case .countStar: return "count(*)"
        case .count: return "count(\(argument))"
        case .countDistinct: return "count(DISTINCT \(argument))"
        case .sum: return "sum(\(argument))"
        case .avg: return "avg(\(argument))"
        case .min: return "min(\(argument))"
        case .max: return "max(\(argument))"
        case .stddev, .stddevPop, .first, .last, .approxPercentile:
            throw CatalogSQLUnsupported(message: "\(plan.function.name) is not available on a catalog table")
        }
    }

    private func cast(_ operand: BoundExpression, to type: ValueType) throws(CatalogSQLUnsupported) -> String {
        let value = try sql(operand)
        switch (operand.type, type) {
        case (.timestamp, .string): return "strftime('%Y-%m-%dT%H:%M:%fZ', \(value) / 1000.0, 'unixepoch')"
        case (.string, .timestamp): return "CAST(round((julianday(\(value)) - 2440587.5) * 86400000.0) AS INTEGER)"
        case (.timestamp, .bigint), (.bigint, .timestamp): return value
        case (_, .string): return "CAST(\(value) AS TEXT)"
        case (_, .double): return "CAST(\(value) AS REAL)"
        case (_, .bigint), (_, .timestamp): return "CAST(\(value) AS INTEGER)"
        case (.string, .boolean): return "(lower(\(value)) IN ('true', '1'))"
        case (_, .boolean): return "(\(value) <> 0)"
        case (_, .null): return value
        }
    }

    private func call(_ function: ScalarFunction, _ arguments: [BoundExpression]) throws(CatalogSQLUnsupported) -> String {
        var args: [String] = []
        for argument in arguments { args.append(try sql(argument)) }
        let list = args.joined(separator: ", ")
        switch function {
        case .now: return "(strftime('%s','now') * 1000)"
        case .greatest: return args.count == 1 ? args[0] : "max(\(list))"
        case .least: return args.count == 1 ? args[0] : "min(\(list))"
        case .coalesce: return args.count == 1 ? args[0] : "coalesce(\(list))"
        case .concat: return "(" + args.map { "COALESCE(CAST(\($0) AS TEXT), '')" }.joined(separator: " || ") + ")"
        case .fromUnixtime: return "CAST(\(args[0]) * 1000 AS INTEGER)"
        case .unixMillis: return args[0]
        case .formatTimestamp: return "strftime('%Y-%m-%dT%H:%M:%fZ', \(args[0]) / 1000.0, 'unixepoch')"
        case .dateTrunc:
            let units: [String: Int64] = ["second": 1_000, "minute": 60_000, "hour": 3_600_000, "day": 86_400_000]
            guard case .constant(.string(let unit)) = arguments[0].kind, let ms = units[unit.lowercased()] else {
                throw CatalogSQLUnsupported(message: "DATE_TRUNC on a catalog table needs a constant unit: 'second', 'minute', 'hour' or 'day'")
            }
            return "((\(args[1]) / \(ms)) * \(ms))"
        case .abs, .round, .floor, .ceil, .sqrt, .ln, .exp, .power, .lower, .upper, .length, .trim, .substr, .replace, .nullif:
            return "\(function.rawValue)(\(list))"
        }
    }

    static func identifier(_ name: String) -> String {
        "\"" + name.replacing("\"", with: "\"\"") + "\""
    }

    static func constant(_ value: Value) -> String {
        switch value {
        case .null: return "NULL"
        case .boolean(let b): return b ? "1" : "0"
        case .bigint(let v), .timestamp(let v): return String(v)
        case .double(let v):
            if v.isNaN { return "NULL" }
            if v.isInfinite { return v > 0 ? "9e999" : "-9e999" }
            let text = String(v)
            return text.contains(".") || text.contains("e") ? text : text + ".0"
        case .string(let text): return "'" + text.replacing("'", with: "''") + "'"
        }
    }

    /// A LIKE pattern as a GLOB pattern: % → *, _ → ?, GLOB's own * ? [ matched literally.
    static func glob(fromLike pattern: String) -> String {
        var result = ""
        for character in pattern {
            switch character {
            case "%": result += "*"
            case "_": result += "?"
            case "*": result += "[*]"
            case "?": result += "[?]"
            case "[": result += "[[]"
            default: result.append(character)
            }
        }
        return result
    }
}
