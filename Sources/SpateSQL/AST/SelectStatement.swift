// SelectStatement: a bounded or continuous query.
//
// Layer: SpateSQL AST. Clause order as written in SQL:
//   SELECT [DISTINCT] items [FROM source [SINCE ...] [UNTIL ...]] [WINDOW ...]
//   [WHERE cond] [GROUP BY ... [WHERE cond]] [HAVING cond] [EMIT FINAL|CHANGES]
//   [ORDER BY ...] [LIMIT n]
//
// A WHERE written after GROUP BY (`... GROUP BY userId WHERE anomaly`) is kept apart
// in `postGroupWhere`: the parser only records where it stood; the analyzer decides
// what it filters (a WHERE that names `anomaly`, a detector or an aggregate applies
// to output rows, wherever it stands).
//
// Invariants: `items` is non-empty; `postGroupWhere` implies `groupBy` is non-empty;
// `since`/`until` imply `from`; `limit >= 0`.

/// A SELECT statement.
public struct SelectStatement: Hashable, Sendable, CustomStringConvertible {
    public var distinct: Bool
    public var items: [SelectItem]
    /// The stream or catalog table read; nil for `SELECT NOW()`.
    public var from: Identifier?
    public var since: StartPosition?
    public var until: EndPosition?
    public var window: WindowSpec?
    /// WHERE written before GROUP BY (or with no GROUP BY).
    public var `where`: Expression?
    public var groupBy: [Expression]
    /// WHERE written after GROUP BY.
    public var postGroupWhere: Expression?
    public var having: Expression?
    public var emit: EmitMode?
    public var orderBy: [OrderItem]
    public var limit: Int64?
    @SourceMetadata public var range: SourceRange

    public init(distinct: Bool = false, items: [SelectItem], from: Identifier? = nil,
                since: StartPosition? = nil, until: EndPosition? = nil, window: WindowSpec? = nil,
                where condition: Expression? = nil, groupBy: [Expression] = [], postGroupWhere: Expression? = nil,
                having: Expression? = nil, emit: EmitMode? = nil, orderBy: [OrderItem] = [], limit: Int64? = nil,
                range: SourceRange = SourceRange(start: .start, end: .start)) {
        self.distinct = distinct
        self.items = items
        self.from = from
        self.since = since
        self.until = until
        self.window = window
        self.where = condition
        self.groupBy = groupBy
        self.postGroupWhere = postGroupWhere
        self.having = having
        self.emit = emit
        self.orderBy = orderBy
        self.limit = limit
        self.range = range
    }

    public var description: String {
        var parts = ["SELECT" + (distinct ? " DISTINCT " : " ") + SQLText.list(items)]
        if let from { parts.append("FROM \(from)") }
        if let since { parts.append("SINCE \(since)") }
        if let until { parts.append("UNTIL \(until)") }
        if let window { parts.append(window.description) }
        if let condition = self.where { parts.append("WHERE \(condition)") }
        if !groupBy.isEmpty { parts.append("GROUP BY " + SQLText.list(groupBy)) }
        if let postGroupWhere { parts.append("WHERE \(postGroupWhere)") }
        if let having { parts.append("HAVING \(having)") }
        if let emit { parts.append("EMIT \(emit.rawValue)") }
        if !orderBy.isEmpty { parts.append("ORDER BY " + SQLText.list(orderBy)) }
        if let limit { parts.append("LIMIT \(limit)") }
        return parts.joined(separator: " ")
    }
}

/// One entry of the select list.
public enum SelectItem: Hashable, Sendable, CustomStringConvertible {
    /// `*`
    case wildcard(SourceMetadata<SourceRange>)
    /// `expr [AS alias]`
    case expression(Expression, alias: Identifier?)

    public var description: String {
        switch self {
        case .wildcard: return "*"
        case .expression(let expression, let alias):
            return expression.description + (alias.map { " AS \($0)" } ?? "")
        }
    }

    /// Where the item was written.
    public var range: SourceRange {
        switch self {
        case .wildcard(let range): return range.wrappedValue
        case .expression(let expression, let alias): return alias.map { expression.range.extended(to: $0.range) } ?? expression.range
        }
    }
}

/// `EMIT FINAL` (one row per window when it closes) or `EMIT CHANGES` (a row per update).
public enum EmitMode: String, Hashable, Sendable {
    case final = "FINAL"
    case changes = "CHANGES"
}

/// `expr [ASC|DESC]`.
public struct OrderItem: Hashable, Sendable, CustomStringConvertible {
    public var expression: Expression
    public var descending: Bool

    public init(expression: Expression, descending: Bool = false) {
        self.expression = expression
        self.descending = descending
    }

    public var description: String { expression.description + (descending ? " DESC" : "") }
}
