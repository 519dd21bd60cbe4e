// DetectorBenchmarkSupport: the few vector operations spate-bench needs to feed
// DetectorOperator from outside the module (ColumnVector's setters are
// internal). SPI, not API: `@_spi(DetectorBenchmark) import SpateRuntime`.
// Not for the query path, which fills vectors inside the module.

extension ColumnVector {
    /// Sets rows 0..<count to `values` (not NULL); the vector holds `count` rows.
    @_spi(DetectorBenchmark) public func benchmarkLoad(doubles values: [Double], count: Int) {
        reset(count: count)
        for row in 0..<count { set(row, double: values[row]) }
    }

    /// Sets rows 0..<count to `values` (BIGINT or TIMESTAMP vectors).
    @_spi(DetectorBenchmark) public func benchmarkLoad(ints values: [Int64], count: Int) {
        reset(count: count)
        for row in 0..<count { set(row, int: values[row]) }
    }

    /// Empties the vector for `count` rows (all NULL until written).
    @_spi(DetectorBenchmark) public func benchmarkLoad(count: Int) {
        reset(count: count)
        for row in 0..<count { setNull(row) }
    }

    /// Rows 0..<count that hold true (BOOLEAN vectors).
    @_spi(DetectorBenchmark) public func benchmarkTrueCount() -> Int {
        var result = 0
        for row in 0..<count where !isNull[row] && bools[row] { result += 1 }
        return result
    }
}
