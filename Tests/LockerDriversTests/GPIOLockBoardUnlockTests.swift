#if canImport(Glibc)
import Glibc
#endif
import LockerDrivers
import LockerTesting
import LockerHAL
import Synchronization
import Testing

/// The latch half of `GPIOLockBoard`: a pulse energises the latch, and the latch is always
/// de-energised afterwards, whatever happens during the pulse.
@Suite struct GPIOLockBoardUnlockTests {
    /// What the pin did while the board slept through the pulse.
    final class PulseLog: Sendable {
        let entries = Mutex<[(duration: Duration, level: ScriptedGPIOLineDriver.Level)]>([])
    }

    @Test func aPulseEnergisesTheLatchThenReleasesIt() async throws {
        let rig = GPIOTestRig()
        let pulses = PulseLog()
        let board = try rig.board(sleep: { [driver = rig.driver] duration in
            pulses.entries.withLock { $0.append((duration, driver.level(of: .name("LATCH1")))) }
        })
        #expect(rig.driver.level(of: .name("LATCH1")) == .low)
        let mark = rig.driver.recordedCalls.count

        try await board.unlock(channel: 1, pulseMilliseconds: 300)

        #expect(rig.calls(after: mark) == [.setValue(offset: 0, active: true), .setValue(offset: 0, active: false)])
        let sequences = rig.driver.recordedCalls.dropFirst(mark).map(\.sequence)
        #expect(sequences == sequences.sorted() && Set(sequences).count == sequences.count)
        let seen = pulses.entries.withLock { $0 }
        #expect(seen.map(\.duration) == [.milliseconds(300)])
        #expect(seen.map(\.level) == [.high], "energised (high) for the whole pulse")
        #expect(rig.driver.level(of: .name("LATCH1")) == .low)
    }

    @Test func everyLatchIsRequestedInactiveBeforeAnyValueIsSet() throws {
        let rig = GPIOTestRig()
        let board = try rig.board()
        defer { withExtendedLifetime(board) {} }
        let requests = rig.driver.calls.compactMap { call -> (Int, Bool, Bool, String)? in
            guard case .requestOutput(let offset, let activeLow, let initiallyActive, let consumer) = call else { return nil }
            return (offset, activeLow, initiallyActive, consumer)
        }
        #expect(requests.map(\.0) == [0, 1, 2])
        #expect(requests.map(\.1) == [false, true, false])
        #expect(requests.allSatisfy { !$0.2 && $0.3 == "lockerd" })
        #expect(!rig.driver.calls.contains { if case .setValue = $0 { true } else { false } })
    }

    @Test func aLatchLeftEnergisedByACrashedPredecessorIsReleasedAtStart() throws {
        let rig = GPIOTestRig()
        // The active-low relay input was left low (energised) when the previous process died.
        rig.driver.setLevel(.name("LATCH2"), to: .low)
        let board = try rig.board()
        #expect(rig.driver.level(of: .name("LATCH2")) == .high)
        #expect(!rig.driver.calls.contains { if case .setValue = $0 { true } else { false } }, "by the request itself")
        withExtendedLifetime(board) {}
    }

    @Test func anActiveLowLatchIsDrivenLowWhileEnergised() async throws {
        let rig = GPIOTestRig()
        let pulses = PulseLog()
        let board = try rig.board(sleep: { [driver = rig.driver] duration in
            pulses.entries.withLock { $0.append((duration, driver.level(of: .name("LATCH2")))) }
        })
        #expect(rig.driver.level(of: .name("LATCH2")) == .high, "inactive is high on an active-low line")
        let mark = rig.driver.recordedCalls.count

        try await board.unlock(channel: 2, pulseMilliseconds: 500)

        // The board speaks logical values; the request's active-low flag inverts them on the pin.
        #expect(rig.calls(after: mark) == [.setValue(offset: 1, active: true), .setValue(offset: 1, active: false)])
        #expect(pulses.entries.withLock { $0.map(\.level) } == [.low])
        #expect(rig.driver.level(of: .name("LATCH2")) == .high)
    }

