// Compiled expressions: a tree of evaluator nodes built once per query from a
// `BoundExpression`, each owning the vector it writes. Evaluating walks the
// tree once per batch and every node runs a tight loop over the batch's rows:
// no per-row dispatch, no per-row allocation (strings go into the output
// vector's reused arena). NULL follows SQL: any NULL operand gives NULL, except
// for AND/OR (three-valued logic), IS NULL, COALESCE and CASE. Arithmetic that
// overflows, and division or modulo by zero, give NULL (as in SQLite).
//
// Invariant: no value traps. Integer operations (+ - * / %, negation, and
// timestamp ± milliseconds) report overflow and give NULL (Int64.min / -1
// and Int64.min % -1 included); a DOUBLE operand of an integer operation that
// is NaN, infinite or beyond BIGINT's range gives NULL (`checkedInt64`).
// DOUBLE arithmetic follows IEEE 754 (1e308 * 10 is Infinity, as in SQLite).

import SpateLog
import SpateSQL

#if canImport(Glibc)
import Glibc
#endif

/// A node of a compiled expression.
class VectorExpression {
    let type: ValueType
    let result: ColumnVector

    init(type: ValueType, result: ColumnVector) {
        self.type = type
        self.result = result
    }

    init(type: ValueType) {
        self.type = type
        self.result = ColumnVector(type: type, capacity: batchRowCapacity)
    }

    /// Computes `result` for rows 0..<rows.
    func evaluate(rows: Int) {}
}

/// A column of the input: nothing to compute.
final class ColumnReferenceExpression: VectorExpression {
    init(_ vector: ColumnVector) { super.init(type: vector.type, result: vector) }
}

/// A constant, written into every row once.
final class ConstantExpression: VectorExpression {
    init(_ value: Value, type: ValueType) {
        super.init(type: type)
        result.reset(count: result.capacity)
        for row in 0..<result.capacity { result.set(row, value: value) }
    }
}

/// -x
final class NegateExpression: VectorExpression {
    let operand: VectorExpression
    init(_ operand: VectorExpression, type: ValueType) {
        self.operand = operand
        super.init(type: type)
    }

    override func evaluate(rows: Int) {
        operand.evaluate(rows: rows)
        let input = operand.result
        result.reset(count: rows)
        for i in 0..<rows {
            if input.isNull[i] { result.setNull(i); continue }
            if type == .double {
                result.set(i, double: -input.number(i))
            } else {
                let (v, o) = Int64(0).subtractingReportingOverflow(input.ints[i])
                if o { result.setNull(i) } else { result.set(i, int: v) }
            }
        }
    }
}

/// NOT x
final class NotExpression: VectorExpression {
    let operand: VectorExpression
    init(_ operand: VectorExpression) {
        self.operand = operand
        super.init(type: .boolean)
    }

    override func evaluate(rows: Int) {
        operand.evaluate(rows: rows)
        let input = operand.result
        result.reset(count: rows)
        for i in 0..<rows {
            if input.isNull[i] { result.setNull(i) } else { result.set(i, bool: !input.bools[i]) }
        }
    }
}

/// x IS [NOT] NULL
final class IsNullExpression: VectorExpression {
    let operand: VectorExpression
    let negated: Bool
    init(_ operand: VectorExpression, negated: Bool) {
        self.operand = operand
        self.negated = negated
        super.init(type: .boolean)
    }

    override func evaluate(rows: Int) {
        operand.evaluate(rows: rows)
        result.reset(count: rows)
        for i in 0..<rows { result.set(i, bool: operand.result.isNull[i] != negated) }
    }
}

/// + - * / % on numbers and timestamps.
final class ArithmeticExpression: VectorExpression {
    let op: BinaryOperator
    let left: VectorExpression, right: VectorExpression

    init(_ op: BinaryOperator, _ left: VectorExpression, _ right: VectorExpression, type: ValueType) {
        self.op = op
        self.left = left
        self.right = right
        super.init(type: type)
    }

    override func evaluate(rows: Int) {
        left.evaluate(rows: rows)
        right.evaluate(rows: rows)
        let l = left.result, r = right.result
        result.reset(count: rows)
        if type == .double {
            for i in 0..<rows {
                if l.isNull[i] || r.isNull[i] { result.setNull(i); continue }
                let a = l.number(i), b = r.number(i)
                switch op {
                case .add: result.set(i, double: a + b)
                case .subtract: result.set(i, double: a - b)
                case .multiply: result.set(i, double: a * b)
                case .divide: if b == 0 { result.setNull(i) } else { result.set(i, double: a / b) }
                default: if b == 0 { result.setNull(i) } else { result.set(i, double: a.truncatingRemainder(dividingBy: b)) }
                }
            }
        } else {
            for i in 0..<rows {
                if l.isNull[i] || r.isNull[i] { result.setNull(i); continue }
                guard let a = l.type == .double ? checkedInt64(l.doubles[i]) : l.ints[i],
                      let b = r.type == .double ? checkedInt64(r.doubles[i]) : r.ints[i] else { result.setNull(i); continue }
                let value: Int64?
                switch op {
                case .add: let (v, o) = a.addingReportingOverflow(b); value = o ? nil : v
                case .subtract: let (v, o) = a.subtractingReportingOverflow(b); value = o ? nil : v
                case .multiply: let (v, o) = a.multipliedReportingOverflow(by: b); value = o ? nil : v
                case .divide: value = b == 0 || (a == .min && b == -1) ? nil : a / b
                default: value = b == 0 || (a == .min && b == -1) ? nil : a % b
                }
                if let value { result.set(i, int: value) } else { result.setNull(i) }
            }
        }
    }
}

