// JSONPathSet.swift — a query's field paths, compiled once into a trie.
//
// Layer: SpateJSON. The SQL runtime compiles the fields a query reads
// (`userId`, `device.location.lat`) into one JSONPathSet per query; the scanner
// then walks each record once and, at every object key, asks the trie "is this
// key on one of my paths?".
//
// In-memory format (flat arrays, so a scan needs no pointers chasing and no
// allocation):
// - `nodes[n]` = the contiguous range of edges leaving trie node `n`; node 0 is
//   the top-level object.
// - `edges[e]` = one key name (a range of `nameBytes`), the node it leads to
//   (`childNode`, or -1 when no longer path continues below it), the path that
//   ends at it (`pathIndex`, or -1), and the range of `subtreePaths` listing
//   every path that ends at or below it.
// - `edges[e].prefix` = the name's first 8 bytes as one word, for matching.
// - `subtreePaths` lets a duplicate key reset what an earlier occurrence
//   found below it, so that the last occurrence wins for nested paths too.
//
// Invariants: 1...pathCountMax paths, each 1...depthMax segments, no empty
// segment, no path given twice, at most pathBytesMax UTF-8 bytes per path.
// Names are compared as UTF-8 bytes after JSON unescaping; there is no Unicode
// normalization (like JSON itself) and no way to name a key that contains a
// dot (a dot always separates segments), nor to index into an array.

/// Errors from compiling a `JSONPathSet`. These are programming or query
/// errors (the SQL analyzer should have caught them), reported as values.
public enum JSONPathSetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// More than `JSONPathSet.pathCountMax` paths.
    case tooManyPaths(count: Int, limit: Int)
    /// The path at `index` is the empty string.
    case emptyPath(index: Int)
    /// A path with an empty segment (`a..b`, `.a`, `a.`).
    case emptySegment(path: String)
    /// A path with more than `JSONPathSet.depthMax` segments.
    case pathTooDeep(path: String, limit: Int)
    /// A path longer than `JSONPathSet.pathBytesMax` UTF-8 bytes.
    case pathTooLong(path: String, limit: Int)
    /// The same path given twice (the caller should deduplicate).
    case duplicatePath(path: String)

    public var description: String {
        switch self {
        case .tooManyPaths(let count, let limit):
            return "too many JSON field paths: \(count) (at most \(limit))"
        case .emptyPath(let index):
            return "JSON field path #\(index + 1) is empty"
        case .emptySegment(let path):
            return "JSON field path '\(path)' has an empty segment"
        case .pathTooDeep(let path, let limit):
            return "JSON field path '\(path)' is nested deeper than \(limit) levels"
        case .pathTooLong(let path, let limit):
            return "JSON field path '\(path)' is longer than \(limit) bytes"
        case .duplicatePath(let path):
            return "JSON field path '\(path)' is given twice"
        }
    }
}

/// A fixed set of field paths, compiled once (per query) and used by
/// `JSONScanner` for every record.
///
/// A path is a top-level key (`userId`) or a dot-separated chain of keys into
/// nested objects (`device.location.lat`). Keys are matched byte for byte
/// against the record's keys after JSON unescaping. Limits: at most
/// `pathCountMax` paths of at most `depthMax` segments and `pathBytesMax`
/// bytes each. Keys containing `.` cannot be named, and arrays cannot be
/// indexed: a path that runs through an array or a scalar is `.missing`.
public struct JSONPathSet: Sendable {
    /// The largest number of paths in one set.
    public static let pathCountMax = 64
    /// The largest number of segments (nesting levels) in one path.
    public static let depthMax = 16
    /// The longest path, in UTF-8 bytes.
    public static let pathBytesMax = 1024

    struct Node: Sendable {
        var firstEdge: Int32
        var edgeCount: Int32
    }

    struct Edge: Sendable {
        var nameStart: Int32
        var nameCount: Int32
        var childNode: Int32
        var pathIndex: Int32
        var subtreeStart: Int32
        var subtreeCount: Int32
        /// The name's first (up to) 8 bytes as a little-endian word, zero
        /// padded: a key of up to 8 bytes is matched with one masked compare.
        var prefix: UInt64
    }

