// Parser + streams: CREATE STREAM and INSERT.
//
// Layer: SpateSQL parser.

extension Parser {
    mutating func parseCreateStream() throws(SQLError) -> CreateStreamStatement {
        let ifNotExists = try parseIfNotExists()
        var statement = CreateStreamStatement(name: try parseIdentifier("a stream name"), ifNotExists: ifNotExists)
        if consume(.leftParen) != nil {
            var seen = Set<String>()
            repeat {
                try checkCount(statement.columns.count, limit: limits.listCountMax, "columns")
                let name = try parseIdentifier("a column name")
                if !seen.insert(name.value).inserted {
                    throw error(.syntax, "column '\(name.value)' is declared twice", at: tokens[position - 1])
                }
                statement.columns.append(ColumnDefinition(name: name, type: try parseType()))
            } while consume(.comma) != nil
            try expect(.rightParen, "',' or ')' in the column list")
        }
        if consumeKeyword("WITH") != nil {
            statement.options = try parseOptions(required: true)
        }
        return statement
    }

    mutating func parseInsert() throws(SQLError) -> InsertStatement {
        advance()
        try expectKeyword("INTO", "after INSERT")
        // INSERT INTO SINK name SELECT … (a job's output to files); a stream named "sink" is followed by VALUES, SELECT or '('.
        let intoSink = atKeyword("SINK") && (peek().kind == .word || peek().kind == .quotedIdentifier)
            && !peek().isKeyword("VALUES") && !peek().isKeyword("SELECT")
        if intoSink {
            advance()
            let sink = try parseIdentifier("a sink name after INSERT INTO SINK")
            guard atKeyword("SELECT") else { throw unexpected("SELECT after INSERT INTO SINK \(sink)", suggesting: ["SELECT"]) }
            var statement = InsertStatement(stream: sink, source: .select(try parseSelect()))
            statement.intoSink = true
            return statement
        }
        let stream = try parseIdentifier("a stream name after INSERT INTO")
        var columns: [Identifier] = []
        if consume(.leftParen) != nil {
            var seen = Set<String>()
            repeat {
                try checkCount(columns.count, limit: limits.listCountMax, "columns")
                let column = try parseIdentifier("a column name")
                if !seen.insert(column.value).inserted {
                    throw error(.syntax, "column '\(column.value)' is listed twice", at: tokens[position - 1])
                }
                columns.append(column)
            } while consume(.comma) != nil
            try expect(.rightParen, "',' or ')' in the column list")
        }
        if atKeyword("SELECT") {
            return InsertStatement(stream: stream, columns: columns, source: .select(try parseSelect()))
        }
        _ = try expectOneOf(["VALUES", "SELECT"], "after INSERT INTO \(stream)\(columns.isEmpty ? "" : " (...)")")
        var rows: [[Expression]] = []
        repeat {
            try checkCount(rows.count, limit: limits.listCountMax, "rows in VALUES")
            let open = try expect(.leftParen, "'(' to start a row of VALUES")
            var row: [Expression] = []
            repeat {
                try checkCount(row.count, limit: limits.listCountMax, "values in a row")
                row.append(try parseExpression())
            } while consume(.comma) != nil
            try expect(.rightParen, "',' or ')' in the row of VALUES")
            let expected = columns.isEmpty ? rows.first?.count : columns.count
            if let expected, row.count != expected {
                let against = columns.isEmpty ? "the first row has \(expected)" : "\(expected) columns are listed"
                throw error(.syntax, "row \(rows.count + 1) has \(row.count) value\(row.count == 1 ? "" : "s") but \(against)", at: open)
            }
            rows.append(row)
        } while consume(.comma) != nil
        return InsertStatement(stream: stream, columns: columns, source: .values(rows))
    }
}
