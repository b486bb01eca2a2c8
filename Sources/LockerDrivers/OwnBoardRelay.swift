public import LockerHAL
public import Logging

/// A relay on one of our own lock boards (SET RELAY), e.g. a cold zone's compressor, switched
/// over the same bus as the latches. The board's own safe state (PROTOCOL.md §6) covers a host
/// that stops talking; `setSafeState` is the host's: off.
public struct OwnBoardRelay: Relay {
    public let name: String
    public let relay: Int
    let board: OwnProtocolLockBoard
    let logger: Logger

    public init(name: String, board: OwnProtocolLockBoard, relay: Int, logger: Logger) {
        self.name = name
        self.board = board
        self.relay = relay
        self.logger = logger
    }

    public func set(on: Bool) async throws {
        try await board.setRelay(relay, on: on)
    }

    public func setSafeState() async {
        do {
            try await board.setRelay(relay, on: false)
        } catch {
            logger.error("relay could not be put in its safe state", metadata: [
                "relay": "\(name)", "board.address": "\(board.address)", "error": "\(error)",
            ])
        }
    }
}
