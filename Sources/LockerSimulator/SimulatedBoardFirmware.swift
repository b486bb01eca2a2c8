public import LockerWire

/// The firmware of one simulated board on a shared serial line, of any family: it hears every
/// byte on the bus and answers only what is addressed to it, so several boards (and families)
/// can share one pseudo-terminal behind the same code.
public protocol SimulatedBoardFirmware: Sendable {
    /// The address the firmware answers to on its bus.
    var busAddress: Int { get }
    /// Feeds bytes from the bus; returns the bytes the board transmits in answer.
    mutating func receive(_ bytes: [UInt8]) -> [UInt8]
    /// A door or item change of the physical cabinet. Only boards with an event queue (our own
    /// protocol) keep it; the others are polled for status, so the default ignores it.
    mutating func record(channel: UInt8, kind: OwnBoardMessage.Event.Kind, uptimeMilliseconds: UInt32)
}

extension SimulatedBoardFirmware {
    public mutating func record(channel: UInt8, kind: OwnBoardMessage.Event.Kind, uptimeMilliseconds: UInt32) {}
}

extension SimulatedOwnBoard: SimulatedBoardFirmware {
    public var busAddress: Int { Int(address) }
}

extension SimulatedEightABoard: SimulatedBoardFirmware {
    public var busAddress: Int { address }
}
