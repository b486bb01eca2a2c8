public import LockerHAL

/// A board whose address on its bus differs from its number in the cabinet configuration (two
/// buses may both have a board 1). Calls pass through; events coming back are renumbered to the
/// cabinet's board number, which is what compartments refer to.
public struct ReaddressedLockBoard: LockBoard, HeartbeatingEventSource {
    public let address: Int
    let inner: any LockBoard & HeartbeatingEventSource

    public init(cabinetAddress: Int, inner: any LockBoard & HeartbeatingEventSource) {
        self.address = cabinetAddress
        self.inner = inner
    }

    public var channelCount: Int { inner.channelCount }
    public var hasItemSensors: Bool { inner.hasItemSensors }

    public func unlock(channel: Int, pulseMilliseconds: Int) async throws {
        try await inner.unlock(channel: channel, pulseMilliseconds: pulseMilliseconds)
    }

    public func readStatus() async throws -> LockBoardStatus {
        try await inner.readStatus()
    }

    /// The inner board's inert state.
    public func releaseAll() async {
        await inner.releaseAll()
    }

    public func run(delivering handler: any HardwareEventHandler) async throws {
        try await inner.run(delivering: Renumbering(address: address, handler: handler))
    }

    public func run(delivering handler: any HardwareEventHandler, heartbeat: @escaping @Sendable () -> Void) async throws {
        try await inner.run(delivering: Renumbering(address: address, handler: handler), heartbeat: heartbeat)
    }

    struct Renumbering: HardwareEventHandler {
        let address: Int
        let handler: any HardwareEventHandler

        func handle(_ event: HardwareEvent) async {
            switch event {
            case .doorChanged(_, let channel, let isOpen): await handler.handle(.doorChanged(board: address, channel: channel, isOpen: isOpen))
            case .itemChanged(_, let channel, let isPresent): await handler.handle(.itemChanged(board: address, channel: channel, isPresent: isPresent))
            case .boardLost(_, let detail): await handler.handle(.boardLost(board: address, detail: detail))
            case .boardBack: await handler.handle(.boardBack(board: address))
            case .latchFault(_, let channel, let detail):
                await handler.handle(.latchFault(board: address, channel: channel, detail: detail))
            case .key, .scan: await handler.handle(event)
            }
        }
    }
}
