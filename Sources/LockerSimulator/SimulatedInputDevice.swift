public import Foundation
public import LockerInput
import LockerSystem
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
    private let writer: FileDescriptor
    private let patience: Duration
    private struct Progress {
        var expected = 0
        var reported = 0
        /// Callers waiting for their outcomes, each until its own target count.
        var waiters: [(id: Int, target: Int, continuation: CheckedContinuation<Bool, Never>)] = []
        var nextWaiter = 0
    }
    private let progress = Mutex(Progress())
    /// One writer at a time, so two sessions typing at once (the terminal and `lockerctl sim`)
    /// never interleave their key events.
    private let writing = Mutex(())

    /// Creates the FIFO at `path` (replacing a stale one from an earlier run) and holds its write
    /// end open: opened read-write, the open never blocks and the reader never sees end-of-file.
    /// Non-blocking: a reader that stopped reading cannot hold the writer for longer than the
    /// patience.
    public init(path: String, patience: Duration = .seconds(3)) throws {
        self.path = path
        self.patience = patience
        FileSystemCalls.removeIfPresent(path)
        do {
            try FileSystemCalls.makeFIFO(at: path, permissions: 0o600)
            writer = try FileDescriptor.open(path, .readWrite, options: .nonBlocking)
        } catch {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: "\(error.call) \(path): \(error.message)"])
        }
    }

    deinit {
        writer.close()
        FileSystemCalls.removeIfPresent(path)
    }

    /// Writes `events` and waits until the reader reported `outcomes` results for them. Returns
    /// false if they did not all arrive within the patience.
    @discardableResult
    public func type(_ events: [InputEvent], outcomes: Int) async -> Bool {
        let bytes = events.flatMap { $0.bytes(timevalBytes: InputDeviceCalls.timevalSize) }
        let target: Int? = writing.withLock { _ in
            guard writeAll(bytes) else { return nil }
            return progress.withLock { progress -> Int in
                progress.expected += outcomes
                return progress.expected
            }
        }
        guard let target else { return false }
        let waiter = progress.withLock { progress -> Int in
            progress.nextWaiter += 1
            return progress.nextWaiter
        }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.waitUntilReported(target, waiter: waiter) }
            group.addTask {
                try? await Task.sleep(for: self.patience)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            // A timed-out wait still has its waiter installed: answer it so the group can end.
            self.giveUpWaiting(waiter)
            return first
        }
    }

    /// Called by the reader after each press or code was handled (or refused).
    public func outcomeReported() {
        let done = progress.withLock { progress -> [CheckedContinuation<Bool, Never>] in
            progress.reported += 1
            let reached = progress.waiters.filter { $0.target <= progress.reported }
            progress.waiters.removeAll { $0.target <= progress.reported }
            return reached.map(\.continuation)
        }
        for continuation in done { continuation.resume(returning: true) }
    }

    /// Writes every byte, waiting for room at most the patience (a reader that stopped).
    private func writeAll(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        let deadline = ContinuousClock.now + patience
        while offset < bytes.count {
            // EINTR is retried inside; nil is a full FIFO (EAGAIN); any other failure gives up.
            let written: Int?
            do {
                written = try writer.writeOnce(bytes[offset...])
            } catch {
                return false
            }
            if let written, written > 0 {
                offset += written
                continue
            }
            guard written == nil, ContinuousClock.now < deadline else { return false }
            _ = try? writer.poll(for: .writable, milliseconds: 50)
        }
        return true
    }

    private func waitUntilReported(_ target: Int, waiter: Int) async -> Bool {
        await withCheckedContinuation { continuation in
            // Cancellation (the patience ran out) is checked under the lock with the waiter's
            // installation, so `giveUpWaiting` either finds the waiter or it never waits.
            let answer = progress.withLock { progress -> Bool? in
                if progress.reported >= target { return true }
                if Task.isCancelled { return false }
                progress.waiters.append((waiter, target, continuation))
                return nil
            }
            if let answer { continuation.resume(returning: answer) }
        }
    }

    private func giveUpWaiting(_ waiter: Int) {
        let abandoned = progress.withLock { progress -> CheckedContinuation<Bool, Never>? in
            guard let index = progress.waiters.firstIndex(where: { $0.id == waiter }) else { return nil }
            return progress.waiters.remove(at: index).continuation
        }
        abandoned?.resume(returning: false)
    }
}
