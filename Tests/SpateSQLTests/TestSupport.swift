// Helpers shared by the SpateSQL tests: building expected ASTs without positions
// (AST equality ignores source ranges) and pulling typed statements out of a parse.

@testable import SpateSQL
import Testing

struct UnexpectedStatement: Error, CustomStringConvertible {
    var description: String
}

func col(_ path: String...) -> Expression {
    Expression(.column(ColumnReference(path: path.map { Identifier($0) })))
}

func int(_ value: Int64) -> Expression { Expression(.literal(.integer(value))) }
func dec(_ value: Double) -> Expression { Expression(.literal(.decimal(value))) }
func str(_ value: String) -> Expression { Expression(.literal(.string(value))) }
func bool(_ value: Bool) -> Expression { Expression(.literal(.boolean(value))) }

func bin(_ op: BinaryOperator, _ left: Expression, _ right: Expression) -> Expression {
    Expression(.binary(op, left, right))
}

func not(_ operand: Expression) -> Expression { Expression(.unary(.not, operand)) }
func neg(_ operand: Expression) -> Expression { Expression(.unary(.negate, operand)) }

func call(_ name: String, _ args: Expression..., named: [(String, Expression)] = [], over: [Expression]? = nil) -> Expression {
    let arguments = args.map { FunctionArgument(value: $0) } + named.map { FunctionArgument(name: Identifier($0.0), value: $0.1) }
    return Expression(.function(FunctionCall(name: Identifier(name), arguments: arguments, over: over.map { OverClause(partitionBy: $0) })))
}

func expr(_ text: String) throws -> Expression {
    try Parser.parseExpression(text)
}

func selectOf(_ sql: String) throws -> SelectStatement {
    let statement = try Parser.parseStatement(sql)
    guard case .select(let select) = statement.kind else { throw UnexpectedStatement(description: "not a SELECT: \(statement)") }
    return select
}

/// Parses `sql`, expecting an SQLError, and returns it.
func parseError(_ sql: String, limits: SQLLimits = .standard, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> SQLError? {
    do {
        let statements = try Parser.parseScript(sql, limits: limits)
        Issue.record("expected an error, parsed \(statements.map(\.description))", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}
