#if canImport(Glibc)
import Glibc
#endif
import LockerDrivers
import LockerHAL
import Testing

/// Start-up and shutdown of `GPIOLockBoard`: what it requests, how it fails with a message a
/// technician can act on, and that it leaves every latch released.
@Suite struct GPIOLockBoardSetupTests {
    @Test func aBusyLineFailsWithAnErrorNamingChipLineAndHolder() throws {
        let rig = GPIOTestRig()
        rig.driver.holdLine(.name("LATCH2"), by: "relayd")

        let error = #expect(throws: HardwareError.self) { try rig.board() }

        guard case .io(let device, let operation, let detail)? = error else {
            Issue.record("expected an I/O error, got \(String(describing: error))")
            return
        }
        #expect(device == "line \"LATCH2\" (offset 1) of gpiochip0, the latch of channel 2 of GPIO lock board 7")
        #expect(operation == "requesting as output")
        #expect(detail.hasPrefix("Device or resource busy (EBUSY); the line is held by \"relayd\""))
        #expect("\(error!)".hasPrefix("requesting as output on line \"LATCH2\" (offset 1) of gpiochip0"))
    }

    @Test func aFailedStartGivesBackEverythingItTook() throws {
        let rig = GPIOTestRig()
        rig.driver.holdLine(.name("DOOR2"), by: "doorwatch")

        #expect(throws: HardwareError.self) { try rig.board() }

        for line in ["LATCH1", "DOOR1", "LATCH2"] {
            #expect(!rig.driver.isRequested(.name(line)), "\(line) released")
        }
        #expect(!rig.driver.isChipOpen)
        #expect(rig.driver.calls.last == .closeChip)
    }

    @Test func aMissingChipIsReportedAsMissing() throws {
        let rig = GPIOTestRig()
        var configuration = GPIOTestRig.configuration
        configuration.chip = "/dev/gpiochip9"

        let error = #expect(throws: HardwareError.self) { try rig.board(configuration: configuration) }

        #expect(error.map { "\($0)" }?.hasPrefix(
            "device gpiochip /dev/gpiochip9 is missing: opening: No such file or directory (ENOENT)"
        ) == true)
    }

    @Test func theChipOpensByPathNameLabelOrNumber() throws {
        for chip in ["gpiochip0", "/dev/gpiochip0", "test-gpio", "0"] {
            var configuration = GPIOTestRig.configuration
            configuration.chip = chip
            let board = try GPIOTestRig().board(configuration: configuration)
            #expect(board.channelCount == 3)
        }
    }

    @Test func aLineMissingFromTheChipIsNamedInTheError() throws {
        let rig = GPIOTestRig()
        var configuration = GPIOTestRig.configuration
        configuration.channels[0].doorSensor = .init(line: .name("DOOR9"))

        let error = #expect(throws: HardwareError.self) { try rig.board(configuration: configuration) }

        guard case .deviceMissing(let device, let detail)? = error else {
            Issue.record("expected a missing device, got \(String(describing: error))")
            return
        }
        #expect(device == "line \"DOOR9\" of gpiochip0, the door sensor of channel 1 of GPIO lock board 7")
        #expect(detail.contains("No such file or directory (ENOENT)"))
        #expect(detail.contains("gpioinfo gpiochip0"))
    }

    @Test func oneLineConfiguredTwiceIsRefusedEvenUnderTwoAddresses() throws {
        let rig = GPIOTestRig()
        var configuration = GPIOTestRig.configuration
        // Offset 3 is DOOR1, already channel 1's door sensor.
        configuration.channels[2].doorSensor = .init(line: .offset(3))

        let error = #expect(throws: HardwareError.self) { try rig.board(configuration: configuration) }

        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("the door sensor of channel 1 of GPIO lock board 7"))
        #expect(text.contains("the door sensor of channel 3 of GPIO lock board 7"))
        #expect(!rig.driver.isChipOpen)
    }

    @Test func anUnusableConfigurationIsRefusedBeforeAnyIO() throws {
        let rig = GPIOTestRig()
        var configuration = GPIOTestRig.configuration
        configuration.minimumPulseMilliseconds = 500
        configuration.maximumPulseMilliseconds = 200

        let error = #expect(throws: HardwareError.self) { try rig.board(configuration: configuration) }

        #expect(error.map { "\($0)" }?.contains("maximumPulseMilliseconds (200) is below minimumPulseMilliseconds (500)") == true)
        #expect(rig.driver.calls.isEmpty)
    }

    @Test func deEnergiseEveryLatchDrivesEveryLatchInactive() async throws {
        let rig = GPIOTestRig()
        let board = try rig.board()
        let mark = rig.driver.recordedCalls.count

        try board.deEnergiseEveryLatch()

        #expect(rig.calls(after: mark) == [
            .setValue(offset: 0, active: false), .setValue(offset: 1, active: false), .setValue(offset: 2, active: false),
        ])
        #expect(rig.driver.level(of: .name("LATCH1")) == .low)
        #expect(rig.driver.level(of: .name("LATCH2")) == .high)
        #expect(rig.driver.level(of: .offset(2)) == .low)
    }

    @Test func deEnergiseEveryLatchTriesEveryLatchEvenWhenOneFails() throws {
        let rig = GPIOTestRig()
        let board = try rig.board()
        rig.driver.failSetValue(of: .name("LATCH1"), toActive: false, errno: EIO)
        let mark = rig.driver.recordedCalls.count

        #expect(throws: HardwareError.self) { try board.deEnergiseEveryLatch() }

        #expect(rig.calls(after: mark).count == 3)
        #expect(rig.log.lines.contains { $0.level == .critical && $0.message.contains("LATCH1") })
    }

    @Test func closeReleasesLatchesThenLinesThenTheChip() throws {
        let rig = GPIOTestRig()
        let board = try rig.board()
        let mark = rig.driver.recordedCalls.count

        board.close()
        board.close()

        #expect(rig.calls(after: mark) == [
            .setValue(offset: 0, active: false), .setValue(offset: 1, active: false), .setValue(offset: 2, active: false),
            .release(offset: 3), .release(offset: 0), .release(offset: 4), .release(offset: 1), .release(offset: 2),
            .closeChip,
        ])
        for line in GPIOTestRig.lineNames.compactMap({ $0 }) {
            #expect(!rig.driver.isRequested(.name(line)))
        }
    }
}
