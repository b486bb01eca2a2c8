public import LockerHAL

/// The simulated cabinet's wire to the daemon: one serial queue of hardware events, consumed by a
/// single task that hands them to the daemon one at a time (as real drivers' read loops do).
///
/// A person's action waits until its event was handled (`deliver`), and `drain` waits for
/// everything already queued, including door changes a latch pulse caused meanwhile. That is what
/// makes a piped front-panel session deterministic.
public final class SimulatedEventQueue: HardwareEventSource {
    private enum Item: Sendable {
        case event(HardwareEvent, CheckedContinuation<Void, Never>?)
        case barrier(CheckedContinuation<Void, Never>)
    }

    private let stream: AsyncStream<Item>
    private let continuation: AsyncStream<Item>.Continuation

    public init() {
        (stream, continuation) = AsyncStream<Item>.makeStream()
    }

    /// Queues an event without waiting (a door springing open after a pulse).
    public func post(_ event: HardwareEvent) {
        continuation.yield(.event(event, nil))
    }

    /// Queues an event and returns once the daemon handled it.
    public func deliver(_ event: HardwareEvent) async {
        await withCheckedContinuation { done in
            // Nobody is listening any more (the daemon stopped): the world goes on without it.
            if case .terminated = continuation.yield(.event(event, done)) { done.resume() }
        }
    }

    /// Returns once every event queued before the call was handled.
    public func drain() async {
        await withCheckedContinuation { done in
            if case .terminated = continuation.yield(.barrier(done)) { done.resume() }
        }
    }

    /// Hands events to `handler` until `finish`, then answers every waiter still queued (so a
    /// person's action never waits forever on a stopped daemon). Call once, from a task that is
    /// not cancelled: stopping is `finish`.
    public func run(delivering handler: any HardwareEventHandler) async {
        for await item in stream {
            switch item {
            case .event(let event, let done):
                await handler.handle(event)
                done?.resume()
            case .barrier(let done):
                done.resume()
            }
        }
    }

    public func finish() {
        continuation.finish()
    }
}
