// The implementations of the scalar functions that SpateSQL's `ScalarFunction`
// names and types: one case each, a loop over the batch. NULL in, NULL out,
// except COALESCE / NULLIF.
//
// Invariant: no argument value can trap. Every conversion from DOUBLE to an
// integer is checked and every integer operation reports overflow; an argument
// out of range gives NULL for that row, never a crash and never an error
// mid-stream (ExpressionSafetyTests runs every function over extreme values,
// ExpressionFuzzTests thousands of random statements, to hold this). The rules, close to SQLite's:
// - An integer argument (a SUBSTR position or length, ROUND's digits) that is
//   NaN, infinite or outside BIGINT's range gives NULL; a fractional one is
//   truncated toward zero.
// - SUBSTR within range is clamped to the string as in SQLite: a start past
//   the end gives '', a length past the end gives the rest, a start before 1
//   counts from 1.
// - ROUND(x, d): for d so large that x has no digit that far (x · 10^d is not
//   finite) x is returned unchanged; for d so negative that 10^d underflows,
//   0. A BIGINT x is unchanged for d ≥ 0 and rounded half away from zero to a
//   multiple of 10^-d for d < 0 (ROUND(1250, -2) = 1300); NULL if that overflows.
// - A DOUBLE result that is not finite (EXP(1000), POWER(10, 400)) is NULL;
//   so is a BIGINT result that does not fit.
// - DATE_TRUNC of a time whose truncation is below the earliest TIMESTAMP
//   (-2^63 ms) gives NULL.

import SpateLog
import SpateSQL

#if canImport(Glibc)
import Glibc
#endif

final class FunctionCallExpression: VectorExpression {
    let function: ScalarFunction
    let arguments: [VectorExpression]
    let nowMs: () -> Int64

    init(_ function: ScalarFunction, _ arguments: [VectorExpression], type: ValueType, nowMs: @escaping () -> Int64) {
        self.function = function
        self.arguments = arguments
        self.nowMs = nowMs
        super.init(type: type)
    }

    override func evaluate(rows: Int) {
        for argument in arguments { argument.evaluate(rows: rows) }
        result.reset(count: rows)
        let a = arguments.map(\.result)
        switch function {
        case .coalesce:
            for i in 0..<rows {
                if let first = a.first(where: { !$0.isNull[i] }) { copyConverting(from: first, i, to: result, i) } else { result.setNull(i) }
            }
            return
        case .nullif:
            let equal = ComparisonExpression(.equal, ColumnReferenceExpression(a[0]), ColumnReferenceExpression(a[1]))
            equal.evaluate(rows: rows)
            for i in 0..<rows {
                if !equal.result.isNull[i] && equal.result.bools[i] { result.setNull(i) } else { copyConverting(from: a[0], i, to: result, i) }
            }
            return
        case .now:
            let now = nowMs()
            for i in 0..<rows { result.set(i, int: now) }
            return
        default:
            break
        }
        for i in 0..<rows {
            if a.contains(where: { $0.isNull[i] }) { result.setNull(i); continue }
            evaluateRow(i, a)
        }
    }

    private func setNumber(_ i: Int, _ value: Double) {
        if type == .double {
            if value.isFinite { result.set(i, double: value) } else { result.setNull(i) }
        } else if let v = Int64(exactly: value.rounded(.towardZero)) {
            result.set(i, int: v)
        } else {
            result.setNull(i)
        }
    }

    /// Row `i` of `vector` as a whole number: truncated toward zero; nil when
    /// it is NaN, infinite or outside BIGINT's range.
    private func integerArgument(_ vector: ColumnVector, _ i: Int) -> Int64? {
        if vector.type != .double { return vector.ints[i] }
        return checkedInt64(vector.doubles[i])
    }

    /// x rounded to `digits` decimal digits (negative: to tens, hundreds, …).
    private func round(_ x: Double, digits: Int64) -> Double {
        if digits > 400 { return x }  // finer than any double's last digit
        if digits < -400 { return 0 }
        let scale = pow(10.0, Double(digits))
        if scale == 0 { return 0 }
        let scaled = x * scale
        if !scaled.isFinite || !scale.isFinite { return x }
        let rounded = scaled.rounded(.toNearestOrAwayFromZero) / scale
        return rounded.isFinite ? rounded : x
    }

