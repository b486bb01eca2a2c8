import Synchronization

/// Matches the replies a message transport delivers with the batches waiting for them. A reply
/// may arrive before its sender starts to wait (an HTTP transport delivers it inside `send`), so
/// it is kept until asked for; a sender that gave up (timeout, failure) is forgotten, and a reply
/// that comes for it later is dropped.
final class UplinkReplyRouter: Sendable {
    struct NoReply: Error, CustomStringConvertible {
        var description: String
    }

    private struct State {
        var waiting: [UInt64: CheckedContinuation<UplinkHTTPResponse, any Error>] = [:]
        var arrived: [UInt64: UplinkHTTPResponse] = [:]
        /// Ids whose sender is still interested (waiting, or about to).
        var expected: Set<UInt64> = []
        var finished = false
    }

    private let state = Mutex(State())

    /// A sender is about to send `id` and will wait for its reply.
    func expect(_ id: UInt64) {
        state.withLock { _ = $0.expected.insert(id) }
    }

    /// A reply came from the transport.
    func deliver(_ response: UplinkHTTPResponse, to id: UInt64) {
        let waiter = state.withLock { state -> CheckedContinuation<UplinkHTTPResponse, any Error>? in
            guard state.expected.contains(id) else { return nil }
            if let waiter = state.waiting.removeValue(forKey: id) {
                state.expected.remove(id)
                return waiter
            }
            state.arrived[id] = response
            return nil
        }
        waiter?.resume(returning: response)
    }

    /// The reply to `id`, waiting at most `seconds` for it.
    func reply(to id: UInt64, within seconds: Double) async throws -> UplinkHTTPResponse {
        try await withThrowingTaskGroup(of: UplinkHTTPResponse.self) { group in
            group.addTask { try await self.wait(for: id) }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int(max(0.001, seconds) * 1_000)))
                self.forget(id, because: "no reply within \(seconds) s")
                throw NoReply(description: "no reply within \(seconds) s")
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw NoReply(description: "no reply") }
            return first
        }
    }

    private func wait(for id: UInt64) async throws -> UplinkHTTPResponse {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = state.withLock { state -> Result<UplinkHTTPResponse, any Error>? in
                if let response = state.arrived.removeValue(forKey: id) {
                    state.expected.remove(id)
                    return .success(response)
                }
                guard state.expected.contains(id), !state.finished else {
                    return .failure(NoReply(description: state.finished ? "the transport closed" : "no reply"))
                }
                state.waiting[id] = continuation
                return nil
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }

    /// The sender of `id` gave up: a waiter still there is told why, a later reply is dropped.
    func forget(_ id: UInt64, because reason: String) {
        let waiter = state.withLock { state -> CheckedContinuation<UplinkHTTPResponse, any Error>? in
            state.expected.remove(id)
            state.arrived[id] = nil
            return state.waiting.removeValue(forKey: id)
        }
        waiter?.resume(throwing: NoReply(description: reason))
    }

    /// The transport's stream ended: every waiter is told, none waits again.
    func finish() {
        let waiters = state.withLock { state -> [CheckedContinuation<UplinkHTTPResponse, any Error>] in
            state.finished = true
            defer { state.waiting = [:] }
            return Array(state.waiting.values)
        }
        for waiter in waiters { waiter.resume(throwing: NoReply(description: "the transport closed")) }
    }
}
