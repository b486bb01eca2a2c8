public import LockerHAL

/// What boards without an event queue (Kerong, 8A/80) share: door changes are found by comparing
/// each status read with the previous one, and a silent board is reported lost once and back once.
///
/// Pure bookkeeping; each driver reads the status its own way and hands the outcome here.
struct StatusPoller: Sendable {
    private var lastPolled: LockBoardStatus?
    private var answering = true

    /// The events one poll produces. The first successful poll only sets the baseline (start-up
    /// reconciliation reads the status itself); after `boardBack` the changes made meanwhile follow.
    mutating func events(after poll: Result<LockBoardStatus, any Error>, board: Int) -> [HardwareEvent] {
        switch poll {
        case .failure(let error):
            guard answering else { return [] }
            answering = false
            return [.boardLost(board: board, detail: "\(error)")]
        case .success(let status):
            var events: [HardwareEvent] = []
            if !answering {
                answering = true
                events.append(.boardBack(board: board))
            }
            if let previous = lastPolled { events += status.changes(since: previous, board: board) }
            lastPolled = status
            return events
        }
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
