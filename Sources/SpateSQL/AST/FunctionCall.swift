// FunctionCall and CaseExpression: the compound expression forms.
//
// Layer: SpateSQL AST. A function call is only a name and arguments here; whether
// the name is a scalar function, an aggregate (COUNT, AVG, ...) or a detector
// (ZSCORE, RCF, ANOMALY_SCORE) is decided by the analyzer from the function registry.
//
// Invariants: `star` (COUNT(*)) implies no arguments and not `distinct`; positional
// arguments come before named ones (`ZSCORE(amount, threshold => 3)`); named
// argument names are unique within a call.

/// `name(args)`, `COUNT(*)`, `COUNT(DISTINCT x)`, `f(x) OVER (PARTITION BY k)`.
public struct FunctionCall: Hashable, Sendable, CustomStringConvertible {
    public var name: Identifier
    public var arguments: [FunctionArgument]
    /// `COUNT(DISTINCT x)`
    public var distinct: Bool
    /// `COUNT(*)`
    public var star: Bool
    /// `OVER (PARTITION BY ...)`; nil when there is no OVER clause.
    public var over: OverClause?

    public init(name: Identifier, arguments: [FunctionArgument] = [], distinct: Bool = false, star: Bool = false, over: OverClause? = nil) {
        precondition(!star || (arguments.isEmpty && !distinct), "f(*) takes no other arguments")
        self.name = name
        self.arguments = arguments
        self.distinct = distinct
        self.star = star
        self.over = over
    }

    var children: [Expression] {
        arguments.map(\.value) + (over?.partitionBy ?? [])
    }

    public var description: String {
        var text = name.description + "("
        if star {
            text += "*"
        } else {
            if distinct { text += "DISTINCT " }
            text += SQLText.list(arguments)
        }
        text += ")"
        if let over { text += " " + over.description }
        return text
    }
}

/// One argument: positional (`amount`) or named (`threshold => 3`).
public struct FunctionArgument: Hashable, Sendable, CustomStringConvertible {
    public var name: Identifier?
    public var value: Expression

    public init(name: Identifier? = nil, value: Expression) {
        self.name = name
        self.value = value
    }

    public var description: String {
        (name.map { $0.description + " => " } ?? "") + value.sql(minimum: .lowest)
    }
}

/// `OVER (PARTITION BY a, b)` or `OVER ()`.
public struct OverClause: Hashable, Sendable, CustomStringConvertible {
    public var partitionBy: [Expression]
    @SourceMetadata public var range: SourceRange

    public init(partitionBy: [Expression], range: SourceRange = SourceRange(start: .start, end: .start)) {
        self.partitionBy = partitionBy
        self.range = range
    }

    public var description: String {
        partitionBy.isEmpty ? "OVER ()" : "OVER (PARTITION BY " + SQLText.list(partitionBy) + ")"
    }
}

/// `CASE [operand] WHEN w THEN t ... [ELSE e] END`.
public struct CaseExpression: Hashable, Sendable, CustomStringConvertible {
    /// For the simple form `CASE x WHEN 1 THEN ...`; nil for `CASE WHEN cond THEN ...`.
    public var operand: Expression?
    /// At least one branch.
    public var branches: [CaseBranch]
    public var elseResult: Expression?

    public init(operand: Expression?, branches: [CaseBranch], elseResult: Expression?) {
        precondition(!branches.isEmpty, "CASE has at least one WHEN")
        self.operand = operand
        self.branches = branches
        self.elseResult = elseResult
    }

    var children: [Expression] {
        (operand.map { [$0] } ?? []) + branches.flatMap { [$0.condition, $0.result] } + (elseResult.map { [$0] } ?? [])
    }

    public var description: String {
        var text = "CASE"
        if let operand { text += " " + operand.sql(minimum: .lowest) }
        for branch in branches {
            text += " WHEN " + branch.condition.sql(minimum: .lowest) + " THEN " + branch.result.sql(minimum: .lowest)
        }
        if let elseResult { text += " ELSE " + elseResult.sql(minimum: .lowest) }
        return text + " END"
    }
}

/// `WHEN condition THEN result`.
public struct CaseBranch: Hashable, Sendable {
    public var condition: Expression
    public var result: Expression

    public init(condition: Expression, result: Expression) {
        self.condition = condition
        self.result = result
    }
}
