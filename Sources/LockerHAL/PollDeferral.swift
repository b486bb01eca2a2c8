import Synchronization

/// Status polls held off while someone is at the keypad, so that the key that completes a code
/// finds its bus free: a poll just made leaves the bus silent for its inter-frame gap (5 ms on a
/// Kerong line), and an unlock frame written then waited for it (the pickup benchmark's slowest
/// pickups, on both stacks). Each key holds polls for a while (`hold(for:)`); the cabinet
/// releases them as soon as a latch was pulsed, so the door's opening is seen by the next poll.
///
/// A hold never lasts longer than `longestHold` at a stretch, and after that stretch polls go on
/// for `pollsResumeFor` whatever the keypad does: someone typing without end cannot blind the
/// cabinet to its doors. One per bus (`SerialBus.pollDeferral`); any thread.
public final class PollDeferral: Sendable {
    public static let longestHold: Duration = .seconds(10)
    public static let pollsResumeFor: Duration = .seconds(1)

    private struct State {
        var until: ContinuousClock.Instant?
        var stretchStarted: ContinuousClock.Instant?
        var resumedUntil: ContinuousClock.Instant?
    }

    private let state = Mutex(State())

    public init() {}

    /// Holds polls until `duration` from `now` (a later key moves it on), within the stretch's
    /// bound.
    public func hold(for duration: Duration, now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            if let resumed = state.resumedUntil, now < resumed { return }
            if let until = state.until, now < until, let started = state.stretchStarted {
                let bound = started + Self.longestHold
                state.until = min(now + duration, bound)
                if now + duration >= bound { state.resumedUntil = bound + Self.pollsResumeFor }
            } else {
                state.stretchStarted = now
                state.until = now + min(duration, Self.longestHold)
            }
        }
    }

    /// Polls may go again now.
    public func release() {
        state.withLock { $0.until = nil; $0.stretchStarted = nil }
    }

    /// Until when polls are held, if they are at `now`.
    public func heldUntil(at now: ContinuousClock.Instant = .now) -> ContinuousClock.Instant? {
        state.withLock { state in
            guard let until = state.until, now < until else { return nil }
            return until
        }
    }
}
