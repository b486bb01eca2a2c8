import FoundationEssentials
import LockerSystem

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

    /// Nil once closed.
    private var socket: StreamSocket?
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
        let socket = try Self.connectedSocket(path: socketPath)
        do {
            try Self.applyTimeout(readTimeout, to: socket, path: socketPath)
        } catch {
            socket.close()
            throw error
        }
        self.socket = socket
        self.readTimeout = readTimeout
    }

    deinit {
        close()
    }

    /// Changes the read timeout for what follows; nil (or zero) waits for ever, as `events --follow`
    /// must between events.
    public func setReadTimeout(_ timeout: Duration?) throws(MaintenanceClientError) {
        guard let socket else { throw .closed(path: socketPath) }
        try Self.applyTimeout(timeout, to: socket, path: socketPath)
        readTimeout = timeout
    }

    /// Sends one request and returns its response. A refusal by the daemon (including `forbidden`
    /// sent right after connecting) is returned as a response with `ok == false`, not thrown.
    public func send(_ request: MaintenanceRequest) throws(MaintenanceClientError) -> MaintenanceResponse {
        guard socket != nil else { throw .closed(path: socketPath) }
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
        guard socket != nil else { throw .closed(path: socketPath) }
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
        socket?.close()
        socket = nil
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
        guard let socket else { throw .closed(path: socketPath) }
        let count: Int?
        do {
            count = try socket.receive(into: &chunk)
        } catch {
            if error.code == SystemErrno.connectionReset { return 0 }
            throw .ioFailed(path: socketPath, operation: "read", errno: error.code, reason: error.message)
        }
        // Nil: SO_RCVTIMEO passed without a byte.
        guard let count else { throw .timedOut(path: socketPath, seconds: Self.wholeSeconds(readTimeout)) }
        return count
    }

    /// Writes every byte; a peer that has gone away is reported as `closedWithoutAnswer`.
    private func writeAll(_ bytes: [UInt8]) throws(MaintenanceClientError) {
        guard let socket else { throw .closed(path: socketPath) }
        var offset = 0
        while offset < bytes.count {
            let count: Int?
            do {
                count = try socket.send(bytes[offset...])
            } catch {
                switch error.code {
                case SystemErrno.brokenPipe, SystemErrno.connectionReset:
                    throw .closedWithoutAnswer(path: socketPath)
                default:
                    throw .ioFailed(path: socketPath, operation: "write", errno: error.code, reason: error.message)
                }
            }
            // Nil: SO_SNDTIMEO passed with the daemon not reading.
            guard let count else { throw .timedOut(path: socketPath, seconds: Self.wholeSeconds(readTimeout)) }
            offset += count
        }
    }

    // MARK: - Socket set-up

    private static func connectedSocket(path: String) throws(MaintenanceClientError) -> StreamSocket {
        let pathBytes = Array(path.utf8)
        // An empty path or one with a zero byte would name an abstract socket or a different file.
        guard !pathBytes.isEmpty, !pathBytes.contains(0) else { throw .noSocket(path: path) }
        guard pathBytes.count <= StreamSocket.unixPathCapacity else {
            throw .pathTooLong(path: path, limit: StreamSocket.unixPathCapacity)
        }
        do {
            return try StreamSocket.connect(unixPath: path)
        } catch {
            switch error.code {
            case _ where error.call != "connect":  // socket(2) itself failed: no file was tried
                throw .connectFailed(path: path, errno: error.code, reason: error.message)
            case SystemErrno.noSuchFile, SystemErrno.notADirectory:
                throw .noSocket(path: path)
            case SystemErrno.connectionRefused:
                throw .notListening(path: path)
            case SystemErrno.permissionDenied, SystemErrno.notPermitted:
                throw .permissionDenied(path: path)
            default:
                throw .connectFailed(path: path, errno: error.code, reason: error.message)
            }
        }
    }

    /// SO_RCVTIMEO bounds each read, SO_SNDTIMEO each write (a daemon that stopped reading); nil
    /// waits for ever.
    private static func applyTimeout(_ timeout: Duration?, to socket: StreamSocket, path: String)
        throws(MaintenanceClientError)
    {
        do {
            try socket.setTimeouts(timeout)
        } catch {
            throw .ioFailed(path: path, operation: "setting the timeout", errno: error.code, reason: error.message)
        }
    }

    private static func wholeSeconds(_ timeout: Duration?) -> Int {
        guard let timeout else { return 0 }
        let (seconds, attoseconds) = timeout.components
        return Int(seconds) + (attoseconds > 0 ? 1 : 0)
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
