/// One lock-control board: a set of latch channels with door sensors (and, on some boards, item
/// sensors). Channels are numbered from 1, as printed on the boards.
///
/// Contract: `unlock` pulses the latch for the given time and returns once the board accepted the
/// command; it never leaves a latch energised (the board or driver releases it after the pulse,
/// and on any error). Door changes reach the daemon as `HardwareEvent`s (unsolicited reports or
/// polling inside the driver); `readStatus` is for start-up reconciliation and recovery.
public protocol LockBoard: Sendable {
    var address: Int { get }
    var channelCount: Int { get }
    var hasItemSensors: Bool { get }
    func unlock(channel: Int, pulseMilliseconds: Int) async throws
    func readStatus() async throws -> LockBoardStatus

    /// Puts the board in its inert state: every latch de-energised, no pulse in progress. The
    /// daemon calls it when it tears the hardware down, so nothing stays energised after lockerd
    /// stops (wiring must still fail secure: see `GPIOLockBoard`). What "inert" takes depends on
    /// the board, and each conformer documents it: GPIO latches are driven to their inactive level;
    /// boards that time their own pulses have nothing to stop and do nothing. Never throws: at
    /// shutdown there is no one to hand an error to, so a failure is logged by the driver.
    func releaseAll() async
}

public struct LockBoardStatus: Sendable, Equatable {
    /// Index 0 is channel 1.
    public var doorOpen: [Bool]
    /// nil when the board has no item sensors.
    public var itemPresent: [Bool]?

    public init(doorOpen: [Bool], itemPresent: [Bool]? = nil) {
        self.doorOpen = doorOpen
        self.itemPresent = itemPresent
    }
}
