import Foundation
import LockerDrivers
import LockerTestSupport
import Testing
#if canImport(Glibc)
import Glibc
import LockerSystem
#endif

/// A cabinet with a real board (our own protocol, on a pseudo-terminal whose far end the test
/// plays) runs the real `lockerd`. A courier logs in and deposits; the pickup code the display
/// shows and the courier's PIN must reach neither standard output (the journal, under systemd)
/// nor the log, and nothing of the simulator may print there.
///
/// The cabinet also has one in-process simulated board, only because keys have to come from
/// somewhere: this machine has no uinput to fake a USB keypad, so the front panel types them.
/// One real board is enough for the daemon to treat the cabinet as real.
@Suite struct RealCabinetOutputTests {
    static let courierPIN = "864213"

    @Test func aDepositShowsNoPickupCodeOrPINOnStandardOutputOrInTheLog() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lockerd-real-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let board = try ScriptedBoardPeer(address: 2, channels: 2)
        defer { board.stop() }
        let configuration = directory.appendingPathComponent("cabinet.json")
        try Data("""
            {
              "cabinetID": "real-output-test",
              "boards": [
                {"address": 1, "channels": 3, "kind": "simulated"},
                {"address": 2, "channels": 2, "kind": "own-protocol", "device": "\(board.terminal.subordinatePath)", "pollMilliseconds": 50}
              ],
              "compartments": [
                {"label": "A01", "size": "S", "board": 1, "channel": 1},
                {"label": "A02", "size": "M", "board": 1, "channel": 2},
                {"label": "A03", "size": "L", "board": 1, "channel": 3},
                {"label": "B01", "size": "XL", "board": 2, "channel": 1}
              ],
              "couriers": [{"id": "2741", "name": "Ann", "pin": "\(Self.courierPIN)"}]
            }
            """.utf8).write(to: configuration)

        // The front panel reads a terminal, not a pipe: it echoes piped input ("> press ... PIN"),
        // and this test is about what the daemon itself prints.
        let panel = try PseudoTerminal()
        let process = Process()
        process.executableURL = LockerdProcess.binary
        process.arguments = [
            "--config", configuration.path, "--state-directory", directory.appendingPathComponent("state").path,
            "--maintenance-socket", directory.appendingPathComponent("m.sock").path,
            "--front-panel", "--manual-clock", "--log-format", "text", "--log-level", "info",
        ]
        let standardInput = try #require(FileHandle(forUpdatingAtPath: panel.subordinatePath))
        let output = CloseOnExecPipe()
        let errors = CloseOnExecPipe()
        process.standardInput = standardInput
        process.standardOutput = output.fileHandleForWriting
        process.standardError = errors.fileHandleForWriting
        try process.run()
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? standardInput.close()
        try? output.fileHandleForWriting.close()
        try? errors.fileHandleForWriting.close()
        let printed = LogCollector()
        printed.collect(from: output.fileHandleForReading)
        let logged = LogCollector()
        logged.collect(from: errors.fileHandleForReading)

        #expect(printed.waitFor(count: 1, of: "lockerd: cabinet with 4 doors on 2 boards."), "\(printed.text())")
        // The real board is polled through its driver before anything is typed.
        #expect(waitUntil { board.requestCount >= 3 }, "the daemon never polled the board on the pseudo-terminal")
        for line in ["press menu 2741 enter \(Self.courierPIN) enter", "scan SF1234567890", "press enter",
                     "put A01", "close A01", "press menu", "mark deposited"] {
            panel.write(Array((line + "\n").utf8))
        }
        #expect(printed.waitFor(count: 1, of: "mark deposited"), "\(printed.text())")
        #expect(printed.waitFor(count: 1, of: "deposit.committed A01"), "the deposit did not go through:\n\(printed.text())")
        #expect(logged.waitFor(count: 1, of: "display: Deposited in A01. Pickup code ********. Scan the next parcel."),
                "the display's line is not in the log, redacted:\n\(logged.text())")

        kill(process.processIdentifier, SIGTERM)
        #expect(waitUntil { !process.isRunning }, "lockerd did not stop on SIGTERM")
        let everything = printed.text() + "\n" + logged.text()
        #expect(everything.range(of: #"[Cc]ode:? *[0-9]"#, options: .regularExpression) == nil, "a code was printed:\n\(everything)")
        #expect(!everything.contains(Self.courierPIN), "the courier's PIN was printed:\n\(everything)")
        let simulatorLines = printed.text().split(separator: "\n").filter {
            $0.hasPrefix("display:") || $0.hasPrefix("buzzer:") || $0.hasPrefix("led:")
        }
        #expect(simulatorLines.isEmpty, "the simulator's display, buzzer or lights printed: \(simulatorLines)")
    }

    /// Polls `condition` for up to 30 s (a spawned process, not a clock the test controls).
    private func waitUntil(_ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }
}
