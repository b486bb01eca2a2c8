import Foundation
import Synchronization

/// Unbuffered, line-at-a-time output for the front panel, so a program reading a pipe sees each line
/// as soon as it happened (and a killed process loses nothing it had printed).
public final class FrontPanelOutput: Sendable {
    private let lock = Mutex<Void>(())
    private let fd: Int32
    private let sink: (@Sendable (String) -> Void)?

    public init(fd: Int32 = 1) {
        self.fd = fd
        self.sink = nil
    }

    /// Lines go to `sink` instead of a file descriptor (`lockerctl sim` collects them for its answer).
    public init(sink: @escaping @Sendable (String) -> Void) {
        self.fd = -1
        self.sink = sink
    }

    public func line(_ text: String) {
        if let sink { return sink(text) }
        lock.withLock { _ in
            var bytes = Array((text + "\n").utf8)
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeMutableBytes { buffer in
                    write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                }
                if written < 0 { if errno == EINTR { continue } else { return } }
                offset += written
            }
        }
    }
}
