import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real `lockerd` child process on the simulated cabinet, driven through its front panel over
/// pipes. Blocking reads: use it from a dedicated thread, not from the concurrency pool.
public final class LockerdProcess {
    public let process = Process()
    private let input = CloseOnExecPipe()
    private let output = CloseOnExecPipe()
    private var buffer: [UInt8] = []
    public private(set) var transcript: [String] = []
    /// Set when no output came for 60 s while some was expected. A long manual-clock `wait`
    /// (days of retention in 600 ticks, each committing the cold chain's samples with fsync) is
    /// silent for several seconds, and far longer on a loaded machine: only a real hang is this slow.
    public private(set) var hung = false

    /// The binary under test: `LOCKERD_BINARY`, or the `lockerd` built next to this test bundle.
    public static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["LOCKERD_BINARY"] { return URL(fileURLWithPath: path) }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return executable.deletingLastPathComponent().appendingPathComponent("lockerd")
    }

    /// - Parameter arguments: more options for lockerd (a configuration file, say).
    /// - Parameter environment: more environment variables (systemd's NOTIFY_SOCKET, say).
    public init(stateDirectory: URL, arguments: [String] = [], environment: [String: String] = [:]) throws {
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        process.executableURL = Self.binary
        process.arguments = ["--state-directory", stateDirectory.path, "--front-panel", "--manual-clock", "--log-level", "critical"]
            + arguments
        process.standardInput = input.fileHandleForReading
        process.standardOutput = output.fileHandleForWriting
        // LOCKERD_CHILD_STDERR=1 shows the daemon's log, to see why one died.
        process.standardError = ProcessInfo.processInfo.environment["LOCKERD_CHILD_STDERR"] != nil ? FileHandle.standardError : FileHandle.nullDevice
        try process.run()
        // The child has its own copies: the parent keeps only its ends, so EOF means the child is gone.
        try? input.fileHandleForReading.close()
        try? output.fileHandleForWriting.close()
    }

    /// Writes a line to the front panel. A daemon that died leaves a broken pipe: the write is
    /// dropped (not a crash of the test process), and the next `readLine` finds the end of output.
    public func send(_ line: String) {
        try? input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    /// The next output line, or nil at end of output (the process died).
    public func readLine() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                transcript.append(line)
                return line
            }
            // A daemon that stops answering is a failure to report, not a test that hangs.
            var descriptor = pollfd(fd: output.fileHandleForReading.fileDescriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 60_000)
            if ready == 0 {
                hung = true
                return nil
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { read(output.fileHandleForReading.fileDescriptor, $0.baseAddress, 4096) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return nil }
            buffer += chunk[..<count]
        }
    }

    /// Sends `command`, then a mark, and returns the lines the command printed (nil if the process
    /// ended before the mark came back).
    public func run(_ command: String, mark: Int) -> [String]? {
        send(command)
        send("mark \(mark)")
        var lines: [String] = []
        while let line = readLine() {
            if line == "mark \(mark)" { return lines }
            lines.append(line)
        }
        return nil
    }

    /// Power loss, as far as a process can have one.
    public func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? input.fileHandleForWriting.close()
        try? output.fileHandleForReading.close()
    }

    /// SIGTERM, as systemd stops a service; returns the exit status once the process ended.
    public func terminate() -> Int32 {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGTERM) }
        while readLine() != nil {}
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// A clean end through the front panel's quit.
    public func quit() {
        send("quit")
        while readLine() != nil {}
        process.waitUntilExit()
    }
}
