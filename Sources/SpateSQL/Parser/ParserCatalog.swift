// Parser + generic catalog statements: CREATE dispatch, ALTER ... SET, DROP, SHOW,
// DESCRIBE, EXPLAIN, and WITH/SET option lists.
//
// Layer: SpateSQL parser.

extension Parser {
    mutating func parseCreate() throws(SQLError) -> Statement.Kind {
        advance()
        let (type, _) = try expectOneOf(["STREAM", "JOB", "CHANNEL", "ALARM", "SINK"], "after CREATE")
        switch type {
        case "STREAM": return .createStream(try parseCreateStream())
        case "JOB": return .createJob(try parseCreateJob())
        case "CHANNEL": return .createChannel(try parseCreateChannel())
        case "SINK": return .createSink(try parseCreateSink())
        default: return .createAlarm(try parseCreateAlarm())
        }
    }

    /// Reads one of the `allowed` object type keywords.
    mutating func parseObjectType(_ allowed: [ObjectType], _ context: String) throws(SQLError) -> ObjectType {
        let (word, _) = try expectOneOf(allowed.map(\.rawValue), context)
        return ObjectType(rawValue: word)!
    }

    mutating func parseAlter() throws(SQLError) -> AlterStatement {
        advance()
        let type = try parseObjectType([.stream, .job], "after ALTER")
        let name = try parseIdentifier("a \(type.rawValue.lowercased()) name")
        try expectKeyword("SET", "after ALTER \(type.rawValue) \(name)")
        let options = try parseOptions(required: true)
        return AlterStatement(objectType: type, name: name, options: options)
    }

    mutating func parseDrop() throws(SQLError) -> DropStatement {
        advance()
        let type = try parseObjectType(ObjectType.allCases, "after DROP")
        let ifExists = parseIfExists()
        let name = try parseIdentifier("a \(type.rawValue.lowercased()) name")
        return DropStatement(objectType: type, name: name, ifExists: ifExists)
    }

    mutating func parseShow() throws(SQLError) -> ShowStatement {
        advance()
        if consumeKeyword("JOB") != nil { return try parseShowJobLog() }
        // "JOB LOG" never matches a single word: it is in the list for the error message.
        let (what, _) = try expectOneOf(["STREAMS", "JOBS", "CHANNELS", "ALARMS", "SINKS", "METRICS", "JOB LOG"], "after SHOW")
        switch what {
        case "SINKS": return .sinks
        case "STREAMS": return .streams
        case "JOBS": return .jobs
        case "CHANNELS": return .channels
        case "ALARMS": return .alarms
        default:
            guard consumeKeyword("LIKE") != nil else { return .metrics(like: nil) }
            guard at(.string) else { throw unexpected("a pattern string after LIKE, such as 'job.%'", suggesting: []) }
            return .metrics(like: advance().text)
        }
    }

    /// `SHOW JOB LOG name [LIMIT n]`, after SHOW JOB.
    mutating func parseShowJobLog() throws(SQLError) -> ShowStatement {
        try expectKeyword("LOG", "after SHOW JOB (SHOW JOB LOG name [LIMIT n]; SHOW JOBS lists the jobs)")
        let job = try parseIdentifier("a job name after SHOW JOB LOG")
        guard consumeKeyword("LIMIT") != nil else { return .jobLog(job: job, limit: nil) }
        if at(.minus) { throw error(.invalidValue, "LIMIT cannot be negative", at: current) }
        return .jobLog(job: job, limit: try parseInteger("a number of entries after LIMIT").value)
    }

    mutating func parseDescribe() throws(SQLError) -> DescribeStatement {
        advance()
        var type: ObjectType?
        // `DESCRIBE STREAM x` names the type; `DESCRIBE stream` alone names an object called "stream".
        if current.kind == .word, let named = ObjectType.allCases.first(where: { current.isKeyword($0.rawValue) }),
           peek().kind == .word || peek().kind == .quotedIdentifier {
            advance()
            type = named
        }
        let name = try parseIdentifier(type.map { "a \($0.rawValue.lowercased()) name" } ?? "a stream, job or table name after DESCRIBE")
        return DescribeStatement(objectType: type, name: name)
    }

    mutating func parseExplain() throws(SQLError) -> ExplainStatement {
        advance()
        if atKeyword("SELECT") { return .select(try parseSelect()) }
        if atKeyword("INSERT") {
            let insertToken = current
            let insert = try parseInsert()
            guard case .select = insert.source else {
                throw error(.syntax, "EXPLAIN shows a query plan; INSERT ... VALUES has none", at: insertToken)
            }
            return .insert(insert)
        }
        throw unexpected("SELECT or INSERT after EXPLAIN", suggesting: ["SELECT", "INSERT"])
    }

    /// `BACKTEST [LABEL expr] SELECT …`.
    mutating func parseBacktest() throws(SQLError) -> BacktestStatement {
        advance()
        var label: Expression?
        if atKeyword("LABEL") {
            advance()
            label = try parseExpression()
        }
        guard atKeyword("SELECT") else {
            throw unexpected("SELECT after BACKTEST (BACKTEST [LABEL column] SELECT …)", suggesting: ["SELECT", "LABEL"])
        }
        return BacktestStatement(select: try parseSelect(), label: label)
    }

