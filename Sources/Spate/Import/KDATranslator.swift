// Kinesis Data Analytics for SQL applications → Spate statements
// (`spate import kda app.sql`). KDA SQL applications could not be created
// after 15 October 2025 and are deleted from 27 January 2026; their code is
// streams and pumps over SOURCE_SQL_STREAM_001. This reads that code and
// writes what runs the same in Spate, statement by statement:
//
//   CREATE OR REPLACE STREAM "S" (c TYPE, …)    CREATE STREAM IF NOT EXISTS s (c TYPE, …)
//   CREATE OR REPLACE PUMP "P" AS               CREATE JOB p AS INSERT INTO s SELECT …
//     INSERT INTO "S" SELECT STREAM … FROM "SOURCE_SQL_STREAM_001" …
//   GROUP BY k, STEP(x.ROWTIME BY INTERVAL 'n' SECOND)
//     or FLOOR(x.ROWTIME TO MINUTE)             WINDOW TUMBLING (SIZE n SECONDS) GROUP BY k;
//                                               the STEP/FLOOR in SELECT is WINDOW_START,
//                                               ROWTIME of an output row WINDOW_END
//   STEP/FLOOR of a column instead of ROWTIME   the same window, on the stream's event time,
//                                               which must be that column (said in a note)
//   WINDOWED BY STAGGER (PARTITION BY FLOOR(t TO MINUTE), k RANGE INTERVAL '1' MINUTE)
//                                               WINDOW TUMBLING (SIZE 1 MINUTE, GRACE 1 MINUTE)
//                                               GROUP BY k (a note says how they differ)
//   TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM cols FROM src), trees, sample, decay, shingle))
//                                               RCF(numeric cols, trees => …, sample_size => …,
//                                               time_decay => 1/decay, shingle => …) AS ANOMALY_SCORE
//   RANDOM_CUT_FOREST_WITH_EXPLANATION          the same and anomaly_explanation AS ANOMALY_EXPLANATION
//   SIMILAR TO with only % and _                LIKE
//
// Each translated statement keeps KDA's semantics where Spate has them —
// window alignment (STEP and FLOOR windows start at multiples of their size,
// as Spate's tumbling windows do), a pump's positional INSERT (each column
// aliased to its destination column), RCF's parameters (KDA's defaults
// written out: 100 trees, 256 samples, decay 100,000, shingle 1). What it
// cannot translate — sliding windows (`RANGE INTERVAL … PRECEDING`), HOTSPOTS,
// reference tables, a construct it does not know — becomes a comment saying
// why, never a silent drop. Notes say where results may differ: in-application
// streams are real streams; ROWTIME is the arrival time; RCF's random seeds
// differ from KDA's, so its scores are the same model's but not the same
// numbers; a stagger window starts at its key's first record, Spate's at the
// minute.

/// What an application became.
public struct KDATranslation: Sendable {
    /// One statement of the application: notes (comments) and the Spate SQL, if any.
    public struct Piece: Sendable {
        public var notes: [String]
        public var sql: String?
    }

    public var pieces: [Piece]

    /// The Spate statements, in order (what `--apply` runs).
    public var statements: [String] { pieces.compactMap(\.sql) }

    /// The translation as a script: notes as `--` comments before their statement.
    public var script: String {
        pieces.map { piece in
            (piece.notes.map { "-- " + $0 } + (piece.sql.map { [$0] } ?? [])).joined(separator: "\n")
        }.joined(separator: "\n\n") + "\n"
    }
}

/// Translates KDA SQL applications; see the top of the file.
public struct KDATranslator {
    /// The Spate stream that receives what KDA called SOURCE_SQL_STREAM_001.
    public var inputStream: String
    /// Its columns (name, Spate type), when known: RCF over `SELECT *` needs its numeric ones.
    public var inputColumns: [(name: String, type: String)]
    /// Where the jobs start reading: nil for the end of the stream (KDA's NOW), or `EARLIEST`
    /// (KDA's TRIM_HORIZON), or a time text.
    public var since: String?

    public init(inputStream: String, inputColumns: [(name: String, type: String)] = [], since: String? = nil) {
        self.inputStream = inputStream
        self.inputColumns = inputColumns
        self.since = since
    }

