public import LockerHAL
import LockerSystem

/// A TCP connection to a bus unit that bridges lock-board frames (Kerong's KR-BU does this for
/// CU16 frames). Connects with a timeout; a closed or reset connection reads as a missing device,
/// and the bus reconnects on its next transaction.
public final class TCPByteLink: ByteLink, @unchecked Sendable {
    // Unchecked: the socket is set once and closed once; the bus serialises all use.
    public let name: String
    private var socket: StreamSocket?

    public init(host: String, port: Int, connectTimeoutMilliseconds: Int = 1_000) throws {
        name = "tcp://\(host):\(port)"
        do {
            socket = try StreamSocket.connect(host: host, port: port, timeoutMilliseconds: connectTimeoutMilliseconds)
        } catch {
            throw Self.connectionError(error, name: name)
        }
    }

    deinit { close() }

    public func close() {
        socket?.close()
        socket = nil
    }

    public func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            guard let socket else { throw HardwareError.deviceMissing(device: name, detail: "connection is closed") }
            let sent: Int?
            do {
                sent = try socket.send(bytes[offset...])
            } catch {
                throw HardwareError.deviceMissing(device: name, detail: "send: \(error.message)")
            }
            guard let sent else {
                // The send queue is full: wait for room, but not for ever.
                let room = try? socket.descriptor.poll(for: .writable, milliseconds: 1_000)
                guard let room, !room.isEmpty else {
                    throw HardwareError.deviceMissing(device: name, detail: "the bus unit accepted no data for 1 s")
                }
                continue
            }
            offset += sent
        }
    }

    public func read(timeoutMilliseconds milliseconds: Int, maximum: Int = 512) throws -> [UInt8] {
        guard let socket else { throw HardwareError.deviceMissing(device: name, detail: "connection is closed") }
        let ready = try? socket.descriptor.poll(for: .readable, milliseconds: milliseconds)
        guard let ready, !ready.isEmpty else { return [] }
        var buffer = [UInt8](repeating: 0, count: maximum)
        let count: Int?
        do {
            count = try socket.receive(into: &buffer)
        } catch {
            throw HardwareError.deviceMissing(device: name, detail: "recv: \(error.message)")
        }
        guard let count else { return [] }
        if count == 0 { throw HardwareError.deviceMissing(device: name, detail: "the bus unit closed the connection") }
        return Array(buffer[..<count])
    }

    /// Every way of not getting a connection is a missing device, so the bus retries it later. A
    /// refusal at once reads as "No such device" (nothing listens there); one reported after the
    /// connection was under way gives the kernel's own reason.
    private static func connectionError(_ error: TCPConnectError, name: String) -> HardwareError {
        switch error {
        case .unresolved(let host, _, let reason):
            return .deviceMissing(device: name, detail: "cannot resolve \(host): \(reason)")
        case .timedOut(_, let milliseconds):
            return .deviceMissing(device: name, detail: "no connection within \(milliseconds) ms")
        case .failed(let failure, whileWaiting: true):
            return .deviceMissing(device: name, detail: failure.message)
        case .failed(let failure, whileWaiting: false):
            let code = failure.code == SystemErrno.connectionRefused ? SystemErrno.noSuchDevice : failure.code
            return HardwareError(SystemCallError(call: failure.call, path: name, code: code))
        }
    }
}
