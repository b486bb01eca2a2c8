public import Foundation
import Synchronization
import LockerSystem

/// Where the daemon gets time. The core never reads a clock: services read one of these and pass
/// `now` in, so tests inject `ManualCabinetClock` and never sleep.
public protocol CabinetClock: Sendable {
    func now() -> Date
    /// Monotonic time since boot, for event stamps (never jumps with NTP).
    func monotonicNanoseconds() -> UInt64
}

public struct SystemCabinetClock: CabinetClock {
    public init() {}

    public func now() -> Date { Date() }

    public func monotonicNanoseconds() -> UInt64 {
        MonotonicClock.nanoseconds
    }
}

/// A clock that moves only when told: tests, and the front panel's `wait` in `--manual-clock` mode.
public final class ManualCabinetClock: CabinetClock {
    private let state: Mutex<(wall: Date, monotonic: UInt64)>

    public init(start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        state = Mutex((start, 1_000_000_000))
    }

    public func now() -> Date { state.withLock { $0.wall } }
    public func monotonicNanoseconds() -> UInt64 { state.withLock { $0.monotonic } }

    public func advance(seconds: Double) {
        state.withLock { current in
            current.wall = current.wall.addingTimeInterval(seconds)
            current.monotonic += UInt64(max(0, seconds) * 1_000_000_000)
        }
    }
}
