// RelationScope: the names a query can see — the relation after FROM, its
// columns, and the pseudo-columns of the dialect.
//
// Layer: SpateSQL analyzer. Pure lookups over a StreamSchema or a
// CatalogTableSchema; no binding state.
//
// Name rules (documented in Analyzer.swift, decisions 2 and 3):
// - A declared column is found by its exact name first, then case-insensitively
//   (the first declared column that matches wins).
// - Pseudo-columns (WINDOW_START, WINDOW_END, anomaly, _arrival / ARRIVAL_TIME)
//   are matched case-insensitively; a declared column with exactly that name
//   shadows the pseudo-column, so a stream that declares `anomaly` keeps it.
// - On a schemaless stream every other name is a JSON path.

/// The relation a SELECT reads, as far as name resolution is concerned.
struct RelationScope {
    enum Kind {
        /// No FROM: only constants.
        case none
        case stream(StreamSchema)
        case catalogTable(CatalogTableSchema)
    }

    let kind: Kind

    /// Declared columns (a stream's schema or a catalog table's columns).
    var columns: [SchemaColumn] {
        switch kind {
        case .none: return []
        case .stream(let schema): return schema.columns
        case .catalogTable(let table): return table.columns
        }
    }

    var isSchemalessStream: Bool {
        if case .stream(let schema) = kind { return schema.isSchemaless }
        return false
    }

    var isStream: Bool {
        if case .stream = kind { return true }
        return false
    }

    var isCatalogTable: Bool {
        if case .catalogTable = kind { return true }
        return false
    }

    /// The declared column called `name`: exact spelling first, then ignoring case.
    func column(named name: String) -> SchemaColumn? {
        if let exact = columns.first(where: { $0.name == name }) { return exact }
        let lower = name.lowercased()
        return columns.first { $0.name.lowercased() == lower }
    }

    /// Whether a declared column is spelled exactly `name` (it then shadows a pseudo-column).
    func hasColumn(exactly name: String) -> Bool {
        columns.contains { $0.name == name }
    }
}

/// A name the dialect gives meaning to without any schema.
enum PseudoColumn: Hashable {
    case windowStart, windowEnd, anomaly, anomalyGrade, anomalyExplanation, arrivalTime

    static func named(_ name: String) -> PseudoColumn? {
        switch name.uppercased() {
        case "WINDOW_START": return .windowStart
        case "WINDOW_END": return .windowEnd
        case "ANOMALY": return .anomaly
        case "ANOMALY_GRADE": return .anomalyGrade
        case "ANOMALY_EXPLANATION": return .anomalyExplanation
        case "_ARRIVAL", "ARRIVAL_TIME": return .arrivalTime
        default: return nil
        }
    }

    /// The pseudo-column a reference names, unless a declared column shadows it.
    static func referenced(by reference: ColumnReference, in scope: RelationScope) -> PseudoColumn? {
        guard reference.path.count == 1, !scope.hasColumn(exactly: reference.name.value) else { return nil }
        return named(reference.name.value)
    }

    /// Whether the value exists only once rows are grouped or scored (output stage).
    var isOutputOnly: Bool { self != .arrivalTime }
}
