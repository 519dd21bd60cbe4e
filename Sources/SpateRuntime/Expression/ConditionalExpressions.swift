// IN lists, LIKE, CASE and CAST: the compiled forms of the less common
// expression kinds. Same contract as VectorExpression: one loop per batch.
//
// Casts never trap and never fail mid-stream: a value that does not convert,
// or a DOUBLE that is NaN, infinite or outside BIGINT's range cast to BIGINT
// or TIMESTAMP, gives NULL (ksqlDB's lenient casts; DuckDB's TRY_CAST).

import SpateJSON
import SpateLog
import SpateSQL

/// x [NOT] IN (a, b, …): true when x equals any item; NULL when x is NULL, or
/// when no item matches and some item is NULL (SQL's rule).
final class InListExpression: VectorExpression {
    let operand: VectorExpression
    let items: [VectorExpression]
    let negated: Bool
    private let comparisons: [ComparisonExpression]

    init(_ operand: VectorExpression, _ items: [VectorExpression], negated: Bool) {
        self.operand = operand
        self.items = items
        self.negated = negated
        comparisons = items.map { ComparisonExpression(.equal, operand, $0) }
        super.init(type: .boolean)
    }

    override func evaluate(rows: Int) {
        for comparison in comparisons { comparison.evaluate(rows: rows) }
        result.reset(count: rows)
        for i in 0..<rows {
            var matched = false, sawNull = false
            for comparison in comparisons {
                if comparison.result.isNull[i] { sawNull = true } else if comparison.result.bools[i] { matched = true; break }
            }
            if matched { result.set(i, bool: !negated) } else if sawNull { result.setNull(i) } else { result.set(i, bool: negated) }
        }
    }
}

/// x [NOT] LIKE pattern, with % (any run) and _ (one character), case-sensitive.
final class LikeExpression: VectorExpression {
    let operand: VectorExpression, pattern: VectorExpression
    let negated: Bool

    init(_ operand: VectorExpression, pattern: VectorExpression, negated: Bool) {
        self.operand = operand
        self.pattern = pattern
        self.negated = negated
        super.init(type: .boolean)
    }

    override func evaluate(rows: Int) {
        operand.evaluate(rows: rows)
        pattern.evaluate(rows: rows)
        result.reset(count: rows)
        for i in 0..<rows {
            if operand.result.isNull[i] || pattern.result.isNull[i] { result.setNull(i); continue }
            let matched = operand.result.withString(i) { text in pattern.result.withString(i) { likeMatches(text, $0) } }
            result.set(i, bool: matched != negated)
        }
    }
}

/// LIKE matching over UTF-8 bytes; `_` matches one whole character.
func likeMatches(_ text: UnsafeRawBufferPointer, _ pattern: UnsafeRawBufferPointer) -> Bool {
    var t = 0, p = 0
    var starPattern = -1, starText = 0
    func characterLength(_ at: Int) -> Int {
        let byte = text[at]
        if byte < 0x80 { return 1 }
        var length = 1
        while at + length < text.count && text[at + length] & 0xC0 == 0x80 { length += 1 }
        return length
    }
    while t < text.count {
        if p < pattern.count && pattern[p] == UInt8(ascii: "%") {
            starPattern = p
            starText = t
            p += 1
        } else if p < pattern.count && pattern[p] == UInt8(ascii: "_") {
            t += characterLength(t)
            p += 1
        } else if p < pattern.count && pattern[p] == text[t] {
            t += 1
            p += 1
        } else if starPattern >= 0 {
            p = starPattern + 1
            starText += characterLength(starText)
            t = starText
        } else {
            return false
        }
    }
    while p < pattern.count && pattern[p] == UInt8(ascii: "%") { p += 1 }
    return p == pattern.count
}

/// CASE WHEN c1 THEN r1 … ELSE e END: the first true condition's result.
final class CaseExpression: VectorExpression {
    let arms: [(condition: VectorExpression, result: VectorExpression)]
    let elseResult: VectorExpression?

    init(arms: [(VectorExpression, VectorExpression)], elseResult: VectorExpression?, type: ValueType) {
        self.arms = arms.map { (condition: $0.0, result: $0.1) }
        self.elseResult = elseResult
        super.init(type: type)
    }

    override func evaluate(rows: Int) {
        for arm in arms {
            arm.condition.evaluate(rows: rows)
            arm.result.evaluate(rows: rows)
        }
        elseResult?.evaluate(rows: rows)
        result.reset(count: rows)
        for i in 0..<rows {
            var chosen: ColumnVector? = elseResult?.result
            for arm in arms where !arm.condition.result.isNull[i] && arm.condition.result.bools[i] {
                chosen = arm.result.result
                break
            }
            guard let chosen else { result.setNull(i); continue }
            copyConverting(from: chosen, i, to: result, i)
        }
    }
}

/// Copies a value between vectors whose types may differ in numeric width.
func copyConverting(from source: ColumnVector, _ sourceRow: Int, to target: ColumnVector, _ row: Int) {
    if source.isNull[sourceRow] { target.setNull(row); return }
    if source.type == target.type { target.copy(row, from: source, sourceRow); return }
    switch target.type {
    case .double: target.set(row, double: source.number(sourceRow))
    case .bigint, .timestamp:
        if source.type != .double { target.set(row, int: source.ints[sourceRow]) } else if let v = checkedInt64(source.doubles[sourceRow]) { target.set(row, int: v) } else { target.setNull(row) }
    case .string:
        target.beginString(row)
        appendText(source, sourceRow, to: target)
    default: target.setNull(row)
    }
}

/// CAST(x AS type). A value that does not convert gives NULL (like ksqlDB's
/// lenient casts), never an error mid-stream.
final class CastExpression: VectorExpression {
    let operand: VectorExpression

    init(_ operand: VectorExpression, to type: ValueType) {
        self.operand = operand
        super.init(type: type)
    }

    override func evaluate(rows: Int) {
        operand.evaluate(rows: rows)
        let input = operand.result
        result.reset(count: rows)
        for i in 0..<rows {
            if input.isNull[i] { result.setNull(i); continue }
            switch (input.type, type) {
            case (.string, .double):
                if let v = input.withString(i, { JSONNumber.parseDouble($0) }) ?? Double(input.string(i).trimmingSpaces) { result.set(i, double: v) } else { result.setNull(i) }
            case (.string, .bigint):
                if let v = input.withString(i, { JSONNumber.parseInt64($0) }) ?? Int64(input.string(i).trimmingSpaces) { result.set(i, int: v) } else { result.setNull(i) }
            case (.string, .timestamp):
                if let v = UTCTimestamp.parse(input.string(i)) { result.set(i, int: v) } else { result.setNull(i) }
            case (.string, .boolean):
                switch input.string(i).lowercased() {
                case "true", "t", "yes", "1": result.set(i, bool: true)
                case "false", "f", "no", "0": result.set(i, bool: false)
                default: result.setNull(i)
                }
            case (.boolean, .bigint): result.set(i, int: input.bools[i] ? 1 : 0)
            case (.boolean, .double): result.set(i, double: input.bools[i] ? 1 : 0)
            case (.bigint, .boolean), (.timestamp, .boolean): result.set(i, bool: input.ints[i] != 0)
            case (.double, .boolean): result.set(i, bool: input.doubles[i] != 0)
            case (.double, .bigint), (.double, .timestamp):
                if let v = checkedInt64(input.doubles[i]) { result.set(i, int: v) } else { result.setNull(i) }
            default:
                copyConverting(from: input, i, to: result, i)
            }
        }
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
