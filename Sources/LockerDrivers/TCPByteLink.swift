#if canImport(Glibc)
import Glibc
#endif
public import LockerHAL
import LockerSystem

/// A TCP connection to a bus unit that bridges lock-board frames (Kerong's KR-BU does this for
/// CU16 frames). Connects with a timeout; a closed or reset connection reads as a missing device,
/// and the bus reconnects on its next transaction.
public final class TCPByteLink: ByteLink, @unchecked Sendable {
    // Unchecked: the descriptor is set once and closed once; the bus serialises all use.
    public let name: String
    private var fd: Int32

    public init(host: String, port: Int, connectTimeoutMilliseconds: Int = 1_000) throws {
        name = "tcp://\(host):\(port)"
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &found)
        guard status == 0, let first = found else {
            throw HardwareError.deviceMissing(device: "tcp://\(host):\(port)", detail: "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(found) }
        let socketFD = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socketFD >= 0 else { throw HardwareError(SystemCallError(call: "socket", path: "tcp://\(host):\(port)", code: errno)) }
        fd = socketFD
        if connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 {
            guard errno == EINPROGRESS else {
                let code = errno
                Glibc.close(fd)
                throw HardwareError(SystemCallError(call: "connect", path: name, code: code == ECONNREFUSED ? ENODEV : code))
            }
            var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&descriptor, 1, Int32(connectTimeoutMilliseconds))
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            guard ready > 0, error == 0 else {
                Glibc.close(fd)
                throw HardwareError.deviceMissing(
                    device: name, detail: ready == 0 ? "no connection within \(connectTimeoutMilliseconds) ms" : String(cString: strerror(error)))
            }
        }
    }

    deinit { close() }

    public func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    public func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            guard fd >= 0 else { throw HardwareError.deviceMissing(device: name, detail: "connection is closed") }
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN {
                    var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    guard poll(&descriptor, 1, 1_000) > 0 else {
                        throw HardwareError.deviceMissing(device: name, detail: "the bus unit accepted no data for 1 s")
                    }
                    continue
                }
                throw HardwareError.deviceMissing(device: name, detail: "send: \(String(cString: strerror(errno)))")
            }
            offset += sent
        }
    }

    public func read(timeoutMilliseconds milliseconds: Int, maximum: Int = 512) throws -> [UInt8] {
        guard fd >= 0 else { throw HardwareError.deviceMissing(device: name, detail: "connection is closed") }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, Int32(clamping: milliseconds))
        if ready <= 0 { return [] }
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, maximum, 0) }
            if count > 0 { return Array(buffer[..<count]) }
            if count == 0 { throw HardwareError.deviceMissing(device: name, detail: "the bus unit closed the connection") }
            if errno == EINTR { continue }
            if errno == EAGAIN { return [] }
            throw HardwareError.deviceMissing(device: name, detail: "recv: \(String(cString: strerror(errno)))")
        }
    }
}
