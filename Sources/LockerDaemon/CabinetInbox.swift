public import LockerHAL
import Synchronization

/// The single queue in front of the `CabinetController`. Drivers, simulators, the ticker and the
/// front panel all post here; one loop (`run`) takes inputs one at a time, so the controller never
/// sees two inputs interleaved. `handle` waits until the input was handled; `post` (a keypad's
/// reader thread, which needs no answer) returns at once.
///
/// A queue of its own under a mutex, not an `AsyncStream`: the stream's generic code runs
/// unspecialized here (metadata look-ups and an array's `removeFirst` on every input), and the
/// last key of a pickup code spent about 130 µs between its reader thread and the loop.
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

    /// The inputs not yet taken, the loop waiting for one (at most one loop runs), and whether the
    /// inbox has finished (it takes no more; those already queued are still handled).
    private struct Queue: ~Copyable {
        var inputs: [Input] = []
        var head = 0
        var waitingLoop: CheckedContinuation<Input?, Never>?
        var isFinished = false

        mutating func takeFirst() -> Input? {
            guard head < inputs.count else { return nil }
            let input = inputs[head]
            head += 1
            if head == inputs.count {
                inputs.removeAll(keepingCapacity: true)
                head = 0
            }
            return input
        }
    }

    private let queue = Mutex(Queue())

    public init() {}

    /// Queues `input` (or hands it to the waiting loop); false once the inbox has finished.
    private func enqueue(_ input: Input) -> Bool {
        let (accepted, loop): (Bool, CheckedContinuation<Input?, Never>?) = queue.withLock { queue in
            guard !queue.isFinished else { return (false, nil) }
            if let loop = queue.waitingLoop {
                queue.waitingLoop = nil
                return (true, loop)
            }
            queue.inputs.append(input)
            return (true, nil)
        }
        loop?.resume(returning: input)
        return accepted
    }

    /// The next input; nil once the inbox has finished and every queued input was taken, or the
    /// loop's task was cancelled (which finishes the inbox, as the end of a stream would).
    private func next() async -> Input? {
        if let input = queue.withLock({ $0.takeFirst() }) { return input }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (loop: CheckedContinuation<Input?, Never>) in
                let ready: Input?? = queue.withLock { queue in
                    if let input = queue.takeFirst() { return .some(input) }
                    if queue.isFinished || Task.isCancelled { return .some(nil) }
                    queue.waitingLoop = loop
                    return nil
                }
                if let ready { loop.resume(returning: ready) }
            }
        } onCancel: {
            finish()
        }
    }

    public func handle(_ event: HardwareEvent) async {
        await withCheckedContinuation { done in
            if !enqueue(.hardware(event, .now, done)) { done.resume() }
        }
    }

    public func post(_ event: HardwareEvent) {
        _ = enqueue(.posted(event, .now))
    }

    /// Time passes; returns how long the ticker may wait before the next tick.
    @discardableResult
    public func tick() async -> Duration {
        await withCheckedContinuation { done in
            if !enqueue(.tick(done)) { done.resume(returning: .seconds(5)) }
        }
    }

    /// Runs `body` on the loop, between two inputs (front-panel `show`, tests).
    public func inspect(_ body: @escaping @Sendable (CabinetController) async -> Void) async {
        await withCheckedContinuation { done in
            if !enqueue(.inspect(body, .now, done)) { done.resume() }
        }
    }

    /// Ends the loop after the inputs already queued.
    public func finish() {
        let loop: CheckedContinuation<Input?, Never>? = queue.withLock { queue in
            queue.isFinished = true
            // A loop waits only when nothing is queued: it ends now.
            defer { queue.waitingLoop = nil }
            return queue.waitingLoop
        }
        loop?.resume(returning: nil)
    }

    /// The loop: starts the controller (reconciliation), then handles inputs until `finish`.
    /// `started` runs once the doors are reconciled, before the first input (systemd's READY).
    public func run(_ controller: CabinetController, started: (@Sendable () -> Void)? = nil) async {
        await controller.start()
        started?()
        while let input = await next() {
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