    /// In-application streams seen so far: KDA name → (Spate name, columns).
    private var streams: [String: (name: String, columns: [String])] = [:]
    /// Column types the application's own streams declare (Spate name → Spate type): a
    /// hint for RCF's inputs when the input stream's columns are not known.
    private var declaredTypes: [String: String] = [:]

    /// Translates a whole application.
    public mutating func translate(_ source: String) throws(KDAImportError) -> KDATranslation {
        let tokens = try KDAToken.tokenize(source)
        var pieces = [KDATranslation.Piece(notes: [
            "Translated from a Kinesis Data Analytics SQL application by spate import kda.",
            "SOURCE_SQL_STREAM_001 is the stream \(inputStream); in-application streams become streams; ROWTIME is the arrival time.",
        ], sql: nil)]
        for statement in tokens.splitTopLevel(";") {
            pieces.append(translateStatement(statement))
        }
        return KDATranslation(pieces: pieces)
    }

    private mutating func translateStatement(_ t: [KDAToken]) -> KDATranslation.Piece {
        var i = 0
        func keyword(_ word: String) -> Bool {
            guard i < t.count, t[i].isKeyword(word) else { return false }
            i += 1
            return true
        }
        let head = t.prefix(6).map(\.text).joined(separator: " ")
        guard keyword("CREATE") else { return untranslated(head, "only CREATE STREAM and CREATE PUMP statements are translated") }
        if keyword("OR") { _ = keyword("REPLACE") }
        if keyword("STREAM") { return translateStream(Array(t[i...])) }
        if keyword("PUMP") { return translatePump(Array(t[i...])) }
        return untranslated(head, "only streams and pumps are translated (reference tables and other objects have no Spate counterpart here)")
    }

    private func untranslated(_ what: String, _ why: String) -> KDATranslation.Piece {
        KDATranslation.Piece(notes: ["NOT TRANSLATED: \(what) …", "  why: \(why)"], sql: nil)
    }

    // MARK: Streams

    private mutating func translateStream(_ t: [KDAToken]) -> KDATranslation.Piece {
        guard let nameToken = t.first, let open = t.firstIndex(where: { $0.kind == .symbol && $0.text == "(" }),
              let close = t.closingParen(from: open) else {
            return untranslated("CREATE STREAM", "expected CREATE OR REPLACE STREAM \"NAME\" (column TYPE, …)")
        }
        let name = Self.spateName(nameToken.text)
        var columns: [String] = [], definitions: [String] = []
        var notes: [String] = []
        for column in Array(t[(open + 1)..<close]).splitTopLevel(",") {
            guard let columnName = column.first else { continue }
            let typeWords = column.dropFirst().prefix { !($0.kind == .symbol && $0.text == "(") }.map { $0.text.uppercased() }
            guard let type = Self.spateType(typeWords.joined(separator: " ")) else {
                notes.append("column \(columnName.text): type \(typeWords.joined(separator: " ")) has no Spate counterpart; kept as STRING")
                columns.append(columnName.sql)
                definitions.append("\(columnName.sql) STRING")
                continue
            }
            columns.append(columnName.sql)
            definitions.append("\(columnName.sql) \(type)")
            declaredTypes[columnName.sql] = type
        }
        streams[nameToken.text.uppercased()] = (name, columns)
        notes.insert("KDA in-application stream \"\(nameToken.text)\" → stream \(name)", at: 0)
        return KDATranslation.Piece(notes: notes, sql: "CREATE STREAM IF NOT EXISTS \(name) (\(definitions.joined(separator: ", ")));")
    }

    // MARK: Pumps

