// Parser + expressions: precedence climbing over the levels listed in Expression.swift.
//
// Layer: SpateSQL parser. Each nesting (parentheses, function arguments, CASE
// parts, prefix operators) goes through `parseExpression`, which counts recursion
// depth; every node is built through `node`, which checks the tree height. Both are
// bounded by SQLLimits.expressionDepthMax, so a hostile input such as 100 000
// opening parentheses, or a very long `a + a + ...` chain, is a positioned error.

extension Parser {
    /// Parses an expression whose operators all bind at least as tightly as `minimum`.
    mutating func parseExpression(minimum: Precedence = .or) throws(SQLError) -> Expression {
        recursionDepth += 1
        defer { recursionDepth -= 1 }
        if recursionDepth > limits.expressionDepthMax {
            throw error(.limitExceeded, "expression is nested more than \(limits.expressionDepthMax) levels deep", at: current)
        }
        var left = try parsePrefix()
        while true {
            if let op = binaryOperator(current.kind), op.precedence >= minimum {
                advance()
                // Comparisons take a concat-level right operand; others associate to the left.
                let right = try parseExpression(minimum: op.precedence.tighter)
                left = try node(.binary(op, left, right), from: left.range, to: right.range)
            } else if Precedence.comparison >= minimum, let postfix = try parseComparisonPostfix(left) {
                left = postfix
            } else {
                return left
            }
        }
    }

    /// Builds a node, checking the height limit.
    func node(_ kind: Expression.Kind, from start: SourceRange, to end: SourceRange) throws(SQLError) -> Expression {
        let expression = Expression(kind, range: start.extended(to: end))
        if expression.height > limits.expressionDepthMax {
            throw SQLError(.limitExceeded, "expression is nested more than \(limits.expressionDepthMax) levels deep", at: start.start)
        }
        return expression
    }

    func binaryOperator(_ kind: TokenKind) -> BinaryOperator? {
        switch kind {
        case .equal: return .equal
        case .notEqual: return .notEqual
        case .less: return .less
        case .lessEqual: return .lessEqual
        case .greater: return .greater
        case .greaterEqual: return .greaterEqual
        case .concat: return .concat
        case .plus: return .add
        case .minus: return .subtract
        case .star: return .multiply
        case .slash: return .divide
        case .percent: return .modulo
        case .word:
            if atKeyword("AND") { return .and }
            if atKeyword("OR") { return .or }
            return nil
        default: return nil
        }
    }

    /// `IS [NOT] NULL`, `[NOT] BETWEEN`, `[NOT] IN`, `[NOT] LIKE` after `operand`; nil if none follows.
    mutating func parseComparisonPostfix(_ operand: Expression) throws(SQLError) -> Expression? {
        if consumeKeyword("IS") != nil {
            let negated = consumeKeyword("NOT") != nil
            guard let null = consumeKeyword("NULL") else {
                throw unexpected("NULL after IS\(negated ? " NOT" : "")", suggesting: ["NULL"])
            }
            return try node(.isNull(operand, negated: negated), from: operand.range, to: null.range)
        }
        var negated = false
        if atKeyword("NOT"), peek().isKeyword("BETWEEN") || peek().isKeyword("IN") || peek().isKeyword("LIKE") {
            advance()
            negated = true
        }
        if consumeKeyword("BETWEEN") != nil {
            let low = try parseExpression(minimum: .concat)
            try expectKeyword("AND", "between the bounds of BETWEEN")
            let high = try parseExpression(minimum: .concat)
            return try node(.between(operand, low: low, high: high, negated: negated), from: operand.range, to: high.range)
        }
        if consumeKeyword("LIKE") != nil {
            let pattern = try parseExpression(minimum: .concat)
            return try node(.like(operand, pattern: pattern, negated: negated), from: operand.range, to: pattern.range)
        }
        if consumeKeyword("IN") != nil {
            try expect(.leftParen, "'(' after IN")
            if atKeyword("SELECT") {
                throw error(.syntax, "subqueries are not supported; IN takes a list of values", at: current)
            }
            var items: [Expression] = []
            repeat {
                try checkCount(items.count, limit: limits.inListCountMax, "values in the IN list")
                items.append(try parseExpression())
            } while consume(.comma) != nil
            let close = try expect(.rightParen, "',' or ')' in the IN list")
            return try node(.inList(operand, items, negated: negated), from: operand.range, to: close.range)
        }
        return nil
    }

