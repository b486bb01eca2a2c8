import CSystemShims
#if canImport(Glibc)
import Glibc
#endif

/// A pseudo-terminal pair: the far end (`subordinatePath`) is opened like a serial adapter by the
/// driver under test; this side (`controllerFD`) plays the board. Used by the tests and by the
/// simulated cabinet when it is configured to speak a real board protocol.
public final class PseudoTerminal: @unchecked Sendable {
    // Unchecked: the descriptor is set once and closed once; callers own the reading loop.
    public let controllerFD: Int32
    public let subordinatePath: String

    public init() throws(SystemCallError) {
        var name = [CChar](repeating: 0, count: 128)
        let fd = Int32(try SystemCall.run("open a pseudo-terminal", path: "/dev/ptmx") {
            Int(lockerd_open_pseudo_terminal(&name, UInt(name.count)))
        })
        subordinatePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // Raw on this side too, so bytes pass unchanged in both directions.
        var options = termios()
        if tcgetattr(fd, &options) == 0 {
            cfmakeraw(&options)
            tcsetattr(fd, TCSANOW, &options)
        }
        controllerFD = fd
    }

    deinit { Glibc.close(controllerFD) }

    /// Reads what the driver wrote, waiting at most `milliseconds`.
    public func read(timeoutMilliseconds milliseconds: Int) -> [UInt8] {
        var descriptor = pollfd(fd: controllerFD, events: Int16(POLLIN), revents: 0)
        guard Glibc.poll(&descriptor, 1, Int32(milliseconds)) > 0, descriptor.revents & Int16(POLLIN) != 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(controllerFD, $0.baseAddress, 512) }
        return count > 0 ? Array(buffer[..<count]) : []
    }

    public func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(controllerFD, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 { if errno == EINTR || errno == EAGAIN { continue } else { return } }
            offset += written
        }
    }
}
