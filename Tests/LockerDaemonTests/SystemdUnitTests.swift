import Foundation
import LockerDaemon
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The shipped unit, sysusers.d and tmpfiles.d files, checked by systemd's own tools (there is no
/// running systemd here to start the service): `systemd-analyze verify` reads the unit as PID 1
/// would, `systemd-analyze security` scores its sandbox, `systemd-sysusers` and `systemd-tmpfiles`
/// apply the snippets to a scratch root. A missing tool is a recorded issue, never a quiet pass
/// (`make deps` installs the systemd package).
@Suite struct SystemdUnitTests {
    static let systemdDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("systemd")
    static let unitFile = systemdDirectory.appendingPathComponent("lockerd.service")
    static let sysusersFile = systemdDirectory.appendingPathComponent("lockerd.sysusers.conf")
    static let tmpfilesFile = systemdDirectory.appendingPathComponent("lockerd.tmpfiles.conf")

    /// The binaries under test, built next to this test bundle.
    static var binaries: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// The highest `systemd-analyze security` score the unit may have (0 = fully sandboxed, 10 = not at all).
    static let exposureLimit = 2.0

    // MARK: - Running the tools

    struct ToolRun {
        var status: Int32
        /// Standard output and standard error together (systemd's tools log to the latter).
        var output: String
    }

    struct ToolTimedOut: Error, CustomStringConvertible {
        var command: String
        var description: String { "\(command) did not finish within its time and was killed" }
    }

    /// The tool's path from `$PATH`, or nil, with an issue recorded so a missing tool fails the test.
    static func tool(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for folder in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        Issue.record("\(name) is not installed: install the systemd package (`make deps` does) to check the unit files")
        return nil
    }

