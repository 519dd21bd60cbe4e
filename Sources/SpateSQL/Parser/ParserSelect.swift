// Parser + SELECT: the select list and the streaming clauses.
//
// Layer: SpateSQL parser. Clauses are read in one fixed order (see
// SelectStatement.swift). A clause keyword met after its place produces an error
// that says so ("WINDOW must come before WHERE") instead of a generic one.

extension Parser {
    /// Clause keywords in the order they must appear.
    static let selectClauseOrder = ["FROM", "SINCE", "UNTIL", "WINDOW", "WHERE", "GROUP", "HAVING", "EMIT", "ORDER", "LIMIT"]

    mutating func parseSelect() throws(SQLError) -> SelectStatement {
        let start = try expectKeyword("SELECT", "")
        var select = SelectStatement(items: [])
        select.distinct = consumeKeyword("DISTINCT") != nil
        var lastImplicitAlias: Token?
        repeat {
            try checkCount(select.items.count, limit: limits.listCountMax, "items in the select list")
            lastImplicitAlias = nil
            if let star = consume(.star) {
                select.items.append(.wildcard(SourceMetadata(wrappedValue: star.range)))
                continue
            }
            let expression = try parseExpression()
            var alias: Identifier?
            if consumeKeyword("AS") != nil {
                alias = try parseIdentifier("an alias after AS")
            } else if atIdentifier {
                lastImplicitAlias = current
                alias = try parseIdentifier("an alias")
            }
            select.items.append(.expression(expression, alias: alias))
        } while consume(.comma) != nil

        if consumeKeyword("FROM") != nil {
            select.from = try parseIdentifier("a stream or table name after FROM")
            if consumeKeyword("SINCE") != nil { select.since = try parseStartPosition("after SINCE") }
            if consumeKeyword("UNTIL") != nil { select.until = try parseEndPosition() }
        } else if !(at(.semicolon) || at(.endOfInput) || at(.rightParen)) {
            // `SELECT a, COUNT(*) FORM t`: FORM was taken as an alias; point at it.
            if let alias = lastImplicitAlias, NameSuggester.nearest(to: Keywords.uppercased(alias.text), in: ["FROM"]) != nil {
                throw error(.syntax, "expected FROM after select list, found \(alias.displayName)", at: alias, suggestion: "FROM")
            }
            throw unexpected("FROM after select list", suggesting: ["FROM"])
        }
        if atKeyword("WINDOW") { select.window = try parseWindow() }
        if consumeKeyword("WHERE") != nil { select.where = try parseExpression() }
        if consumeKeyword("GROUP") != nil {
            try expectKeyword("BY", "after GROUP")
            select.groupBy = try parseExpressionList("GROUP BY expressions")
            if consumeKeyword("WHERE") != nil { select.postGroupWhere = try parseExpression() }
        }
        if consumeKeyword("HAVING") != nil { select.having = try parseExpression() }
        if consumeKeyword("EMIT") != nil {
            let (mode, _) = try expectOneOf(["FINAL", "CHANGES"], "after EMIT")
            select.emit = mode == "FINAL" ? .final : .changes
        }
        if consumeKeyword("ORDER") != nil {
            try expectKeyword("BY", "after ORDER")
            repeat {
                try checkCount(select.orderBy.count, limit: limits.listCountMax, "ORDER BY expressions")
                let expression = try parseExpression()
                var descending = false
                if consumeKeyword("DESC") != nil { descending = true } else { _ = consumeKeyword("ASC") }
                select.orderBy.append(OrderItem(expression: expression, descending: descending))
            } while consume(.comma) != nil
        }
        if consumeKeyword("LIMIT") != nil {
            if at(.minus) { throw error(.invalidValue, "LIMIT cannot be negative", at: current) }
            select.limit = try parseInteger("a row count after LIMIT").value
        }
        try rejectMisplacedClause(in: select)
        select.range = SourceRange(start: start.range.start, end: previousEnd)
        return select
    }