    private mutating func translatePump(_ t: [KDAToken]) -> KDATranslation.Piece {
        guard let pumpToken = t.first,
              let insert = t.firstIndex(where: { $0.isKeyword("INSERT") }), insert + 2 < t.count, t[insert + 1].isKeyword("INTO"),
              let select = t.firstIndex(where: { $0.isKeyword("SELECT") }) else {
            return untranslated("CREATE PUMP", "expected CREATE OR REPLACE PUMP \"P\" AS INSERT INTO \"S\" SELECT STREAM …")
        }
        let destination = t[insert + 2]
        var insertColumns: [String] = []
        if insert + 3 < select, t[insert + 3].kind == .symbol, t[insert + 3].text == "(", let close = t.closingParen(from: insert + 3) {
            insertColumns = Array(t[(insert + 4)..<close]).splitTopLevel(",").compactMap { $0.first?.sql }
        }
        let pump = Self.spateName(pumpToken.text)
        let target = streams[destination.text.uppercased()]
        if insertColumns.isEmpty { insertColumns = target?.columns ?? [] }
        var notes = ["KDA pump \"\(pumpToken.text)\" → job \(pump), writing stream \(target?.name ?? Self.spateName(destination.text))"]
        do throws(KDAImportError) {
            let query = try translateSelect(Array(t[select...]), insertColumns: insertColumns, notes: &notes)
            return KDATranslation.Piece(notes: notes, sql: "CREATE JOB \(pump) AS INSERT INTO \(target?.name ?? Self.spateName(destination.text)) \(query);")
        } catch {
            return KDATranslation.Piece(notes: notes + ["NOT TRANSLATED: pump \"\(pumpToken.text)\"", "  why: \(error.description)"], sql: nil)
        }
    }

    /// The clauses of a SELECT, split at its top-level keywords.
    private struct Clauses {
        var items: [KDAToken] = []
        var from: [KDAToken] = []
        var whereCondition: [KDAToken] = []
        var groupBy: [KDAToken] = []
        var having: [KDAToken] = []
        var windowedBy: [KDAToken] = []
        var windowDefinitions: [KDAToken] = []
        var orderBy: [KDAToken] = []
    }

    private func clauses(_ t: [KDAToken]) throws(KDAImportError) -> Clauses {
        var result = Clauses()
        var depth = 0, current = "SELECT", start = 1
        if t.count > 1, t[1].isKeyword("STREAM") { start = 2 }
        func store(_ name: String, _ tokens: [KDAToken]) {
            switch name {
            case "SELECT": result.items = tokens
            case "FROM": result.from = tokens
            case "WHERE": result.whereCondition = tokens
            case "GROUP": result.groupBy = Array(tokens.drop { $0.isKeyword("BY") })
            case "HAVING": result.having = tokens
            case "WINDOWED": result.windowedBy = Array(tokens.drop { $0.isKeyword("BY") })
            case "WINDOW": result.windowDefinitions = tokens
            case "ORDER": result.orderBy = Array(tokens.drop { $0.isKeyword("BY") })
            default: break
            }
        }
        var i = start
        while i < t.count {
            if t[i].kind == .symbol && t[i].text == "(" { depth += 1 }
            if t[i].kind == .symbol && t[i].text == ")" { depth -= 1 }
            if depth == 0, t[i].kind == .word,
               ["FROM", "WHERE", "GROUP", "HAVING", "WINDOWED", "WINDOW", "ORDER"].contains(t[i].text.uppercased()) {
                store(current, Array(t[start..<i]))
                current = t[i].text.uppercased()
                start = i + 1
            }
            i += 1
        }
        store(current, Array(t[start..<t.count]))
        guard !result.items.isEmpty, !result.from.isEmpty else { throw KDAImportError("a SELECT needs its columns and a FROM") }
        return result
    }

    /// A window found in GROUP BY or WINDOWED BY: its size, the column it is on (nil: ROWTIME), its grace.
    private struct Window {
        var sizeText: String
        var column: String?
        var graceText: String?
        /// The STEP/FLOOR call's tokens, so the same call in SELECT becomes WINDOW_START.
        var call: [KDAToken]
    }

