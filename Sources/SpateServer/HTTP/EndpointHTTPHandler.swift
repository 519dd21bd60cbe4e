// The per-connection HTTP/1.1 handler: collects one request (head, body, end),
// runs it on the worker pool (Endpoint.respond blocks on I/O and fsync), and
// writes the response back on the connection's event loop.
//
// Invariants and limits:
// - One request at a time per connection: NIO's pipelining handler in front of
//   this one holds back a pipelined next request until the response is written.
// - A body over `bodyBytesMax` (declared by Content-Length or streamed) gets a
//   413 with a Kinesis-shaped ValidationException and the connection closes;
//   the body is never buffered past the limit.
// - Bytes that are not HTTP get a 400 SerializationException and a close;
//   nothing a client sends can crash the server.
// - A connection with no request for `idleTimeout` is closed (keep-alive
//   connections do not pile up); a request must arrive whole within the
//   request timeout (RequestDeadlineHandler, told here when it has).

import NIOCore
import NIOHTTP1
import NIOPosix

final class EndpointHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let endpoint: Endpoint
    private let threadPool: NIOThreadPool
    private let bodyBytesMax: Int

    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    /// The request was answered early (too large): ignore the rest of it.
    private var rejected = false
    /// A request is on the worker pool, or its response is being written.
    private var busy = false

    private let deadline: RequestDeadline?

    init(endpoint: Endpoint, threadPool: NIOThreadPool, bodyBytesMax: Int, deadline: RequestDeadline? = nil) {
        self.endpoint = endpoint
        self.threadPool = threadPool
        self.bodyBytesMax = bodyBytesMax
        self.deadline = deadline
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head):
            self.head = head
            rejected = false
            body = nil
            if let declared = head.headers.first(name: "content-length").flatMap({ Int($0) }), declared > bodyBytesMax {
                reject(context: context, version: head.version, bytes: declared)
            } else {
                body = context.channel.allocator.buffer(capacity: head.headers.first(name: "content-length").flatMap({ Int($0) }) ?? 0)
            }
        case var .body(part):
            guard !rejected, body != nil else { return }
            if body!.readableBytes + part.readableBytes > bodyBytesMax {
                reject(context: context, version: head?.version ?? .http1_1, bytes: body!.readableBytes + part.readableBytes)
                return
            }
            body!.writeBuffer(&part)
        case .end:
            deadline?.requestComplete()
            guard !rejected, let head, var body else { return }
            self.head = nil
            self.body = nil
            let request = EndpointRequest(
                method: head.method.rawValue, uri: head.uri,
                headers: head.headers.map { RequestHeader(name: $0.name, value: $0.value) },
                body: body.readBytes(length: body.readableBytes) ?? [])
            dispatch(request, keepAlive: head.isKeepAlive, version: head.version, context: context)
        }
    }

    private func dispatch(_ request: EndpointRequest, keepAlive: Bool, version: HTTPVersion, context: ChannelHandlerContext) {
        busy = true
        let endpoint = self.endpoint
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        threadPool.runIfActive(eventLoop: context.eventLoop) { endpoint.respond(to: request) }.whenComplete { result in
            let response: EndpointResponse
            switch result {
            case let .success(answer): response = answer
            case .failure: response = EndpointResponse(.internalFailure("The server is shutting down."))
            }
            bound.value.handler.write(response, keepAlive: keepAlive, version: version, context: bound.value.context)
        }
    }

    private func reject(context: ChannelHandlerContext, version: HTTPVersion, bytes: Int) {
        rejected = true
        body = nil
        let error = KinesisError("ValidationException",
                                 "The request body of \(bytes) bytes is over the limit of \(bodyBytesMax) bytes.", status: 413)
        write(EndpointResponse(error), keepAlive: false, version: version, context: context)
    }

    private func write(_ response: EndpointResponse, keepAlive: Bool, version: HTTPVersion, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.count))
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        for header in response.headers { headers.add(name: header.name, value: header.value) }
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: response.body.count)
        buffer.writeBytes(response.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        busy = false
        if !keepAlive {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            written.whenComplete { _ in bound.value.close(promise: nil) }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read, !busy {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if error is HTTPParserError, !busy, !rejected {
            rejected = true
            write(EndpointResponse(.serialization("The request is not valid HTTP/1.1: \(error).")), keepAlive: false,
                  version: .http1_1, context: context)
            return
        }
        context.close(promise: nil)
    }
}
