// Which Python modules the tests that check against real engines can import
// (DuckDB reads Parquet back, PyFlink runs exported scripts); a test that
// needs one is skipped with its reason when it is missing, never passed.

import Foundation

enum PythonModule {
    /// Whether `python3 -c 'import <module>'` succeeds.
    static func isImportable(_ module: String) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import \(module)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    static let duckdb = isImportable("duckdb")
    static let pyflink = isImportable("pyflink.table")
}
