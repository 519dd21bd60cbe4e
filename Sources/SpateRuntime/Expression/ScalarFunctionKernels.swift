// The implementations of the scalar functions that SpateSQL's `ScalarFunction`
// names and types: one case each, a loop over the batch. NULL in, NULL out,
// except COALESCE / NULLIF.

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

    private func evaluateRow(_ i: Int, _ a: [ColumnVector]) {
        switch function {
        case .abs:
            if type == .bigint { let v = a[0].ints[i]; if v == .min { result.setNull(i) } else { result.set(i, int: Swift.abs(v)) } } else { setNumber(i, Swift.abs(a[0].number(i))) }
        case .round:
            let digits = a.count > 1 ? Int(a[1].number(i)) : 0
            if type == .bigint { result.set(i, int: a[0].ints[i]) } else {
                let scale = pow(10.0, Double(digits))
                setNumber(i, (a[0].number(i) * scale).rounded(.toNearestOrAwayFromZero) / scale)
            }
        case .floor: if type == .bigint { result.set(i, int: a[0].ints[i]) } else { setNumber(i, a[0].number(i).rounded(.down)) }
        case .ceil: if type == .bigint { result.set(i, int: a[0].ints[i]) } else { setNumber(i, a[0].number(i).rounded(.up)) }
        case .sqrt: let v = a[0].number(i); if v < 0 { result.setNull(i) } else { setNumber(i, v.squareRoot()) }
        case .ln: let v = a[0].number(i); if v <= 0 { result.setNull(i) } else { setNumber(i, log(v)) }
        case .exp: setNumber(i, Glibc.exp(a[0].number(i)))
        case .power: setNumber(i, pow(a[0].number(i), a[1].number(i)))
        case .greatest: setNumber(i, a.map { $0.number(i) }.max()!)
        case .least: setNumber(i, a.map { $0.number(i) }.min()!)
        case .lower: result.set(i, string: a[0].string(i).lowercased())
        case .upper: result.set(i, string: a[0].string(i).uppercased())
        case .trim: result.set(i, string: a[0].string(i).trimmingSpaces)
        case .length: result.set(i, int: Int64(a[0].string(i).count))
        case .substr:
            // 1-based start, as in SQL; a start before 1 counts from 1.
            let text = Array(a[0].string(i))
            let start = max(1, Int(a[1].number(i)))
            let length = a.count > 2 ? max(0, Int(a[2].number(i))) : text.count
            let from = min(text.count, start - 1), to = min(text.count, from + length)
            result.set(i, string: String(text[from..<to]))
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
            result.set(i, int: t - ((t % unitMs) + unitMs) % unitMs)
        case .formatTimestamp: result.set(i, string: textOf(a[0], i))
        case .coalesce, .nullif, .now: break
        }
    }
}
