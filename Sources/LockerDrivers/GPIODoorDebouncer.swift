/// Turns door-sensor edges into door changes worth reporting. Pure: it sees only the edges' own
/// kernel timestamps and the fact that a quiet period passed, never a clock, so the tests feed it
/// exact timings.
///
/// A new level becomes a change once it has held for `window`: either a later edge (on any line,
/// since all timestamps share one clock) is at least `window` younger, or the caller waited a full
/// `window` without any edge and says so with `quietPeriodElapsed()`. A level that reverts within
/// the window is a bounce and is never reported.
struct GPIODoorDebouncer {
    struct Change: Sendable, Equatable {
        let channel: Int
        let isOpen: Bool
    }

    private struct Candidate {
        let isOpen: Bool
        let since: Duration
    }

    let window: Duration
    /// The level last reported (or found at start) per channel.
    private(set) var reported: [Int: Bool]
    /// A level that differs from `reported` and has not held for `window` yet.
    private var candidates: [Int: Candidate] = [:]

    init(window: Duration, reported: [Int: Bool]) {
        self.window = window
        self.reported = reported
    }

    /// Whether a change waits for its level to hold: the caller then waits at most `window`.
    var hasCandidates: Bool { !candidates.isEmpty }

    /// A quiet line read at rest that disagrees with what was reported: an edge was lost (the
    /// kernel's per-line event queue overflowed, say). The reading is the truth; report it.
    mutating func levelsRead(_ levels: [Int: Bool]) -> [Change] {
        guard candidates.isEmpty else { return [] }
        var changes: [Change] = []
        for (channel, isOpen) in levels.sorted(by: { $0.key < $1.key }) where reported[channel] != isOpen {
            reported[channel] = isOpen
            changes.append(Change(channel: channel, isOpen: isOpen))
        }
        return changes
    }

    /// Edges must come in timestamp order (sort a batch across lines first).
    mutating func edgeSeen(channel: Int, isOpen: Bool, at timestamp: Duration) -> [Change] {
        // Every candidate held at least until this edge (this channel's too: this edge ends it),
        // so those older than `window` are real changes.
        let changes = confirmCandidates(heldUntil: timestamp)
        // A candidate of this channel still waiting did not hold: a bounce, superseded by this edge.
        candidates[channel] = nil
        if isOpen != reported[channel] {
            candidates[channel] = Candidate(isOpen: isOpen, since: timestamp)
        }
        return changes
    }

    /// The caller waited a full `window` with no edge on any line: every candidate held.
    mutating func quietPeriodElapsed() -> [Change] {
        confirmCandidates(heldUntil: nil)
    }

    private mutating func confirmCandidates(heldUntil timestamp: Duration?) -> [Change] {
        let held = candidates
            .filter { _, candidate in timestamp.map { $0 - candidate.since >= window } ?? true }
            .sorted { ($0.value.since, $0.key) < ($1.value.since, $1.key) }
        return held.map { channel, candidate in
            candidates[channel] = nil
            return confirm(channel, candidate)
        }
    }

    private mutating func confirm(_ channel: Int, _ candidate: Candidate) -> Change {
        reported[channel] = candidate.isOpen
        return Change(channel: channel, isOpen: candidate.isOpen)
    }
}