    private func evaluateRow(_ i: Int, _ a: [ColumnVector]) {
        switch function {
        case .abs:
            if type == .bigint { let v = a[0].ints[i]; if v == .min { result.setNull(i) } else { result.set(i, int: Swift.abs(v)) } } else { setNumber(i, Swift.abs(a[0].number(i))) }
        case .round:
            guard let digits = a.count > 1 ? integerArgument(a[1], i) : 0 else { result.setNull(i); return }
            if type == .bigint { roundInteger(i, a[0].ints[i], digits: digits) } else { setNumber(i, round(a[0].number(i), digits: digits)) }
        case .floor: if type == .bigint { result.set(i, int: a[0].ints[i]) } else { setNumber(i, a[0].number(i).rounded(.down)) }
        case .ceil: if type == .bigint { result.set(i, int: a[0].ints[i]) } else { setNumber(i, a[0].number(i).rounded(.up)) }
        case .sqrt: let v = a[0].number(i); if v < 0 { result.setNull(i) } else { setNumber(i, v.squareRoot()) }
        case .ln: let v = a[0].number(i); if v <= 0 { result.setNull(i) } else { setNumber(i, log(v)) }
        case .exp: setNumber(i, Glibc.exp(a[0].number(i)))
        case .power: setNumber(i, pow(a[0].number(i), a[1].number(i)))
        case .greatest, .least:
            if type == .bigint {
                let values = a.map { $0.ints[i] }
                result.set(i, int: function == .greatest ? values.max()! : values.min()!)
            } else {
                let values = a.map { $0.number(i) }
                setNumber(i, function == .greatest ? values.max()! : values.min()!)
            }
        case .lower: result.set(i, string: a[0].string(i).lowercased())
        case .upper: result.set(i, string: a[0].string(i).uppercased())
        case .trim: result.set(i, string: a[0].string(i).trimmingSpaces)
        case .length: result.set(i, int: Int64(a[0].string(i).count))
        case .substr:
            // 1-based start, as in SQL; a start before 1 counts from 1.
            guard let start = integerArgument(a[1], i), let length = a.count > 2 ? integerArgument(a[2], i) : Int64.max else {
                result.setNull(i)
                return
            }
            let text = Array(a[0].string(i))
            let count = Int64(text.count)
            let from = min(count, max(1, start) - 1)
            let to = min(count, from + min(max(0, length), count))  // from, length ≤ count: cannot overflow
            result.set(i, string: String(text[Int(from)..<Int(to)]))
        case .concat:
            result.beginString(i)
            for vector in a { appendText(vector, i, to: result) }
        case .replace:
            let text = a[0].string(i), target = a[1].string(i), replacement = a[2].string(i)
            result.set(i, string: target.isEmpty ? text : text.split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement))
        case .fromUnixtime:
            // Seconds since the epoch, as MySQL/Flink's FROM_UNIXTIME.
            let ms = a[0].number(i) * 1000
            if let v = Int64(exactly: ms.rounded(.towardZero)) { result.set(i, int: v) } else { result.setNull(i) }
        case .unixMillis: result.set(i, int: a[0].ints[i])
        case .dateTrunc:
            let unitMs: Int64
            switch a[0].string(i).lowercased() {
            case "second": unitMs = 1000
            case "minute": unitMs = 60_000
            case "hour": unitMs = 3_600_000
            case "day": unitMs = 86_400_000
            case "week": unitMs = 7 * 86_400_000  // weeks since the epoch (a Thursday)
            default: result.setNull(i); return
            }
            let t = a[1].ints[i]
            let (truncated, overflow) = t.subtractingReportingOverflow(((t % unitMs) + unitMs) % unitMs)
            if overflow { result.setNull(i) } else { result.set(i, int: truncated) }
        case .formatTimestamp: result.set(i, string: textOf(a[0], i))
        case .coalesce, .nullif, .now: break
        }
    }

    /// ROUND of a BIGINT: unchanged for digits ≥ 0, else to a multiple of 10^-digits (half away from zero).
    private func roundInteger(_ i: Int, _ x: Int64, digits: Int64) {
        guard digits < 0 else { result.set(i, int: x); return }
        guard digits > -19 else { result.set(i, int: 0); return }  // 10^19 > every BIGINT
        var unit: Int64 = 1
        for _ in 0..<(-digits) { unit *= 10 }
        let remainder = x % unit, down = x - remainder
        let magnitude = remainder.magnitude
        guard magnitude * 2 >= unit.magnitude else { result.set(i, int: down); return }
        let (away, overflow) = down.addingReportingOverflow(x < 0 ? -unit : unit)
        if overflow { result.setNull(i) } else { result.set(i, int: away) }
    }
}

/// `value` truncated toward zero as a BIGINT; nil when it is NaN, infinite or
/// outside BIGINT's range (a plain `Int64(value)` would trap).
func checkedInt64(_ value: Double) -> Int64? {
    guard value.isFinite else { return nil }
    return Int64(exactly: value.rounded(.towardZero))
}
