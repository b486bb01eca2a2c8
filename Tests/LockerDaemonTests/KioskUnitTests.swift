import Foundation
import Testing

/// The kiosk unit and its launcher. There is no display here to run cage and Chromium on, so:
/// `systemd-analyze verify` reads the unit beside lockerd's, and the launcher runs with a stand-in
/// for cage that records how it was started, to show the token never reaches a command line.
@Suite struct KioskUnitTests {
    static let kioskDirectory = SystemdUnitTests.systemdDirectory.appendingPathComponent("kiosk")
    static let unitFile = kioskDirectory.appendingPathComponent("lockerd-kiosk.service")
    static let launcher = kioskDirectory.appendingPathComponent("lockerd-kiosk")

    @Test func verifyAcceptsTheKioskUnitBesideLockerds() async throws {
        guard let analyze = SystemdUnitTests.tool("systemd-analyze") else { return }
        let scratch = try SystemdUnitTests.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        // lockerd.service beside it, running the built daemon (the kiosk unit requires it).
        _ = try SystemdUnitTests.unitCopy(in: scratch, executable: SystemdUnitTests.binaries.appendingPathComponent("lockerd").path)
        let text = try String(contentsOf: Self.unitFile, encoding: .utf8)
        let shipped = "ExecStart=/usr/lib/lockerd/lockerd-kiosk"
        try #require(text.contains(shipped + "\n"))
        let copy = scratch.appendingPathComponent("lockerd-kiosk.service")
        try Data(text.replacingOccurrences(of: shipped, with: "ExecStart=\(Self.launcher.path)").utf8).write(to: copy)
        let run = try await SystemdUnitTests.run(analyze, ["verify", "--man=no", copy.path], in: scratch)
        #expect(run.status == 0, "systemd-analyze verify failed:\n\(run.output)")
        let aboutKiosk = run.output.split(separator: "\n").filter { $0.contains("lockerd-kiosk.service") || $0.contains("lockerd.service") }
        #expect(aboutKiosk.isEmpty, "warnings:\n\(aboutKiosk.joined(separator: "\n"))")
    }

    @Test func theLauncherPassesTheTokenThroughAPrivateStartPageNeverACommandLine() throws {
        let scratch = try SystemdUnitTests.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let bin = scratch.appendingPathComponent("bin")
        let credentials = scratch.appendingPathComponent("credentials")
        let runtime = scratch.appendingPathComponent("runtime")
        for directory in [bin, credentials, runtime] { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
        let token = String(repeating: "ab12", count: 16)
        try Data((token + "\n").utf8).write(to: credentials.appendingPathComponent("kiosk-token"))
        // The stand-in for cage: writes down its arguments, one a line.
        let arguments = scratch.appendingPathComponent("cage-arguments")
        try Data("#!/bin/sh\nprintf '%s\\n' \"$@\" > \"\(arguments.path)\"\n".utf8).write(to: bin.appendingPathComponent("cage"))
        #expect(chmod(bin.appendingPathComponent("cage").path, 0o755) == 0)

        func launch(url: String) throws -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = [Self.launcher.path]
            process.environment = [
                "PATH": bin.path + ":/usr/bin:/bin", "CREDENTIALS_DIRECTORY": credentials.path, "RUNTIME_DIRECTORY": runtime.path,
                "LOCKERD_KIOSK_URL": url,
            ]
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }

        #expect(try launch(url: "http://127.0.0.1:8088/") == 0)
        let commandLine = try String(contentsOf: arguments, encoding: .utf8)
        #expect(!commandLine.contains(token), "the token is on the command line:\n\(commandLine)")
        #expect(commandLine.contains("chromium\n") && commandLine.contains("--kiosk\n"))
        let start = runtime.appendingPathComponent("start.html")
        #expect(commandLine.contains("file://\(start.path)"))
        let page = try String(contentsOf: start, encoding: .utf8)
        #expect(page.contains("location.replace(\"http://127.0.0.1:8088/#token=\(token)\")"))
        #expect(try FileManager.default.attributesOfItem(atPath: start.path)[.posixPermissions] as? Int == 0o600)
        // Only lockerd's loopback page: anything else is a configuration error (EX_CONFIG).
        #expect(try launch(url: "http://example.com/") == 78)
        #expect(try launch(url: "http://127.0.0.1:8088/\");alert(\"") == 78)
        #expect(try launch(url: "http://127.0.0.1:8088/\");alert(\"x/") == 78)
        #expect(try launch(url: "http://[::1]:8088/") == 0)
    }
}
