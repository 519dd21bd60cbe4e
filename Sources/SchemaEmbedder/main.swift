// spate-schema-embed SCHEMA_DIRECTORY OUTPUT.swift
//
// Run by the EmbedCatalogSchema plugin at every build (never shipped): writes a
// Swift file defining `CatalogSchema.embeddedMigrations` from every *.sql file
// in SCHEMA_DIRECTORY, each script verbatim in a raw string literal. Fails the
// build, naming the file, when a name is not NNNN_lowercase_name.sql or the
// numbers are not 1, 2, 3, … without gaps. Writes OUTPUT only when its text
// changes (no needless recompile), and always renews a stamp file beside it so
// that the next build runs this again (see EmbedCatalogSchema.swift).

import Foundation

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("error: spate-schema-embed: \(message)\n".utf8))
    exit(1)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count == 2 else { fail("usage: spate-schema-embed SCHEMA_DIRECTORY OUTPUT.swift") }
let (schemaDirectory, outputPath) = (arguments[0], arguments[1])

let inputs: [String]
do {
    inputs = try FileManager.default.contentsOfDirectory(atPath: schemaDirectory)
        .filter { $0.hasSuffix(".sql") }.sorted()
        .map { (schemaDirectory as NSString).appendingPathComponent($0) }
} catch {
    fail("cannot list \(schemaDirectory): \(error)")
}
var entries: [String] = []
for (index, path) in inputs.enumerated() {
    let file = (path as NSString).lastPathComponent
    let name = String(file.dropLast(".sql".count))
    let parts = name.split(separator: "_", maxSplits: 1)
    guard file.hasSuffix(".sql"), parts.count == 2, parts[0].count == 4, parts[0].allSatisfy(\.isASCII),
          let version = Int(parts[0]),
          parts[1].allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" })
    else { fail("\(path): a migration is named NNNN_lowercase_name.sql, e.g. 0002_alarms.sql") }
    guard version == index + 1 else {
        fail("\(path): migration number \(version) where \(index + 1) was expected (numbers run 1, 2, 3, … without gaps)")
    }
    guard let data = FileManager.default.contents(atPath: path), let sql = String(data: data, encoding: .utf8) else {
        fail("\(path): cannot read it as UTF-8")
    }
    guard !sql.allSatisfy(\.isWhitespace) else { fail("\(path): the migration is empty") }
    // The literal holds the script byte for byte: a multi-line literal drops
    // only the line break just before its closing delimiter, added here.
    // A raw string delimiter longer than any run of # in the script cannot be
    // closed, nor interpolated into, by the script's text.
    var longestHashRun = 0, run = 0
    for character in sql {
        run = character == "#" ? run + 1 : 0
        longestHashRun = max(longestHashRun, run)
    }
    let hashes = String(repeating: "#", count: longestHashRun + 1)
    entries.append("""
            CatalogMigration(version: \(version), name: "\(name)", sql: \(hashes)\"\"\"
    \(sql)
    \"\"\"\(hashes)),
    """)
}

let source = """
// Generated at build time from schema/*.sql by spate-schema-embed (Sources/EmbedCatalogSchema).
// Do not edit: change or add files in schema/.

extension CatalogSchema {
    static let embeddedMigrations: [CatalogMigration] = [
\(entries.joined(separator: "\n"))
    ]
}

"""
do {
    if (try? String(contentsOfFile: outputPath, encoding: .utf8)) != source {
        try source.write(toFile: outputPath, atomically: true, encoding: .utf8)
    }
    // Written atomically (a new file renamed over the old), the stamp changes
    // the work directory's modification time, an input of this command.
    let stampPath = ((outputPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("rerun.stamp")
    try "\(Date().timeIntervalSince1970)\n".write(toFile: stampPath, atomically: true, encoding: .utf8)
} catch {
    fail("cannot write \(outputPath): \(error)")
}
