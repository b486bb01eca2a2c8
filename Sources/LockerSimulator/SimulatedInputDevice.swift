public import Foundation
#if canImport(Glibc)
import Glibc
#endif
public import LockerInput
import Synchronization

/// A stand-in for a USB HID scanner or keypad: a FIFO into which the simulator writes the same
/// `struct input_event` bytes the kernel would deliver from `/dev/input/event*`. The daemon reads
/// it with its real evdev reader (not grabbed: a FIFO is not an input device), so what a person
/// does at the simulated cabinet takes the path a real press or scan takes.
///
/// The reader reports each outcome back (`outcomeReported`), and `type` returns once all it
/// expects arrived, so a scripted session stays deterministic. It gives up after `patience` (the
/// reader stopped, say) rather than hang the session.
public final class SimulatedInputDevice: Sendable {
    public let path: String
    private let writer: Int32
    private let patience: Duration
    private struct Progress {
        var expected = 0
        var reported = 0
        var waiter: (target: Int, continuation: CheckedContinuation<Bool, Never>)?
    }
    private let progress = Mutex(Progress())

    /// Creates the FIFO at `path` (replacing a stale one from an earlier run) and holds its write
    /// end open: opened read-write, the open never blocks and the reader never sees end-of-file.
    public init(path: String, patience: Duration = .seconds(3)) throws {
        self.path = path
        self.patience = patience
        unlink(path)
        guard mkfifo(path, 0o600) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: "mkfifo \(path): \(String(cString: strerror(errno)))"])
        }
        writer = open(path, O_RDWR | O_CLOEXEC)
        guard writer >= 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: "open \(path): \(String(cString: strerror(errno)))"])
        }
    }

    deinit {
        close(writer)
        unlink(path)
    }

    /// Writes `events` and waits until the reader reported `outcomes` results for them. Returns
    /// false if they did not all arrive in time.
    @discardableResult
    public func type(_ events: [InputEvent], outcomes: Int) async -> Bool {
        let target = progress.withLock { progress -> Int in
            progress.expected += outcomes
            return progress.expected
        }
        let bytes = events.flatMap { $0.bytes(timevalBytes: MemoryLayout<timeval>.size) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(writer, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.waitUntilReported(target) }
            group.addTask {
                try? await Task.sleep(for: self.patience)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            // A timed-out wait still has its waiter installed: answer it so the group can end.
            self.giveUpWaiting()
            return first
        }
    }

    /// Called by the reader after each press or code was handled (or refused).
    public func outcomeReported() {
        let done = progress.withLock { progress -> CheckedContinuation<Bool, Never>? in
            progress.reported += 1
            guard let waiter = progress.waiter, progress.reported >= waiter.target else { return nil }
            progress.waiter = nil
            return waiter.continuation
        }
        done?.resume(returning: true)
    }

    private func waitUntilReported(_ target: Int) async -> Bool {
        await withCheckedContinuation { continuation in
            // Cancellation (the patience ran out) is checked under the lock with the waiter's
            // installation, so `giveUpWaiting` either finds the waiter or it never waits.
            let answer = progress.withLock { progress -> Bool? in
                if progress.reported >= target { return true }
                if Task.isCancelled { return false }
                progress.waiter = (target, continuation)
                return nil
            }
            if let answer { continuation.resume(returning: answer) }
        }
    }

    private func giveUpWaiting() {
        let waiter = progress.withLock { progress -> CheckedContinuation<Bool, Never>? in
            defer { progress.waiter = nil }
            return progress.waiter?.continuation
        }
        waiter?.resume(returning: false)
    }
}
