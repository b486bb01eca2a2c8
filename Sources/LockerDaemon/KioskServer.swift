import LockerHAL
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The touchscreen kiosk's HTTP server on loopback: the page, the feed of what it shows, and its
/// keys (see `KioskRouter` for who may do what). One thread of its own, off the cabinet's loops.
final class KioskServer: Sendable {
    /// The TCP port actually bound (the one the system chose when asked for port 0).
    let port: Int
    let feed: KioskFeed
    private let serverChannel: any Channel
    private let group: MultiThreadedEventLoopGroup

    private init(port: Int, feed: KioskFeed, serverChannel: any Channel, group: MultiThreadedEventLoopGroup) {
        self.port = port
        self.feed = feed
        self.serverChannel = serverChannel
        self.group = group
    }

    /// Listens on `host:port` (loopback only; `MetricsHTTPEndpoint.NonLoopbackHost` otherwise).
    /// Keys from the page are handed to `pressKey` one request at a time, answered once handled.
    static func start(
        host: String, port: Int, token: String, feed: KioskFeed, pressKey: @escaping @Sendable (HardwareKey) async -> Void
    ) async throws -> KioskServer {
        guard let address = MetricsHTTPEndpoint.loopbackAddress(host, port: port) else {
            throw MetricsHTTPEndpoint.NonLoopbackHost(host: host)
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        // The router needs the port the page is reached on, known once bound (port 0 in tests).
        let boundPort = PortBox()
        let connections = ConnectionCount()
        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    // Any local user can open connections without the token: beyond a bound they
                    // are closed at once, so they cannot use up lockerd's file descriptors.
                    guard connections.open() else { return channel.close() }
                    channel.closeFuture.whenComplete { _ in connections.closed() }
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(KioskConnectionHandler(
                            router: KioskRouter(token: token, port: boundPort.value), feed: feed, pressKey: pressKey))
                    }
                }
                .bind(to: address)
                .get()
            let actual = channel.localAddress?.port ?? port
            boundPort.set(actual)
            return KioskServer(port: actual, feed: feed, serverChannel: channel, group: group)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Stops listening and closes every page's connection (the pages reconnect to the next start).
    func stop() async {
        try? await serverChannel.close()
        try? await group.shutdownGracefully()
    }
}

/// How many connections are open, against `maximum`.
private final class ConnectionCount: Sendable {
    /// The page holds one (its feed) and opens one per key; a reload holds a second feed a moment.
    static let maximum = 32
    private let count = Mutex(0)

    /// Counts a new connection; false (not counted) when `maximum` are open already.
    func open() -> Bool {
        count.withLock { count in
            guard count < Self.maximum else { return false }
            count += 1
            return true
        }
    }

    func closed() { count.withLock { $0 -= 1 } }
}

/// The bound port, set once after `bind` and read by each connection after that.
private final class PortBox: Sendable {
    private let port = Mutex(0)
    var value: Int { port.withLock { $0 } }
    func set(_ value: Int) { port.withLock { $0 = value } }
}
