/// Why `MaintenanceClient` could not get an answer from lockerd. Every case names the socket path:
/// the first question when something fails is always "which daemon, which socket".
///
/// A refusal by the daemon (`forbidden`, `busy`, `bad_request`, ...) is not one of these: it is
/// an answer, and arrives as a `MaintenanceResponse` with `ok == false`.
public enum MaintenanceClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Nothing at the path (ENOENT), or a directory on the way to it is missing.
    case noSocket(path: String)
    /// A socket file exists but nobody listens (ECONNREFUSED): a stale socket left by a daemon that
    /// stopped, or something that is not lockerd's socket at all.
    case notListening(path: String)
    /// The socket's mode or its directory's does not let this user connect (EACCES, EPERM).
    case permissionDenied(path: String)
    /// A Unix socket path must fit `sockaddr_un.sun_path` (107 bytes and the terminating zero).
    case pathTooLong(path: String, limit: Int)
    /// `socket` or `connect` failed for another reason.
    case connectFailed(path: String, errno: Int32, reason: String)
    /// The daemon closed the connection before a whole response line arrived.
    case closedWithoutAnswer(path: String)
    /// No response within the read timeout.
    case timedOut(path: String, seconds: Int)
    /// The response line was not a JSON response object.
    case malformedResponse(path: String, detail: String)
    /// A response line grew past `MaintenanceClient.maximumResponseBytes` without a newline.
    case responseTooLarge(path: String, limit: Int)
    /// The request could not be encoded (a bug: requests are plain values).
    case unencodableRequest(path: String, detail: String)
    /// Reading or writing failed for another reason.
    case ioFailed(path: String, operation: String, errno: Int32, reason: String)
    /// The client was used after `close()`.
    case closed(path: String)

    /// The path of the socket the error is about.
    public var socketPath: String {
        switch self {
        case .noSocket(let path), .notListening(let path), .permissionDenied(let path),
            .pathTooLong(let path, _), .connectFailed(let path, _, _), .closedWithoutAnswer(let path),
            .timedOut(let path, _), .malformedResponse(let path, _), .responseTooLarge(let path, _),
            .unencodableRequest(let path, _), .ioFailed(let path, _, _, _), .closed(let path):
            return path
        }
    }

    public var description: String {
        switch self {
        case .noSocket(let path):
            return "no maintenance socket at \(path): is lockerd running?"
        case .notListening(let path):
            return "nothing is listening on \(path) (connection refused): the socket is stale, is lockerd running?"
        case .permissionDenied(let path):
            return "permission denied on \(path): you must be root or in lockerd's maintenance group"
        case .pathTooLong(let path, let limit):
            return "socket path \(path) is too long for a Unix socket (at most \(limit) bytes)"
        case .connectFailed(let path, let errno, let reason):
            return "cannot connect to \(path): \(reason) (errno \(errno))"
        case .closedWithoutAnswer(let path):
            return "lockerd closed the connection on \(path) without answering"
        case .timedOut(let path, let seconds):
            return "no answer from lockerd on \(path) within \(seconds) s"
        case .malformedResponse(let path, let detail):
            return "lockerd sent a response on \(path) that is not a JSON response line: \(detail)"
        case .responseTooLarge(let path, let limit):
            return "lockerd sent a response line on \(path) longer than \(limit) bytes"
        case .unencodableRequest(let path, let detail):
            return "cannot encode the request for \(path): \(detail)"
        case .ioFailed(let path, let operation, let errno, let reason):
            return "\(operation) on \(path) failed: \(reason) (errno \(errno))"
        case .closed(let path):
            return "the connection to \(path) is already closed"
        }
    }
}
