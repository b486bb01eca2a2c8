import LockerDrivers
public import LockerHAL
public import Logging

/// Compartment LEDs: boards of our own protocol light theirs with SET INDICATOR (the door that
/// just opened blinks so the person finds it); every other board's lights go to `fallback` (the
/// simulator's, or none). A light that cannot be set is logged, never an error for custody.
public struct OwnBoardIndicatorLights: IndicatorLights {
    let ownBoards: [Int: OwnProtocolLockBoard]
    let fallback: any IndicatorLights
    let logger: Logger

    /// - Parameter boards: the cabinet's boards, by their cabinet address (`LockBoard.address`).
    public init(boards: [any LockBoard], fallback: any IndicatorLights, logger: Logger) {
        var own: [Int: OwnProtocolLockBoard] = [:]
        for board in boards {
            if let driver = Self.ownDriver(board) { own[board.address] = driver }
        }
        ownBoards = own
        self.fallback = fallback
        self.logger = logger
    }

    /// The driver of our own protocol behind `board`, if that is what it is.
    static func ownDriver(_ board: any LockBoard) -> OwnProtocolLockBoard? {
        (board as? OwnProtocolLockBoard) ?? ((board as? ReaddressedLockBoard)?.inner as? OwnProtocolLockBoard)
    }

    public func set(board: Int, channel: Int, to pattern: LightPattern) async {
        guard let driver = ownBoards[board] else {
            await fallback.set(board: board, channel: channel, to: pattern)
            return
        }
        do {
            try await driver.setIndicator(channel: channel, to: pattern)
        } catch {
            logger.warning("compartment light not set", metadata: [
                "board.address": "\(board)", "board.channel": "\(channel)", "error": "\(error)",
            ])
        }
    }
}