    private func translateSelect(_ t: [KDAToken], insertColumns: [String], notes: inout [String]) throws(KDAImportError) -> String {
        var c = try clauses(t)
        if !c.windowDefinitions.isEmpty || c.items.contains(where: { $0.isKeyword("OVER") }) {
            throw KDAImportError("sliding windows (OVER … RANGE INTERVAL … PRECEDING) give one row per record over the preceding interval; Spate has tumbling, hopping and session windows (HOPPING (SIZE …, ADVANCE BY …) is the nearest)")
        }
        if !c.orderBy.isEmpty {
            notes.append("ORDER BY of a streaming pump dropped: a job's rows come in window order")
        }
        var window: Window?
        var groupKeys: [[KDAToken]] = []
        for item in c.groupBy.splitTopLevel(",") {
            if let found = try windowCall(item) { window = found } else { groupKeys.append(item) }
        }
        if !c.windowedBy.isEmpty {
            let (stagger, keys) = try staggerWindow(c.windowedBy)
            window = stagger
            groupKeys = keys
            notes.append("WINDOWED BY STAGGER → a tumbling window of the same size with that much grace: a stagger window opens at its key's first record, Spate's at the multiple of its size, so rows of a key whose records straddle a boundary are grouped differently")
        }
        if let window, let column = window.column {
            notes.append("the window is on \(column): create \(inputStream) WITH (event_time = '\(column)') so that event time is that column")
        }

        // FROM: a stream, or a detector table function over a cursor.
        var detector: (call: String, explanation: Bool)?
        var sourceItems: [[KDAToken]] = []
        if c.from.first?.isKeyword("TABLE") == true {
            let (rcf, inner, explanation, assumed) = try detectorSource(c.from)
            detector = (rcf, explanation)
            if !assumed.isEmpty {
                notes.append("RCF inputs assumed numeric (\(inputStream)'s column types are not known): \(assumed.joined(separator: ", ")); create \(inputStream) with its columns before importing to check")
            }
            sourceItems = inner.items.splitTopLevel(",")
            if !inner.whereCondition.isEmpty {
                c.whereCondition = c.whereCondition.isEmpty ? inner.whereCondition
                    : [KDAToken(kind: .symbol, text: "(")] + inner.whereCondition + [KDAToken(kind: .symbol, text: ")"), KDAToken(kind: .word, text: "AND"),
                                                                                     KDAToken(kind: .symbol, text: "(")] + c.whereCondition + [KDAToken(kind: .symbol, text: ")")]
            }
            notes.append("RANDOM_CUT_FOREST → RCF with the same parameters; its random seeds differ from KDA's, so scores are the same model's, not the same numbers")
        } else if let source = c.from.first {
            guard source.text.uppercased() == "SOURCE_SQL_STREAM_001" || streams[source.text.uppercased()] != nil else {
                throw KDAImportError("FROM \(source.text): only SOURCE_SQL_STREAM_001 and streams created in the application can be read")
            }
        }
        let from = c.from.first.map { streams[$0.text.uppercased()]?.name } ?? nil

        // SELECT items: `*` expands; each item's expression is rewritten and aliased to its destination column.
        var items: [(expression: String, alias: String?)] = []
        var star = false
        for item in c.items.splitTopLevel(",") {
            if item.count == 1, item[0].kind == .symbol, item[0].text == "*" {
                if let detector {
                    let inner = sourceItems.count == 1 && sourceItems[0].first?.text == "*" ? inputColumns.map { [KDAToken(kind: .quoted, text: $0.name)] } : sourceItems
                    items += inner.map { (expression($0, window: window), nil) }
                    items.append((detector.call, "ANOMALY_SCORE"))
                    if detector.explanation { items.append(("anomaly_explanation", "ANOMALY_EXPLANATION")) }
                } else {
                    items.append(("*", nil))
                    star = true
                }
                continue
            }
            let (body, alias) = Self.splitAlias(item)
            let name = alias ?? body.last?.text ?? ""
            if let detector, name.uppercased() == "ANOMALY_SCORE" {
                items.append((detector.call, alias ?? "ANOMALY_SCORE"))
            } else if detector?.explanation == true, name.uppercased() == "ANOMALY_EXPLANATION" {
                items.append(("anomaly_explanation", alias ?? "ANOMALY_EXPLANATION"))
            } else {
                items.append((expression(body, window: window), alias))
            }
        }
        if !insertColumns.isEmpty, insertColumns.count == items.count, !star {
            // KDA inserts by position: each item takes its destination column's name.
            items = zip(items, insertColumns).map { item, column in (item.expression, column) }
        } else if !insertColumns.isEmpty {
            notes.append("the pump selects \(items.count) columns for \(insertColumns.count) destination columns; names kept as selected")
        }
        let itemsSQL = items.map { item in
            guard let alias = item.alias, item.expression != alias else { return item.expression }
            return item.expression + " AS " + alias
        }

        var sql = "SELECT " + itemsSQL.joined(separator: ", ") + " FROM " + (from ?? inputStream)
        if let since { sql += " SINCE " + since }
        if let window {
            sql += " WINDOW TUMBLING (SIZE \(window.sizeText)" + (window.graceText.map { ", GRACE \($0)" } ?? "") + ")"
        }
        if !c.whereCondition.isEmpty { sql += " WHERE " + (try condition(c.whereCondition, window: window)) }
        if !groupKeys.isEmpty { sql += " GROUP BY " + groupKeys.map { expression($0, window: window) }.joined(separator: ", ") }
        if !c.having.isEmpty { sql += " HAVING " + (try condition(c.having, window: window)) }
        return sql
    }