    /// Runs a tool to its end, for at most `limit`; its output goes to a file (a pipe could fill
    /// and stall it) in `scratch`.
    static func run(_ tool: URL, _ arguments: [String], in scratch: URL, limit: Duration = .seconds(60)) async throws -> ToolRun {
        let outputFile = scratch.appendingPathComponent("tool-\(UUID().uuidString.prefix(8)).out")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputFile)
        defer { try? FileManager.default.removeItem(at: outputFile) }
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        // No pager, no colours, no fancy glyph widths in what is parsed.
        var environment = ProcessInfo.processInfo.environment
        environment["SYSTEMD_PAGER"] = "cat"
        environment["SYSTEMD_COLORS"] = "0"
        process.environment = environment
        try process.run()
        try? output.close()
        let deadline = ContinuousClock.now + limit
        while process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw ToolTimedOut(command: ([tool.lastPathComponent] + arguments).joined(separator: " "))
        }
        process.waitUntilExit()
        let text = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        return ToolRun(status: process.terminationStatus, output: text)
    }

    /// A fresh scratch directory, removed by the caller.
    static func scratchDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lockerd-units-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// A copy of lockerd.service (same file name: the unit's name comes from it) whose ExecStart
    /// runs `executable` instead of /usr/bin/lockerd, with the same arguments.
    static func unitCopy(in directory: URL, executable: String) throws -> URL {
        let text = try String(contentsOf: unitFile, encoding: .utf8)
        let shipped = "ExecStart=/usr/bin/lockerd "
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        try #require(lines.filter { $0.hasPrefix("ExecStart=") }.count == 1, "one ExecStart= line")
        try #require(lines.contains { $0.hasPrefix(shipped) }, "ExecStart= runs /usr/bin/lockerd")
        let changed = lines.map { line in
            line.hasPrefix(shipped) ? "ExecStart=\"\(executable)\" " + line.dropFirst(shipped.count) : line
        }
        let copy = directory.appendingPathComponent("lockerd.service")
        try Data(changed.joined(separator: "\n").utf8).write(to: copy)
        return copy
    }

    /// The unit's settings as (section, key, value), in file order.
    static func settings() throws -> [(section: String, key: String, value: String)] {
        var section = ""
        var result: [(section: String, key: String, value: String)] = []
        for line in try String(contentsOf: unitFile, encoding: .utf8).split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if trimmed.hasPrefix("["), trimmed.hasSuffix("]") {
                section = String(trimmed.dropFirst().dropLast())
            } else if let equals = trimmed.firstIndex(of: "=") {
                result.append((section, String(trimmed[..<equals]), String(trimmed[trimmed.index(after: equals)...])))
            }
        }
        return result
    }

    /// The non-comment lines of a snippet, split into fields at whitespace outside double quotes.
    static func fields(of file: URL) throws -> [[String]] {
        try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { line in line.matches(of: /"[^"]*"|\S+/).map { String($0.output) } }
    }

    // MARK: - The unit

    @Test func verifyAcceptsTheUnitWithTheBuiltDaemon() async throws {
        guard let analyze = Self.tool("systemd-analyze") else { return }
        let lockerd = Self.binaries.appendingPathComponent("lockerd")
        try #require(FileManager.default.isExecutableFile(atPath: lockerd.path), "build lockerd first (swift build --build-tests)")
        let scratch = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let copy = try Self.unitCopy(in: scratch, executable: lockerd.path)
        let run = try await Self.run(analyze, ["verify", "--man=no", copy.path], in: scratch)
        #expect(run.status == 0, "systemd-analyze verify failed:\n\(run.output)")
        // verify exits 0 even for unknown keys or bad values it ignores; any line about our unit
        // is a mistake in it. Lines about other units on this machine are not ours to judge.
        let aboutLockerd = run.output.split(separator: "\n").filter { $0.contains("lockerd.service") }
        #expect(aboutLockerd.isEmpty, "warnings about lockerd.service:\n\(aboutLockerd.joined(separator: "\n"))")
    }

    @Test func verifyRejectsAnExecStartThatDoesNotExist() async throws {
        // Proves the check above is not vacuous: verify looks at the binary.
        guard let analyze = Self.tool("systemd-analyze") else { return }
        let scratch = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let copy = try Self.unitCopy(in: scratch, executable: scratch.appendingPathComponent("no-such-lockerd").path)
        let run = try await Self.run(analyze, ["verify", "--man=no", copy.path], in: scratch)
        #expect(run.status != 0, "verify accepted a missing binary:\n\(run.output)")
        #expect(run.output.contains("not executable"), "\(run.output)")
    }

    @Test func theSandboxScoresAtMostTheLimit() async throws {
        guard let analyze = Self.tool("systemd-analyze") else { return }
        let scratch = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let copy = try Self.unitCopy(in: scratch, executable: Self.binaries.appendingPathComponent("lockerd").path)
        let run = try await Self.run(analyze, ["security", "--offline=true", "--no-pager", copy.path], in: scratch)
        #expect(run.status == 0, "\(run.output)")
        let match = try #require(run.output.firstMatch(of: /Overall exposure level for lockerd\.service: ([0-9]+(?:\.[0-9]+)?)/),
                                 "no overall exposure level in:\n\(run.output)")
        let exposure = try #require(Double(match.1))
        // The items still open are listed (and explained in the unit's comments) on failure.
        let open = run.output.split(separator: "\n").filter { $0.hasPrefix("✗") }
        #expect(exposure <= Self.exposureLimit, "exposure \(exposure) > \(Self.exposureLimit); open items:\n\(open.joined(separator: "\n"))")
    }

    @Test func theUnitKeepsTheDaemonsContract() throws {
        let settings = try Self.settings()
        func value(_ key: String, in section: String = "Service") -> [String] {
            settings.filter { $0.section == section && $0.key == key }.map(\.value)
        }
        #expect(value("Type") == ["notify"])
        #expect(value("NotifyAccess") == ["main"])
        #expect(value("WatchdogSec") == ["30s"])
        #expect(value("TimeoutStopSec") == ["15s"])
        #expect(value("Restart") == ["on-failure"])
        #expect(value("User") == ["lockerd"])
        #expect(value("Group") == ["lockerd"])
        // lockerd finds its state and socket through $STATE_DIRECTORY and $RUNTIME_DIRECTORY.
        #expect(value("StateDirectory") == ["lockerd"])
        #expect(value("RuntimeDirectory") == ["lockerd"])
        #expect(!(value("ExecStart").first ?? "").contains("--state-directory"))
        // The start limit belongs in [Unit]; in [Service] only its old names are still understood.
        #expect(value("StartLimitIntervalSec", in: "Unit").count == 1)
        #expect(value("StartLimitBurst", in: "Unit").count == 1)
        #expect(value("StartLimitBurst").isEmpty && value("StartLimitIntervalSec").isEmpty)
        // See the unit's comment: a user namespace would turn every technician into "nobody".
        #expect(!value("PrivateUsers").contains { ["yes", "true", "1", "on"].contains($0) })
        // The cabinet loop's priority: allowed by the limit, and the call not filtered away.
        #expect(value("LimitNICE") == [String(Daemon.cabinetLoopNiceValue)])
        let filters = value("SystemCallFilter")
        let removesResources = filters.firstIndex { $0.hasPrefix("~") && $0.contains("@resources") }
        let allowsSetpriority = filters.lastIndex { !$0.hasPrefix("~") && $0.split(separator: " ").contains("setpriority") }
        #expect(removesResources != nil && allowsSetpriority != nil && allowsSetpriority! > removesResources!,
                "setpriority must be allowed again after ~@resources: \(filters)")
    }

    @Test func everySupplementaryGroupExistsWhereTheUnitRuns() throws {
        // systemd refuses to start a service with a supplementary group that does not exist
        // (216/GROUP): each one must be a Debian base group or one the sysusers file creates.
        let baseGroups: Set = ["dialout", "input"]
        let created = Set(try Self.fields(of: Self.sysusersFile).filter { $0.first == "g" || $0.first == "u" }.map { $0[1] })
        let groups = try Self.settings().filter { $0.key == "SupplementaryGroups" }
            .flatMap { $0.value.split(separator: " ").map(String.init) }
        for group in groups {
            #expect(baseGroups.contains(group) || created.contains(group), "\(group) may not exist on a cabinet")
        }
        // The maintenance groups lockerd gives its sockets to (default, and the example's read-only
        // one) are created, and the daemon is in them (lchown without CAP_CHOWN).
        let example = try String(contentsOf: CabinetConfigurationTests.example, encoding: .utf8)
        let readOnly = try #require(example.firstMatch(of: /"readOnlyGroup":\s*"([^"]+)"/)).1
        for maintenanceGroup in [MaintenanceConfiguration().group, String(readOnly)] {
            #expect(created.contains(maintenanceGroup), "sysusers does not create \(maintenanceGroup)")
            #expect(groups.contains(maintenanceGroup), "lockerd.service does not put lockerd in \(maintenanceGroup)")
        }
    }

    // MARK: - sysusers.d and tmpfiles.d

    @Test func sysusersCreatesTheUserAndTheMaintenanceGroups() async throws {
        guard let sysusers = Self.tool("systemd-sysusers") else { return }
        let scratch = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let root = scratch.appendingPathComponent("root")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("etc"), withIntermediateDirectories: true)
        let dryRun = try await Self.run(sysusers, ["--dry-run", "--root=\(root.path)", Self.sysusersFile.path], in: scratch)
        #expect(dryRun.status == 0, "\(dryRun.output)")
        for expected in ["Creating user 'lockerd'", "Creating group 'lockerd-maint'", "Creating group 'lockerd-view'"] {
            #expect(dryRun.output.contains(expected), "\(expected) missing from:\n\(dryRun.output)")
        }
        #expect(!dryRun.output.contains("sysusers.conf:"), "a line was refused:\n\(dryRun.output)")
    }

    @Test func tmpfilesGivesTheConfigurationDirectoryToRootAndLockerdsGroup() async throws {
        let lines = try Self.fields(of: Self.tmpfilesFile)
        try #require(!lines.isEmpty)
        for line in lines {
            // Type, absolute path, octal mode, user, group, age.
            #expect(line.count == 6, "\(line)")
            #expect(["d", "z"].contains(line[0]), "\(line)")
            #expect(line.count > 1 && line[1].hasPrefix("/"), "\(line)")
            #expect(line.count > 2 && line[2].count == 4 && UInt16(line[2], radix: 8) != nil, "\(line)")
        }
        guard geteuid() == 0 else {
            // Creating root-owned files in a scratch root needs root; the format check above stands in.
            return
        }
        guard let sysusers = Self.tool("systemd-sysusers"), let tmpfiles = Self.tool("systemd-tmpfiles") else { return }
        let scratch = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let root = scratch.appendingPathComponent("root")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("etc"), withIntermediateDirectories: true)
        // The group must exist in the scratch root before tmpfiles can resolve it, as on a cabinet.
        let users = try await Self.run(sysusers, ["--root=\(root.path)", Self.sysusersFile.path], in: scratch)
        try #require(users.status == 0, "\(users.output)")
        let created = try await Self.run(tmpfiles, ["--root=\(root.path)", "--create", Self.tmpfilesFile.path], in: scratch)
        #expect(created.status == 0, "\(created.output)")
        let groupFile = try String(contentsOf: root.appendingPathComponent("etc/group"), encoding: .utf8)
        let lockerdGroup = try #require(groupFile.firstMatch(of: /(?m)^lockerd:x:([0-9]+):/)).1
        var status = stat()
        try #require(stat(root.appendingPathComponent("etc/lockerd").path, &status) == 0, "no etc/lockerd: \(created.output)")
        #expect(status.st_mode & S_IFMT == S_IFDIR)
        #expect(status.st_mode & 0o7777 == 0o750)
        #expect(status.st_uid == 0)
        #expect(String(status.st_gid) == lockerdGroup)
    }
}
