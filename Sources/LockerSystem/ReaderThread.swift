import Foundation
import Synchronization

/// Runs a blocking read loop on a thread of its own and hands what it reads to async code.
///
/// Device reads block (a tty, an evdev node), and a blocked read must never hold one of the few
/// threads Swift concurrency shares. The loop polls with a short timeout so that it notices a stop
/// within that timeout; it owns its device from open to close, so no file descriptor is ever
/// shared across threads.
public enum ReaderThread {
    /// Starts `body` on a new thread. `body` reads until `isStopped()` turns true, yielding each
    /// element; an error it throws ends the stream with that error. The returned `stop` is also
    /// what the stream's termination calls, so a consumer that stops iterating stops the thread.
    public static func start<Element: Sendable>(
        name: String,
        _ body: @escaping @Sendable (_ isStopped: () -> Bool, _ yield: (Element) -> Void) throws -> Void
    ) -> (elements: AsyncThrowingStream<Element, any Error>, stop: @Sendable () -> Void) {
        let stopped = StopFlag()
        let (elements, continuation) = AsyncThrowingStream.makeStream(of: Element.self)
        continuation.onTermination = { _ in stopped.set() }
        let thread = Thread {
            do {
                try body({ stopped.isSet }, { continuation.yield($0) })
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        thread.name = name
        thread.start()
        return (elements, { stopped.set() })
    }

    private final class StopFlag: Sendable {
        private let value = Mutex(false)
        var isSet: Bool { value.withLock { $0 } }
        func set() { value.withLock { $0 = true } }
    }
}
