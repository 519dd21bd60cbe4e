// ParquetOutput.swift — the caller's `write` callback, with the running file offset.
//
// Layer: SpateParquet (internal). The footer records where every page starts, so
// every byte of the file passes through here and is counted; nothing is buffered.

/// Hands bytes to the caller's sink and counts them.
struct ParquetOutput {
    private let sink: (UnsafeRawBufferPointer) throws -> Void
    /// Bytes handed to the sink so far: the offset in the file of the next byte.
    private(set) var offset = 0

    init(sink: @escaping (UnsafeRawBufferPointer) throws -> Void) { self.sink = sink }

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        try sink(bytes)
        offset += bytes.count
    }

    mutating func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }
}
