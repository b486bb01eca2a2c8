#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A small blocking client for lockerd's maintenance socket: one Unix stream connection, one
/// request line out and one response line back per `send`, then (after `events.follow`) one line
/// per event through `nextResponse`.
///
/// Blocking on purpose: `lockerctl` does one thing and exits, and a plain socket keeps the tool
/// free of an event loop and its threads. Not thread-safe: use one client from one thread.
public final class MaintenanceClient {
    /// The longest response line accepted. Responses are bounded (events come in pages of at most
    /// 1,000) but metrics and a full status can be large; the cap only stops a broken peer from
    /// growing this process without end.
    public static let maximumResponseBytes = 16 * 1024 * 1024
    /// How long a request may wait for its answer unless told otherwise. A selftest pulses every
    /// door one by one and needs longer: pass a larger timeout for it.
    public static let defaultReadTimeout: Duration = .seconds(60)

    public let socketPath: String
    /// The last response line exactly as received (without its newline), for `lockerctl --json`.
    public private(set) var lastResponseLine: String?

    private var descriptor: Int32
    /// Bytes received after the last complete line (the daemon may send several event lines at once).
    private var received: [UInt8] = []
    /// How far `received` has been searched for a newline, so a long line is scanned only once.
    private var scannedBytes = 0
    private var readTimeout: Duration?

    /// Connects to the daemon.
    /// - Parameter readTimeout: how long `send` waits for an answer; nil waits for ever (follow).
    public init(socketPath: String, readTimeout: Duration? = MaintenanceClient.defaultReadTimeout)
        throws(MaintenanceClientError)
    {
        self.socketPath = socketPath
        let descriptor = try Self.connectedSocket(path: socketPath)
        do {
            try Self.applyTimeout(readTimeout, to: descriptor, path: socketPath)
        } catch {
            _ = closeDescriptor(descriptor)
            throw error
        }
        self.descriptor = descriptor
        self.readTimeout = readTimeout
    }

    deinit {
        close()
    }

    /// Changes the read timeout for what follows; nil (or zero) waits for ever, as `events --follow`
    /// must between events.
    public func setReadTimeout(_ timeout: Duration?) throws(MaintenanceClientError) {
        guard descriptor >= 0 else { throw .closed(path: socketPath) }
        try Self.applyTimeout(timeout, to: descriptor, path: socketPath)
        readTimeout = timeout
    }

    /// Sends one request and returns its response. A refusal by the daemon (including `forbidden`
    /// sent right after connecting) is returned as a response with `ok == false`, not thrown.
    public func send(_ request: MaintenanceRequest) throws(MaintenanceClientError) -> MaintenanceResponse {
        guard descriptor >= 0 else { throw .closed(path: socketPath) }
        let line: String
        do {
            line = try MaintenanceProtocol.line(request)
        } catch {
            throw .unencodableRequest(path: socketPath, detail: "\(error)")
        }
        do {
            try writeAll(Array((line + "\n").utf8))
        } catch .closedWithoutAnswer {
            // The daemon may have said why before closing (not admitted, too many clients): that
            // line is still waiting in our receive queue, and it is a better answer than EPIPE.
            guard let response = try nextResponse() else { throw .closedWithoutAnswer(path: socketPath) }
            return response
        }
        guard let response = try nextResponse() else { throw .closedWithoutAnswer(path: socketPath) }
        return response
    }

    /// The next response line: after `events.follow`, one event per call. Nil when the daemon
    /// closed the connection cleanly between lines.
    public func nextResponse() throws(MaintenanceClientError) -> MaintenanceResponse? {
        guard descriptor >= 0 else { throw .closed(path: socketPath) }
        guard let bytes = try readLine() else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        lastResponseLine = text
        do {
            return try MaintenanceProtocol.decoder().decode(MaintenanceResponse.self, from: Data(bytes))
        } catch {
            throw .malformedResponse(path: socketPath, detail: Self.describe(error, line: text))
        }
    }

    /// Closes the connection; the daemon ends a follow subscription when it sees it. Safe to call twice.
    public func close() {
        guard descriptor >= 0 else { return }
        _ = closeDescriptor(descriptor)
        descriptor = -1
    }

    // MARK: - Lines

