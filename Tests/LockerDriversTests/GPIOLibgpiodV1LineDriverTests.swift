#if canImport(Glibc)
import Glibc
#endif
@testable import LockerDrivers
import LockerHAL
import Logging
import Testing

/// The real libgpiod driver, run on a machine without GPIO: proves the library is linked and that
/// its failure paths produce messages a technician can act on.
@Suite struct GPIOLibgpiodV1LineDriverTests {
    static let missingChip = "/dev/gpiochip9"
    static var chipIsAbsent: Bool { access(missingChip, F_OK) != 0 }

    @Test func theLinkedLibraryIsLibgpiodOne() {
        #expect(LibgpiodV1LineDriver.libraryVersion.hasPrefix("1."))
    }

    @Test(.enabled(if: chipIsAbsent, "needs a machine without that chip"))
    func openingAMissingChipSaysWhichChipIsMissing() throws {
        let driver = LibgpiodV1LineDriver()

        let error = #expect(throws: HardwareError.self) { try driver.openChip(Self.missingChip) }

        guard case .deviceMissing(let device, let detail)? = error else {
            Issue.record("expected a missing device, got \(String(describing: error))")
            return
        }
        #expect(device == "gpiochip /dev/gpiochip9")
        #expect(detail.hasPrefix("opening: No such file or directory (ENOENT)"))
        #expect("\(error!)".hasPrefix("device gpiochip /dev/gpiochip9 is missing: opening: No such file or directory"))
    }

    @Test func aChipLabelNoChipHasIsMissingToo() throws {
        let driver = LibgpiodV1LineDriver()
        let error = #expect(throws: HardwareError.self) { try driver.openChip("lockerd-no-such-label") }
        #expect(error.map { "\($0)" }?.hasPrefix("device gpiochip lockerd-no-such-label is missing") == true)
    }

    @Test(.enabled(if: chipIsAbsent, "needs a machine without that chip"))
    func aBoardOnAMissingChipFailsAtStartWithTheSameMessage() throws {
        var configuration = GPIOTestRig.configuration
        configuration.chip = Self.missingChip

        let error = #expect(throws: HardwareError.self) {
            try GPIOLockBoard(
                address: 1, configuration: configuration, driver: LibgpiodV1LineDriver(),
                logger: GPIOCapturedLog().logger
            )
        }

        #expect(error.map { "\($0)" }?.hasPrefix("device gpiochip /dev/gpiochip9 is missing") == true)
    }

    @Test func aLineOfAChipThatIsNotOpenIsRefusedWithoutCallingTheLibrary() async throws {
        let driver = LibgpiodV1LineDriver()
        let chip = GPIOChipHandle(id: 42, name: "gpiochip0")
        let line = GPIOLineHandle(chip: chip, offset: 3, name: "DOOR1")

        #expect(throws: HardwareError.self) { try driver.findLine(.name("DOOR1"), on: chip) }
        #expect(throws: HardwareError.self) { try driver.setValue(false, of: line) }
        #expect(throws: HardwareError.self) { try driver.readValue(of: line) }
        await #expect(throws: HardwareError.self) {
            try await driver.waitForEdgeEvents(on: [line], timeout: .zero)
        }
        // Releasing or closing what is not open does nothing rather than crash.
        driver.release(line)
        driver.closeChip(chip)
    }

    @Test func pollTimeoutsRoundUpSoATimeoutMeansTheWholeWindowPassed() {
        #expect(LibgpiodV1LineDriver.pollMilliseconds(.milliseconds(20)) == 20)
        #expect(LibgpiodV1LineDriver.pollMilliseconds(.microseconds(20_001)) == 21)
        #expect(LibgpiodV1LineDriver.pollMilliseconds(.zero) == 0)
        #expect(LibgpiodV1LineDriver.pollMilliseconds(.seconds(-1)) == 0)
        #expect(LibgpiodV1LineDriver.pollMilliseconds(.seconds(Int64.max / 2)) == Int32.max)
    }

    @Test func theEventClockMoves() {
        let driver = LibgpiodV1LineDriver()
        let first = driver.eventClockNow()
        #expect(first > .zero)
        #expect(driver.eventClockNow() >= first)
    }
}
