import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Stands in for systemd's notification socket: an AF_UNIX datagram socket in a directory of its
/// own, collecting what a `lockerd` child sends to `$NOTIFY_SOCKET` (READY=1, STATUS=, WATCHDOG=1).
public final class NotifySocketListener {
    public let path: String
    private let fd: Int32
    private let directory: URL

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("notify.sock").path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() where index < raw.count - 1 { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard fd >= 0, bound == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    deinit {
        close(fd)
        try? FileManager.default.removeItem(at: directory)
    }

    /// The next datagram, or nil if none came within `milliseconds`.
    public func next(withinMilliseconds milliseconds: Int) -> String? {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, Int32(milliseconds)) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4_096)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : nil
    }

    /// Collects datagrams until one satisfies `condition` or `milliseconds` pass; returns all
    /// collected, the matching one last.
    public func collect(untilMilliseconds milliseconds: Int, _ condition: (String) -> Bool) -> [String] {
        let deadline = Date().addingTimeInterval(Double(milliseconds) / 1_000)
        var collected: [String] = []
        while Date() < deadline {
            guard let message = next(withinMilliseconds: max(1, Int(deadline.timeIntervalSinceNow * 1_000))) else { break }
            collected.append(message)
            if condition(message) { break }
        }
        return collected
    }
}
