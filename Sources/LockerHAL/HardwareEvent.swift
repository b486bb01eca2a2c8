/// Everything the hardware tells the daemon, in one type so that a single serial consumer sees the
/// cabinet's inputs in the order they happened.
public enum HardwareEvent: Sendable, Equatable {
    case doorChanged(board: Int, channel: Int, isOpen: Bool)
    case itemChanged(board: Int, channel: Int, isPresent: Bool)
    case key(HardwareKey)
    /// A complete code from a scanner, its line ending removed.
    case scan(String, scanner: String)
    case boardLost(board: Int, detail: String)
    case boardBack(board: Int)
    /// The board reports that one channel's latch is faulty (coil open or shorted): that door
    /// only, not the board, is out of service.
    case latchFault(board: Int, channel: Int, detail: String)
}

/// A keypad key as the hardware reports it.
public enum HardwareKey: Sendable, Equatable, Hashable {
    case digit(UInt8)
    case clear
    case back
    case enter
    case menu
}

/// Receives hardware events. The daemon's controller implements it; drivers and simulators call it
/// from their read loops, one event at a time.
public protocol HardwareEventHandler: Sendable {
    func handle(_ event: HardwareEvent) async
}

/// A handler that also takes events from any thread without waiting for them to be handled (the
/// cabinet's inbox). A keypad's reader thread posts to it directly, so that a key reaches the
/// cabinet loop with one thread switch (reader thread to cabinet loop) instead of two (through a
/// task that would only pass it on).
public protocol HardwareEventQueue: HardwareEventHandler {
    /// Queues `event` behind those queued before it, and returns at once.
    func post(_ event: HardwareEvent)
}

/// A device that produces events on its own (keypad, scanner, a board with unsolicited reports):
/// `run` reads until cancelled.
public protocol HardwareEventSource: Sendable {
    func run(delivering handler: any HardwareEventHandler) async throws
}
