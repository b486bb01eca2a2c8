import Foundation
import LockerMaintenanceProtocol
import LockerTestSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A real `lockerd` on a small simulated cabinet, with its maintenance sockets in a temporary
/// directory, and the real `lockerctl` to drive it (also as other users, through `setpriv`).
/// Blocking calls throughout: these tests are about processes, not about the concurrency pool.
/// Unchecked Sendable: after init every stored property is a constant, and `ctl` (the one method
/// used from a second thread) only starts child processes.
final class MaintenanceDaemon: @unchecked Sendable {
    static let fullGroup: UInt32 = 4242
    static let readOnlyGroup: UInt32 = 4343
    static let nobody: UInt32 = 65534

    struct Run: Sendable {
        var status: Int32
        var output: String
        var error: String
    }

    let directory: URL
    let socketPath: String
    var readOnlySocketPath: String { MaintenanceDaemon.readOnlyPath(socketPath) }
    let lockerctl: URL
    private let process = Process()
    private let input = CloseOnExecPipe()
    private let log = LogCollector()

    /// The binaries under test, built next to this test bundle.
    static var binaries: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }

    static func readOnlyPath(_ path: String) -> String { String(path.dropLast(5)) + "-ro.sock" }

    /// - Parameter extraConfiguration: more top-level configuration entries, each followed by a comma.
    /// - Parameter extraArguments: more options on lockerd's command line.
    init(maximumClients: Int = 8, doorOpenConfirmationSeconds: Int = 5, extraConfiguration: String = "",
         extraArguments: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("lockerd-maint-\(UUID().uuidString.prefix(8))")
        // Other users must reach the socket (and run lockerctl) for the access tests.
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        socketPath = directory.appendingPathComponent("maintenance.sock").path
        lockerctl = directory.appendingPathComponent("lockerctl")
        try FileManager.default.copyItem(at: Self.binaries.appendingPathComponent("lockerctl"), to: lockerctl)
        let configuration = directory.appendingPathComponent("cabinet.json")
        try Data("""
            {
              \(extraConfiguration)
              "cabinetID": "maintenance-test",
              "doorOpenConfirmationSeconds": \(doorOpenConfirmationSeconds),
              "boards": [{"address": 1, "channels": 4, "kind": "simulated"}],
              "compartments": [
                {"label": "A01", "size": "S", "board": 1, "channel": 1},
                {"label": "A02", "size": "S", "board": 1, "channel": 2},
                {"label": "A03", "size": "M", "board": 1, "channel": 3},
                {"label": "A04", "size": "L", "board": 1, "channel": 4}
              ],
              "couriers": [{"id": "1001", "name": "Ann", "pin": "4321"}],
              "maintenance": {"group": "\(Self.fullGroup)", "readOnlyGroup": "\(Self.readOnlyGroup)", "maximumClients": \(maximumClients)}
            }
            """.utf8).write(to: configuration)
        process.executableURL = Self.binaries.appendingPathComponent("lockerd")
        process.arguments = [
            "--config", configuration.path, "--state-directory", directory.appendingPathComponent("state").path,
            "--maintenance-socket", socketPath, "--front-panel", "--manual-clock", "--log-format", "text",
        ] + extraArguments
        process.standardInput = input.fileHandleForReading
        process.standardOutput = FileHandle.nullDevice
        let errors = CloseOnExecPipe()
        process.standardError = errors.fileHandleForWriting
        try process.run()
        try? input.fileHandleForReading.close()
        try? errors.fileHandleForWriting.close()
        log.collect(from: errors.fileHandleForReading)
        // Started as systemd sees it (READY, logged as "ready"): the sockets listen before the
        // cabinet loop has recorded the start, and a request sent in between finds no event yet.
        guard log.waitFor(count: 2, of: "maintenance socket listening"), log.waitFor(count: 1, of: "[LockerDaemon] ready") else {
            stop()
            throw StartFailure(log: log.text())
        }
    }

    struct StartFailure: Error, CustomStringConvertible {
        var log: String
        var description: String { "lockerd did not open its maintenance sockets or become ready; its log:\n\(log)" }
    }

    var databasePath: String { directory.appendingPathComponent("state/lockerd.sqlite").path }
    var isRunning: Bool { process.isRunning }
    func logText() -> String { log.text() }

    /// Runs `lockerctl ARGS` against this daemon; as `user`/`group` through setpriv when given.
    func ctl(_ arguments: [String], user: UInt32? = nil, group: UInt32? = nil, socket: String? = nil) -> Run {
        // Files, not pipes: a lockerctl started at the same moment from another thread can inherit
        // a pipe's write end, and reading that pipe to its end would then wait for the other one.
        let stem = directory.appendingPathComponent("ctl-\(UUID().uuidString.prefix(8))").path
        _ = FileManager.default.createFile(atPath: stem + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: stem + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: stem + ".out")
            try? FileManager.default.removeItem(atPath: stem + ".err")
        }
        guard let output = FileHandle(forWritingAtPath: stem + ".out"), let error = FileHandle(forWritingAtPath: stem + ".err") else {
            return Run(status: -1, output: "", error: "cannot create output files in \(directory.path)")
        }
        func makeChild() -> Process {
            let child = Process()
            var full = ["--socket", socket ?? socketPath] + arguments
            if let user {
                child.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
                full = ["--reuid=\(user)", "--regid=\(group ?? user)", "--clear-groups", lockerctl.path] + full
            } else {
                child.executableURL = lockerctl
            }
            // Subcommand options come after the subcommand; --socket is accepted before it too.
            child.arguments = full
            child.standardOutput = output
            child.standardError = error
            child.standardInput = FileHandle.nullDevice
            return child
        }
        // ETXTBSY: a child another test forked while this test was copying lockerctl holds the
        // copy's write descriptor until its own exec, a moment later; started again then, as Go's
        // os/exec does. Any other failure to start is the result.
        var child = makeChild()
        var attempts = 1
        while true {
            do {
                try child.run()
                break
            } catch {
                let cause = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
                guard cause?.domain == NSPOSIXErrorDomain, cause?.code == Int(ETXTBSY), attempts < 50 else {
                    return Run(status: -1, output: "", error: "\(error)")
                }
                attempts += 1
                usleep(20_000)
                child = makeChild()
            }
        }
        child.waitUntilExit()
        try? output.close()
        try? error.close()
        return Run(status: child.terminationStatus,
                   output: (try? String(contentsOfFile: stem + ".out", encoding: .utf8)) ?? "",
                   error: (try? String(contentsOfFile: stem + ".err", encoding: .utf8)) ?? "")
    }

    /// `lockerctl --json ARGS`, decoded.
    func json(_ arguments: [String]) throws -> MaintenanceResponse {
        let run = ctl(["--json"] + arguments)
        return try MaintenanceProtocol.decoder().decode(MaintenanceResponse.self, from: Data(run.output.utf8))
    }

    /// Ends the front-panel session (standard input closes), which stops the daemon cleanly; a
    /// daemon that does not stop within 20 s is killed and reported.
    @discardableResult
    func stop() -> Bool {
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        let clean = !process.isRunning
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
        return clean
    }
}

/// Reads the daemon's standard error on its own thread, all the time (a full pipe would block
/// the daemon's logging), and lets a test wait for a line.
final class LogCollector: Sendable {
    private let lines = Mutex<[String]>([])
    private let changed = Mutex<Int>(0)

    func collect(from handle: FileHandle) {
        let thread = Thread { [self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: 10) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    lines.withLock { $0.append(line) }
                }
            }
        }
        thread.start()
    }

    /// Waits (up to 30 s) until `count` lines contain `text`.
    func waitFor(count: Int, of text: String) -> Bool {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if lines.withLock({ $0.filter { $0.contains(text) }.count }) >= count { return true }
            usleep(10_000)
        }
        return false
    }

    func text() -> String { lines.withLock { $0.joined(separator: "\n") } }
}
