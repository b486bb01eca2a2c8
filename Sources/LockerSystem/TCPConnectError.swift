/// Why `StreamSocket.connect(host:port:timeoutMilliseconds:)` found no connection.
public enum TCPConnectError: Error, Sendable, Equatable, CustomStringConvertible {
    /// getaddrinfo(3) gave no address for the host; `reason` is its gai_strerror text.
    case unresolved(host: String, port: Int, reason: String)
    /// A call failed (socket, connect, poll). `whileWaiting` when connect(2) had started and the
    /// kernel reported the failure afterwards (SO_ERROR), rather than refusing at once.
    case failed(SystemCallError, whileWaiting: Bool)
    /// The peer neither accepted nor refused within the timeout (a host that drops packets).
    case timedOut(address: String, milliseconds: Int)

    public var description: String {
        switch self {
        case .unresolved(let host, let port, let reason): "cannot resolve \(host) (port \(port)): \(reason)"
        case .failed(let failure, _): failure.description
        case .timedOut(let address, let milliseconds): "no connection to \(address) within \(milliseconds) ms"
        }
    }
}
