// Parser + jobs and alerts: CREATE JOB, PAUSE/RESUME/RESTART JOB, ACK/RESOLVE ALERT.
//
// Layer: SpateSQL parser.

extension Parser {
    mutating func parseCreateJob() throws(SQLError) -> CreateJobStatement {
        let ifNotExists = try parseIfNotExists()
        let name = try parseIdentifier("a job name")
        var options: [Option] = []
        if consumeKeyword("WITH") != nil { options = try parseOptions(required: true) }
        try expectKeyword("AS", "and the job's query after CREATE JOB \(name)")
        if atKeyword("SELECT") {
            return CreateJobStatement(name: name, ifNotExists: ifNotExists, options: options, body: .select(try parseSelect()))
        }
        guard atKeyword("INSERT") else {
            throw unexpected("SELECT or INSERT INTO after AS", suggesting: ["SELECT", "INSERT"])
        }
        let insertToken = current
        let insert = try parseInsert()
        guard case .select = insert.source else {
            throw error(.syntax, "a job's INSERT must take its rows from a SELECT, not VALUES", at: insertToken)
        }
        return CreateJobStatement(name: name, ifNotExists: ifNotExists, options: options, body: .insert(insert))
    }

    mutating func parseJobControl() throws(SQLError) -> JobControlStatement {
        let verb = Keywords.uppercased(advance().text)
        try expectKeyword("JOB", "after \(verb)")
        let job = try parseIdentifier("a job name")
        switch verb {
        case "PAUSE": return JobControlStatement(action: .pause, job: job)
        case "RESUME": return JobControlStatement(action: .resume, job: job)
        default:
            try expectKeyword("FROM", "after RESTART JOB \(job)")
            return JobControlStatement(action: .restart(from: try parseStartPosition("after RESTART JOB \(job) FROM")), job: job)
        }
    }

    mutating func parseAlertAction() throws(SQLError) -> AlertActionStatement {
        let verb = Keywords.uppercased(advance().text)
        try expectKeyword("ALERT", "after \(verb)")
        let (id, token) = try parseInteger("an alert id (a number from the alerts table)")
        guard id > 0 else { throw error(.invalidValue, "alert ids start at 1", at: token) }
        return AlertActionStatement(action: verb == "ACK" ? .acknowledge : .resolve, alertID: id)
    }

    mutating func parseTestChannel() throws(SQLError) -> Identifier {
        advance()
        try expectKeyword("CHANNEL", "after TEST")
        return try parseIdentifier("a channel name")
    }
}
