import SpateJSON
// The errors a Kinesis client can get, as the AWS JSON 1.1 protocol writes them:
// an HTTP status and a body `{"__type":"<Name>","message":"…"}`. botocore takes
// the error code from `__type` (after any `#` or `:`) and the text from
// `message`, whatever the status; the statuses follow AWS (400 for client
// errors, 403 for a signature that does not match, 413 for an oversized body,
// 500 for our own failures, which SDKs retry).
//
// ValidationException is for a request that breaks the API's shape (a required
// member missing, a value of the wrong type or out of the documented range);
// InvalidArgumentException for a well-formed request the stream cannot honour
// (a sequence number from another shard, a retention period shorter than the
// current one), as Kinesis distinguishes them.

/// An error answered to a Kinesis client.
public struct KinesisError: Error, Sendable, Equatable {
    /// The `__type`: e.g. `ResourceNotFoundException`.
    public var type: String
    public var message: String
    public var status: Int

    public init(_ type: String, _ message: String, status: Int = 400) {
        self.type = type
        self.message = message
        self.status = status
    }

    static func resourceNotFound(_ message: String) -> KinesisError { KinesisError("ResourceNotFoundException", message) }
    static func resourceInUse(_ message: String) -> KinesisError { KinesisError("ResourceInUseException", message) }
    static func invalidArgument(_ message: String) -> KinesisError { KinesisError("InvalidArgumentException", message) }
    static func validation(_ message: String) -> KinesisError { KinesisError("ValidationException", message) }
    static func limitExceeded(_ message: String) -> KinesisError { KinesisError("LimitExceededException", message) }
    static func expiredIterator(_ message: String) -> KinesisError { KinesisError("ExpiredIteratorException", message) }
    static func serialization(_ message: String) -> KinesisError { KinesisError("SerializationException", message) }
    static func unknownOperation(_ message: String) -> KinesisError { KinesisError("UnknownOperationException", message) }
    static func internalFailure(_ message: String) -> KinesisError { KinesisError("InternalFailure", message, status: 500) }

    static func streamNotFound(_ name: String) -> KinesisError {
        .resourceNotFound("Stream \(name) under account \(KinesisNames.accountID) not found.")
    }

    /// The JSON body.
    public var body: [UInt8] {
        var writer = JSONWriter(capacity: 64 + message.utf8.count)
        writer.beginObject()
        writer.key("__type"); writer.string(type)
        writer.key("message"); writer.string(message)
        writer.endObject()
        return writer.bytes
    }
}