/// = <> < <= > >= between values of one domain (numbers, strings, timestamps, booleans).
final class ComparisonExpression: VectorExpression {
    let op: BinaryOperator
    let left: VectorExpression, right: VectorExpression

    init(_ op: BinaryOperator, _ left: VectorExpression, _ right: VectorExpression) {
        self.op = op
        self.left = left
        self.right = right
        super.init(type: .boolean)
    }

    @inline(__always) private func outcome(_ order: Int) -> Bool {
        switch op {
        case .equal: return order == 0
        case .notEqual: return order != 0
        case .less: return order < 0
        case .lessEqual: return order <= 0
        case .greater: return order > 0
        default: return order >= 0
        }
    }

    override func evaluate(rows: Int) {
        left.evaluate(rows: rows)
        right.evaluate(rows: rows)
        let l = left.result, r = right.result
        result.reset(count: rows)
        let bothStrings = l.type == .string && r.type == .string
        let anyDouble = l.type == .double || r.type == .double
        for i in 0..<rows {
            if l.isNull[i] || r.isNull[i] { result.setNull(i); continue }
            let order: Int
            if bothStrings {
                order = l.withString(i) { a in r.withString(i) { b in compareBytes(a, b) } }
            } else if anyDouble {
                let a = l.number(i), b = r.number(i)
                order = a < b ? -1 : (a > b ? 1 : 0)
            } else if l.type == .boolean {
                let a = l.bools[i] ? 1 : 0, b = r.bools[i] ? 1 : 0
                order = a - b
            } else {
                let a = l.ints[i], b = r.ints[i]
                order = a < b ? -1 : (a > b ? 1 : 0)
            }
            result.set(i, bool: outcome(order))
        }
    }
}

/// Byte-wise comparison (UTF-8 order = code point order).
@inline(__always) func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    let n = min(a.count, b.count)
    if n > 0 {
        let c = memcmp(a.baseAddress!, b.baseAddress!, n)
        if c != 0 { return c < 0 ? -1 : 1 }
    }
    return a.count < b.count ? -1 : (a.count > b.count ? 1 : 0)
}

/// AND / OR with SQL's three-valued logic.
final class LogicalExpression: VectorExpression {
    let isAnd: Bool
    let left: VectorExpression, right: VectorExpression

    init(isAnd: Bool, _ left: VectorExpression, _ right: VectorExpression) {
        self.isAnd = isAnd
        self.left = left
        self.right = right
        super.init(type: .boolean)
    }

    override func evaluate(rows: Int) {
        left.evaluate(rows: rows)
        right.evaluate(rows: rows)
        let l = left.result, r = right.result
        result.reset(count: rows)
        for i in 0..<rows {
            let a: Bool? = l.isNull[i] ? nil : l.bools[i]
            let b: Bool? = r.isNull[i] ? nil : r.bools[i]
            if isAnd {
                if a == false || b == false { result.set(i, bool: false) } else if a == nil || b == nil { result.setNull(i) } else { result.set(i, bool: true) }
            } else {
                if a == true || b == true { result.set(i, bool: true) } else if a == nil || b == nil { result.setNull(i) } else { result.set(i, bool: false) }
            }
        }
    }
}

/// x || y (non-strings are rendered as text first).
final class ConcatExpression: VectorExpression {
    let parts: [VectorExpression]
    private var scratch: [UInt8] = []

    init(_ parts: [VectorExpression]) {
        self.parts = parts
        super.init(type: .string)
    }

    override func evaluate(rows: Int) {
        for part in parts { part.evaluate(rows: rows) }
        result.reset(count: rows)
        for i in 0..<rows {
            if parts.contains(where: { $0.result.isNull[i] }) { result.setNull(i); continue }
            result.beginString(i)
            for part in parts { appendText(part.result, i, to: result) }
        }
    }
}

/// Appends row `row` of `vector` as text to the string being built in `output`'s row `row`.
func appendText(_ vector: ColumnVector, _ row: Int, to output: ColumnVector) {
    if vector.type == .string {
        vector.withString(row) { output.appendToString(row, $0) }
        return
    }
    var text = textOf(vector, row)
    text.withUTF8 { output.appendToString(row, UnsafeRawBufferPointer($0)) }
}

/// Row `row` of `vector` as text (strings unchanged, timestamps ISO 8601).
func textOf(_ vector: ColumnVector, _ row: Int) -> String {
    switch vector.type {
    case .string: return vector.string(row)
    case .double: return formatDouble(vector.doubles[row])
    case .bigint: return String(vector.ints[row])
    case .timestamp: return UTCTimestamp.format(vector.ints[row])
    case .boolean: return vector.bools[row] ? "true" : "false"
    case .null: return ""
    }
}

/// 12.5 → "12.5", 3.0 → "3.0", like most SQL engines.
func formatDouble(_ value: Double) -> String { String(value) }
