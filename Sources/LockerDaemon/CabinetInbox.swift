public import LockerHAL
import Synchronization

/// The single queue in front of the `CabinetController`. Drivers, simulators, the ticker and the
/// front panel all post here; one loop (`run`) takes inputs one at a time, so the controller never
/// sees two inputs interleaved. `handle` waits until the input was handled; `post` (a keypad's
/// reader thread, which needs no answer) returns at once.
public final class CabinetInbox: HardwareEventQueue, Sendable {
    /// Each input carries when it was posted: the unlock latency a person feels includes the wait
    /// in this queue.
    enum Input: Sendable {
        case hardware(HardwareEvent, ContinuousClock.Instant, CheckedContinuation<Void, Never>)
        /// From `post`: nobody waits for it.
        case posted(HardwareEvent, ContinuousClock.Instant)
        /// Answers how long the ticker may wait afterwards (`CabinetController.nextTickAfter`).
        case tick(CheckedContinuation<Duration, Never>)
        case inspect(@Sendable (CabinetController) async -> Void, ContinuousClock.Instant, CheckedContinuation<Void, Never>)
    }

    private let stream: AsyncStream<Input>
    private let continuation: AsyncStream<Input>.Continuation

    public init() {
        (stream, continuation) = AsyncStream<Input>.makeStream()
    }

    public func handle(_ event: HardwareEvent) async {
        await withCheckedContinuation { done in
            if case .terminated = continuation.yield(.hardware(event, .now, done)) { done.resume() }
        }
    }

    public func post(_ event: HardwareEvent) {
        continuation.yield(.posted(event, .now))
    }

    /// Time passes; returns how long the ticker may wait before the next tick.
    @discardableResult
    public func tick() async -> Duration {
        await withCheckedContinuation { done in
            if case .terminated = continuation.yield(.tick(done)) { done.resume(returning: .seconds(5)) }
        }
    }

    /// Runs `body` on the loop, between two inputs (front-panel `show`, tests).
    public func inspect(_ body: @escaping @Sendable (CabinetController) async -> Void) async {
        await withCheckedContinuation { done in
            if case .terminated = continuation.yield(.inspect(body, .now, done)) { done.resume() }
        }
    }

    /// Ends the loop after the inputs already queued.
    public func finish() {
        continuation.finish()
    }

    /// The loop: starts the controller (reconciliation), then handles inputs until `finish`.
    /// `started` runs once the doors are reconciled, before the first input (systemd's READY).
    public func run(_ controller: CabinetController, started: (@Sendable () -> Void)? = nil) async {
        await controller.start()
        started?()
        for await input in stream {
            switch input {
            case .hardware(let event, let posted, let done):
                controller.inputArrived = posted
                await controller.handle(event)
                done.resume()
            case .posted(let event, let posted):
                controller.inputArrived = posted
                await controller.handle(event)
            case .tick(let done):
                await controller.tick()
                done.resume(returning: controller.nextTickAfter)
            case .inspect(let body, let posted, let done):
                controller.inputArrived = posted
                await body(controller)
                done.resume()
            }
        }
        // Nothing will move a door any more: whoever waits for one gets its answer now.
        controller.abandonDoorWaiters()
    }
}

extension CabinetInbox {
    /// Runs `body` on the loop and returns its result; nil when the loop has already finished
    /// (the daemon is stopping), so a caller never waits for an answer that cannot come.
    public func perform<T: Sendable>(_ body: @escaping @Sendable (CabinetController) async -> T) async -> T? {
        let result = ResultSlot<T>()
        await inspect { controller in
            let value = await body(controller)
            result.value.withLock { $0 = value }
        }
        return result.value.withLock { $0 }
    }
}

/// Carries a value out of the loop's closure.
private final class ResultSlot<T: Sendable>: Sendable {
    let value = Mutex<T?>(nil)
}