    /// STEP(x BY INTERVAL 'n' UNIT) or FLOOR(x TO UNIT), else nil.
    private func windowCall(_ item: [KDAToken]) throws(KDAImportError) -> Window? {
        guard let first = item.first, first.isKeyword("STEP") || first.isKeyword("FLOOR"), item.count > 3,
              let close = item.closingParen(from: 1), close == item.count - 1 else { return nil }
        let inside = Array(item[2..<close])
        if first.isKeyword("STEP") {
            guard let by = inside.firstIndex(where: { $0.isKeyword("BY") }) else { return nil }
            return Window(sizeText: try Self.interval(Array(inside[(by + 1)...])), column: Self.timeColumn(Array(inside[..<by])), call: item)
        }
        guard let to = inside.firstIndex(where: { $0.isKeyword("TO") }), to + 1 < inside.count else { return nil }
        let unit = inside[to + 1].text.uppercased()
        guard ["SECOND", "MINUTE", "HOUR", "DAY"].contains(unit) else { throw KDAImportError("FLOOR(… TO \(unit)): Spate windows come in SECOND, MINUTE, HOUR and DAY") }
        return Window(sizeText: "1 \(unit)", column: Self.timeColumn(Array(inside[..<to])), call: item)
    }

    /// WINDOWED BY STAGGER (PARTITION BY items RANGE INTERVAL 'n' UNIT): the window and the group keys.
    private func staggerWindow(_ t: [KDAToken]) throws(KDAImportError) -> (Window, [[KDAToken]]) {
        guard t.first?.isKeyword("STAGGER") == true, let open = t.firstIndex(where: { $0.text == "(" }), let close = t.closingParen(from: open),
              let partition = t.firstIndex(where: { $0.isKeyword("PARTITION") }),
              let range = t.firstIndex(where: { $0.isKeyword("RANGE") }), partition < range, range < close else {
            throw KDAImportError("expected WINDOWED BY STAGGER (PARTITION BY … RANGE INTERVAL 'n' UNIT)")
        }
        let size = try Self.interval(Array(t[(range + 1)..<close]))
        var keys: [[KDAToken]] = [], column: String?
        for item in Array(t[(partition + 2)..<range]).splitTopLevel(",") {
            if let floor = try windowCall(item) { column = floor.column } else { keys.append(item) }
        }
        return (Window(sizeText: size, column: column, graceText: size, call: []), keys)
    }

