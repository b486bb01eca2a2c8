public import Foundation

/// When an event happened: wall-clock time (may jump when NTP corrects it) and monotonic time since
/// boot (never jumps; lets the server order and space events even across a bad wall clock).
public struct EventStamp: Sendable, Equatable {
    public var wallClock: Date
    public var monotonicNanoseconds: UInt64

    public init(wallClock: Date, monotonicNanoseconds: UInt64) {
        self.wallClock = wallClock
        self.monotonicNanoseconds = monotonicNanoseconds
    }
}
