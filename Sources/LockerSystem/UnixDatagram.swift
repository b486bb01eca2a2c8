#if canImport(Glibc)
import Glibc
#endif

/// One datagram to an AF_UNIX socket, on a socket of its own: what sd_notify(3) does.
public enum UnixDatagram {
    /// How many bytes `sockaddr_un.sun_path` holds.
    public static var pathCapacity: Int { MemoryLayout.size(ofValue: sockaddr_un().sun_path) }

    /// Sends `message` as one datagram to the socket whose `sun_path` bytes are `pathBytes` (a
    /// leading NUL for an abstract name). Non-blocking: if the receiver's queue is full the message
    /// is lost and the caller never waits. Returns what went wrong, or nil when it was sent.
    public static func send(_ message: [UInt8], to pathBytes: [UInt8]) -> String? {
        #if os(Linux)
        // A new socket per message, as libsystemd does: nothing to keep open or to repair after an
        // error, and a few datagrams a minute cost nothing.
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else { return "socket: \(String(cString: strerror(errno)))" }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: pathBytes) }
        // An abstract address is exactly as long as its name; a path's length includes its NUL.
        let pathLength = pathBytes.first == 0 ? pathBytes.count : pathBytes.count + 1
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + pathLength)
        while true {
            let sent = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    message.withUnsafeBytes { sendto(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), socketAddress, length) }
                }
            }
            if sent == message.count { return nil }
            if sent >= 0 { return "sendto: sent \(sent) of \(message.count) bytes" }
            if errno == EINTR { continue }
            return "sendto: \(String(cString: strerror(errno)))"
        }
        #else
        return "AF_UNIX datagrams are only implemented on Linux"
        #endif
    }
}
