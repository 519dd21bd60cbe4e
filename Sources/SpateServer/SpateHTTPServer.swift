// The HTTP server of `spate serve`: binds, accepts connections, and serves
// Endpoint over HTTP/1.1 with SwiftNIO. Threads: `eventLoopThreads` event loops
// do the socket I/O and HTTP parsing; `workerThreads` run requests, which block
// on file I/O and on group commit — so concurrent PutRecords share fsyncs, as many
// as there are workers waiting at once.
//
// Safety: only loopback addresses may be bound without credentials; with
// credentials every request but GET /healthz must be SigV4-signed by a
// principal's key (the dashboard's pages also take HTTP Basic with the same
// key, see Endpoint), and may do only what that principal's grants allow.
// Limits: request body bytes; open connections (one more is answered 503 and
// closed); idle time between requests (closed after `idleTimeoutMs`); the time
// a request's head and body may take to arrive (408 and closed after
// `requestTimeoutMs`: no slow-loris client holds a connection).

import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import Spate
import SpateLog

/// How the server listens and what it limits.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The principals whose keys may sign requests, and what each may do;
    /// nil serves loopback only, unsigned.
    public var access: AccessPolicy?
    /// One key, whose holder may do everything (an AccessPolicy of one principal).
    public var credentials: Credentials? {
        get { access?.principals.count == 1 ? access?.principals[0].credentials : nil }
        set { access = newValue.map(AccessPolicy.single) }
    }
    /// Largest request body (a 5 MiB PutRecords is about 7 MiB of base64 JSON).
    public var requestBodyBytesMax: Int
    /// Connections open at once; one more is answered 503 and closed.
    public var connectionsMax: Int
    /// A connection with no request for this long is closed.
    public var idleTimeoutMs: Int64
    /// A request whose head and body have not all arrived this long after its
    /// first byte gets a 408 and its connection is closed.
    public var requestTimeoutMs: Int64
    public var workerThreads: Int
    public var eventLoopThreads: Int

    public static let defaultPort = 4567

    public init(host: String = "127.0.0.1", port: Int = defaultPort, credentials: Credentials? = nil,
                requestBodyBytesMax: Int = 10 << 20, connectionsMax: Int = 1024, idleTimeoutMs: Int64 = 60_000,
                requestTimeoutMs: Int64 = 30_000, workerThreads: Int = 32, eventLoopThreads: Int = System.coreCount) {
        self.host = host
        self.port = port
        self.access = credentials.map(AccessPolicy.single)
        self.requestBodyBytesMax = requestBodyBytesMax
        self.connectionsMax = connectionsMax
        self.idleTimeoutMs = idleTimeoutMs
        self.requestTimeoutMs = requestTimeoutMs
        self.workerThreads = workerThreads
        self.eventLoopThreads = eventLoopThreads
    }

    /// Parses `HOST:PORT` (`[::1]:4567` for IPv6); port 0 picks a free port.
    public static func parseListen(_ text: String) throws(ServerError) -> (host: String, port: Int) {
        let bad = ServerError.invalidListenAddress("--listen '\(text)': expected HOST:PORT, e.g. 127.0.0.1:4567 or [::1]:4567")
        guard let colon = text.lastIndex(of: ":") else { throw bad }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { throw bad }
        return (host, port)
    }
}

/// A running HTTP endpoint.
public final class SpateHTTPServer: Sendable {
    /// Where it listens (the port actually bound, when 0 was asked).
    public let host: String
    public let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let threadPool: NIOThreadPool
    private let channel: any Channel

    private init(host: String, port: Int, group: MultiThreadedEventLoopGroup, threadPool: NIOThreadPool, channel: any Channel) {
        self.host = host
        self.port = port
        self.group = group
        self.threadPool = threadPool
        self.channel = channel
    }

    /// Whether `host` resolves to a loopback address (127.0.0.0/8 or ::1).
    public static func isLoopback(_ host: String) -> Bool {
        guard let address = try? SocketAddress.makeAddressResolvingHost(host, port: 0), let ip = address.ipAddress else { return false }
        return ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
    }

    /// Binds and starts serving `database`: the Kinesis API (unless
    /// `kinesisEnabled` is false), /metrics, /healthz and the dashboard's routes.
    public static func start(_ configuration: ServerConfiguration, database: Database, dashboard: DashboardRoute? = nil,
                             kinesisEnabled: Bool = true) throws(ServerError) -> SpateHTTPServer {
        if configuration.access == nil && !isLoopback(configuration.host) {
            throw .nonLoopbackWithoutCredentials(configuration.host)
        }
        let endpoint = Endpoint(service: KinesisService(database: database), access: configuration.access,
                                dashboard: dashboard, kinesisEnabled: kinesisEnabled)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.eventLoopThreads))
        let threadPool = NIOThreadPool(numberOfThreads: max(1, configuration.workerThreads))
        threadPool.start()
        let connections = NIOLockedValueBox(0)
        let limits = configuration
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                let admitted = connections.withLockedValue { open -> Bool in
                    guard open < limits.connectionsMax else { return false }
                    open += 1
                    return true
                }
                guard admitted else { return OverCapacityResponse.send(on: channel, connectionsMax: limits.connectionsMax) }
                channel.closeFuture.whenComplete { _ in connections.withLockedValue { $0 -= 1 } }
                return channel.eventLoop.makeCompletedFuture {
                    let deadline = RequestDeadline()
                    try channel.pipeline.syncOperations.addHandler(
                        RequestDeadlineHandler(deadline: deadline, timeout: .milliseconds(limits.requestTimeoutMs)))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: false)
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: .milliseconds(limits.idleTimeoutMs)))
                    try channel.pipeline.syncOperations.addHandler(
                        EndpointHTTPHandler(endpoint: endpoint, threadPool: threadPool, bodyBytesMax: limits.requestBodyBytesMax,
                                            deadline: deadline))
                }
            }
        let channel: any Channel
        do {
            channel = try bootstrap.bind(host: configuration.host, port: configuration.port).wait()
        } catch {
            try? threadPool.syncShutdownGracefully()
            try? group.syncShutdownGracefully()
            throw .bind("cannot listen on \(configuration.host):\(configuration.port): \(error)")
        }
        let port = channel.localAddress?.port ?? configuration.port
        return SpateHTTPServer(host: configuration.host, port: port, group: group, threadPool: threadPool, channel: channel)
    }

    /// `host:port`, with brackets around an IPv6 host.
    public var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Stops accepting, lets requests on the workers finish (so every append
    /// acknowledged or not is complete on disk), then closes every connection.
    public func shutdown() {
        try? channel.close().wait()
        try? threadPool.syncShutdownGracefully()
        try? group.syncShutdownGracefully()
    }

    /// Blocks until the listening socket closes (after `shutdown`).
    public func waitUntilClosed() {
        try? channel.closeFuture.wait()
    }
}