    /// Comma-separated expressions.
    mutating func parseExpressionList(_ what: String) throws(SQLError) -> [Expression] {
        var list: [Expression] = []
        repeat {
            try checkCount(list.count, limit: limits.listCountMax, what)
            list.append(try parseExpression())
        } while consume(.comma) != nil
        return list
    }

    /// After the last clause: a clause keyword here is out of order or repeated.
    func rejectMisplacedClause(in select: SelectStatement) throws(SQLError) {
        guard current.kind == .word,
              let index = Self.selectClauseOrder.firstIndex(where: { current.isKeyword($0) }) else { return }
        let keyword = Self.selectClauseOrder[index]
        let present: Bool
        switch keyword {
        case "FROM": present = select.from != nil
        case "SINCE": present = select.since != nil
        case "UNTIL": present = select.until != nil
        case "WINDOW": present = select.window != nil
        case "WHERE": present = select.where != nil || select.postGroupWhere != nil
        case "GROUP": present = !select.groupBy.isEmpty
        case "HAVING": present = select.having != nil
        case "EMIT": present = select.emit != nil
        case "ORDER": present = !select.orderBy.isEmpty
        default: present = select.limit != nil
        }
        let display = keyword == "GROUP" || keyword == "ORDER" ? keyword + " BY" : keyword
        if present {
            throw error(.syntax, "\(display) appears twice in this SELECT", at: current)
        }
        if (keyword == "SINCE" || keyword == "UNTIL") && select.from == nil {
            throw error(.syntax, "\(display) needs a FROM clause before it", at: current)
        }
        let order = Self.selectClauseOrder.map { $0 == "GROUP" || $0 == "ORDER" ? $0 + " BY" : $0 }.joined(separator: ", ")
        throw error(.syntax, "\(display) is out of place: clauses go in the order \(order)", at: current)
    }

    /// `WINDOW TUMBLING (...)`, `WINDOW HOPPING (...)`, `WINDOW SESSION (...)`.
    mutating func parseWindow() throws(SQLError) -> WindowSpec {
        let start = advance()
        let (type, _) = try expectOneOf(["TUMBLING", "HOPPING", "SESSION"], "after WINDOW")
        try expect(.leftParen, "'(' after WINDOW \(type)")
        let kind: WindowSpec.Kind
        switch type {
        case "TUMBLING":
            try expectKeyword("SIZE", "in WINDOW TUMBLING (SIZE ...)")
            kind = .tumbling(size: try parseDuration("window SIZE", allowZero: false))
        case "HOPPING":
            try expectKeyword("SIZE", "in WINDOW HOPPING (SIZE ..., ADVANCE BY ...)")
            let size = try parseDuration("window SIZE", allowZero: false)
            try expect(.comma, "',' and ADVANCE BY after the SIZE of a HOPPING window")
            try expectKeyword("ADVANCE", "in WINDOW HOPPING (SIZE ..., ADVANCE BY ...)")
            try expectKeyword("BY", "after ADVANCE")
            let advanceToken = current
            let step = try parseDuration("ADVANCE BY", allowZero: false)
            if step > size {
                throw error(.invalidValue, "ADVANCE BY (\(step)) must not be longer than SIZE (\(size)); records between windows would be skipped", at: advanceToken)
            }
            kind = .hopping(size: size, advance: step)
        default:
            try expectKeyword("GAP", "in WINDOW SESSION (GAP ...)")
            kind = .session(gap: try parseDuration("session GAP", allowZero: false))
        }
        var grace: SQLDuration?
        if consume(.comma) != nil {
            try expectKeyword("GRACE", "after ',' in the WINDOW clause")
            grace = try parseDuration("GRACE", allowZero: true)
        }
        let close = try expect(.rightParen, grace == nil ? "',' GRACE or ')' to close WINDOW \(type) (...)" : "')' to close WINDOW \(type) (...)")
        return WindowSpec(kind: kind, grace: grace, range: start.range.extended(to: close.range))
    }
}