    /// The paths, in the order given; slot `i` of `JSONFieldValues` is `paths[i]`.
    public let paths: [String]
    let nodes: [Node]
    let edges: [Edge]
    let nameBytes: [UInt8]
    let subtreePaths: [Int32]

    /// The number of paths.
    public var count: Int { paths.count }

    /// Compiles `paths` (dot-separated key chains).
    ///
    /// Costs O(total path bytes) and allocates; do it once per query.
    /// - Throws: `JSONPathSetError` when a limit is exceeded, a path or a
    ///   segment is empty, or a path is repeated.
    public init(_ paths: [String]) throws(JSONPathSetError) {
        if paths.count > Self.pathCountMax {
            throw .tooManyPaths(count: paths.count, limit: Self.pathCountMax)
        }
        var builder = TrieBuilder()
        for (pathIndex, path) in paths.enumerated() {
            let segments = try Self.segments(of: path, index: pathIndex)
            try builder.insert(segments, pathIndex: pathIndex, path: path)
        }
        self.paths = paths
        (nodes, edges, nameBytes, subtreePaths) = builder.flatten()
    }

    private static func segments(of path: String, index: Int) throws(JSONPathSetError) -> [[UInt8]] {
        let utf8 = Array(path.utf8)
        if utf8.isEmpty { throw .emptyPath(index: index) }
        if utf8.count > pathBytesMax { throw .pathTooLong(path: path, limit: pathBytesMax) }
        let segments = utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        if segments.contains(where: \.isEmpty) { throw .emptySegment(path: path) }
        if segments.count > depthMax { throw .pathTooDeep(path: path, limit: depthMax) }
        return segments.map { Array($0) }
    }
}

/// Builds the trie with ordinary (allocating) structures, then flattens it so
/// that the edges of each node are contiguous.
private struct TrieBuilder {
    struct TempNode {
        var children: [(name: [UInt8], node: Int)] = []
        var pathIndex = -1
    }
    var tempNodes = [TempNode()]

    mutating func insert(_ segments: [[UInt8]], pathIndex: Int, path: String) throws(JSONPathSetError) {
        var node = 0
        for segment in segments {
            if let existing = tempNodes[node].children.first(where: { $0.name == segment }) {
                node = existing.node
            } else {
                tempNodes.append(TempNode())
                tempNodes[node].children.append((segment, tempNodes.count - 1))
                node = tempNodes.count - 1
            }
        }
        if tempNodes[node].pathIndex >= 0 { throw .duplicatePath(path: path) }
        tempNodes[node].pathIndex = pathIndex
    }

    /// Paths ending at or below temp node `node`.
    func subtreePaths(of node: Int) -> [Int32] {
        var result: [Int32] = tempNodes[node].pathIndex >= 0 ? [Int32(tempNodes[node].pathIndex)] : []
        for child in tempNodes[node].children { result += subtreePaths(of: child.node) }
        return result
    }

    func flatten() -> ([JSONPathSet.Node], [JSONPathSet.Edge], [UInt8], [Int32]) {
        // Breadth-first: flat node ids are assigned in visiting order.
        var order = [0]
        var flatId = [0: 0]
        var cursor = 0
        while cursor < order.count {
            for child in tempNodes[order[cursor]].children where !tempNodes[child.node].children.isEmpty {
                flatId[child.node] = order.count
                order.append(child.node)
            }
            cursor += 1
        }
        var nodes: [JSONPathSet.Node] = []
        var edges: [JSONPathSet.Edge] = []
        var names: [UInt8] = []
        var subtree: [Int32] = []
        for temp in order {
            nodes.append(.init(firstEdge: Int32(edges.count), edgeCount: Int32(tempNodes[temp].children.count)))
            for child in tempNodes[temp].children {
                let below = subtreePaths(of: child.node)
                edges.append(.init(
                    nameStart: Int32(names.count), nameCount: Int32(child.name.count),
                    childNode: Int32(flatId[child.node] ?? -1),
                    pathIndex: Int32(tempNodes[child.node].pathIndex),
                    subtreeStart: Int32(subtree.count), subtreeCount: Int32(below.count),
                    prefix: child.name.prefix(8).enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }))
                names += child.name
                subtree += below
            }
        }
        return (nodes, edges, names, subtree)
    }
}
