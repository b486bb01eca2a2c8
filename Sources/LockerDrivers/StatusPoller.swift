public import LockerHAL

/// What boards without an event queue (Kerong, 8A/80) share: door changes are found by comparing
/// each status read with the previous one, and a silent board is reported lost once and back once.
///
/// Every successful status read counts, not only the polls: the confirming reads after an unlock
/// and the daemon's reconciliation reads move the baseline too, and the changes they saw wait
/// for the next poll's delivery. Otherwise a door seen open only by a quick confirming read and
/// closed again by the next poll would never be reported open (the door watch would call a working
/// latch failed), and a door the daemon reconciled as open while the poller still held the
/// pre-outage baseline would never be reported closed.
///
/// Pure bookkeeping; each driver reads the status its own way and hands the outcome here.
struct StatusPoller: Sendable {
    private var lastSeen: LockBoardStatus?
    /// `boardLost` was delivered for the silence in progress (once per silence).
    private var lostReported = false
    /// A read failed since the last one that succeeded (a poll's, or one the daemon asked for):
    /// the next success says the board is back.
    private var owesBack = false
    private var undelivered: [HardwareEvent] = []

    /// A status read succeeded (any read: a poll, a confirming read, a reconciliation). The first
    /// one only sets the baseline; after a silence, `boardBack` comes before the changes.
    mutating func observed(_ status: LockBoardStatus, board: Int) {
        if owesBack {
            lostReported = false
            owesBack = false
            undelivered.append(.boardBack(board: board))
        }
        if let previous = lastSeen { undelivered += status.changes(since: previous, board: board) }
        lastSeen = status
    }

    /// A status read the daemon asked for (at start, to reconcile, to confirm an unlock) failed.
    /// The daemon reports that board lost itself, so the next read that succeeds must say it is
    /// back: otherwise a board silent only during lockerd's start-up read, whose polls all
    /// succeed, would stay offline in the daemon with nothing to bring it back.
    mutating func readFailed() {
        owesBack = true
    }

    /// The events one poll delivers: what reads since the last delivery saw, then `boardLost`
    /// when this poll found the board silent (once per silence).
    mutating func events(afterPollFailure failure: (any Error)?, board: Int) -> [HardwareEvent] {
        var events = undelivered
        undelivered.removeAll()
        if let failure {
            owesBack = true
            if !lostReported {
                lostReported = true
                events.append(.boardLost(board: board, detail: "\(failure)"))
            }
        }
        return events
    }

    /// After an unlock that the board does not acknowledge: reads the status until the door shows
    /// open or `window` has passed. A door still closed then is not an error: the daemon's door
    /// watch decides whether the latch failed. A board that does not answer is.
    static func confirmOpen(
        channel: Int, board: Int, window: Duration, isolation: isolated (any Actor)? = #isolation,
        readStatus: () async throws -> LockBoardStatus
    ) async throws {
        let deadline = ContinuousClock.now + window
        while true {
            let status: LockBoardStatus
            do {
                status = try await readStatus()
            } catch {
                throw HardwareError.boardNotAnswering(
                    board: board, detail: "no status after unlocking channel \(channel) to confirm it: \(error)")
            }
            let open = status.doorOpen.indices.contains(channel - 1) && status.doorOpen[channel - 1]
            if open || ContinuousClock.now >= deadline { return }
            try await Task.sleep(for: window / 4 > .milliseconds(10) ? window / 4 : .milliseconds(10))
        }
    }
}