    /// NOT, unary minus/plus, or a primary expression.
    mutating func parsePrefix() throws(SQLError) -> Expression {
        let start = current
        if consumeKeyword("NOT") != nil {
            let operand = try parseExpression(minimum: .not)
            return try node(.unary(.not, operand), from: start.range, to: operand.range)
        }
        if consume(.minus) != nil {
            if at(.integer) || at(.decimal) {
                let number = advance()
                return Expression(.literal(try numberLiteral(number, negative: true)), range: start.range.extended(to: number.range))
            }
            let operand = try parseExpression(minimum: .unaryMinus)
            return try node(.unary(.negate, operand), from: start.range, to: operand.range)
        }
        if consume(.plus) != nil {
            return try parseExpression(minimum: .unaryMinus)
        }
        return try parsePrimary()
    }

    mutating func parsePrimary() throws(SQLError) -> Expression {
        let token = current
        switch token.kind {
        case .integer, .decimal:
            advance()
            return Expression(.literal(try numberLiteral(token, negative: false)), range: token.range)
        case .string:
            advance()
            return Expression(.literal(.string(token.text)), range: token.range)
        case .leftParen:
            advance()
            if atKeyword("SELECT") {
                throw error(.syntax, "subqueries are not supported", at: current)
            }
            var inner = try parseExpression()
            let close = try expect(.rightParen, "')' to close the '(' at line \(token.range.start.line), column \(token.range.start.column)")
            inner.range = token.range.extended(to: close.range)
            return inner
        case .quotedIdentifier:
            return try parseNameExpression()
        case .word:
            switch Keywords.uppercased(token.text) {
            case "TRUE": advance(); return Expression(.literal(.boolean(true)), range: token.range)
            case "FALSE": advance(); return Expression(.literal(.boolean(false)), range: token.range)
            case "NULL": advance(); return Expression(.literal(.null), range: token.range)
            case "CASE": return try parseCase()
            case "CAST": return try parseCast()
            case "INTERVAL": return try parseInterval()
            default:
                if token.isReservedWord {
                    throw error(.syntax, "expected an expression, found keyword \(Keywords.uppercased(token.text)); to use it as a name, quote it: \"\(token.text)\"", at: token)
                }
                return try parseNameExpression()
            }
        default:
            throw unexpected("an expression", suggesting: [])
        }
    }

    /// A column reference with an optional dot path, or a function call.
    mutating func parseNameExpression() throws(SQLError) -> Expression {
        let name = try parseIdentifier("a name")
        if at(.leftParen) {
            return try parseFunctionCall(name)
        }
        var path = [name]
        while consume(.dot) != nil {
            try checkCount(path.count, limit: limits.expressionDepthMax, "parts in a field path")
            path.append(try parseIdentifier("a field name after '.'", allowReserved: true))
        }
        if at(.leftParen) {
            throw error(.syntax, "function names cannot contain '.'; call \(path.last!)(...) instead", at: current)
        }
        return Expression(.column(ColumnReference(path: path)), range: name.range.extended(to: path.last!.range))
    }

    mutating func parseFunctionCall(_ name: Identifier) throws(SQLError) -> Expression {
        try expect(.leftParen, "'('")
        var call = FunctionCall(name: name)
        if consume(.star) != nil {
            call.star = true
        } else if !at(.rightParen) {
            call.distinct = consumeKeyword("DISTINCT") != nil
            var namedSeen = Set<String>()
            repeat {
                try checkCount(call.arguments.count, limit: limits.listCountMax, "arguments to \(name)")
                if (at(.word) || at(.quotedIdentifier)) && peek().kind == .arrow {
                    let argumentName = try parseIdentifier("an argument name", allowReserved: true)
                    advance()
                    if !namedSeen.insert(Keywords.uppercased(argumentName.value)).inserted {
                        throw error(.syntax, "argument '\(argumentName.value)' is given twice", at: tokens[position - 2])
                    }
                    call.arguments.append(FunctionArgument(name: argumentName, value: try parseExpression()))
                } else {
                    if !namedSeen.isEmpty {
                        throw error(.syntax, "a positional argument cannot follow named arguments in \(name)(...)", at: current)
                    }
                    call.arguments.append(FunctionArgument(value: try parseExpression()))
                }
            } while consume(.comma) != nil
        }
        var end = try expect(.rightParen, "',' or ')' in the arguments of \(name)").range
        if let overToken = consumeKeyword("OVER") {
            try expect(.leftParen, "'(' after OVER")
            var partition: [Expression] = []
            if consumeKeyword("PARTITION") != nil {
                try expectKeyword("BY", "after PARTITION")
                repeat {
                    try checkCount(partition.count, limit: limits.listCountMax, "PARTITION BY expressions")
                    partition.append(try parseExpression())
                } while consume(.comma) != nil
            } else if atKeyword("ORDER") {
                throw error(.syntax, "OVER takes only PARTITION BY; rows are processed in event-time order", at: current)
            }
            let close = try expect(.rightParen, partition.isEmpty ? "PARTITION BY or ')' after OVER (" : "',' or ')' after PARTITION BY")
            call.over = OverClause(partitionBy: partition, range: overToken.range.extended(to: close.range))
            end = close.range
        }
        return try node(.function(call), from: name.range, to: end)
    }

