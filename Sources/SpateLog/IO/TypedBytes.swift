// `withUnsafeBytes` for byte arrays that keeps a typed error. The standard
// library's versions rethrow `any Error`, which typed-throws callers cannot use.

/// `array.withUnsafeBytes`, keeping `body`'s typed error.
@inlinable
public func withBytes<T, E: Error>(_ array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(E) -> T) throws(E) -> T {
    let result: Result<T, E> = array.withUnsafeBytes { raw in
        do throws(E) { return .success(try body(raw)) } catch { return .failure(error) }
    }
    return try result.get()
}

/// `array.withUnsafeMutableBytes`, keeping `body`'s typed error.
@inlinable
public func withMutableBytes<T, E: Error>(_ array: inout [UInt8], _ body: (UnsafeMutableRawBufferPointer) throws(E) -> T) throws(E) -> T {
    let result: Result<T, E> = array.withUnsafeMutableBytes { raw in
        do throws(E) { return .success(try body(raw)) } catch { return .failure(error) }
    }
    return try result.get()
}
