// A String's UTF-8 bytes in place, for writers and matchers that work on
// bytes: a native String's storage is read as it is; a bridged or lazy one
// (rare on Linux) is made contiguous first.

extension String {
    /// Calls `body` with the string's UTF-8 bytes, without a copy when it is native.
    public func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return try copy.withUTF8(body)
    }
}