    /// `COPY (SELECT …) TO 'path' [FORMAT JSONL | CSV | PARQUET]`.
    mutating func parseCopy() throws(SQLError) -> CopyStatement {
        advance()
        _ = try expect(.leftParen, "'(' and a SELECT after COPY (COPY (SELECT …) TO 'file')")
        guard atKeyword("SELECT") else {
            throw unexpected("SELECT inside COPY ( … )", suggesting: ["SELECT"])
        }
        let select = try parseSelect()
        _ = try expect(.rightParen, "')' after the COPY's SELECT")
        _ = try expectKeyword("TO", "TO 'file' after COPY (SELECT …)")
        guard current.kind == .string else {
            throw unexpected("a file name in quotes after TO, e.g. TO 'out.jsonl'", suggesting: [])
        }
        let pathToken = current
        let path = current.text
        advance()
        var format: CopyFormat?
        if consumeKeyword("FORMAT") != nil { format = try parseFileFormat() }
        return CopyStatement(select: select, path: path, pathRange: pathToken.range, format: format)
    }

    /// `CREATE SINK [IF NOT EXISTS] name TO FILES 'dir' FORMAT f [PARTITION BY HOUR|DAY] [ROLL EVERY d | ROLL SIZE n [KB|MB|GB]]`
    /// (CREATE SINK already read).
    mutating func parseCreateSink() throws(SQLError) -> CreateSinkStatement {
        let ifNotExists = try parseIfNotExists()
        let name = try parseIdentifier("a sink name")
        try expectKeyword("TO", "TO FILES 'directory' after CREATE SINK \(name)")
        try expectKeyword("FILES", "FILES 'directory' after CREATE SINK \(name) TO")
        guard current.kind == .string else {
            throw unexpected("a directory in quotes after TO FILES, e.g. TO FILES 'exports/transactions'", suggesting: [])
        }
        let directoryToken = advance()
        try expectKeyword("FORMAT", "FORMAT JSONL, CSV or PARQUET after the sink's directory")
        let format = try parseFileFormat()
        var statement = CreateSinkStatement(name: name, ifNotExists: ifNotExists, directory: directoryToken.text,
                                            directoryRange: directoryToken.range, format: format)
        if consumeKeyword("PARTITION") != nil {
            try expectKeyword("BY", "BY HOUR or BY DAY after PARTITION")
            let (unit, _) = try expectOneOf(SinkPartition.allCases.map(\.rawValue), "after PARTITION BY")
            statement.partition = SinkPartition(rawValue: unit)!
        }
        while consumeKeyword("ROLL") != nil {
            let (how, _) = try expectOneOf(["EVERY", "SIZE"], "after ROLL")
            if how == "EVERY" {
                statement.rollEvery = try parseDuration("ROLL EVERY", allowZero: false)
            } else {
                let (count, token) = try parseInteger("ROLL SIZE")
                var scale: Int64 = 1
                if current.kind == .word, let unit = ["BYTES": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30][Keywords.uppercased(current.text)] {
                    advance()
                    scale = Int64(unit)
                }
                guard count > 0, count <= Int64.max / scale else { throw error(.invalidValue, "ROLL SIZE must be a positive number of bytes", at: token) }
                statement.rollBytes = count * scale
            }
        }
        return statement
    }

    /// JSONL, CSV or PARQUET (COPY … FORMAT, CREATE SINK … FORMAT).
    mutating func parseFileFormat() throws(SQLError) -> CopyFormat {
        let nameToken = current
        let name = try parseIdentifier("a format: JSONL, CSV or PARQUET", allowReserved: true)
        guard let known = CopyFormat(rawValue: Keywords.uppercased(name.value)) else {
            throw error(.invalidValue, "unknown format '\(name.value)'; formats: JSONL, CSV, PARQUET", at: nameToken)
        }
        return known
    }

    /// `SET name = literal`.
    mutating func parseSet() throws(SQLError) -> SetStatement {
        advance()
        let name = try parseIdentifier("a setting name such as threads", allowReserved: true)
        try expect(.equal, "'=' after \(name.value)")
        let (value, _) = try parseOptionValue(name.value)
        return SetStatement(name: name, value: value)
    }

    /// `( name = literal, ... )`. With `required`, at least one option.
    mutating func parseOptions(required: Bool) throws(SQLError) -> [Option] {
        try expect(.leftParen, "'(' to start the option list")
        var options: [Option] = []
        var seen = Set<String>()
        if !required, consume(.rightParen) != nil { return options }
        repeat {
            try checkCount(options.count, limit: limits.listCountMax, "options")
            let name = try parseIdentifier("an option name", allowReserved: true)
            if !seen.insert(Keywords.uppercased(name.value)).inserted {
                throw error(.syntax, "option '\(name.value)' is given twice", at: tokens[position - 1])
            }
            try expect(.equal, "'=' after option \(name.value)")
            let (value, range) = try parseOptionValue(name.value)
            options.append(Option(name: name, value: value, valueRange: range))
        } while consume(.comma) != nil
        try expect(.rightParen, "',' or ')' in the option list")
        return options
    }

    /// A literal option value: string, number or boolean.
    mutating func parseOptionValue(_ option: String) throws(SQLError) -> (Literal, SourceRange) {
        let token = current
        switch token.kind {
        case .string:
            advance()
            return (.string(token.text), token.range)
        case .integer, .decimal, .minus:
            let (literal, range) = try parseSignedNumber("a number")
            return (literal, range)
        case .word where token.isKeyword("TRUE") || token.isKeyword("FALSE"):
            advance()
            return (.boolean(token.isKeyword("TRUE")), token.range)
        case .word where token.isKeyword("NULL"):
            throw error(.syntax, "option \(option) cannot be NULL; leave it out to use the default", at: token)
        case .word, .quotedIdentifier:
            throw error(.syntax, "expected a value for option \(option) (a 'string', number, TRUE or FALSE), found \(token.displayName); quote text values: '\(token.text)'", at: token)
        default:
            throw unexpected("a value for option \(option) (a 'string', number, TRUE or FALSE)", suggesting: [])
        }
    }
}