    mutating func parseCase() throws(SQLError) -> Expression {
        let start = advance()
        let operand: Expression? = atKeyword("WHEN") ? nil : try parseExpression()
        var branches: [CaseBranch] = []
        while consumeKeyword("WHEN") != nil {
            try checkCount(branches.count, limit: limits.listCountMax, "WHEN branches")
            let condition = try parseExpression()
            try expectKeyword("THEN", "after the WHEN condition")
            branches.append(CaseBranch(condition: condition, result: try parseExpression()))
        }
        if branches.isEmpty {
            throw unexpected("WHEN after CASE", suggesting: ["WHEN"])
        }
        let elseResult: Expression? = consumeKeyword("ELSE") != nil ? try parseExpression() : nil
        guard let end = consumeKeyword("END") else {
            throw unexpected(elseResult == nil ? "WHEN, ELSE or END in CASE" : "END to close CASE", suggesting: ["WHEN", "ELSE", "END"])
        }
        let expression = CaseExpression(operand: operand, branches: branches, elseResult: elseResult)
        return try node(.caseWhen(expression), from: start.range, to: end.range)
    }

    mutating func parseCast() throws(SQLError) -> Expression {
        let start = advance()
        try expect(.leftParen, "'(' after CAST")
        let operand = try parseExpression()
        try expectKeyword("AS", "and a type in CAST(... AS type)")
        let type = try parseType()
        let close = try expect(.rightParen, "')' to close CAST")
        return try node(.cast(operand, type), from: start.range, to: close.range)
    }

    /// A type name: STRING, DOUBLE, BIGINT, INT, INTEGER, BOOLEAN, TIMESTAMP, ...
    mutating func parseType() throws(SQLError) -> SQLType {
        let token = current
        let names = SQLType.spellings.map(\.spelling)
        guard token.kind == .word, let type = SQLType.named(token.text, range: token.range) else {
            throw unexpected("a type (STRING, DOUBLE, BIGINT, BOOLEAN or TIMESTAMP)", suggesting: names)
        }
        advance()
        return type
    }

    /// `INTERVAL '1' HOUR`, `INTERVAL '90 seconds'`, `INTERVAL 5 MINUTES`.
    mutating func parseInterval() throws(SQLError) -> Expression {
        let start = advance()
        let duration: SQLDuration
        if at(.string), peek().kind == .word, let unit = SQLDuration.Unit.named(peek().text) {
            let countToken = advance()
            advance()
            let trimmed = countToken.text.trimmingSpaces
            guard let count = Int64(trimmed), count >= 0 else {
                throw error(.invalidValue, "expected a whole number in INTERVAL '\(countToken.text)' \(unit.rawValue)", at: countToken)
            }
            guard let value = SQLDuration.of(count, unit) else {
                throw error(.invalidValue, "INTERVAL '\(countToken.text)' \(unit.rawValue) is too large", at: countToken)
            }
            duration = value
            if duration.milliseconds == 0 {
                throw error(.invalidValue, "an INTERVAL must be longer than zero", at: countToken)
            }
        } else {
            duration = try parseDuration("INTERVAL", allowZero: false)
        }
        return Expression(.interval(duration), range: start.range.extended(to: tokens[position - 1].range))
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
              let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        return String(scalars[first...last])
    }
}
