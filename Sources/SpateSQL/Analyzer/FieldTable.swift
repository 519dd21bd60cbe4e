// FieldTable: the fields a query extracts from each record, one per distinct
// JSON path.
//
// Layer: SpateSQL analyzer. Becomes QueryPlan.fields; `.field(i)` in a bound
// expression is index i here.
//
// Invariants: paths are unique; indexes never change once handed out (the
// analyzer may roll the whole table back to an earlier copy, never remove one
// entry). The empty path is the whole record (`SELECT *` on a schemaless stream).

struct FieldTable {
    private(set) var fields: [FieldExtraction] = []
    private var indexByPath: [[String]: Int] = [:]

    /// Fields per query; a limit so that a generated query cannot make the
    /// per-record extraction unbounded.
    static let fieldsMax = 1_024

    /// The index of the field at `path`, adding it with `type` when it is new.
    /// A path that is already present keeps its first type.
    mutating func index(of path: [String], type: ValueType) -> Int? {
        if let index = indexByPath[path] { return index }
        guard fields.count < Self.fieldsMax else { return nil }
        fields.append(FieldExtraction(path: path, type: type))
        indexByPath[path] = fields.count - 1
        return fields.count - 1
    }
}
