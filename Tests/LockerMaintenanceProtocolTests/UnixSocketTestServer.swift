// Linux only, like the daemon: the helper uses Glibc's socket flags directly.
#if canImport(Glibc)
import Foundation
import Glibc
import Synchronization

/// A stand-in for lockerd's maintenance socket: a listening Unix socket in a fresh temporary
/// directory, and one thread that accepts a single connection and runs a scripted handler on it.
/// Everything blocks (accept, reads), so tests wait for events, never for time.
final class UnixSocketTestServer: Sendable {
    let path: String
    private let directory: String
    private let listener: Int32
    private let finished = DispatchSemaphore(value: 0)
    private let stopped = Mutex(false)

    /// Starts listening before returning, so a client may connect at once.
    init(handler: @escaping @Sendable (TestConnection) -> Void) throws {
        let (directory, path) = try Self.makeSocketPath()
        self.directory = directory
        self.path = path
        listener = try Self.listen(at: path)
        let listener = self.listener
        let finished = self.finished
        let thread = Thread {
            let descriptor = accept(listener, nil, nil)
            if descriptor >= 0 {
                handler(TestConnection(descriptor: descriptor))
                _ = closeTestDescriptor(descriptor)
            }
            finished.signal()
        }
        thread.start()
    }

    /// Wakes the thread if it still waits in accept (shutdown makes accept fail), waits for the
    /// handler to return, and removes the socket and its directory. Safe to call twice (a test may
    /// stop early to inspect what the handler saw, and still stop in a `defer`).
    func stop() {
        let alreadyStopped = stopped.withLock { stopped in
            defer { stopped = true }
            return stopped
        }
        guard !alreadyStopped else { return }
        _ = shutdown(listener, Int32(SHUT_RDWR))
        finished.wait()
        _ = closeTestDescriptor(listener)
        unlink(path)
        rmdir(directory)
    }

    /// A path in a new private directory, short enough for sun_path whatever TMPDIR says.
    static func makeSocketPath() throws -> (directory: String, path: String) {
        var template = Array("/tmp/lmp-test.XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        let directory = String(cString: created)
        return (directory, directory + "/maintenance.sock")
    }

    /// A socket file with nobody listening, as a daemon that died without cleaning up leaves it.
    static func bindWithoutListening(at path: String) throws {
        let descriptor = try boundSocket(at: path)
        _ = closeTestDescriptor(descriptor)
    }

    private static func listen(at path: String) throws -> Int32 {
        let descriptor = try boundSocket(at: path)
        guard Glibc.listen(descriptor, 4) == 0 else {
            let error = errno
            _ = closeTestDescriptor(descriptor)
            throw POSIXError(.init(rawValue: error) ?? .EIO)
        }
        return descriptor
    }

    private static func boundSocket(at path: String) throws -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let error = errno
            _ = closeTestDescriptor(descriptor)
            throw POSIXError(.init(rawValue: error) ?? .EIO)
        }
        return descriptor
    }
}

/// The server's side of one accepted connection.
struct TestConnection: Sendable {
    let descriptor: Int32

    /// One line without its newline, read a byte at a time (test traffic is tiny); nil at the end.
    func readLine() -> String? {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = recv(descriptor, &byte, 1, 0)
            if count <= 0 { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
    }

    /// Writes everything; false once the client has gone (no SIGPIPE: that would end the test run).
    @discardableResult
    func write(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes {
                send(descriptor, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if count < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += count
        }
        return true
    }
}

private func closeTestDescriptor(_ descriptor: Int32) -> Int32 {
    Glibc.close(descriptor)
}
#endif
