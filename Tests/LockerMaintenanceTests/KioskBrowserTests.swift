import Foundation
import LockerMaintenanceProtocol
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The touchscreen kiosk in a real browser: a real lockerd serves its page on loopback, Debian's
/// headless Chromium shows it, and KioskBrowser/kiosk_browser.py taps its buttons through the
/// DevTools protocol: a courier deposits a parcel, the page shows the pickup code, a resident types
/// it and takes the parcel, in English and in Simplified Chinese; then a guesser types wrong codes
/// until the keypad locks. The screenshots stay in a temporary directory whose path is printed.
@Suite(.serialized)
struct KioskBrowserTests {
    static let driver = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("KioskBrowser/kiosk_browser.py")

    struct DriverResult: Decodable {
        struct Step: Decodable {
            var step: String
            var message: String
            var language: String
            var text: String
        }

        var ok: Bool
        var error: String?
        var door: String?
        var code: String?
        var attempts: Int?
        var steps: [Step]
        var screenshots: [String]
    }

    @Test func aDepositAndAPickupThroughThePageInEnglishAndSimplifiedChineseAndTheKeypadsLockout() throws {
        try #require(Self.chromiumInstalled, "Debian's chromium is not installed: `make deps` installs it (with fonts-noto-cjk)")
        let daemon = try MaintenanceDaemon(extraConfiguration: #""kiosk": {"listen": "127.0.0.1:0"},"#)
        defer { daemon.stop() }
        let port = try #require(Self.kioskPort(in: daemon), "lockerd did not start its kiosk page; its log:\n\(daemon.logText())")
        let tokenPath = daemon.directory.appendingPathComponent("kiosk.token").path
        // The token is for the kiosk's user only.
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: tokenPath)[.posixPermissions] as? Int)
        #expect(mode == 0o600)

        // The last run's screenshots only, in one place: replaced by each run, never committed.
        let screenshots = FileManager.default.temporaryDirectory.appendingPathComponent("lockerd-kiosk-screenshots")
        try? FileManager.default.removeItem(at: screenshots)
        print("kiosk screenshots: \(screenshots.path)")
        var codes: [String] = []
        for (language, tracking) in [("en", "773012345678"), ("zh-Hans", "912345678901")] {
            let result = try Self.drive(language: language, tracking: tracking, port: port, tokenPath: tokenPath, daemon: daemon,
                                        screenshots: screenshots)
            #expect(result.ok, "\(language): \(result.error ?? "")\nsteps: \(result.steps.map { "\($0.step)/\($0.message)" })")
            guard result.ok, let code = result.code else { continue }
            codes.append(code)
            // Shown in the language chosen on screen, from the first prompt to the pickup.
            let chosen = result.steps.drop { $0.language != language }
            #expect(chosen.contains { $0.message == "deposit_committed" && $0.language == language && $0.text.contains(code) })
            #expect(chosen.contains { $0.message == "pickup_done" && $0.language == language })
            if language == "zh-Hans" {
                #expect(chosen.contains { $0.message == "deposit_committed" && $0.text.contains("取件码") })
            }
            #expect(result.screenshots.count == 6)
            #expect(result.attempts == nil)
            for path in result.screenshots {
                let png = try Data(contentsOf: URL(fileURLWithPath: path))
                #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) && png.count > 5_000, "\(path)")
            }
        }
        // What the page did is what the cabinet recorded: two deposits, two pickups.
        var events = try #require(try daemon.json(["events", "--limit", "100"]).events)
        #expect(events.filter { $0.kind == "deposit.committed" }.count == 2)
        #expect(events.filter { $0.kind == "pickup.committed" }.count == 2)
        #expect(codes.count == 2 && Set(codes).count == 2)

        // The page's keys are the keypad's: a guesser on the touchscreen meets the same lockout.
        let guessing = try Self.drive(language: "zh-Hans", flow: "lockout", port: port, tokenPath: tokenPath, daemon: daemon,
                                      screenshots: screenshots)
        #expect(guessing.ok, "\(guessing.error ?? "")\nsteps: \(guessing.steps.map { "\($0.step)/\($0.message)" })")
        #expect(guessing.attempts == 5, "the configured wrongCodesBeforeLockout")
        #expect(guessing.steps.last?.message == "keypad_locked_out" && guessing.steps.last?.language == "zh-Hans",
                "\(guessing.steps.map { "\($0.step)/\($0.message)/\($0.language)" })")
        events = try #require(try daemon.json(["events", "--limit", "200"]).events)
        #expect(events.contains { $0.kind == "keypad.locked_out" })
    }

    static var chromiumInstalled: Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
            .contains { FileManager.default.isExecutableFile(atPath: "\($0)/chromium") }
    }

    /// The port from lockerd's "kiosk page listening" line (it was asked for port 0), within 30 s.
    static func kioskPort(in daemon: MaintenanceDaemon) -> Int? {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            for line in daemon.logText().split(separator: "\n") where line.contains("kiosk page listening") {
                guard let range = line.range(of: "kiosk.listen=127.0.0.1:") else { continue }
                return Int(line[range.upperBound...].prefix { $0.isNumber })
            }
            usleep(20_000)
        }
        return nil
    }

    /// Runs the browser driver for one language; it stops its browser before it returns.
    static func drive(language: String, tracking: String = "773012345678", flow: String = "deposit-pickup", port: Int,
                      tokenPath: String, daemon: MaintenanceDaemon, screenshots: URL) throws -> DriverResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [
            driver.path, "--url", "http://127.0.0.1:\(port)/", "--token-file", tokenPath, "--lockerctl", daemon.lockerctl.path,
            "--socket", daemon.socketPath, "--screenshots", screenshots.path, "--language", language, "--tracking", tracking,
            "--flow", flow,
        ]
        let output = daemon.directory.appendingPathComponent("driver-\(flow)-\(language).json")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Each of the driver's waits has its own deadline; this one is for a driver that hangs
        // anyway. SIGTERM lets it stop its browser; SIGKILL if even that does not end it.
        let deadline = Date().addingTimeInterval(180)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let grace = Date().addingTimeInterval(15)
            while process.isRunning && Date() < grace { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        try handle.close()
        let data = try Data(contentsOf: output)
        do {
            return try JSONDecoder().decode(DriverResult.self, from: data)
        } catch {
            throw DriverFailure(description: "the browser driver (exit \(process.terminationStatus)) printed: \(String(decoding: data, as: UTF8.self))")
        }
    }

    struct DriverFailure: Error, CustomStringConvertible {
        var description: String
    }
}
