import Synchronization

/// Decides whether lockerd may tell systemd's watchdog "still alive" (`WATCHDOG=1`).
///
/// A ping sent by a timer proves only that the timer runs. The watchdog exists for the other
/// case: the cabinet loop waiting forever on a lock, the store stuck in a write, a driver loop
/// that stopped. So each loop that matters is registered by name and calls `beat` whenever it
/// makes progress (takes an input, commits, polls a board); the pinger asks `shouldPing` and stays
/// silent while any loop has been quiet for longer than it may be, and systemd then restarts the
/// daemon (`WatchdogSec=`). `stale` names the quiet loops for the log and `STATUS=`.
///
/// Pure logic: the time is always a parameter (`ContinuousClock.Instant`, the clock `Task.sleep`
/// uses by default, so a loop passes `ContinuousClock.now`, and tests pass `start + .seconds(n)`).
/// A loop that is idle by design (a quiet keypad) must beat on its own idle timer, or not be
/// registered: this type cannot tell idle from stuck.
public final class ProgressWatchdog: Sendable {
    private struct Loop {
        var allowedStaleness: Duration
        var lastBeat: ContinuousClock.Instant
    }

    private let loops = Mutex<[String: Loop]>([:])

    public init() {}

    /// Starts watching a loop: from `now` on it must beat at least every `allowedStaleness`
    /// (for example the watchdog interval, or more for a loop that sleeps longer between rounds).
    /// Registering a name again replaces its allowance and counts as a beat.
    public func register(_ name: String, allowedStaleness: Duration, now: ContinuousClock.Instant) {
        loops.withLock { $0[name] = Loop(allowedStaleness: allowedStaleness, lastBeat: now) }
    }

    /// Stops watching a loop (one that has finished its work, or a device that was unplugged).
    public func unregister(_ name: String) {
        _ = loops.withLock { $0.removeValue(forKey: name) }
    }

    /// The loop made progress at `now`. False if no loop of that name is registered (the beat is
    /// ignored: a misspelt name must not quietly add a loop that nobody watches for).
    @discardableResult
    public func beat(_ name: String, now: ContinuousClock.Instant) -> Bool {
        loops.withLock { loops in
            guard loops[name] != nil else { return false }
            // Beats may be reported out of order by concurrent loops; never move a beat backwards.
            loops[name]!.lastBeat = max(loops[name]!.lastBeat, now)
            return true
        }
    }

    /// A beat for one loop, to hand to the loop itself (a board driver's poll loop calls it after
    /// every round). `now` is injectable so tests can move time without sleeping.
    public func heartbeat(
        for name: String, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) -> @Sendable () -> Void {
        { [self] in beat(name, now: now()) }
    }

    /// True when every registered loop beat within its allowed staleness (also when none is
    /// registered: then the process being alive is all there is to tell).
    public func shouldPing(now: ContinuousClock.Instant) -> Bool {
        loops.withLock { loops in loops.values.allSatisfy { Self.isFresh($0, now: now) } }
    }

    /// The loops that have not beaten within their allowed staleness, sorted by name.
    public func stale(now: ContinuousClock.Instant) -> [String] {
        loops.withLock { loops in loops.filter { !Self.isFresh($0.value, now: now) }.keys.sorted() }
    }

    /// How long ago the loop last beat, or nil if it is not registered (for the log: "store: 47 s").
    public func timeSinceLastBeat(_ name: String, now: ContinuousClock.Instant) -> Duration? {
        loops.withLock { $0[name].map { $0.lastBeat.duration(to: now) } }
    }

    /// The names being watched, sorted.
    public var registeredLoops: [String] {
        loops.withLock { $0.keys.sorted() }
    }

    /// A beat exactly `allowedStaleness` ago still counts.
    private static func isFresh(_ loop: Loop, now: ContinuousClock.Instant) -> Bool {
        loop.lastBeat.duration(to: now) <= loop.allowedStaleness
    }
}
