import Foundation
import LockerMaintenanceProtocol
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A real lockerd with configured scanners, a keypad and a file display: status tells the
/// technician what each input device is doing and why one fails, and the display file shows what
/// people at the cabinet see.
@Suite struct DeviceStatusTests {
    @Test func statusShowsEachInputDevicesLiveStateAndTheDisplayFileShowsTheWelcome() async throws {
        // Processes and blocking reads: on a thread of its own, never on the shared pool.
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            Thread { done.resume(with: Result { try Self.check() }) }.start()
        }
    }

    static func check() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lockerd-devices-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        // Not an input device: grabbing it fails, and status must say so.
        let notEvdev = scratch.appendingPathComponent("event-not-really").path
        FileManager.default.createFile(atPath: notEvdev, contents: Data([0]))
        let missing = scratch.appendingPathComponent("scanner-unplugged").path
        let displayFile = scratch.appendingPathComponent("display.txt").path
        let daemon = try MaintenanceDaemon(extraConfiguration: """
            "scanners": [{"name": "front", "kind": "serial", "device": "\(missing)"}],
            "keypads": [{"name": "pad", "kind": "hid", "device": "\(notEvdev)"}],
            "display": {"kind": "file", "path": "\(displayFile)"},
            """)
        defer { _ = daemon.stop() }

        var devices: [CabinetStatusReport.Device] = []
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            devices = try #require(try daemon.json(["status"]).status).scanners
            if devices.first(where: { $0.name == "pad" })?.state.hasPrefix("failed") == true { break }
            usleep(20_000)
        }
        let front = try #require(devices.first { $0.name == "front" })
        #expect(front.kind == "serial scanner")
        #expect(front.state == "waiting for \(missing)")
        let pad = try #require(devices.first { $0.name == "pad" })
        #expect(pad.kind == "hid keypad")
        #expect(pad.state.contains("not an evdev input device"), "\(pad.state)")

        let text = daemon.ctl(["status"])
        #expect(text.output.contains("scanners and keypads:"))
        #expect(text.output.contains("waiting for \(missing)"))

        let shown = try String(contentsOfFile: displayFile, encoding: .utf8)
        #expect(shown.contains("Type your pickup code"), "\(shown)")
    }
}
