// The answer to a connection over the server's limit (`connectionsMax`): a 503
// with a Kinesis-shaped error that says why and what to do, then a close. The
// connection gets no HTTP pipeline, so the response is written as raw bytes;
// the write side is shut first and the socket closed a moment later, so that a
// request the client already sent does not turn the close into a reset that
// would lose the response.

import NIOCore

enum OverCapacityResponse {
    /// Writes the 503 on `channel` and closes it; the future completes at once.
    static func send(on channel: any Channel, connectionsMax: Int) -> EventLoopFuture<Void> {
        let body = #"{"__type":"LimitExceededException","message":"The server has "#
            + "\(connectionsMax) connections open, its limit (--max-connections); retry later, or reuse and close connections.\"}"
        let text = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/x-amz-json-1.1\r\n"
            + "Content-Length: \(body.utf8.count)\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + body
        var buffer = channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        channel.writeAndFlush(buffer).whenComplete { _ in
            channel.close(mode: .output, promise: nil)
            channel.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
        }
        return channel.eventLoop.makeSucceededVoidFuture()
    }
}
