import NIOCore
import NIOHTTP1
import NIOPosix

/// The optional Prometheus scrape endpoint: `GET /metrics` over plain HTTP, loopback only.
///
/// It has no authentication and no TLS, so it must never face the cabinet's network: a node exporter
/// or an agent on the controller itself scrapes it and forwards over the uplink. `start` refuses any
/// host that is not a loopback address rather than trusting the configuration.
public final class MetricsHTTPEndpoint: Sendable {
    /// `start` was asked to listen on an address other machines could reach.
    public struct NonLoopbackHost: Error, CustomStringConvertible {
        public let host: String
        public var description: String {
            "the metrics endpoint listens on loopback only (127.0.0.0/8, ::1 or localhost), not on \"\(host)\": "
                + "it has no authentication; scrape it from the controller itself"
        }
    }

    /// The TCP port actually bound (the one the system chose when asked for port 0).
    public let port: Int
    private let serverChannel: any Channel
    private let group: MultiThreadedEventLoopGroup

    private init(port: Int, serverChannel: any Channel, group: MultiThreadedEventLoopGroup) {
        self.port = port
        self.serverChannel = serverChannel
        self.group = group
    }

    /// Listens on `host:port` and answers every scrape with a fresh `exposition()`.
    /// Call `stop()` when done: the endpoint owns a thread.
    public static func start(
        host: String, port: Int, exposition: @escaping @Sendable () -> String
    ) async throws -> MetricsHTTPEndpoint {
        guard let address = loopbackAddress(host, port: port) else { throw NonLoopbackHost(host: host) }
        // One thread is plenty for a scrape every few seconds, and keeps it off the cabinet's loops.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(ScrapeHandler(exposition: exposition))
                    }
                }
                .bind(to: address)
                .get()
            return MetricsHTTPEndpoint(port: channel.localAddress?.port ?? port, serverChannel: channel, group: group)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Stops listening and ends the endpoint's thread (open scrape connections are closed with it).
    public func stop() async {
        try? await serverChannel.close()
        try? await group.shutdownGracefully()
    }

    /// The socket address for `host` when it is a loopback address, else nil. "localhost" means
    /// 127.0.0.1 here: resolving it could yield anything /etc/hosts says.
    static func loopbackAddress(_ host: String, port: Int) -> SocketAddress? {
        let literal = host.lowercased() == "localhost" ? "127.0.0.1" : host
        // Accept "[::1]" as written in URLs.
        let unbracketed = literal.hasPrefix("[") && literal.hasSuffix("]") ? String(literal.dropFirst().dropLast()) : literal
        guard let address = try? SocketAddress(ipAddress: unbracketed, port: port) else { return nil }
        switch address {
        case .v4(let v4):
            let firstOctet = UInt32(bigEndian: v4.address.sin_addr.s_addr) >> 24
            return firstOctet == 127 ? address : nil
        case .v6(let v6):
            let loopback: [UInt8] = Array(repeating: 0, count: 15) + [1]
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            return bytes == loopback ? address : nil
        case .unixDomainSocket:
            return nil
        }
    }
}

/// Answers one HTTP/1.1 request per connection, then closes it.
private final class ScrapeHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let exposition: @Sendable () -> String
    private var requestHead: HTTPRequestHead?

    init(exposition: @escaping @Sendable () -> String) {
        self.exposition = exposition
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            requestHead = head
        case .body:
            break  // A scrape has no body; whatever was sent is ignored.
        case .end:
            guard let head = requestHead else { return }
            requestHead = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        var headers = HTTPHeaders()
        let status: HTTPResponseStatus
        let body: String
        if path != "/metrics" {
            status = .notFound
            body = "not found: only /metrics is served here\n"
            headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        } else if head.method != .GET {
            status = .methodNotAllowed
            body = "method not allowed: use GET\n"
            headers.add(name: "Allow", value: "GET")
            headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        } else {
            status = .ok
            body = exposition()
            headers.add(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
        }
        let bytes = context.channel.allocator.buffer(string: body)
        headers.add(name: "Content-Length", value: String(bytes.readableBytes))
        // One answer per connection: a client that pipelines requests without reading the answers
        // cannot make the daemon buffer them (any local user can reach this port).
        headers.add(name: "Connection", value: "close")

        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(bytes))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
