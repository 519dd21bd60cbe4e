// CatalogBindable: the Swift values a catalog statement binds in one call
// (SQLiteStatement.bind(_:...)): integers, doubles, text, blobs, their
// optionals (nil binds NULL) and CatalogValue itself.

/// A value that binds to one statement parameter.
protocol CatalogBindable {
    var catalogValue: CatalogValue { get }
}

extension CatalogValue: CatalogBindable {
    var catalogValue: CatalogValue { self }
}

extension Int64: CatalogBindable {
    var catalogValue: CatalogValue { .integer(self) }
}

extension Int: CatalogBindable {
    var catalogValue: CatalogValue { .integer(Int64(self)) }
}

extension Double: CatalogBindable {
    var catalogValue: CatalogValue { .real(self) }
}

extension String: CatalogBindable {
    var catalogValue: CatalogValue { .text(self) }
}

extension Array: CatalogBindable where Element == UInt8 {
    var catalogValue: CatalogValue { .blob(self) }
}

extension Optional: CatalogBindable where Wrapped: CatalogBindable {
    var catalogValue: CatalogValue { map(\.catalogValue) ?? .null }
}
