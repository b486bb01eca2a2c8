public import Foundation

/// A courier's batch retrieval in progress: every overdue door they may take, opened one after
/// another. The next latch is pulsed only once the door before it was seen open by its sensor, or
/// given up on (the door watch saw no opening, the board refused the pulse): the latch supply
/// cannot drive two solenoids at once, and an 8A board's reply takes up to 500 ms.
///
/// Pure bookkeeping, kept by the daemon in memory only (a batch is a courier standing at the
/// cabinet; after a restart nobody is known to be there, so it is not resumed). Each door's
/// retrieval is its own durable pending operation; see `CustodyStateMachine+BatchRetrieval`.
public struct RetrievalBatch: Sendable, Equatable {
    public let courierID: String
    /// Names the batch in every event of its doors (reports count batches by it).
    public let startedAt: Date
    /// Every door of the batch, in the order they open.
    public let doors: [Int]
    /// The door whose latch was pulsed and whose opening is awaited; nil between doors.
    public private(set) var current: Int?
    /// Doors opened (seen open by their sensors), in order.
    public private(set) var opened: [Int] = []
    /// Doors given up on (no opening seen, latch refused, no longer retrievable), in order.
    public private(set) var skipped: [Int] = []
    private var next = 0

    public init(courierID: String, startedAt: Date, doors: [Int]) {
        self.courierID = courierID
        self.startedAt = startedAt
        self.doors = doors
    }

    /// Every door has been opened or given up on.
    public var isFinished: Bool { current == nil && next == doors.count }

    /// The door to open now (it becomes `current`); nil while a door is awaited or none is left.
    public mutating func takeNextDoor() -> Int? {
        guard current == nil, next < doors.count else { return nil }
        current = doors[next]
        next += 1
        return current
    }

    /// The awaited door was seen open. False (nothing changes) for any other door.
    @discardableResult
    public mutating func doorSeenOpen(_ id: Int) -> Bool { settleAwaited(id, into: \.opened) }

    /// The awaited door will not open (or may not be opened). False for any other door.
    @discardableResult
    public mutating func doorGivenUp(_ id: Int) -> Bool { settleAwaited(id, into: \.skipped) }

    private mutating func settleAwaited(_ id: Int, into list: WritableKeyPath<RetrievalBatch, [Int]>) -> Bool {
        guard current == id else { return false }
        self[keyPath: list].append(id)
        current = nil
        return true
    }

    /// Where `id` stands in the batch, counting from 1.
    public func position(of id: Int) -> Int? {
        doors.firstIndex(of: id).map { $0 + 1 }
    }
}