    /// TABLE(RANDOM_CUT_FOREST[_WITH_EXPLANATION](CURSOR(SELECT STREAM …), args…)) → the RCF call and the cursor's clauses.
    private func detectorSource(_ t: [KDAToken]) throws(KDAImportError) -> (String, Clauses, Bool, assumed: [String]) {
        guard t.count > 4, let function = t.first(where: { $0.kind == .word && !$0.isKeyword("TABLE") }) else {
            throw KDAImportError("expected TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM … FROM …), …))")
        }
        let name = function.text.uppercased()
        if name == "HOTSPOTS" {
            throw KDAImportError("HOTSPOTS (dense regions of points) has no Spate detector; a windowed GROUP BY over grid cells with HAVING COUNT(*) > n finds dense cells")
        }
        guard name == "RANDOM_CUT_FOREST" || name == "RANDOM_CUT_FOREST_WITH_EXPLANATION",
              let functionIndex = t.firstIndex(of: function), let open = t.index(functionIndex, offsetBy: 1, limitedBy: t.count - 1),
              let close = t.closingParen(from: open) else {
            throw KDAImportError("\(function.text) is not a table function Spate knows (RANDOM_CUT_FOREST, RANDOM_CUT_FOREST_WITH_EXPLANATION)")
        }
        let arguments = Array(t[(open + 1)..<close]).splitTopLevel(",")
        guard let cursor = arguments.first, cursor.first?.isKeyword("CURSOR") == true, let cursorClose = cursor.closingParen(from: 1) else {
            throw KDAImportError("\(name)'s first argument must be CURSOR(SELECT STREAM … FROM …)")
        }
        let inner = try clauses(Array(cursor[2..<cursorClose]))
        guard inner.groupBy.isEmpty, inner.windowedBy.isEmpty else {
            throw KDAImportError("a cursor that aggregates before RANDOM_CUT_FOREST: translate the aggregate into its own job and stream first")
        }
        let numbers = arguments.dropFirst().map { $0.map(\.text).joined() }
        let parameter = { (i: Int, fallback: Double) -> Double in i < numbers.count ? Double(numbers[i]) ?? fallback : fallback }
        let trees = Int(parameter(0, 100)), sample = Int(parameter(1, 256)), decay = parameter(2, 100_000), shingle = Int(parameter(3, 1))
        // RCF's inputs: the cursor's numeric columns (KDA ignores the others).
        var inputs: [String] = [], assumed: [String] = []
        let listed = inner.items.splitTopLevel(",")
        if listed.count == 1, listed[0].count == 1, listed[0][0].text == "*" {
            inputs = inputColumns.filter { ["DOUBLE", "BIGINT"].contains($0.type.uppercased()) }.map { KDAToken(kind: .quoted, text: $0.name).sql }
            guard !inputs.isEmpty else {
                throw KDAImportError("RANDOM_CUT_FOREST over SELECT * needs \(inputStream)'s numeric columns: create it with its columns first, or list them in the cursor")
            }
        } else {
            for item in listed {
                let (body, _) = Self.splitAlias(item)
                let column = Self.unqualified(body).sql
                let type = inputColumns.first(where: { $0.name == column })?.type.uppercased() ?? declaredTypes[column]
                if let type, !["DOUBLE", "BIGINT"].contains(type) { continue }  // KDA's RCF skips non-numeric columns
                if type == nil { assumed.append(column) }
                inputs.append(column)
            }
        }
        let decayText = decay > 0 ? String(1 / decay) : "0"
        let call = "RCF(\(inputs.joined(separator: ", ")), trees => \(trees), sample_size => \(sample), time_decay => \(decayText), shingle => \(shingle))"
        guard !inputs.isEmpty else { throw KDAImportError("RANDOM_CUT_FOREST's cursor selects no numeric column") }
        return (call, inner, name.hasSuffix("EXPLANATION"), assumed)
    }

    // MARK: Expressions

    /// An expression rewritten: stream qualifiers dropped, ROWTIME → ARRIVAL_TIME (WINDOW_END in a
    /// windowed query), the window's STEP/FLOOR call → WINDOW_START, STDDEV_SAMP → STDDEV.
    private func expression(_ t: [KDAToken], window: Window?) -> String {
        if let window, !window.call.isEmpty, Self.same(t, window.call) { return "WINDOW_START" }
        if window != nil, let call = try? windowCall(t), call.sizeText == window!.sizeText { return "WINDOW_START" }
        var out: [KDAToken] = []
        var i = 0
        let body = Self.unqualifiedAll(t)
        while i < body.count {
            let token = body[i]
            if token.isKeyword("ROWTIME") || (token.kind == .quoted && token.text.uppercased() == "ROWTIME") {
                out.append(KDAToken(kind: .word, text: window == nil ? "ARRIVAL_TIME" : "WINDOW_END"))
            } else if token.isKeyword("STDDEV_SAMP") {
                out.append(KDAToken(kind: .word, text: "STDDEV"))
            } else {
                out.append(token)
            }
            i += 1
        }
        return out.sql
    }