    @Test func theLatchIsReleasedWhenThePulseIsCancelled() async throws {
        let rig = GPIOTestRig()
        let pulse = GPIOPulseHeldUntilCancelled()
        let board = try rig.board(sleep: pulse.sleep)

        let unlock = Task { try await board.unlock(channel: 1, pulseMilliseconds: 300) }
        await pulse.pulseStarted()
        #expect(rig.driver.level(of: .name("LATCH1")) == .high)
        unlock.cancel()
        let result = await unlock.result

        #expect(throws: CancellationError.self) { try result.get() }
        #expect(rig.driver.values(setOn: .name("LATCH1")) == [true, false])
        #expect(rig.driver.level(of: .name("LATCH1")) == .low)
    }

    @Test func theLatchIsReleasedWhenThePulseSleepThrows() async throws {
        struct ClockBroke: Error {}
        let rig = GPIOTestRig()
        let board = try rig.board(sleep: { _ in throw ClockBroke() })

        await #expect(throws: ClockBroke.self) { try await board.unlock(channel: 2, pulseMilliseconds: 300) }

        #expect(rig.driver.values(setOn: .name("LATCH2")) == [true, false])
        #expect(rig.driver.level(of: .name("LATCH2")) == .high)
    }

    @Test func anUnlockCancelledBeforeItStartsOpensNothing() async throws {
        let rig = GPIOTestRig()
        let board = try rig.board()
        let mark = rig.driver.recordedCalls.count

        let unlock = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await board.unlock(channel: 1, pulseMilliseconds: 300)
        }

        await #expect(throws: CancellationError.self) { try await unlock.value }
        #expect(rig.calls(after: mark).isEmpty)
    }

    @Test func aFailedReleaseIsRetriedAndReported() async throws {
        let rig = GPIOTestRig()
        let board = try rig.board()
        rig.driver.failSetValue(of: .name("LATCH1"), toActive: false, errno: EIO)

        let error = await #expect(throws: HardwareError.self) { try await board.unlock(channel: 1, pulseMilliseconds: 300) }

        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("setting the value on line \"LATCH1\" (offset 0) of gpiochip0"))
        #expect(text.contains("the latch of channel 1 of GPIO lock board 7"))
        // The defer tried again, and the second attempt released the latch.
        #expect(rig.driver.values(setOn: .name("LATCH1")) == [true, false, false])
        #expect(rig.driver.level(of: .name("LATCH1")) == .low)
    }

    @Test func aLatchThatCannotBeReleasedIsLoggedAsCritical() async throws {
        let rig = GPIOTestRig()
        let board = try rig.board()
        rig.driver.failSetValue(of: .name("LATCH1"), toActive: false, errno: EIO, times: 2)

        await #expect(throws: HardwareError.self) { try await board.unlock(channel: 1, pulseMilliseconds: 300) }

        let critical = rig.log.lines.filter { $0.level == .critical }
        #expect(critical.count == 1)
        #expect(critical.first?.message.contains("latch may still be energised") == true)
        #expect(critical.first?.message.contains("LATCH1") == true)
    }

    @Test func pulsesAreKeptWithinTheConfiguredLimits() async throws {
        let rig = GPIOTestRig()
        let pulses = PulseLog()
        let board = try rig.board(sleep: { duration in pulses.entries.withLock { $0.append((duration, .low)) } })

        try await board.unlock(channel: 1, pulseMilliseconds: 10)
        try await board.unlock(channel: 1, pulseMilliseconds: 60_000)

        #expect(pulses.entries.withLock { $0.map(\.duration) } == [.milliseconds(100), .milliseconds(2000)])
        #expect(rig.log.lines.filter { $0.level == .warning }.count == 2)
    }

    @Test(arguments: [0, 4, -1])
    func aChannelOutsideTheBoardIsAClearError(channel: Int) async throws {
        let rig = GPIOTestRig()
        let board = try rig.board()
        let mark = rig.driver.recordedCalls.count

        await #expect(throws: HardwareError.channelOutOfRange(board: 7, channel: channel, channelCount: 3)) {
            try await board.unlock(channel: channel, pulseMilliseconds: 300)
        }
        #expect(
            HardwareError.channelOutOfRange(board: 7, channel: channel, channelCount: 3).description
                == "lock board 7 has channels 1...3; channel \(channel) does not exist"
        )
        #expect(rig.calls(after: mark).isEmpty)
    }

    @Test func theBoardDescribesItself() throws {
        let board = try GPIOTestRig().board()
        #expect(board.address == 7)
        #expect(board.channelCount == 3)
        #expect(!board.hasItemSensors)
    }
}
