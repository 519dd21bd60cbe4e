// The file sink benchmark (issue 18): rows of the reference query's output
// shape written by a job's FileSinkWriter into JSONL, CSV and Parquet files,
// on one thread, with a checkpoint every 100,000 rows — rows/s and MB/s of
// files, best of three per format. Budget: ≥ 1 M rows/s into JSONL, ≥ 500 k
// rows/s into Parquet, on one core.

import SpateCatalog
import SpateRuntime

#if canImport(Glibc)
import Glibc
#endif

func runSinkBenchmark(in directory: String, scale: Scale) throws {
    let rows = scale.isQuick ? 200_000 : 2_000_000
    printSection("File sinks: \(grouped(rows)) rows of the reference query's output (6 columns) into files, one thread, a checkpoint every 100,000 rows")
    let table = Table([
        Table.Column(title: "format", width: 7, leftAligned: true), Table.Column(title: "run", width: 3),
        Table.Column(title: "rows/s", width: 12), Table.Column(title: "MB/s", width: 8), Table.Column(title: "files", width: 6),
        Table.Column(title: "bytes", width: 14), Table.Column(title: "rows/CPU s", width: 12),
    ])
    table.printHeader()
    for format in [SinkRecord.Format.jsonl, .csv, .parquet] {
        for run in 1...3 {
            let path = directory + "/sink-\(format.rawValue)-\(run)"
            mkdir(path, 0o755)
            let startCPU = cpuSeconds()
            let result = try FileSinkBenchmark.run(rows: rows, format: format, directory: path)
            let cpu = cpuSeconds() - startCPU
            table.printRow([format.rawValue, "\(run)", groupedRate(Double(rows) / result.seconds),
                            fixed(Double(result.bytes) / result.seconds / 1e6, 1), "\(result.files)", grouped(Int(result.bytes)),
                            groupedRate(Double(rows) / cpu)])
        }
    }
}
