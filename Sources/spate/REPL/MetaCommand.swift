// REPL commands that are not SQL: `.help`, `.quit`, `.format`, `.clear`. They
// are recognized only at the start of a statement, one per line, with a `.` or
// a `\` (psql's spelling): `\q`, `\?`. A trailing `;` is tolerated. Scripts
// (`-c`, `-f`, a pipe) take them too: see ScriptParts.

enum MetaCommand: Equatable {
    case help
    case quit
    /// nil: show the current format.
    case format(OutputFormat?)
    case clear
    /// A line that looked like a command but is not one; the text says why.
    case invalid(String)

    /// The command on `line`, or nil when the line is not a command.
    static func parse(_ line: String) -> MetaCommand? {
        var text = line.trimmingWhitespace
        guard let first = text.first, first == "." || first == "\\" else { return nil }
        while text.last == ";" { text.removeLast() }
        let words = text.dropFirst().split(whereSeparator: { $0 == " " || $0 == "\t" }).map { String($0).lowercased() }
        let name = words.first ?? ""
        let arguments = Array(words.dropFirst())
        switch name {
        case "help", "h", "?":
            return .help
        case "quit", "exit", "q":
            return .quit
        case "clear":
            return .clear
        case "format", "mode":
            if arguments.isEmpty { return .format(nil) }
            guard arguments.count == 1, let format = OutputFormat(rawValue: arguments[0]) else {
                return .invalid("usage: .format \(OutputFormat.names)")
            }
            return .format(format)
        default:
            return .invalid("unknown command '\(first)\(name)'; .help lists the commands")
        }
    }

    /// The text of `.help`; `format` is the format results print in now.
    static func helpText(format: OutputFormat) -> String {
        """
        Statements end with ';' and may span lines. Keywords are case-insensitive.

        Streams
          CREATE STREAM [IF NOT EXISTS] name (col TYPE, ...)
              [WITH (shards = n, key = 'col', event_time = 'col', retention = '24 hours',
                     retention_bytes = n, archive = 'dir', durability = 'batch', format = 'json')]
          ALTER STREAM name SET (option = value, ...)
          DROP STREAM [IF EXISTS] name
          SHOW STREAMS
          DESCRIBE name
          INSERT INTO name (col, ...) VALUES (...), (...)
          Types: STRING, DOUBLE, BIGINT, BOOLEAN, TIMESTAMP

        Queries
          SELECT [DISTINCT] expr [AS alias], ...
            FROM stream [SINCE EARLIEST | LATEST | '<time>' | '<n> <unit> ago'] [UNTIL NOW | '<time>']
            [WINDOW TUMBLING (SIZE d [, GRACE d])
                  | HOPPING (SIZE d, ADVANCE BY d [, GRACE d])
                  | SESSION (GAP d [, GRACE d])]
            [WHERE cond] [GROUP BY expr, ...] [HAVING cond]
            [EMIT FINAL | CHANGES] [ORDER BY expr [ASC|DESC], ...] [LIMIT n]
          A query with UNTIL ends; one without it follows the live stream until Ctrl-C.
          WINDOW_START, WINDOW_END; COUNT(*), COUNT([DISTINCT] x), SUM, AVG, MIN, MAX,
          STDDEV, FIRST, LAST, percentiles; CASE, CAST, string and time functions;
          ZSCORE(x), ANOMALY_SCORE(x), RCF(x, ...) and the `anomaly` column.
          EXPLAIN SELECT ...        shows the operator pipeline

        Jobs, channels, alarms, alerts
          CREATE JOB [IF NOT EXISTS] name AS SELECT ... | AS INSERT INTO stream SELECT ...
          SHOW JOBS; DESCRIBE JOB name; PAUSE JOB name; RESUME JOB name;
          RESTART JOB name FROM EARLIEST | LATEST | '<time>'; DROP JOB name
          CREATE CHANNEL name TYPE WEBHOOK | EXEC | FILE | STDOUT [WITH (...)]; TEST CHANNEL name
          CREATE ALARM name ON METRIC m [WHERE dim = 'v'] STATISTIC s PERIOD d
              WHEN op threshold FOR m OF n PERIODS [MISSING AS t] [NOTIFY channel, ...]
          SHOW CHANNELS | ALARMS | METRICS [LIKE 'pattern']
          ACK ALERT id; RESOLVE ALERT id
          SELECT ... FROM alerts | jobs | streams | alarms | channels | metrics

        Commands
          .help, \\help, \\?           this text
          .quit, .exit, \\q           leave (or Ctrl-D on an empty line)
          .format table|csv|json     how results print (now: \(format.rawValue))
          .clear                     clear the screen (or Ctrl-L)
        Commands work in scripts too (-c, -f, a pipe), on a line of their own between statements.

        Keys: arrows, Home/End (Ctrl-A/E), Ctrl-U/K/W delete, Up/Down history,
        Tab completes keywords, functions, names and columns (Tab Tab lists them),
        Ctrl-C clears the line or cancels the running query.
        """
    }
}
