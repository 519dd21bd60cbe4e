// Which stream each Kinesis operation acts on, and the check that its caller
// may (the IAM analogue; grants are in Principal). What an operation needs is
// declared in its entry of `KinesisService.operations`:
//
//     PutRecord, PutRecords                              write on the stream
//     GetRecords                                         read on the iterator's stream
//     GetShardIterator, DescribeStream(Summary),
//     ListShards                                         read on the stream (ListShards
//                                                        with NextToken: the token's stream)
//     ListStreams                                        lists only the streams the caller may read
//     CreateStream, DeleteStream,
//     Increase/DecreaseStreamRetentionPeriod             admin on the stream (its name)
//
// The check runs before the operation looks at the stream, so a denied caller
// learns nothing of it (not even whether it exists), as with IAM. A request so
// malformed that it names no stream is not checked here: the operation then
// fails on the same missing member before it touches any stream.
//
// A denial is AccessDeniedException (HTTP 400, as the JSON protocols answer
// it) worded as AWS words it — "User: <principal ARN> is not authorized to
// perform: kinesis:<Operation> on resource: <stream ARN> because no
// identity-based policy allows the kinesis:<Operation> action" — followed by
// what the operation needs and what the principal holds, for the person
// reading it.

import SpateJSON

/// Where an operation's stream name is.
enum AccessResource: Sendable {
    /// `StreamName`, else the name in `StreamARN`.
    case named
    /// The stream a `ShardIterator` was issued for.
    case iterator
    /// The stream of a ListShards `NextToken`, else as `named`.
    case namedOrShardsToken
    /// No one stream: the operation filters what it answers by the caller's grants.
    case eachListed
}

extension KinesisService {
    /// Throws AccessDeniedException when `caller` may not run `operation` on the stream the request names.
    static func authorize(_ operation: String, _ entry: OperationEntry, _ request: JSONValue, caller: Principal) throws(KinesisError) {
        if caller.isUnrestricted { return }
        guard let stream = streamName(entry.resource, in: request) else { return }
        guard caller.allows(entry.needs, on: stream) else {
            throw .accessDenied(caller, operation: operation, stream: stream, needs: entry.needs)
        }
    }

    /// The stream the request acts on; nil when it names none (or the operation lists streams).
    static func streamName(_ resource: AccessResource, in request: JSONValue) -> String? {
        switch resource {
        case .named:
            return try? KinesisNames.streamName(from: request)
        case .iterator:
            guard case let .string(token)? = request["ShardIterator"] else { return nil }
            return ShardIterator(token: token)?.stream
        case .namedOrShardsToken:
            guard case let .string(token)? = request["NextToken"] else { return try? KinesisNames.streamName(from: request) }
            return try? readPageToken(token, kind: "shards", parts: 4)[1]
        case .eachListed:
            return nil
        }
    }
}

extension KinesisError {
    static func accessDenied(_ principal: Principal, operation: String, stream: String, needs: StreamAccess) -> KinesisError {
        let action = "kinesis:" + operation
        return KinesisError("AccessDeniedException", """
            User: \(principal.arn) is not authorized to perform: \(action) on resource: \(KinesisNames.streamARN(stream)) \
            because no identity-based policy allows the \(action) action (it needs \(needs) on \(stream); \
            \(principal.name) is allowed: \(principal.grantsText))
            """)
    }
}
