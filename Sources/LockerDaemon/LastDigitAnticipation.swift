import LockerSystem
import Synchronization

/// Gets the cabinet loop ready for the last digit of a pickup code while the panel holds the code
/// one digit short (`CabinetController.onLastDigitAwaited`), for `window` at most:
/// - the loop's thread busy-polls its keypads (`DedicatedThreadExecutor.busyPoll(until:)`), so
///   the key is read the moment it arrives, with no core to wake first;
/// - every `rehearsalInterval` the loop rehearses the pickup (`CabinetController.rehearseLastDigit`:
///   the custody decision for each of the ten codes the last digit can make, and reads of the rows
///   the commit would write, on the store writer's connection). It changes nothing; it keeps the
///   code and data of the path in the CPU's caches.
///
/// Why: with stage stamps on the path in a release build on a 2-core VM, each step from the key
/// to BEGIN IMMEDIATE cost several times its warm cost after a person's pause (the inbox's
/// hand-over 24 µs, BEGIN 41 µs); warming once at the penultimate digit did not last until the
/// last one (an earlier round measured that), warming every millisecond does: keypad read to
/// BEGIN went from about 145 to 53 µs at p50.
///
/// Cost: the loop's core is busy for at most `window` per code typed (a second or two for each
/// pickup; busy polling yields to other threads that want the core), never at rest. A key that
/// arrives during a rehearsal waits for its end (tens of µs, warm).
final class LastDigitAnticipation: Sendable {
    static let window: Duration = .seconds(2)
    static let rehearsalInterval: Duration = .milliseconds(1)

    private struct State {
        /// Counts the times the last digit came to be awaited: a rehearsal loop runs only while
        /// its own generation is the one awaited.
        var generation = 0
        var awaited = false
        var rehearsals: Task<Void, Never>?
    }

    private let loop: DedicatedThreadExecutor
    private let inbox: CabinetInbox
    private let window: Duration
    private let state = Mutex(State())

    init(loop: DedicatedThreadExecutor, inbox: CabinetInbox, window: Duration = LastDigitAnticipation.window) {
        self.loop = loop
        self.inbox = inbox
        self.window = window
    }

    /// What `CabinetController.onLastDigitAwaited` says.
    func lastDigitAwaited(_ awaited: Bool) {
        let deadline = ContinuousClock.now + window
        loop.busyPoll(until: awaited ? deadline : nil)
        state.withLock { state in
            guard awaited != state.awaited else { return }
            state.awaited = awaited
            guard awaited else { return }
            state.generation += 1
            let generation = state.generation
            state.rehearsals = Task(executorPreference: loop) { [self] in
                while isAwaited(generation), ContinuousClock.now < deadline {
                    await inbox.inspect { controller in controller.rehearseLastDigit() }
                    // Ends with the loop's thread (the daemon stopping).
                    do { try await loop.sleep(for: Self.rehearsalInterval) } catch { break }
                }
            }
        }
    }

    private func isAwaited(_ generation: Int) -> Bool {
        state.withLock { $0.awaited && $0.generation == generation }
    }

    /// Returns once the latest rehearsal loop has ended (tests).
    func rehearsalsEnded() async {
        await state.withLock { $0.rehearsals }?.value
    }
}
