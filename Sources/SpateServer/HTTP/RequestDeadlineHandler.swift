// The request deadline of a connection: a request's head and body must arrive
// within `requestTimeout` of its first byte, or the connection gets a 408 and
// is closed — a client that trickles a byte at a time (slow loris) cannot hold
// a connection, a worker or memory. It sits before the HTTP decoder, so it sees
// raw bytes: the first byte of a request arms the timer, and the end of the
// request (`RequestDeadline.requestComplete`, called by EndpointHTTPHandler)
// disarms it. Time spent answering is not counted. Idle time between requests
// is the idle timeout's business (IdleStateHandler), not this one's.
//
// Everything here runs on the connection's event loop.

import NIOCore

/// Shared by the deadline handler and the HTTP handler of one connection.
final class RequestDeadline {
    fileprivate var timer: Scheduled<Void>?
    /// Between a request's end and the next byte: not timing.
    fileprivate var waitingForRequest = true

    /// The request is complete (head, body, end): stop timing it.
    func requestComplete() {
        timer?.cancel()
        timer = nil
        waitingForRequest = true
    }
}

final class RequestDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let deadline: RequestDeadline
    private let timeout: TimeAmount

    init(deadline: RequestDeadline, timeout: TimeAmount) {
        self.deadline = deadline
        self.timeout = timeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if deadline.waitingForRequest {
            deadline.waitingForRequest = false
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let seconds = timeout.nanoseconds / 1_000_000_000
            deadline.timer = context.eventLoop.scheduleTask(in: timeout) {
                Self.timeOut(bound.value, after: seconds)
            }
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline.timer?.cancel()
        context.fireChannelInactive()
    }

    /// Answers 408 (written below the HTTP encoder, as raw bytes) and closes.
    private static func timeOut(_ context: ChannelHandlerContext, after seconds: Int64) {
        let body = #"{"__type":"RequestTimeoutException","message":"The request's headers and body did not arrive within "#
            + "\(max(seconds, 1)) s (--request-timeout); the connection is closed.\"}"
        let text = "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/x-amz-json-1.1\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
        var buffer = context.channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        // From this handler's context the bytes go straight to the socket, past the HTTP encoder.
        let channel = context.channel
        context.writeAndFlush(NIOAny(buffer)).whenComplete { _ in channel.close(promise: nil) }
    }
}
