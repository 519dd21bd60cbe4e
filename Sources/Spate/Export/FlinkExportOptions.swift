// FlinkExportOptions: where the exported Flink job reads and writes — the
// connector of its input (and of an output stream), and what that connector
// needs to find the data (a region and account for Kinesis, brokers for
// Kafka, a directory for files), and how the JSON spells a TIMESTAMP.
//
// Spate itself has no region or account: its Kinesis endpoint answers for any
// region, under the account 000000000000, so those are the defaults and
// `--region` / `--account` point the script at a real AWS stream of the same name.

/// The connector the exported tables use.
public enum FlinkConnector: String, Sendable, CaseIterable {
    /// Flink's `kinesis` connector (flink-connector-aws-kinesis-streams 5.x): the stream of the same name.
    case kinesis
    /// Flink's `kafka` connector: the topic of the stream's name.
    case kafka
    /// Flink's `filesystem` connector: JSON lines in `<path>/<stream>`.
    case filesystem
}

/// How the records' JSON holds a TIMESTAMP column (Spate reads both; Flink's JSON format one at a time).
public enum FlinkTimestampEncoding: String, Sendable, CaseIterable {
    /// A number of milliseconds since the epoch: a BIGINT column and a computed `TO_TIMESTAMP_LTZ(col, 3)`.
    case epochMilliseconds = "epoch-ms"
    /// ISO 8601 text in UTC (`2024-11-23T22:13:05.000Z`): a TIMESTAMP_LTZ(3) column read with `'json.timestamp-format.standard' = 'ISO-8601'`.
    case iso8601 = "iso-8601"
}

/// Where and how the exported script reads and writes.
public struct FlinkExportOptions: Sendable {
    public var connector: FlinkConnector
    /// Kinesis: the AWS region of the streams.
    public var region: String
    /// Kinesis: the AWS account in the streams' ARNs.
    public var account: String
    /// Kinesis: an endpoint other than AWS's (`http://localhost:4567` for `spate serve`); nil for AWS's.
    public var endpoint: String?
    /// Kafka: `properties.bootstrap.servers`.
    public var bootstrapServers: String
    /// Filesystem: the directory that holds one directory per stream (a path or a URI such as `s3://bucket/spate`).
    public var directory: String
    public var timestamps: FlinkTimestampEncoding

    public init(connector: FlinkConnector = .kinesis, region: String = "us-east-1", account: String = "000000000000",
                endpoint: String? = nil, bootstrapServers: String = "localhost:9092", directory: String = "file:///tmp/spate-flink",
                timestamps: FlinkTimestampEncoding = .epochMilliseconds) {
        self.connector = connector
        self.region = region
        self.account = account
        self.endpoint = endpoint
        self.bootstrapServers = bootstrapServers
        self.directory = directory
        self.timestamps = timestamps
    }

    /// The Kinesis ARN of stream `name`, as Spate's endpoint names it (KinesisNames in SpateServer).
    func streamARN(_ name: String) -> String {
        "arn:aws:kinesis:\(region):\(account):stream/\(name)"
    }

    /// The directory of stream (or job) `name` under `directory`.
    func path(of name: String) -> String {
        (directory.hasSuffix("/") ? directory : directory + "/") + name
    }
}
