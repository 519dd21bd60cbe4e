// The Kinesis Data Streams API over the Spate facade (Database). A request is an operation name
// (from `X-Amz-Target: Kinesis_20131202.<Operation>`) and a JSON body; the answer
// is a JSON body or a KinesisError. No HTTP here: EndpointHTTPHandler does that.
//
// Stream names map 1:1 to the database's streams, so what a producer puts here is
// what `spate cat`, `spate stream list` and the REPL see, and the reverse; creating,
// deleting and altering a stream go through the same Database functions as SQL and
// the CLI. Operations
// are registered in `operations`, found by name; adding one touches that table
// and the file that implements it. Every operation blocks (file I/O, fsync):
// callers run it off the event loop.

import Spate
import SpateJSON
import SpateLog

/// A Kinesis response body.
public struct KinesisResponse: Sendable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }

    init(_ error: KinesisError) { self.init(status: error.status, body: error.body) }
}

/// Answers Kinesis operations from a database.
public final class KinesisService: Sendable {
    public static let targetPrefix = "Kinesis_20131202."

    let database: Database
    /// Unix ms (the database's clock; tests move it to expire iterators).
    let now: @Sendable () -> Int64
    let readBatches = ReadBatchPool()

    public init(database: Database) {
        self.database = database
        self.now = database.now
    }

    typealias Operation = @Sendable (KinesisService, JSONValue, Principal) throws(KinesisError) -> [UInt8]

    /// An operation: what it needs on which stream (KinesisService+Access), and its code.
    struct OperationEntry: Sendable {
        var needs: StreamAccess
        var resource: AccessResource
        var run: Operation
    }

    /// Every operation, by name.
    static let operations: [String: OperationEntry] = [
        "CreateStream": OperationEntry(needs: .admin, resource: .named) { (service, request, _) throws(KinesisError) in try service.createStream(request) },
        "DeleteStream": OperationEntry(needs: .admin, resource: .named) { (service, request, _) throws(KinesisError) in try service.deleteStream(request) },
        "DescribeStream": OperationEntry(needs: .read, resource: .named) { (service, request, _) throws(KinesisError) in try service.describeStream(request) },
        "DescribeStreamSummary": OperationEntry(needs: .read, resource: .named) { (service, request, _) throws(KinesisError) in try service.describeStreamSummary(request) },
        "ListStreams": OperationEntry(needs: .read, resource: .eachListed) { (service, request, caller) throws(KinesisError) in try service.listStreams(request, caller: caller) },
        "ListShards": OperationEntry(needs: .read, resource: .namedOrShardsToken) { (service, request, _) throws(KinesisError) in try service.listShards(request) },
        "IncreaseStreamRetentionPeriod": OperationEntry(needs: .admin, resource: .named) { (service, request, _) throws(KinesisError) in try service.changeRetention(request, increase: true) },
        "DecreaseStreamRetentionPeriod": OperationEntry(needs: .admin, resource: .named) { (service, request, _) throws(KinesisError) in try service.changeRetention(request, increase: false) },
        "PutRecord": OperationEntry(needs: .write, resource: .named) { (service, request, _) throws(KinesisError) in try service.putRecord(request) },
        "PutRecords": OperationEntry(needs: .write, resource: .named) { (service, request, _) throws(KinesisError) in try service.putRecords(request) },
        "GetShardIterator": OperationEntry(needs: .read, resource: .named) { (service, request, _) throws(KinesisError) in try service.getShardIterator(request) },
        "GetRecords": OperationEntry(needs: .read, resource: .iterator) { (service, request, _) throws(KinesisError) in try service.getRecords(request) },
    ]

    /// The names of the operations served.
    public static var operationNames: [String] { operations.keys.sorted() }

    /// Runs `operation` on a JSON `body` for a caller that may do everything
    /// (a server without credentials). Never throws: errors become responses.
    public func handle(operation: String, body: [UInt8]) -> KinesisResponse {
        handle(operation: operation, body: body, caller: .local)
    }

    /// Runs `operation` on a JSON `body` for `caller`, when its grants allow
    /// it (else AccessDeniedException). Never throws: errors become responses.
    public func handle(operation: String, body: [UInt8], caller: Principal) -> KinesisResponse {
        guard let entry = Self.operations[operation] else {
            return KinesisResponse(.unknownOperation("Operation \(operation) is not supported by this endpoint (supported: \(Self.operationNames.joined(separator: ", "))).") )
        }
        let request: JSONValue
        do throws(JSONSyntaxError) {
            request = body.isEmpty ? .object([:]) : try JSONValue.parse(body)
        } catch {
            return KinesisResponse(.serialization("The request body is not valid JSON: \(error.reason) at byte \(error.offset)."))
        }
        guard case .object = request else {
            return KinesisResponse(.serialization("The request body must be a JSON object."))
        }
        do {
            try Self.authorize(operation, entry, request, caller: caller)
            return KinesisResponse(status: 200, body: try entry.run(self, request, caller))
        } catch {
            return KinesisResponse(error)
        }
    }

    // MARK: Shared helpers

    /// The stream a request names.
    func stream(_ request: JSONValue) throws(KinesisError) -> LogStream {
        let name = try KinesisNames.streamName(from: request)
        return try stream(named: name)
    }

    func stream(named name: String) throws(KinesisError) -> LogStream {
        do { return try database.stream(name) } catch { throw Self.translate(error, stream: name) }
    }

    /// The Kinesis error for a facade error: the log's are mapped one by one;
    /// anything else (the catalog) is an internal failure.
    static func translate(_ error: SpateError, stream: String) -> KinesisError {
        if case let .log(logError) = error { return translate(logError, stream: stream) }
        return .internalFailure(error.description)
    }

    /// The Kinesis error for a log error.
    static func translate(_ error: LogError, stream: String) -> KinesisError {
        switch error {
        case .streamNotFound: return .streamNotFound(stream)
        case .streamExists: return .resourceInUse("Stream \(stream) under account \(KinesisNames.accountID) already exists.")
        case let .invalidStreamName(name, reason):
            return .validation("1 validation error detected: Value '\(name)' at 'streamName' failed to satisfy constraint: \(reason)")
        case .invalidSettings: return .invalidArgument(error.description)
        case .recordTooLarge, .partitionKeyTooLong, .batchTooLarge: return .invalidArgument(error.description)
        case let .shardNotFound(stream, shard):
            return .resourceNotFound("Shard \(KinesisNames.shardID(shard)) in stream \(stream) under account \(KinesisNames.accountID) does not exist")
        case .io, .invalidManifest, .corruptSegment: return .internalFailure(error.description)
        }
    }
}
