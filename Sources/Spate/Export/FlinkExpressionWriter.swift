// FlinkExpressionWriter: a Spate query plan's expressions as Flink SQL text.
//
// Layer: the facade's Flink export (FlinkSQLExporter). Works on the analyzed
// plan, not the AST: names are resolved, types known, BETWEEN and simple CASE
// already rewritten, and `.output(i)` in HAVING is the output's expression —
// so what is printed is what Spate runs.
//
// How Spate's semantics are kept where Flink's differ:
// - TIMESTAMP values are TIMESTAMP_LTZ(3) (window bounds: Flink's TIMESTAMP(3)
//   window_start/window_end, in the UTC session time zone the script sets).
//   A TIMESTAMP used as a number (UNIX_MILLIS, TIMESTAMP − TIMESTAMP, CAST AS
//   BIGINT) is epoch milliseconds through `epochMilliseconds(_:)`.
// - Division and modulo by zero give NULL in Spate and fail a Flink job: the
//   divisor is wrapped in NULLIF(x, 0).
// - AVG and STDDEV of a BIGINT are DOUBLE in Spate and integer in Flink: the
//   argument is cast to DOUBLE. STDDEV is STDDEV_SAMP; FIRST/LAST are
//   FIRST_VALUE/LAST_VALUE. CONCAT reads NULL as '' in Spate (NULL in Flink).
// - A DOUBLE constant is written with an exponent (`12.5E0`): Flink reads
//   `12.5` as DECIMAL.
// Anything without a faithful Flink spelling (detectors, APPROX_PERCENTILE,
// FORMAT_TIMESTAMP, …) throws FlinkExportRefusal with the reason: nothing is
// dropped silently.
//
// Every compound expression is parenthesized: the text is read by Flink, and
// precedence that cannot be wrong beats precedence that looks nice.

import SpateSQL

/// Why a job cannot be exported to Flink (one line, no trailing period).
struct FlinkExportRefusal: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Writes bound expressions of one plan as Flink SQL.
struct FlinkExpressionWriter {
    let plan: QueryPlan
    /// The Flink column each extracted field is read from (a TIMESTAMP field: its TIMESTAMP_LTZ column).
    let fieldColumns: [String]
    /// The column that stands for the record's arrival time, if the table has one.
    let arrivalColumn: String?

    func write(_ expression: BoundExpression) throws(FlinkExportRefusal) -> String {
        switch expression.kind {
        case let .constant(value): return FlinkSQLText.literal(value)
        case let .field(i): return FlinkSQLText.identifier(fieldColumns[i])
        case .arrivalTime:
            guard let arrivalColumn else { throw FlinkExportRefusal("the query reads the arrival time, which this connector does not give") }
            return FlinkSQLText.identifier(arrivalColumn)
        case let .groupKey(i): return try write(plan.groupKeys[i])
        case let .aggregate(i): return try aggregate(plan.aggregates[i])
        case .windowStart: return "window_start"
        case .windowEnd: return "window_end"
        case let .output(i): return try write(plan.outputs[i].expression)
        case .detector, .anomaly, .anomalyGrade, .anomalyExplanation:
            throw FlinkExportRefusal("the query uses Spate's anomaly detection, which Flink does not have")
        case let .negate(operand): return "(-" + (try write(operand)) + ")"
        case let .not(operand): return "(NOT " + (try write(operand)) + ")"
        case let .binary(op, left, right): return try binary(op, left, right, type: expression.type)
        case let .isNull(operand, negated): return "(" + (try write(operand)) + (negated ? " IS NOT NULL)" : " IS NULL)")
        case let .inList(operand, items, negated):
            var texts: [String] = []
            for item in items { texts.append(try write(item)) }
            return "(" + (try write(operand)) + (negated ? " NOT IN (" : " IN (") + texts.joined(separator: ", ") + "))"
        case let .like(operand, pattern, negated):
            return "(" + (try write(operand)) + (negated ? " NOT LIKE " : " LIKE ") + (try write(pattern)) + ")"
        case let .caseWhen(arms, elseResult):
            var text = "CASE"
            for arm in arms { text += " WHEN " + (try write(arm.condition)) + " THEN " + (try write(arm.result)) }
            if let elseResult { text += " ELSE " + (try write(elseResult)) }
            return text + " END"
        case let .cast(operand, type): return try cast(operand, to: type)
        case let .call(function, arguments): return try call(function, arguments)
        }
    }

    /// An aggregate call in Flink's spelling.
    func aggregate(_ aggregate: AggregatePlan) throws(FlinkExportRefusal) -> String {
        func argument() throws(FlinkExportRefusal) -> String {
            guard let argument = aggregate.argument else { throw FlinkExportRefusal("\(aggregate.function.name) has no argument") }
            return try write(argument)
        }
        func doubleArgument() throws(FlinkExportRefusal) -> String {
            let text = try argument()
            return aggregate.argument?.type == .double ? text : "CAST(\(text) AS DOUBLE)"
        }
        switch aggregate.function {
        case .countStar: return "COUNT(*)"
        case .count: return "COUNT(\(try argument()))"
        case .countDistinct: return "COUNT(DISTINCT \(try argument()))"
        case .sum: return "SUM(\(try argument()))"
        case .min: return "MIN(\(try argument()))"
        case .max: return "MAX(\(try argument()))"
        case .avg: return "AVG(\(try doubleArgument()))"
        case .stddev: return "STDDEV_SAMP(\(try doubleArgument()))"
        case .stddevPop: return "STDDEV_POP(\(try doubleArgument()))"
        case .first: return "FIRST_VALUE(\(try argument()))"
        case .last: return "LAST_VALUE(\(try argument()))"
        case .approxPercentile:
            throw FlinkExportRefusal("APPROX_PERCENTILE has no Flink SQL built-in (write a UDF, or drop the column)")
        }
    }