    /// One line without its newline; nil on a clean end of stream (nothing buffered).
    private func readLine() throws(MaintenanceClientError) -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            if let newline = received[scannedBytes...].firstIndex(of: UInt8(ascii: "\n")) {
                guard newline <= Self.maximumResponseBytes else {
                    throw .responseTooLarge(path: socketPath, limit: Self.maximumResponseBytes)
                }
                let line = Array(received[..<newline])
                received.removeFirst(newline + 1)
                scannedBytes = 0
                return line
            }
            scannedBytes = received.count
            guard received.count <= Self.maximumResponseBytes else {
                throw .responseTooLarge(path: socketPath, limit: Self.maximumResponseBytes)
            }
            let count = try receive(into: &chunk)
            if count == 0 {
                // A partial line at the end means the daemon went away while answering.
                guard received.isEmpty else { throw .closedWithoutAnswer(path: socketPath) }
                return nil
            }
            received.append(contentsOf: chunk[..<count])
        }
    }

    /// Bytes read into `chunk`; zero at the end of the stream (a reset counts as the end: the
    /// daemon closed while our request was still unread, for instance after refusing us).
    private func receive(into chunk: inout [UInt8]) throws(MaintenanceClientError) -> Int {
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count >= 0 { return count }
            let error = errno
            switch error {
            case EINTR:
                continue
            case ECONNRESET:
                return 0
            case EAGAIN, EWOULDBLOCK:
                throw .timedOut(path: socketPath, seconds: Self.wholeSeconds(readTimeout))
            default:
                throw .ioFailed(path: socketPath, operation: "read", errno: error, reason: Self.reason(error))
            }
        }
    }

    /// Writes every byte; a peer that has gone away is reported as `closedWithoutAnswer`.
    private func writeAll(_ bytes: [UInt8]) throws(MaintenanceClientError) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                sendWithoutSignal(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if count >= 0 {
                offset += count
                continue
            }
            let error = errno
            switch error {
            case EINTR:
                continue
            case EPIPE, ECONNRESET:
                throw .closedWithoutAnswer(path: socketPath)
            case EAGAIN, EWOULDBLOCK:
                throw .timedOut(path: socketPath, seconds: Self.wholeSeconds(readTimeout))
            default:
                throw .ioFailed(path: socketPath, operation: "write", errno: error, reason: Self.reason(error))
            }
        }
    }

    // MARK: - Socket set-up

    private static func connectedSocket(path: String) throws(MaintenanceClientError) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        let pathBytes = Array(path.utf8)
        // An empty path or one with a zero byte would name an abstract socket or a different file.
        guard !pathBytes.isEmpty, !pathBytes.contains(0) else { throw .noSocket(path: path) }
        guard pathBytes.count < capacity else { throw .pathTooLong(path: path, limit: capacity - 1) }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: pathBytes) }

        let descriptor = streamSocket()
        guard descriptor >= 0 else {
            let error = errno
            throw .connectFailed(path: path, errno: error, reason: reason(error))
        }
        var result: Int32
        repeat {
            result = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
        } while result != 0 && errno == EINTR
        if result == 0 { return descriptor }

        let error = errno
        _ = closeDescriptor(descriptor)
        switch error {
        case ENOENT, ENOTDIR:
            throw .noSocket(path: path)
        case ECONNREFUSED:
            throw .notListening(path: path)
        case EACCES, EPERM:
            throw .permissionDenied(path: path)
        default:
            throw .connectFailed(path: path, errno: error, reason: reason(error))
        }
    }

    /// SO_RCVTIMEO bounds each read, SO_SNDTIMEO each write (a daemon that stopped reading); a
    /// zero timeval means "no timeout" to the kernel, which is what nil asks for.
    private static func applyTimeout(_ timeout: Duration?, to descriptor: Int32, path: String)
        throws(MaintenanceClientError)
    {
        var value = timeval()
        if let timeout, timeout > .zero {
            let (seconds, attoseconds) = timeout.components
            value.tv_sec = numericCast(seconds)
            value.tv_usec = numericCast(attoseconds / 1_000_000_000_000)
        }
        for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
            let result = setsockopt(descriptor, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<timeval>.size))
            guard result == 0 else {
                let error = errno
                throw .ioFailed(path: path, operation: "setting the timeout", errno: error, reason: reason(error))
            }
        }
    }

    private static func wholeSeconds(_ timeout: Duration?) -> Int {
        guard let timeout else { return 0 }
        let (seconds, attoseconds) = timeout.components
        return Int(seconds) + (attoseconds > 0 ? 1 : 0)
    }

    private static func reason(_ error: Int32) -> String {
        String(cString: strerror(error))
    }

    /// What was wrong with a response line, with its beginning so the person can see what came back.
    private static func describe(_ error: any Error, line: String) -> String {
        let excerpt = line.count > 80 ? String(line.prefix(80)) + "..." : line
        let problem: String
        switch error {
        case DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty:
            problem = "not JSON"
        case DecodingError.keyNotFound(let key, _):
            problem = "no \"\(key.stringValue)\" field"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
            DecodingError.dataCorrupted(let context):
            problem = "field \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" has the wrong type"
        default:
            problem = "\(error)"
        }
        return "\(problem): \(excerpt)"
    }
}

// MARK: - Platform differences

/// A stream socket that is not inherited by programs this process might start.
private func streamSocket() -> Int32 {
    #if canImport(Darwin)
    let descriptor = socket(AF_UNIX, SOCK_STREAM, 0)
    if descriptor >= 0 {
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        // Darwin has no MSG_NOSIGNAL: a write to a closed peer must not kill lockerctl with SIGPIPE.
        var on: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
    }
    return descriptor
    #else
    return socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
    #endif
}

/// `send` that reports a closed peer as EPIPE instead of raising SIGPIPE, which would end the
/// process before it could say what happened.
private func sendWithoutSignal(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Darwin)
    return send(descriptor, bytes, count, 0)
    #else
    return send(descriptor, bytes, count, Int32(MSG_NOSIGNAL))
    #endif
}

private func closeDescriptor(_ descriptor: Int32) -> Int32 {
    #if canImport(Glibc)
    return Glibc.close(descriptor)
    #elseif canImport(Musl)
    return Musl.close(descriptor)
    #else
    return Darwin.close(descriptor)
    #endif
}
