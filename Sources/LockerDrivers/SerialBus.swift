import Foundation
public import LockerHAL
import LockerSystem
import Synchronization

/// One half-duplex RS-485 bus: exactly one request/reply transaction at a time, a quiet gap
/// between transactions, a timeout per attempt and a bounded number of retries. Input already
/// waiting when a request is sent is discarded first, for every family: it cannot be the reply. Several boards
/// (of different families) may share it. An adapter that disappears is reopened on the next
/// transaction, so a replugged adapter is used again without restarting the daemon.
///
/// The waiting is blocking I/O (poll, read, the inter-frame gap), so it runs on the bus's own
/// serial dispatch queue, never on Swift's small cooperative thread pool: a silent board must not
/// stall the controller. The queue is also what makes transactions one at a time.
public final class SerialBus: Sendable {
    public struct Timing: Sendable, Equatable {
        public var replyTimeoutMilliseconds: Int
        public var retries: Int
        public var interFrameGapMilliseconds: Int

        public init(replyTimeoutMilliseconds: Int = 200, retries: Int = 2, interFrameGapMilliseconds: Int = 5) {
            self.replyTimeoutMilliseconds = replyTimeoutMilliseconds
            self.retries = retries
            self.interFrameGapMilliseconds = interFrameGapMilliseconds
        }
    }

    /// State touched only on `queue`.
    private struct LinkState: @unchecked Sendable {
        var port: (any ByteLink)?
        var received: [UInt8] = []
        /// The line must stay silent until then (the gap after the last transaction).
        var quietUntil = ContinuousClock.now
    }

    public let endpoint: LinkEndpoint
    public let timing: Timing
    private let queue: DispatchQueue
    private let link = Mutex(LinkState())
    private let discarded = Atomic<Int>(0)

    /// Holds the status polls of this bus's boards while someone is at the keypad (the cabinet
    /// holds and releases it), so an unlock frame does not wait for a poll's inter-frame gap.
    public let pollDeferral = PollDeferral()

    /// Bytes that belonged to no expected reply (noise, late replies), for diagnostics.
    public var discardedBytes: Int { discarded.load(ordering: .relaxed) }

    public convenience init(_ configuration: SerialPortConfiguration, timing: Timing = Timing()) {
        self.init(endpoint: .serial(configuration), timing: timing)
    }

    public init(endpoint: LinkEndpoint, timing: Timing = Timing()) {
        self.endpoint = endpoint
        self.timing = timing
        queue = DispatchQueue(label: "lockerd.bus.\(endpoint)")
    }

    /// Sends `request` and collects bytes until `reply` recognises an answer (it consumes from the
    /// front of the buffer and returns nil until complete). Retries the same request bytes on
    /// timeout, `retries` times (default: the bus timing's): protocols without idempotent retries
    /// pass 0 for commands that must never run twice (an unlock).
    public func transact<Reply: Sendable>(
        _ request: [UInt8], board: Int, device: String, retries: Int? = nil,
        reply: @escaping @Sendable (inout [UInt8]) -> Reply?
    ) async throws -> Reply {
        // From a dedicated loop thread (a board's poll loop, the cabinet loop) the transaction
        // runs right there, in turn with the others on the bus's queue: no hop to a queue thread
        // and back, which was two of a quiet poll's wake-ups and about 30 µs of an unlock.
        if DedicatedThreadExecutor.mayBlockOnCurrentThread {
            return try queue.sync {
                try blockingTransact(request, board: board, device: device, retries: retries ?? timing.retries, reply: reply)
            }
        }
        return try await withCheckedThrowingContinuation { (done: CheckedContinuation<Reply, any Error>) in
            queue.async { [self] in
                do {
                    done.resume(returning: try blockingTransact(request, board: board, device: device, retries: retries ?? timing.retries, reply: reply))
                } catch {
                    done.resume(throwing: error)
                }
            }
        }
    }

    public func close() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            queue.async { [self] in
                link.withLock { state in
                    state.port?.close()
                    state.port = nil
                }
                done.resume()
            }
        }
    }

    // MARK: - On the queue

    private func blockingTransact<Reply>(
        _ request: [UInt8], board: Int, device: String, retries: Int, reply: (inout [UInt8]) -> Reply?
    ) throws -> Reply {
        var lastError: HardwareError = .boardNotAnswering(board: board, detail: "\(device): no reply")
        for _ in 0...max(0, retries) {
            waitForQuiet()
            do {
                let port = try openPort()
                let leftOver = link.withLock { state in
                    defer { state.received.removeAll() }
                    return state.received.count
                }
                discarded.add(leftOver + (try discardPendingInput(port)), ordering: .relaxed)
                try port.write(request)
                let deadline = ContinuousClock.now + .milliseconds(timing.replyTimeoutMilliseconds)
                var buffer: [UInt8] = []
                while ContinuousClock.now < deadline {
                    let left = deadline - ContinuousClock.now
                    let milliseconds = max(1, Int(left / .milliseconds(1)))
                    buffer += try port.read(timeoutMilliseconds: milliseconds, maximum: 512)
                    if let answer = reply(&buffer) {
                        link.withLock { $0.received = buffer }
                        quietGap()
                        return answer
                    }
                }
                link.withLock { $0.received = buffer }
                lastError = .boardNotAnswering(board: board, detail: "\(device): no reply within \(timing.replyTimeoutMilliseconds) ms")
            } catch let error as HardwareError {
                if case .deviceMissing = error {
                    link.withLock { state in
                        state.port?.close()
                        state.port = nil
                    }
                }
                lastError = error
            }
            quietGap()
        }
        throw lastError
    }

    /// Reads and drops whatever is already waiting on the line: bytes received before a request
    /// was sent can never be its reply (a late reply to an earlier request, a stale frame, noise),
    /// and a decoder that saw them first could take them for one. Bounded, so a line that never
    /// stops babbling still gets its request sent (the reply matching then sorts it out).
    private func discardPendingInput(_ port: any ByteLink) throws -> Int {
        var count = 0
        for _ in 0..<64 {
            let stale = try port.read(timeoutMilliseconds: 0, maximum: 512)
            if stale.isEmpty { break }
            count += stale.count
        }
        return count
    }

    private func openPort() throws -> any ByteLink {
        if let port = link.withLock({ $0.port }) { return port }
        let opened: any ByteLink
        switch endpoint {
        case .serial(let configuration): opened = try SerialPort(configuration)
        case .tcp(let host, let port): opened = try TCPByteLink(host: host, port: port)
        }
        link.withLock { $0.port = opened }
        return opened
    }

    /// Starts the silence the next board needs to tell frames apart. It is waited out by the next
    /// transaction only if that comes sooner (`waitForQuiet`): a poll every 250 ms never sleeps
    /// for it, which saves the bus thread a wake-up per transaction.
    private func quietGap() {
        let until = ContinuousClock.now + .milliseconds(timing.interFrameGapMilliseconds)
        link.withLock { $0.quietUntil = until }
    }

    /// Blocks (on the bus's queue, where blocking is fine) until the gap after the last
    /// transaction has passed.
    private func waitForQuiet() {
        let left = link.withLock { $0.quietUntil } - ContinuousClock.now
        if left > .zero { usleep(useconds_t(max(1, left / .microseconds(1)))) }
    }
}
