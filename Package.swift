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
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // WEBHOOK channels (http:// and https://): a well-kept client with TLS,
        // certificate verification against the system trust store or a ca_file.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        // Job logs: jobs and services log structured events through the standard Swift
        // logging API; SpateCatalog's handler keeps them in the catalog (job_log).
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // CRC32C with the CPU's instruction: Swift cannot enable SSE4.2 for one function.
        .target(name: "CSpateCRC32C"),
        // The random cut forest's box step with SSE2 min/max: Swift's turned into branches.
        .target(name: "CSpateForestKernels"),
        // The JSON scanner's fast path with SSE2 compares (16 bytes of a string at a time).
        .target(name: "CSpateJSONKernels"),
        // The ground floor: JSON bytes. One scanner (validation, field location, flat objects),
        // one writer, one string escaper, one Base64, one JSONSyntaxError. Depends on nothing
        // but its C fast path.
        .target(name: "SpateJSON", dependencies: ["CSpateJSONKernels"]),
        // Apache Parquet files written row by row (flat, nullable, PLAIN, optional Snappy). Depends on nothing.
        .target(name: "SpateParquet"),
        // Storage: segments, shards, streams, retention, recovery; and the system helpers every
        // layer above uses (files, locks, clocks, background threads, the leased service loop).
        // No SQL, no JSON.
        .target(name: "SpateLog", dependencies: ["CSpateCRC32C"]),
        // The system libsqlite3, through its C API (not GRDB): a thin wrapper we own
        // keeps the checkpoint transaction path explicit, and builds fast.
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]),
        // The SQLite catalog: schema/ migrations (embedded at build time), typed access.
        .target(name: "SpateCatalog", dependencies: ["CSQLite", "SpateJSON", "SpateLog", .product(name: "Logging", package: "swift-log")], plugins: ["EmbedCatalogSchema"]),
        // Compiles schema/*.sql into SpateCatalog, so one executable carries its migrations.
        .plugin(name: "EmbedCatalogSchema", capability: .buildTool(), dependencies: ["spate-schema-embed"],
                path: "Sources/EmbedCatalogSchema"),
        .executableTarget(name: "spate-schema-embed", path: "Sources/SchemaEmbedder"),
        // Lexer, parser, AST, analyzer, planner: a plan is data; nothing here executes.
        .target(name: "SpateSQL", dependencies: ["SpateJSON"]),
        // Operators over batches of records, the job runner and its checkpoints.
        .target(name: "SpateRuntime", dependencies: ["SpateJSON", "SpateLog", "SpateSQL", "SpateCatalog", "SpateParquet", "CSpateForestKernels",
                                                   .product(name: "Logging", package: "swift-log")]),
        // Alarms (the state machine), notification channels, delivery with retry, metrics.
        .target(name: "SpateAlerts", dependencies: [
            "SpateJSON", "SpateLog", "SpateSQL", "SpateCatalog",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        // The embeddable facade.
        .target(name: "Spate", dependencies: ["SpateJSON", "SpateLog", "SpateSQL", "SpateRuntime", "SpateCatalog", "SpateAlerts", "SpateParquet"]),
        // The dashboard: pages, JSON endpoints and SVG charts over the facade. SpateServer
        // does not know it: the `spate` command hands it to the server as a route.
        .target(name: "SpateDashboard", dependencies: ["Spate", "SpateCatalog", "SpateLog", "SpateSQL"]),
        // HTTP: the Kinesis JSON 1.1 API, /metrics, /healthz, SigV4, and a slot for the dashboard's
        // routes, over the facade (Database) only. SwiftNIO directly (not Hummingbird): one POST
        // route, two GETs and one hand-off need no router, and NIO alone builds faster.
        .target(name: "SpateServer", dependencies: [
            "Spate",
            "SpateJSON",
            "SpateLog",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // The command line: wiring and presentation only.
        .executableTarget(
            name: "spate",
            dependencies: ["Spate", "SpateJSON", "SpateServer", "SpateDashboard", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        // Benchmarks print figures; they are never timed unit tests.
        .executableTarget(name: "spate-bench", dependencies: ["Spate", "SpateLog", "SpateSQL", "SpateRuntime", "SpateDashboard", "SpateAlerts", "SpateCatalog", "CSQLite",
                                                      .product(name: "Logging", package: "swift-log")], path: "Benchmarks/SpateBench"),
        // The detectors' quality harness: precision, recall, F1 and delay on labelled data.
        .executableTarget(name: "spate-detect-eval", dependencies: ["SpateRuntime"], path: "Benchmarks/DetectorEval"),
        // Loopback load generator for `spate serve`: PutRecords throughput, PutRecord latency.
        .executableTarget(name: "spate-server-bench", dependencies: ["Spate", "SpateServer", "SpateJSON", "SpateLog"], path: "Benchmarks/SpateServerBench"),
        // A writer that the crash tests kill -9 at random moments.
        .executableTarget(name: "spate-torture", dependencies: ["SpateLog"], path: "Tests/Tools/SpateTorture"),
        .testTarget(name: "SpateJSONTests", dependencies: ["SpateJSON", "CSpateJSONKernels"]),
        .testTarget(name: "SpateParquetTests", dependencies: ["SpateParquet"]),
        .testTarget(name: "SpateLogTests", dependencies: ["SpateLog"]),
        .testTarget(name: "SpateCatalogTests", dependencies: ["SpateCatalog", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "SpateSQLTests", dependencies: ["SpateSQL"]),
        .testTarget(name: "SpateRuntimeTests", dependencies: ["SpateRuntime", "CSpateForestKernels"]),
        .testTarget(name: "SpateAlertsTests", dependencies: ["SpateAlerts", "SpateCatalog"]),
        .testTarget(name: "SpateTests", dependencies: ["spate", "Spate", "SpateJSON", "SpateLog", "SpateRuntime", "SpateAlerts", "SpateCatalog",
                                                 .product(name: "Logging", package: "swift-log")]),
        // Chart scales and ticks, and every JSON endpoint, called directly (no HTTP). The browser
        // test drives the built `spate serve` with headless chromium (skipped when chromium is absent).
        .testTarget(name: "SpateDashboardTests", dependencies: ["SpateDashboard", "Spate", "SpateCatalog", "SpateLog", "SpateSQL", "CSQLite"]),
        // Over HTTP on 127.0.0.1; the boto3 compatibility test runs the built `spate serve`.
        .testTarget(name: "SpateServerTests", dependencies: ["spate", "Spate", "SpateServer", "SpateJSON", "SpateLog", "SpateSQL"]),
    ]
)
