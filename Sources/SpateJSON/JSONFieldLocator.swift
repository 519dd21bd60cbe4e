// JSONFieldLocator.swift — `JSONScanner.scan` for a per-record hot loop.
//
// Layer: SpateJSON. The SQL runtime scans every record of
// a query with the same path set. `JSONScanner` keeps the compiled trie in
// arrays (a Sendable value type), and each `scan` call borrows them through
// nested `withUnsafeBufferPointer` closures and a uniqueness check on the
// result slots: measured, the retain/release and uniqueness checks of that
// borrowing were a tenth of the reference query's time. A locator copies the
// trie once into storage it owns and keeps the slots beside it, so locating a
// record's fields is the parser's work and nothing else. When every path is a
// top-level key it tries the C fast path first (CSpateJSONKernels:
// `spate_json_fast_locate`, every key in one pass with strings found by SIMD),
// then the flat-object path (JSONFlatObjectScan.swift), then the full parser.
// Measured on the reference query (perf, one thread, 1 M records of 118 B):
// see README "Queries".
//
// Same grammar, same result, same errors as `JSONScanner.scan` (it runs the
// same `JSONParser`); the tests compare the two.
//
// Not thread-safe: one locator per scanning loop. The slots are overwritten by
// each `locate` and are valid until the next one.

import CSpateJSONKernels

public final class JSONFieldLocator {
    public let paths: JSONPathSet
    public let depthMax: Int
    private let nodes: UnsafeMutableBufferPointer<JSONPathSet.Node>
    private let edges: UnsafeMutableBufferPointer<JSONPathSet.Edge>
    private let names: UnsafeMutableBufferPointer<UInt8>
    private let subtree: UnsafeMutableBufferPointer<Int32>
    private let slots: UnsafeMutablePointer<JSONFieldValue>
    public let count: Int
    /// Every path is a top-level key: records go through the flat fast path first.
    private let pathsAreFlat: Bool
    /// For flat paths: each path's name (pointing into `fastNameBytes`) and
    /// the C fast path's answers; nil when the paths are not flat.
    private let fastNames: UnsafeMutableBufferPointer<spate_json_name>?
    private let fastNameBytes: UnsafeMutableBufferPointer<UInt8>
    private let fastFields: UnsafeMutableBufferPointer<spate_json_field>

    public init(paths: JSONPathSet, depthMax: Int = 64) {
        precondition(depthMax >= 1 && depthMax <= JSONScanner.depthLimitMax, "depthMax out of range")
        self.paths = paths
        self.depthMax = depthMax
        func copy<T>(_ array: [T]) -> UnsafeMutableBufferPointer<T> {
            let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(1, array.count))
            _ = buffer.initialize(from: array)
            return UnsafeMutableBufferPointer(rebasing: buffer[0..<array.count])
        }
        nodes = copy(paths.nodes)
        edges = copy(paths.edges)
        names = copy(paths.nameBytes)
        subtree = copy(paths.subtreePaths)
        count = paths.count
        let flat = paths.paths.allSatisfy { !$0.contains(".") }
        pathsAreFlat = flat
        slots = .allocate(capacity: max(1, count))
        slots.initialize(repeating: .missing, count: max(1, count))
        let nameBytes = copy(paths.paths.flatMap { Array($0.utf8) })
        fastNameBytes = nameBytes
        fastFields = .allocate(capacity: max(1, paths.count))
        fastFields.initialize(repeating: spate_json_field())
        if flat, paths.count > 0, paths.count <= Int(SPATE_JSON_NAMES_MAX) {
            let names = UnsafeMutableBufferPointer<spate_json_name>.allocate(capacity: paths.count)
            var offset = 0
            for (index, path) in paths.paths.enumerated() {
                let length = path.utf8.count
                names[index] = spate_json_name(bytes: UnsafePointer(nameBytes.baseAddress.map { $0 + offset }), count: length)
                offset += length
            }
            fastNames = names
        } else {
            fastNames = nil
        }
    }

    deinit {
        nodes.baseAddress?.deallocate()
        edges.baseAddress?.deallocate()
        names.baseAddress?.deallocate()
        subtree.baseAddress?.deallocate()
        slots.deallocate()
        fastNameBytes.baseAddress?.deallocate()
        fastFields.deallocate()
        fastNames?.deallocate()
    }

    /// Checks that `bytes` is one well-formed JSON object and locates every
    /// path in it (see `JSONScanner.scan`). Returns nil when valid, else the
    /// first error; on error the slots are unspecified.
    @inline(__always)
    public func locate(_ bytes: UnsafeRawBufferPointer) -> JSONSyntaxError? {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            return JSONSyntaxError(offset: 0, reason: .emptyInput)
        }
        if let fastNames, spate_json_fast_locate(base.assumingMemoryBound(to: UInt8.self), bytes.count, Int32(depthMax),
                                                 fastNames.baseAddress, Int32(count), fastFields.baseAddress) == 1 {
            for index in 0..<count { slots[index] = JSONFieldValue(fastFields[index]) }
            return nil
        }
        for index in 0..<count { slots[index] = .missing }
        let parser = JSONParser(
            base: base.assumingMemoryBound(to: UInt8.self), end: bytes.count, depthMax: depthMax,
            nodes: UnsafeBufferPointer(nodes), edges: UnsafeBufferPointer(edges), names: UnsafeBufferPointer(names),
            subtree: UnsafeBufferPointer(subtree), slots: slots)
        if pathsAreFlat {
            if parser.scanFlatObject() { return nil }
            for index in 0..<count { slots[index] = .missing }  // the full parser starts afresh
        }
        do throws(JSONSyntaxError) {
            try parser.parseDocument(requireObject: true)
            return nil
        } catch {
            return error
        }
    }

    /// Where path `index` lies in the last located record.
    @inline(__always)
    public subscript(index: Int) -> JSONFieldValue { slots[index] }
}
