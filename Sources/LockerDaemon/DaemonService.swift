public import ServiceLifecycle

/// One long-running part of lockerd as a swift-service-lifecycle `Service` (the cabinet loop, a
/// board's event loop, the uplink, the maintenance socket, ...), so that one `ServiceGroup` starts
/// them all and shuts them down gracefully in the reverse order of `Daemon.services`, within a bound.
///
/// On graceful shutdown a service either stops the way it asks (`onGracefulShutdown`: the cabinet
/// loop finishes the input in hand) or has its body cancelled (every loop here ends on
/// cancellation); then its `teardown` runs (close a socket, release latches), also after a
/// cancellation, so nothing is left energised or listening.
public struct DaemonService: Service, CustomStringConvertible {
    public let description: String
    let body: @Sendable () async -> Void
    let onGracefulShutdown: (@Sendable () -> Void)?
    let teardown: (@Sendable () async -> Void)?

    /// - Parameters:
    ///   - name: how the group's log lines name it.
    ///   - onGracefulShutdown: asks the body to return; nil: the body is cancelled instead.
    ///   - teardown: runs once the body returned, however it ended.
    public init(
        _ name: String, body: @escaping @Sendable () async -> Void, onGracefulShutdown: (@Sendable () -> Void)? = nil,
        teardown: (@Sendable () async -> Void)? = nil
    ) {
        self.description = name
        self.body = body
        self.onGracefulShutdown = onGracefulShutdown
        self.teardown = teardown
    }

    /// A service with nothing to run: it holds a resource until the group shuts down, then
    /// releases it in `teardown` (the hardware, listed first, is released last).
    public static func holding(_ name: String, teardown: @escaping @Sendable () async -> Void) -> DaemonService {
        DaemonService(name, body: { try? await gracefulShutdown() }, teardown: teardown)
    }

    public func run() async {
        if let onGracefulShutdown {
            await withGracefulShutdownHandler { await body() } onGracefulShutdown: { onGracefulShutdown() }
        } else {
            await cancelWhenGracefulShutdown { await body() }
        }
        await teardown?()
    }
}
