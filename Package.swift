// swift-tools-version: 6.1
//
// Spate: an embedded persistent event store that watches its streams.
// Targets are the layers of DESIGN.md; dependencies point down only.
import PackageDescription

let package = Package(
    name: "spate",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "spate", targets: ["spate"]),
        .library(name: "Spate", targets: ["Spate"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // CRC32C with the CPU's instruction: Swift cannot enable SSE4.2 for one function.
        .target(name: "CSpateCRC32C"),
        // Storage: segments, shards, streams, retention, recovery. No SQL, no JSON.
        .target(name: "SpateLog", dependencies: ["CSpateCRC32C"]),
        // The system libsqlite3, through its C API (not GRDB): a thin wrapper we own
        // keeps the checkpoint transaction path explicit, and builds fast.
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]),
        // The SQLite catalog: schema/ migrations (embedded at build time), typed access.
        .target(name: "SpateCatalog", dependencies: ["CSQLite"], plugins: ["EmbedCatalogSchema"]),
        // Compiles schema/*.sql into SpateCatalog, so one executable carries its migrations.
        .plugin(name: "EmbedCatalogSchema", capability: .buildTool(), dependencies: ["spate-schema-embed"],
                path: "Sources/EmbedCatalogSchema"),
        .executableTarget(name: "spate-schema-embed", path: "Sources/SchemaEmbedder"),
        // Lexer, parser, AST, analyzer, planner: a plan is data; nothing here executes.
        .target(name: "SpateSQL"),
        // Operators over batches of records, the job runner and its checkpoints.
        .target(name: "SpateRuntime", dependencies: ["SpateLog", "SpateSQL", "SpateCatalog"]),
        // The embeddable facade.
        .target(name: "Spate", dependencies: ["SpateLog", "SpateSQL", "SpateRuntime", "SpateCatalog"]),
        // The command line: wiring and presentation only.
        .executableTarget(
            name: "spate",
            dependencies: ["Spate", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Benchmarks print figures; they are never timed unit tests.
        .executableTarget(name: "spate-bench", dependencies: ["Spate", "SpateLog", "SpateSQL", "SpateRuntime"], path: "Benchmarks/SpateBench"),
        // A writer that the crash tests kill -9 at random moments.
        .executableTarget(name: "spate-torture", dependencies: ["SpateLog"], path: "Tests/Tools/SpateTorture"),
        .testTarget(name: "SpateLogTests", dependencies: ["SpateLog"]),
        .testTarget(name: "SpateCatalogTests", dependencies: ["SpateCatalog"]),
        .testTarget(name: "SpateSQLTests", dependencies: ["SpateSQL"]),
        .testTarget(name: "SpateRuntimeTests", dependencies: ["SpateRuntime"]),
        .testTarget(name: "SpateTests", dependencies: ["spate", "Spate", "SpateLog", "SpateRuntime"]),
    ]
)
