import Foundation
import LockerDrivers
import LockerHAL
import Logging
import Synchronization
import Testing
import LockerSystem

/// A serial scanner over a pseudo-terminal: codes in any line ending arrive as scans; garbage does not.
@Suite struct SerialScannerTests {
    final class Collected: HardwareEventHandler {
        let events = Mutex<[HardwareEvent]>([])
        func handle(_ event: HardwareEvent) async { events.withLock { $0.append(event) } }
    }

    @Test func codesArriveAsScansAndGarbageIsRefused() async throws {
        let terminal = try PseudoTerminal()
        var logger = Logger(label: "scanner-test")
        logger.logLevel = .critical
        let scanner = SerialScanner(name: "front", configuration: SerialPortConfiguration(path: terminal.subordinatePath, baud: 9_600),
                                    logger: logger)
        let collected = Collected()
        let loop = Task { try await scanner.run(delivering: collected) }
        // Opening the line flushes what waited in it: the first code is sent until it is seen.
        var waited = 0
        while collected.events.withLock({ $0.isEmpty }) && waited < 500 {
            terminal.write(Array("SF1000000001\r".utf8))
            try await Task.sleep(for: .milliseconds(10))  // real I/O on a pseudo-terminal
            waited += 1
        }
        // Then a code with CRLF, binary noise, and a code with LF.
        terminal.write(Array("LKT1.abc.def\r\n".utf8) + [0x01, 0xFE, 0x0A])
        terminal.write(Array("JD0000000002\n".utf8))
        while collected.events.withLock({ $0.filter { $0 != .scan("SF1000000001", scanner: "front") }.count }) < 2 && waited < 1_000 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        loop.cancel()
        _ = try? await loop.value
        let events = collected.events.withLock { $0 }
        #expect(events.first == .scan("SF1000000001", scanner: "front"))
        #expect(Array(events.drop { $0 == .scan("SF1000000001", scanner: "front") }) == [
            .scan("LKT1.abc.def", scanner: "front"), .scan("JD0000000002", scanner: "front"),
        ], "the noise line is refused, nothing else is lost")
    }

    @Test func aScannerThatIsNotThereIsAMissingDevice() async throws {
        var logger = Logger(label: "scanner-test")
        logger.logLevel = .critical
        let scanner = SerialScanner(name: "gone", configuration: SerialPortConfiguration(path: "/dev/locker/no-such-scanner"), logger: logger)
        await #expect(throws: HardwareError.self) { try await scanner.run(delivering: Collected()) }
    }
}