    private func binary(_ op: BinaryOperator, _ left: BoundExpression, _ right: BoundExpression,
                        type: ValueType) throws(FlinkExportRefusal) -> String {
        let l = try write(left), r = try write(right)
        let readsTime = left.type == .timestamp || right.type == .timestamp
        switch op {
        case .divide:
            return "(\(l) / NULLIF(\(r), 0))"
        case .modulo:
            guard left.type != .double && right.type != .double else {
                throw FlinkExportRefusal("% of a DOUBLE has no Flink SQL equivalent (MOD takes integers)")
            }
            return "MOD(\(l), NULLIF(\(r), 0))"
        case .add where readsTime, .subtract where readsTime:
            if left.type == .timestamp && right.type == .timestamp {
                return "(" + epochMilliseconds(l) + " - " + epochMilliseconds(r) + ")"
            }
            // TIMESTAMP ± milliseconds: an INTERVAL when the milliseconds are a constant.
            let (time, offset) = left.type == .timestamp ? (l, right) : (r, left)
            guard case let .constant(.bigint(ms)) = offset.kind, ms >= 0 else {
                throw FlinkExportRefusal("a TIMESTAMP plus a computed number of milliseconds has no Flink SQL equivalent; use an INTERVAL constant")
            }
            return "(\(time) \(op.rawValue) \(FlinkSQLText.interval(milliseconds: ms)))"
        case .concat:
            return "(" + stringOperand(l, left.type) + " || " + stringOperand(r, right.type) + ")"
        default:
            return "(\(l) \(op.rawValue) \(r))"
        }
    }

    private func stringOperand(_ text: String, _ type: ValueType) -> String {
        type == .string ? text : "CAST(\(text) AS STRING)"
    }

    private func cast(_ operand: BoundExpression, to type: ValueType) throws(FlinkExportRefusal) -> String {
        let text = try write(operand)
        switch (operand.type, type) {
        case let (from, to) where from == to: return text
        case (.null, _): return "CAST(NULL AS \(FlinkSQLText.typeName(type)))"
        case (.bigint, .timestamp): return "TO_TIMESTAMP_LTZ(\(text), 3)"
        case (.double, .timestamp): return "TO_TIMESTAMP_LTZ(CAST(\(text) AS BIGINT), 3)"
        case (.timestamp, .bigint): return epochMilliseconds(text)
        case (.timestamp, .double): return "CAST(\(epochMilliseconds(text)) AS DOUBLE)"
        case (.timestamp, _), (_, .timestamp):
            throw FlinkExportRefusal("CAST between TIMESTAMP and \(operand.type == .timestamp ? type : operand.type) reads or writes Spate's ISO 8601 text, which Flink spells differently")
        default: return "CAST(\(text) AS \(FlinkSQLText.typeName(type)))"
        }
    }

    private func call(_ function: ScalarFunction, _ arguments: [BoundExpression]) throws(FlinkExportRefusal) -> String {
        var texts: [String] = []
        for argument in arguments { texts.append(try write(argument)) }
        let list = texts.joined(separator: ", ")
        switch function {
        case .abs, .round, .floor, .ceil, .sqrt, .ln, .exp, .power, .greatest, .least, .lower, .upper, .trim, .substr,
             .replace, .coalesce, .nullif:
            return "\(function.name)(\(list))"
        case .length: return "CHAR_LENGTH(\(list))"
        case .concat:
            // Spate's CONCAT reads NULL as '' (Flink's gives NULL).
            return "CONCAT(" + zip(texts, arguments).map { text, argument in
                "COALESCE(\(stringOperand(text, argument.type)), '')"
            }.joined(separator: ", ") + ")"
        case .now: return "NOW()"
        case .fromUnixtime:
            // Seconds since the epoch (fractions kept to the millisecond, as Spate does).
            return "TO_TIMESTAMP_LTZ(CAST(\(texts[0]) * 1000 AS BIGINT), 3)"
        case .unixMillis: return epochMilliseconds(texts[0])
        case .dateTrunc:
            guard case let .constant(.string(unit)) = arguments[0].kind,
                  ["second", "minute", "hour", "day"].contains(unit.lowercased()) else {
                throw FlinkExportRefusal("DATE_TRUNC is exported for a constant 'second', 'minute', 'hour' or 'day' (Flink's FLOOR(t TO unit)); Spate's weeks start on the epoch's Thursday")
            }
            return "FLOOR(\(texts[1]) TO \(unit.uppercased()))"
        case .formatTimestamp:
            throw FlinkExportRefusal("FORMAT_TIMESTAMP has no exact Flink SQL equivalent (DATE_FORMAT writes another text)")
        }
    }

    /// Epoch milliseconds of a TIMESTAMP or TIMESTAMP_LTZ value, in the UTC session time zone
    /// (Flink has no built-in for it: seconds from UNIX_TIMESTAMP, plus the millisecond field).
    /// Exact from 1970 on; before 1970 a time with milliseconds is off by a second.
    func epochMilliseconds(_ text: String) -> String {
        let timestamp = "CAST(\(text) AS TIMESTAMP(3))"
        return "(UNIX_TIMESTAMP(CAST(\(timestamp) AS STRING)) * 1000 + EXTRACT(MILLISECOND FROM \(timestamp)))"
    }
}