    /// A WHERE or HAVING condition: `SIMILAR TO 'p'` with only % and _ in p becomes LIKE.
    private func condition(_ t: [KDAToken], window: Window?) throws(KDAImportError) -> String {
        var tokens = t
        var i = 0
        while i + 2 < tokens.count {
            if tokens[i].isKeyword("SIMILAR"), tokens[i + 1].isKeyword("TO") {
                let pattern = tokens[i + 2].text
                guard tokens[i + 2].kind == .string, !pattern.contains(where: { "|*+?{}()[]\\".contains($0) }) else {
                    throw KDAImportError("SIMILAR TO '\(pattern)' uses regular-expression syntax; Spate has LIKE (with % and _) only")
                }
                tokens.replaceSubrange(i...(i + 1), with: [KDAToken(kind: .word, text: "LIKE")])
            }
            i += 1
        }
        return expression(tokens, window: window)
    }

    // MARK: Helpers

    /// (expression, alias): `expr AS alias` or `expr alias`.
    private static func splitAlias(_ item: [KDAToken]) -> ([KDAToken], String?) {
        if item.count >= 3, item[item.count - 2].isKeyword("AS") { return (Array(item.dropLast(2)), item.last!.sql) }
        if item.count >= 2, item.last!.kind == .quoted || item.last!.kind == .word,
           item[item.count - 2].kind != .symbol || item[item.count - 2].text == ")" {
            let last = item.last!
            if !["END"].contains(last.text.uppercased()) { return (Array(item.dropLast()), last.sql) }
        }
        return (item, nil)
    }

    /// `"S".col` → `col` everywhere in `t`.
    private static func unqualifiedAll(_ t: [KDAToken]) -> [KDAToken] {
        var out: [KDAToken] = []
        var i = 0
        while i < t.count {
            if i + 2 < t.count, t[i].kind == .quoted || t[i].kind == .word, t[i + 1].kind == .symbol, t[i + 1].text == ".",
               t[i + 2].kind == .quoted || t[i + 2].kind == .word {
                out.append(t[i + 2])
                i += 3
                continue
            }
            out.append(t[i])
            i += 1
        }
        return out
    }

    private static func unqualified(_ t: [KDAToken]) -> KDAToken { unqualifiedAll(t).last ?? KDAToken(kind: .word, text: "") }

    /// The time column of a STEP/FLOOR argument: nil for ROWTIME.
    private static func timeColumn(_ t: [KDAToken]) -> String? {
        let column = unqualified(t)
        return column.text.uppercased() == "ROWTIME" ? nil : column.sql
    }

    /// `INTERVAL 'n' UNIT` → "n UNITS".
    private static func interval(_ t: [KDAToken]) throws(KDAImportError) -> String {
        guard t.count >= 3, t[0].isKeyword("INTERVAL"), t[1].kind == .string, let n = Int(t[1].text.filter { $0 != " " }), n > 0 else {
            throw KDAImportError("expected INTERVAL 'n' SECOND|MINUTE|HOUR|DAY, found \(t.map(\.text).joined(separator: " "))")
        }
        let unit = t[2].text.uppercased()
        guard ["SECOND", "MINUTE", "HOUR", "DAY"].contains(unit) else { throw KDAImportError("INTERVAL … \(unit): Spate durations are in SECOND, MINUTE, HOUR or DAY") }
        return "\(n) \(unit)\(n == 1 ? "" : "S")"
    }

    private static func same(_ a: [KDAToken], _ b: [KDAToken]) -> Bool {
        unqualifiedAll(a).map { $0.text.uppercased() } == unqualifiedAll(b).map { $0.text.uppercased() }
    }

    /// A KDA name as a Spate name: lower case (KDA names are upper case by convention).
    static func spateName(_ name: String) -> String {
        let lowered = name.lowercased()
        return lowered.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } ? lowered : "\"" + name + "\""
    }

    /// A KDA column type as Spate's, nil when none fits.
    static func spateType(_ type: String) -> String? {
        switch type.split(separator: " ").first.map(String.init) ?? "" {
        case "VARCHAR", "CHAR", "CHARACTER": "STRING"
        case "INTEGER", "INT", "BIGINT", "SMALLINT", "TINYINT": "BIGINT"
        case "DOUBLE", "REAL", "FLOAT", "DECIMAL", "NUMERIC": "DOUBLE"
        case "BOOLEAN": "BOOLEAN"
        case "TIMESTAMP", "DATE": "TIMESTAMP"
        default: nil
        }
    }
}
